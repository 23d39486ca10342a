"""The import history and the undo of a layer's last import (issue 13, item 4), against a
real PostGIS: an undo puts every row back exactly as it was (every column, geometries as
EWKB, columns derived by location and by triggers), is itself in the history, is refused
for any import but the layer's last one not undone, and a refused file leaves no entry.
"""
from __future__ import annotations

import hashlib
import warnings

import geopandas as gpd
import pytest
from shapely.geometry import box

from data.importer import import_file
from layers import import_history
from layers.errors import Conflict, FeatureNotFound, ImportRefused
from tests.helpers import put

TOWNSHIPS = [{"code": "410999001", "name": "城关镇", "geometry": box(111.50, 33.70, 111.60, 33.90)},
             {"code": "410999002", "name": "河口镇", "geometry": box(111.60, 33.70, 111.70, 33.90)}]


@pytest.fixture
def county(app, conn):
    put(conn, "townships", TOWNSHIPS)
    return app.config["COUNTY_CODE"]


def villages_file(path, rows):
    """A GeoJSON of villages: (code, name, population, x0, extra) → a 0.02° square at x0."""
    frame = gpd.GeoDataFrame({"code": [r[0] for r in rows], "name": [r[1] for r in rows],
                              "remote": [True] * len(rows), "population": [r[2] for r in rows],
                              "remediated_on": ["2026-03-05"] * len(rows), "备注": [r[4] for r in rows]},
                             geometry=[box(r[3], 33.75, r[3] + 0.0213, 33.7712345678) for r in rows], crs=4326)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame.to_file(path, engine="pyogrio")
    return path


