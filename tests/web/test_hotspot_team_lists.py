"""Hotspots and patrol teams as lists beside the maps (issue 12, item 6): filters, sort,
pages, numbers for people, CSV and XLSX of every matching row; every role reads; bad
filters are 400 naming the field."""
import csv
import io
import re

import pytest
from openpyxl import load_workbook

from layers.hotspot_imports import record_imported
from tests.conftest import basic
from tests.helpers import put, square
from tests.web.test_patrol_pages import DAY, load_patrol_county
from tests.web.test_planner_pages import login


def hotspot(code, quarter, status, level="township", town="410999001", size=0.004):
    return {"code": code, "quarter": quarter, "level": level, "township_code": town, "name": f"乱点{code}",
            "status": status, "unit": "派出所", "deadline": None, "carried_from": None,
            "geometry": square(111.01 + 0.01 * int(code[1:]), 33.06, size)}


@pytest.fixture
def county(app, conn):
    load_patrol_county(conn)                      # 2026Q4: H1 listed in 甲镇, H2 remediating in 乙乡
    record_imported(conn, "410999")               # their list recorded as imported
    put(conn, "hotspots", [hotspot("Q3", "2026Q3", "delisted", level="county"),
                           hotspot("Q4", "2026Q3", "carried_over", town="410999002", size=0.02)])
    conn.commit()
    return app


def get(client, url, role="leader"):
    resp = client.get(url, headers=basic(role))
    assert resp.status_code == 200, resp.get_json()
    return resp


def codes(client, url):
    return [r["code"] for r in get(client, url).get_json()["rows"]]


def test_hotspots_filter_sort_and_page(county, client):
    doc = get(client, "/api/hotspots").get_json()
    assert (doc["total"], doc["pages"]) == (4, 1)
    assert [r["code"] for r in doc["rows"]] == ["H1", "H2", "Q4", "Q3"]          # listed, remediating, carried, delisted
    h1 = doc["rows"][0]
    assert (h1["status_label"], h1["level_label"], h1["source_label"], h1["township_name"]) == ("挂牌", "乡镇级", "导入", "甲镇")
    assert h1["area_text"].endswith("公顷") and 15 < float(h1["area_text"].split()[0]) < 17     # 0.004° square: 16 ha
    assert [r for r in doc["rows"] if r["code"] == "Q4"][0]["area_text"].endswith("km²")
    assert codes(client, "/api/hotspots?quarter=2026Q3") == ["Q4", "Q3"]
    assert codes(client, "/api/hotspots?township=410999002") == ["H2", "Q4"]
    assert codes(client, "/api/hotspots?level=county") == ["Q3"]
    assert codes(client, "/api/hotspots?status=active") == ["H1", "H2", "Q4"]
    assert codes(client, "/api/hotspots?status=delisted") == ["Q3"]
    assert codes(client, "/api/hotspots?source=imported") == ["H1", "H2"]
    assert codes(client, "/api/hotspots?source=drawn") == []
    assert codes(client, "/api/hotspots?sort=area&order=desc")[0] == "Q4"
    assert codes(client, "/api/hotspots?sort=code&order=desc") == ["Q4", "Q3", "H2", "H1"]
    assert codes(client, "/api/hotspots?page=2") == []


def test_hotspot_exports_hold_every_matching_hotspot(county, client):
    rows = list(csv.reader(io.StringIO(get(client, "/api/hotspots?format=csv").get_data().decode("utf-8-sig"))))
    assert rows[0][:6] == ["编码", "名称", "季度", "级别", "状态", "来源"] and len(rows) == 5
    assert rows[1][:7] == ["H1", "集市", "2026Q4", "乡镇级", "挂牌", "导入", "甲镇"]
    ws = load_workbook(io.BytesIO(get(client, "/api/hotspots?format=xlsx&quarter=2026Q3").get_data())).active
    assert [r[:5] for r in ws.iter_rows(min_row=3, values_only=True)] == [
        ("Q4", "乱点Q4", "2026Q3", "乡镇级", "延续整治"), ("Q3", "乱点Q3", "2026Q3", "县级", "摘牌")]


