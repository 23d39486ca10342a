"""Grids (issue 16, item 5) against the real PostGIS: the import's checks (inside the
village, overlaps, Chinese headers), the staffing API, setting posts, refusals, tiles."""
from __future__ import annotations

import math

import mapbox_vector_tile
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from data.importer import import_file
from layers import grids as store
from layers.errors import ImportRefused
from tests.conftest import basic
from tests.helpers import COUNTY, small_county
from tests.web.test_patrol_members import add_member

V1 = "410999001001"     # 甲镇's first village: box(111.00, 33.00, 111.02, 33.02)
V2 = "410999001002"     # box(111.02, 33.00, 111.04, 33.02)


def grid_csv(tmp_path, rows, name="grids.geojson"):
    """A GeoJSON file of grids with Chinese headers; each row (code, name, village, member, polygon)."""
    frame = gpd.GeoDataFrame([{"网格编码": c, "网格名称": n, "所属村": v, "网格员": m, "联系电话": "13800000000",
                               "geometry": g} for c, n, v, m, g in rows], geometry="geometry", crs="EPSG:4326")
    path = tmp_path / name
    frame.to_file(path, driver="GeoJSON")
    return path


def halves(village=V1, x0=111.0):
    return [("G1", "一网格", village, "张三", box(x0, 33.0, x0 + 0.01, 33.02)),
            ("G2", "二网格", village, "李四", box(x0 + 0.01, 33.0, x0 + 0.02, 33.02))]


def tile_of(lon, lat, z):
    n = 2 ** z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def count(conn, sql, *args):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()[0]


@pytest.fixture
def county(app, conn):
    small_county(conn)
    return app


def load(conn, path):
    result = import_file(conn, "grids", path, county_code=COUNTY, actor="tester")
    conn.commit()
    return result


def test_grids_import_with_chinese_headers_and_members_become_posts(county, conn, tmp_path):
    result = load(conn, grid_csv(tmp_path, halves()))
    assert result.added == 2
    with conn.cursor() as cur:
        cur.execute("SELECT code, village_code, township_code, member, member_phone FROM grids ORDER BY code")
        assert cur.fetchall() == [("G1", V1, "410999001", "张三", "13800000000"),
                                  ("G2", V1, "410999001", "李四", "13800000000")]
        cur.execute("SELECT grid_code, role, name, updated_by FROM village_staff ORDER BY grid_code")
        assert cur.fetchall() == [("G1", "grid_member", "张三", "tester"), ("G2", "grid_member", "李四", "tester")]


def test_a_grid_outside_its_village_is_refused_by_name(county, conn, tmp_path):
    rows = halves()
    rows[1] = ("G2", "二网格", V1, "李四", box(111.005, 33.0, 111.025, 33.02))   # a quarter in V2, half over G1
    with pytest.raises(ImportRefused) as err:
        load(conn, grid_csv(tmp_path, rows))
    text = "\n".join(err.value.problems)
    assert "G2（二网格）" in text and "只有 75.0% 的面积在所属村 410999001001 内" in text and "与网格 G2（二网格）重叠 50.0%" in text
    assert count(conn, "SELECT count(*) FROM grids") == 0
    assert count(conn, "SELECT count(*) FROM village_staff") == 0


def test_overlapping_grids_are_refused_a_sliver_is_allowed(county, conn, tmp_path):
    rows = halves()
    rows[1] = ("G2", "二网格", V1, "李四", box(111.008, 33.0, 111.02, 33.02))   # 20% of G1
    with pytest.raises(ImportRefused) as err:
        load(conn, grid_csv(tmp_path, rows))
    assert "网格 G1（一网格）与网格 G2（二网格）重叠 20.0%" in "\n".join(err.value.problems)
    rows[1] = ("G2", "二网格", V1, "李四", box(111.0099, 33.0, 111.02, 33.02))    # 1% of G1
    assert load(conn, grid_csv(tmp_path, rows)).added == 2


def test_an_unknown_village_is_named(county, conn, tmp_path):
    rows = halves()
    rows[0] = ("G1", "一网格", "999", "张三", box(111.0, 33.0, 111.01, 33.02))
    with pytest.raises(ImportRefused) as err:
        load(conn, grid_csv(tmp_path, rows))
    assert "网格 G1（一网格）: 所属村 '999' 不存在" in "\n".join(err.value.problems)


def put_staff(client, user="planner", **body):
    return client.put("/api/grids/staff", json=body, headers=basic(user))


def test_staffing_api_and_setting_posts(county, conn, tmp_path):
    load(conn, grid_csv(tmp_path, halves()))
    client = county.test_client()
    doc = client.get("/api/grids/staffing", headers=basic("leader")).get_json()
    v1 = next(v for v in doc["villages"] if v["code"] == V1)
    assert not v1["met"] and v1["missing"] == ["缺驻村民警", "缺法律顾问"] and v1["grids"] == 2
    assert doc["county"] == {"villages": 7, "met": 0, "short": 7, "share": 0.0} and doc["grids"] == 2
    assert put_staff(client, village_code=V1, role="police", name="王警官", phone="0377-1234567").status_code == 200
    done = put_staff(client, "admin", village_code=V1, role="legal_adviser", name="赵律师", since="2026-03-01")
    assert done.status_code == 200 and done.get_json()["post"]["updated_by"] == "admin"
    doc = client.get("/api/grids/staffing", headers=basic("commander")).get_json()
    assert next(v for v in doc["villages"] if v["code"] == V1)["met"]
    town = next(t for t in doc["townships"] if t["code"] == "410999001")
    assert (town["villages"], town["met"], town["short"], town["share"]) == (4, 1, 3, 0.25)
    moved = put_staff(client, grid_code="G2", role="grid_member", name="钱五").get_json()
    assert moved["before"] == {"name": "李四", "phone": "13800000000"}
    assert count(conn, "SELECT member FROM grids WHERE code = 'G2'") == "钱五"
    gone = put_staff(client, grid_code="G2", role="grid_member")
    assert gone.status_code == 200 and gone.get_json()["post"] is None
    doc = client.get("/api/grids/staffing", headers=basic("leader")).get_json()
    assert next(v for v in doc["villages"] if v["code"] == V1)["missing"] == ["1 个网格缺网格员"]
    staff = client.get(f"/api/grids/staff?village={V1}", headers=basic("leader")).get_json()
    assert {(s["role"], s["grid_code"]) for s in staff["staff"]} == {("police", None), ("legal_adviser", None),
                                                                      ("grid_member", "G1")}
    assert count(conn, "SELECT count(*) FROM village_staff_changes WHERE village_code = %s", V1) == 6