def cameras_file(path, rows):
    """A CSV of cameras: (code, kind, azimuth, fov, lon)."""
    lines = ["code,name,kind,azimuth,fov,range_m,status,networked,installed_on,lon,lat"]
    lines += [f"{c},点{c},{k},{a},{f},120.5,working,是,2025-09-01,{x},33.8012345" for c, k, a, f, x in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def snapshot(conn, table: str) -> list[tuple]:
    """Every row of ``table`` in full (the record's text: hex EWKB geometries, exact numbers
    and times), with its geometry as EWKB, by id."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT t::text, ST_AsEWKB(t.geom) FROM {table} t ORDER BY id")
        return [(text, bytes(geom)) for text, geom in cur.fetchall()]


def version(conn, table: str) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT version FROM layer_versions WHERE name = %s", (table,))
        return cur.fetchone()[0]


def run(conn, county, layer, path, **kw):
    result = import_file(conn, layer, path, county_code=county, actor="管理员甲", **kw)
    conn.commit()
    return result


def test_undo_of_villages_import_that_added_and_updated(conn, county, tmp_path):
    first = villages_file(tmp_path / "村1.geojson", [("410999001001", "张村", 500, 111.52, "a"),
                                                    ("410999002001", "李庄", 600, 111.62, None)])
    one = run(conn, county, "villages", first)
    before = snapshot(conn, "villages")
    assert len(before) == 2 and all("410999001" in row[0] or "410999002" in row[0] for row in before)
    second = villages_file(tmp_path / "村2.geojson", [("410999001001", "张家村", 550, 111.53, "b"),
                                                     ("410999002002", "王庄", 90, 111.65, "新")])
    two = run(conn, county, "villages", second)
    assert (two.added, two.updated) == (1, 1)
    assert snapshot(conn, "villages") != before
    seen = version(conn, "villages")

    entries = {e["id"]: e for e in import_history.entries(conn, county)}
    entry = entries[two.import_id]
    assert entry["actor"] == "管理员甲" and entry["file_name"] == "村2.geojson" and entry["layer"] == "villages"
    assert entry["checksum"] == hashlib.sha256(second.read_bytes()).hexdigest()
    assert (entry["rows_added"], entry["rows_updated"], entry["rows_removed"]) == (1, 1, 0)
    assert entry["undoable"] and not entries[one.import_id]["undoable"]

    undo_id = import_history.undo(conn, county, two.import_id, "管理员乙")
    conn.commit()
    assert snapshot(conn, "villages") == before
    assert version(conn, "villages") > seen            # the maps see the change
    undone = import_history.entry(conn, county, undo_id)
    assert undone["undoes"] == two.import_id and undone["actor"] == "管理员乙"
    assert (undone["rows_added"], undone["rows_updated"], undone["rows_removed"]) == (0, 1, 1)
    assert import_history.entry(conn, county, two.import_id)["undone_by"] == undo_id
    assert [e["id"] for e in import_history.entries(conn, county)] == [undo_id, two.import_id, one.import_id]
    # the first import is now the layer's last one not undone: undoing it empties the layer
    assert import_history.entry(conn, county, one.import_id)["undoable"]
    import_history.undo(conn, county, one.import_id, "管理员乙")
    conn.commit()
    assert snapshot(conn, "villages") == []


def test_undo_of_a_replace_puts_back_every_row_removed(conn, county, tmp_path):
    run(conn, county, "villages", villages_file(tmp_path / "a.geojson", [
        ("410999001001", "张村", 500, 111.52, "a"), ("410999002001", "李庄", 600, 111.62, None),
        ("410999002003", "赵村", 70, 111.66, "x")]))
    before = snapshot(conn, "villages")
    replaced = run(conn, county, "villages", villages_file(tmp_path / "b.geojson", [
        ("410999001001", "张家村", 550, 111.53, "b"), ("410999001002", "新村", 10, 111.56, None)]), replace=True)
    assert replaced.added == 2 and snapshot(conn, "villages") != before
    assert import_history.entry(conn, county, replaced.import_id)["rows_removed"] == 3
    import_history.undo(conn, county, replaced.import_id, "admin")
    conn.commit()
    assert snapshot(conn, "villages") == before


def test_undo_of_cameras_restores_sectors_derived_by_trigger(conn, county, tmp_path):
    run(conn, county, "cameras", cameras_file(tmp_path / "c1.csv", [
        ("C1", "fixed", 90, 60, 111.55), ("C2", "枪机", 181.5, 45, 111.65)]))
    before = snapshot(conn, "cameras")
    with conn.cursor() as cur:
        cur.execute("SELECT code, ST_AsEWKB(sector), village_code, township_code FROM cameras ORDER BY code")
        sectors = [(c, bytes(s), v, t) for c, s, v, t in cur.fetchall()]
    assert all(s for _, s, _, _ in sectors) and sectors[0][3] == "410999001"
    two = run(conn, county, "cameras", cameras_file(tmp_path / "c2.csv", [
        ("C1", "fixed", 270, 90, 111.56), ("C3", "dome", "", 360, 111.61)]))
    assert (two.added, two.updated) == (1, 1)
    import_history.undo(conn, county, two.import_id, "admin")
    conn.commit()
    assert snapshot(conn, "cameras") == before
    with conn.cursor() as cur:
        cur.execute("SELECT code, ST_AsEWKB(sector), village_code, township_code FROM cameras ORDER BY code")
        assert [(c, bytes(s), v, t) for c, s, v, t in cur.fetchall()] == sectors


def history_table(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT imports::text FROM imports ORDER BY id")
        return cur.fetchall()


def test_only_the_last_import_of_a_layer_may_be_undone(conn, county, tmp_path):
    one = run(conn, county, "villages", villages_file(tmp_path / "a.geojson", [("410999001001", "张村", 5, 111.52, "")]))
    two = run(conn, county, "villages", villages_file(tmp_path / "b.geojson", [("410999001001", "张村", 6, 111.52, "")]))
    run(conn, county, "cameras", cameras_file(tmp_path / "c.csv", [("C1", "fixed", 90, 60, 111.55)]))
    rows, history = snapshot(conn, "villages"), history_table(conn)
    with pytest.raises(Conflict, match="只能撤销图层“.*”最近一次导入"):
        import_history.undo(conn, county, one.import_id, "admin")
    conn.rollback()
    assert snapshot(conn, "villages") == rows and history_table(conn) == history
    undo_id = import_history.undo(conn, county, two.import_id, "admin")
    conn.commit()
    with pytest.raises(Conflict, match="已被撤销"):
        import_history.undo(conn, county, two.import_id, "admin")
    conn.rollback()
    with pytest.raises(Conflict, match="撤销不能再撤销"):
        import_history.undo(conn, county, undo_id, "admin")
    conn.rollback()
    with pytest.raises(FeatureNotFound):
        import_history.undo(conn, county, 99999, "admin")
    conn.rollback()
    with pytest.raises(FeatureNotFound):   # another county's entry is not this county's
        import_history.undo(conn, "410998", one.import_id, "admin")
    conn.rollback()


def test_a_refused_file_leaves_no_entry(conn, county, tmp_path):
    run(conn, county, "cameras", cameras_file(tmp_path / "c.csv", [("C1", "fixed", 90, 60, 111.55)]))
    history = history_table(conn)
    bad = cameras_file(tmp_path / "bad.csv", [("C2", "fixed", 90, 60, 111.55), ("C3", "fixed", 400, 60, 111.56),
                                              ("C4", "旋转木马", 90, 60, 111.57)])
    with pytest.raises(ImportRefused):
        import_file(conn, "cameras", bad, county_code=county, actor="admin")
    conn.commit()
    assert history_table(conn) == history
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM import_before_rows")
        kept = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM import_added_rows")
        assert (kept, cur.fetchone()[0]) == (0, 1)


def incidents_file(path, rows):
    """A CSV of incidents: (code, category, lon)."""
    lines = ["code,occurred_at,category,lon,lat"]
    lines += [f"{c},2026-03-05 10:11:12.345678,{k},{x},33.81" for c, k, x in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_undo_of_incidents_restores_their_focus_groups(conn, county, tmp_path):
    run(conn, county, "incidents", incidents_file(tmp_path / "j1.csv", [("J1", "盗窃", 111.55), ("J2", "纠纷", 111.65)]))
    before = snapshot(conn, "incidents")
    with conn.cursor() as cur:
        cur.execute("SELECT code, focus FROM incidents ORDER BY code")
        assert cur.fetchall() == [("J1", "theft"), ("J2", "dispute")]
    two = run(conn, county, "incidents", incidents_file(tmp_path / "j2.csv", [("J1", "电信诈骗", 111.56),
                                                                              ("J3", "抢劫", 111.57)]))
    assert (two.added, two.updated) == (1, 1)
    import_history.undo(conn, county, two.import_id, "admin")
    conn.commit()
    assert snapshot(conn, "incidents") == before


def test_an_undo_that_cannot_put_a_row_back_is_refused_whole(conn, county, tmp_path):
    run(conn, county, "cameras", cameras_file(tmp_path / "c1.csv", [("C1", "fixed", 90, 60, 111.55)]))
    replaced = run(conn, county, "cameras", cameras_file(tmp_path / "c2.csv", [("C2", "fixed", 90, 60, 111.56)]),
                   replace=True)
    with conn.cursor() as cur:    # C1 written again since, by other means than an import
        cur.execute("INSERT INTO cameras (county_code, code, name, kind, fov, range_m, status, networked, geom)"
                    " VALUES (%s, 'C1', '新点', 'dome', 360, 50, 'working', true, ST_Point(111.57, 33.8, 4326))",
                    (county,))
    conn.commit()
    rows, history = snapshot(conn, "cameras"), history_table(conn)
    with pytest.raises(Conflict, match="无法撤销"):
        import_history.undo(conn, county, replaced.import_id, "admin")
    conn.rollback()
    assert snapshot(conn, "cameras") == rows and history_table(conn) == history