def test_teams_with_staffing_distance_visits_and_off_route(county, client):
    doc = get(client, "/api/patrol/teams").get_json()                          # the latest day with tracks
    assert doc["day"] == DAY and doc["total"] == 3
    rows = {r["code"]: r for r in doc["rows"]}
    t1, t2, v1 = rows["T1"], rows["T2"], rows["V1"]
    assert (t1["staffing_text"], t1["staffing_met"], t2["staffing_text"], t2["staffing_met"]) == ("16/15", True, "9/15", False)
    assert (v1["staffing_text"], v1["staffing_met"]) == ("4/6", False)
    # T1: 12 + 3 one-minute steps of 1e-5° east (0.93 m each); the 18-minute gap between is not driven
    assert 13 <= t1["distance_m"] <= 15 and t1["distance_text"] == f"{t1['distance_m']} m"
    assert (t1["visits_hotspots"], t1["visits_schools"], t1["last_seen_text"]) == (1, 1, "11-25 09:33")
    assert (t2["visits_hotspots"], t2["off_route"], t1["off_route"]) == (0, True, False)
    assert (v1["distance_text"], v1["last_seen"], v1["last_seen_text"]) == ("—", None, "—")
    assert codes(client, "/api/patrol/teams?sort=distance&order=desc") == ["T2", "T1", "V1"]   # unknown last
    assert codes(client, "/api/patrol/teams?staffing=short") == ["T2", "V1"]
    assert codes(client, "/api/patrol/teams?off_route=1") == ["T2"]
    assert codes(client, "/api/patrol/teams?township=410999002") == ["T2"]
    assert codes(client, "/api/patrol/teams?kind=village_volunteer") == ["V1"]
    assert get(client, "/api/patrol/teams?day=2026-11-01").get_json()["rows"][0]["distance_text"] == "—"


def test_team_exports(county, client):
    text = get(client, "/api/patrol/teams?format=csv&sort=code").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:8] == ["编码", "名称", "类型", "乡镇", "村", "队员", "所在单位队员/要求", "力量"] and len(rows) == 4
    assert rows[1][:8] == ["T1", "甲镇专职队", "乡镇专职巡防队", "甲镇", "", "16", "16/15", "达标"]
    ws = load_workbook(io.BytesIO(get(client, "/api/patrol/teams?format=xlsx&off_route=1").get_data())).active
    assert [(r[0], r[12]) for r in ws.iter_rows(min_row=3, values_only=True)] == [("T2", "是")]


@pytest.mark.parametrize("url, field", [
    ("/api/hotspots?quarter=2026Q5", "quarter"), ("/api/hotspots?level=village", "level"),
    ("/api/hotspots?status=gone", "status"), ("/api/hotspots?source=mail", "source"),
    ("/api/hotspots?sort=geom", "sort"), ("/api/hotspots?order=up", "order"), ("/api/hotspots?page=0", "page"),
    ("/api/hotspots?format=pdf", "format"), ("/api/hotspots?township=" + "x" * 101, "township"),
    ("/api/patrol/teams?staffing=ok", "staffing"), ("/api/patrol/teams?off_route=yes", "off_route"),
    ("/api/patrol/teams?kind=x", "kind"), ("/api/patrol/teams?day=2026-13-01", "day"),
    ("/api/patrol/teams?sort=geom", "sort"), ("/api/patrol/teams?page=NaN", "page"),
    ("/api/patrol/teams?format=pdf", "format")])
def test_bad_filters_are_refused_naming_them(county, client, url, field):
    resp = client.get(url, headers=basic("commander"))
    assert resp.status_code == 400 and resp.get_json()["field"] == field, resp.get_json()


def test_the_pages_list_and_every_role_reads_them(county, client):
    for path in ("/commander/hotspots/list", "/commander/teams/list", "/api/hotspots", "/api/patrol/teams"):
        assert client.get(path).status_code in (302, 401)                   # strangers sign in first
    for role in ("commander", "leader", "planner", "admin"):
        other = client.application.test_client()
        login(other, role)
        html = other.get("/commander/hotspots/list?quarter=2026Q3").get_data(as_text=True)
        assert "共 2 个" in html and 'data-code="Q4"' in html and "/leader/hotspots?quarter=2026Q3" in html
        assert "/api/hotspots/Q4/history" in html
        assert re.search(r'href="/api/hotspots\?[^"]*format=xlsx', html) and re.search(
            r'href="/api/hotspots\?[^"]*quarter=2026Q3', html)
        html = other.get("/commander/teams/list?staffing=short").get_data(as_text=True)
        assert "共 2 支" in html and 'data-code="T2"' in html and 'data-code="T1"' not in html
        assert "staffing=short" in html and "/commander/patrol/plan/T2?" in html
    login(client, "commander")
    assert client.get("/commander/hotspots/list?status=nonsense").status_code == 400
    assert client.get("/commander/teams/list?day=tomorrow").status_code == 400