@pytest.mark.parametrize("body, field", [
    ({"role": "police"}, "village_code"),
    ({"role": "boss", "village_code": V1, "name": "某"}, "role"),
    ({"role": "grid_member", "village_code": V1, "name": "某"}, "grid_code"),
    ({"role": "police", "village_code": V1, "name": "某", "phone": "abc"}, "phone"),
    ({"role": "police", "village_code": V1, "name": "某", "since": "2026-02-30"}, "since"),
    ({"role": "police", "village_code": V1, "name": "x" * 101}, "name"),
    ({"role": "police", "village_code": "nowhere", "name": "某"}, "village_code"),
    ({"role": "grid_member", "grid_code": "NOPE", "name": "某"}, "grid_code"),
    ({"role": "police", "village_code": V2, "grid_code": "G1", "name": "某"}, "grid_code"),
    ({"role": "police", "village_code": [V1], "name": "某"}, "village_code"),
])
def test_bad_input_names_the_field_and_writes_nothing(county, conn, tmp_path, body, field):
    load(conn, grid_csv(tmp_path, halves()))
    before = count(conn, "SELECT count(*) FROM village_staff_changes")
    resp = put_staff(county.test_client(), **body)
    assert resp.status_code == 400 and resp.get_json()["field"] == field
    assert count(conn, "SELECT count(*) FROM village_staff_changes") == before


def test_who_may_read_and_write(county, conn):
    client = county.test_client()
    for user in ("commander", "leader"):
        assert put_staff(client, user, village_code=V1, role="police", name="某").status_code == 403
    add_member(county.config["RESOLVED_DATABASE_URL"], "m9", "T1")
    assert put_staff(client, "m9", village_code=V1, role="police", name="某").status_code == 403
    for url in ("/api/grids/staffing", "/api/grids/staff", "/grids/staffing"):
        assert client.get(url, headers=basic("m9")).status_code == 403, url
    assert client.put("/api/grids/staff", json={"village_code": V1, "role": "police"}).status_code == 401
    assert client.get("/api/grids/staffing").status_code == 401
    assert count(conn, "SELECT count(*) FROM village_staff_changes") == 0


def test_grids_are_vector_tiles_with_the_member(county, conn, tmp_path):
    load(conn, grid_csv(tmp_path, halves()))
    client = county.test_client()
    meta = client.get("/tiles/grids.json", headers=basic("leader"))
    assert meta.status_code == 200
    x, y = tile_of(111.01, 33.01, 12)
    tile = client.get(f"/tiles/grids/12/{x}/{y}.mvt", headers=basic("leader"))
    assert tile.status_code == 200
    props = [f["properties"] for f in mapbox_vector_tile.decode(tile.data)["grids"]["features"]]
    assert {(p["code"], p["name"], p["member"]) for p in props} == {("G1", "一网格", "张三"), ("G2", "二网格", "李四")}


def test_posts_import_from_a_spreadsheet_all_or_nothing(county, conn, tmp_path):
    from data.importer.grids import import_staff

    load(conn, grid_csv(tmp_path, halves()))
    rows = [{"村编码": V1, "网格编码": "", "岗位": "驻村民警", "姓名": "王警官", "联系电话": "13900000000", "任职日期": "2026-03-01"},
            {"村编码": V1, "网格编码": "G2", "岗位": "网格员", "姓名": "钱五", "联系电话": "", "任职日期": ""}]
    bad = tmp_path / "bad.csv"
    pd.DataFrame(rows + [{"村编码": V1, "岗位": "书记", "姓名": "某"}, {"村编码": V2, "网格编码": "G1", "岗位": "法律顾问",
                                                                       "姓名": "某"}]).to_csv(bad, index=False)
    with pytest.raises(ImportRefused) as err:
        import_staff(conn, bad, COUNTY, "tester")
    assert err.value.problems == ["第 4 行 列 岗位: '书记' 应为 网格员、驻村民警 或 法律顾问",
                                  f"第 5 行 列 网格编码: 村 {V2} 没有网格 'G1'"]
    good = tmp_path / "staff.xlsx"
    pd.DataFrame(rows).to_excel(good, index=False)
    assert import_staff(conn, good, COUNTY, "tester") == 2
    conn.commit()
    posts = {(p["role"], p["grid_code"]): p for p in store.staff(conn, COUNTY, V1)}
    assert posts[("police", None)]["since"].isoformat() == "2026-03-01"
    assert posts[("grid_member", "G2")]["name"] == "钱五"
    assert count(conn, "SELECT member FROM grids WHERE code = 'G2'") == "钱五"
