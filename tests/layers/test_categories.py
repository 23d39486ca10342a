"""The incident category mapping in the database (migration 0010): keys, shipped defaults,
the focus of rows written without one, a county's own mapping, the data version."""
import psycopg2
import pytest
from shapely.geometry import Point

from data.demo.incidents_model import WRITTEN
from layers import categories
from layers.catalog import INCIDENT_FOCUS, VALUE_LABELS
from layers.versions import data_version
from tests.helpers import COUNTY, put

SAMPLES = ["theft", " THEFT\t", "ＴＨＥＦＴ", "\u3000盗窃电动车 ", "盗窃电动车", "Ｄｒｕｇｓ", "赌博\n", "a\u00a0b"]


def _sql(conn, query, *args):
    with conn.cursor() as cur:
        cur.execute(query, args)
        return cur.fetchall()


def test_keys_agree_between_python_and_the_database(conn):
    got = dict(_sql(conn, "SELECT w, category_key(w) FROM unnest(%s::text[]) w", SAMPLES))
    assert got == {w: categories.category_key(w) for w in SAMPLES}
    assert got["ＴＨＥＦＴ"] == "theft" and got["\u3000盗窃电动车 "] == "盗窃电动车"


def test_shipped_defaults_are_keys_and_cover_every_group_and_its_label(conn):
    shipped = dict(_sql(conn, "SELECT written, focus FROM incident_focus_defaults()"))
    assert len(shipped) >= 80
    assert all(categories.category_key(w) == w for w in shipped)
    assert set(shipped.values()) == set(INCIDENT_FOCUS)
    for code in INCIDENT_FOCUS:     # the codes of old and their Chinese labels keep meaning their group
        assert shipped[code] == code and shipped[VALUE_LABELS[code]] == code
    for written, focus in (("盗窃电动车", "theft"), ("电信网络诈骗", "telecom_fraud"), ("诈骗", "telecom_fraud"),
                           ("集资诈骗", "illegal_fundraising"), ("非法吸收公众存款", "illegal_fundraising"),
                           ("吸毒", "drugs"), ("殴打他人", "assault"), ("邻里纠纷", "dispute")):
        assert shipped[written] == focus
    assert "赌博" not in shipped and "寻衅滋事" not in shipped


def test_the_demo_writes_categories_the_way_the_mapping_reads_them(conn):
    for group, names in WRITTEN.items():
        found = categories.focus_of(conn, COUNTY, list(names))
        assert {n: f or "other" for n, f in found.items()} == {n: group for n in names}, group


def test_rows_written_without_a_focus_get_it_and_follow_a_new_category(app, conn):
    put(conn, "incidents", [{"code": c, "occurred_at": "2026-08-01 10:00", "category": w,
                             "geometry": Point(111.0, 33.0)}
                            for c, w in (("A", " 盗窃电动车"), ("B", "赌博"), ("C", "ＤＩＳＰＵＴＥ"))])
    assert _sql(conn, "SELECT code, category, focus FROM incidents ORDER BY code") == [
        ("A", " 盗窃电动车", "theft"), ("B", "赌博", "other"), ("C", "ＤＩＳＰＵＴＥ", "dispute")]
    with conn.cursor() as cur:
        cur.execute("UPDATE incidents SET category = '吸毒' WHERE code = 'A'")
    assert _sql(conn, "SELECT focus FROM incidents WHERE code = 'A'") == [("drugs",)]
    with pytest.raises(psycopg2.errors.CheckViolation), conn.cursor() as cur:
        cur.execute("UPDATE incidents SET focus = 'jaywalking' WHERE code = 'A'")
    conn.rollback()
    with pytest.raises(psycopg2.errors.CheckViolation), conn.cursor() as cur:
        cur.execute("UPDATE incidents SET category = repeat('x', 101) WHERE code = 'A'")


def test_a_county_mapping_wins_moves_incidents_and_raises_the_data_version(app, conn):
    put(conn, "incidents", [{"code": f"I{i}", "occurred_at": "2026-08-01 10:00", "category": w,
                             "geometry": Point(111.0, 33.0)}
                            for i, w in enumerate(["赌博", " 赌博 ", "诈骗", "赌博"])])
    put(conn, "incidents", [{"code": "OTHER", "occurred_at": "2026-08-01 10:00", "category": "赌博",
                             "geometry": Point(111.0, 33.0)}], county="410998")
    before = data_version(conn)
    done = categories.set_focus(conn, COUNTY, "赌博", "dispute", "admin")
    assert done == {"category": "赌博", "focus": "dispute", "before": None, "incidents": 3}
    assert categories.set_focus(conn, COUNTY, "诈骗", "other", "admin")["before"] == "telecom_fraud"
    conn.commit()
    assert data_version(conn) != before
    assert _sql(conn, "SELECT county_code, focus, count(*) FROM incidents GROUP BY 1, 2 ORDER BY 1, 2") == [
        ("410998", "other", 1), (COUNTY, "dispute", 3), (COUNTY, "other", 1)]
    listed = {r["category"]: r for r in categories.mapping(conn, COUNTY)}
    assert listed["赌博"]["source"] == "county" and listed["赌博"]["incidents"] == 3
    assert listed["赌博"]["added_by"] == "admin" and listed["诈骗"]["default_focus"] == "telecom_fraud"
    assert listed["盗窃电动车"] == {**listed["盗窃电动车"], "source": "default", "incidents": 0, "focus": "theft"}
    # a row imported later takes the county's mapping too
    put(conn, "incidents", [{"code": "LATE", "occurred_at": "2026-08-02 10:00", "category": "赌博",
                             "geometry": Point(111.0, 33.0)}])
    assert _sql(conn, "SELECT focus FROM incidents WHERE code = 'LATE'") == [("dispute",)]
