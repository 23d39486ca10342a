"""data.importer against a real PostGIS: formats, CRSs, refusals (nothing written), upserts.

Every input file is generated in tmp_path at test time.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon, box

from data.importer import ImportResult, import_file
from geo.crs import wgs84_to_gcj02
from layers.errors import ImportRefused, LayerNotFound

GEOD = Geod(ellps="WGS84")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

# Two townships side by side around the demo county, one village in each.
TOWNSHIPS = [("410999001", "城关镇", box(111.50, 33.70, 111.60, 33.90)),
             ("410999002", "河口镇", box(111.60, 33.70, 111.70, 33.90))]
VILLAGES = [("410999001001", "张村", box(111.52, 33.75, 111.58, 33.85)),
            ("410999002001", "李庄", box(111.62, 33.75, 111.68, 33.85))]
IN_V1 = (111.55, 33.80)      # inside village 410999001001
IN_V2 = (111.65, 33.80)      # inside village 410999002001


# ---------------------------------------------------------------- helpers

@pytest.fixture
def county(app):
    return app.config["COUNTY_CODE"]


def run(conn, county, layer, path, **kw) -> ImportResult:
    return import_file(conn, layer, path, county_code=county, **kw)


def count(conn, table) -> int:
    with conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        return cur.fetchone()[0]


def rows(conn, sql, *args):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def metres(lon1, lat1, lon2, lat2) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def refused(conn, county, layer, path, **kw) -> list[str]:
    """Import that must be refused; returns the problems. Checks nothing was written."""
    before = {t: count(conn, t) for t in ("townships", "villages", layer)}
    with pytest.raises(ImportRefused) as err:
        run(conn, county, layer, path, **kw)
    assert {t: count(conn, t) for t in before} == before
    return err.value.problems


def one_problem(problems, *needles):
    """The one problem containing every needle (case-insensitive)."""
    hits = [p for p in problems if all(n.lower() in p.lower() for n in needles)]
    assert hits, f"no problem with {needles} in {problems}"
    return hits[0]


def township_frame(crs=4326):
    return gpd.GeoDataFrame({"code": [t[0] for t in TOWNSHIPS], "name": [t[1] for t in TOWNSHIPS]},
                            geometry=[t[2] for t in TOWNSHIPS], crs=4326).to_crs(crs)


def village_frame(crs=4326, **extra):
    data = {"code": [v[0] for v in VILLAGES], "name": [v[1] for v in VILLAGES],
            "remote": [True, False], "population": [812, 1530], "note": ["山区", None]}
    data.update(extra)
    frame = gpd.GeoDataFrame(data, geometry=[v[2] for v in VILLAGES], crs=4326)
    return frame.to_crs(crs)


def incident_frame(n, seed=0, crs=4326):
    rng = np.random.default_rng(seed)
    lon = rng.uniform(111.52, 111.68, n)
    lat = rng.uniform(33.75, 33.85, n)
    start = pd.Timestamp("2026-01-01 00:00")
    times = [(start + pd.Timedelta(minutes=int(m))).strftime("%Y-%m-%d %H:%M:%S")
             for m in rng.integers(0, 200_000, n)]
    cats = np.array(["theft", "dispute", "robbery", "other"])[rng.integers(0, 4, n)]
    return gpd.GeoDataFrame({"code": [f"J{i:07d}" for i in range(n)], "occurred_at": times,
                             "category": cats, "source": "110"},
                            geometry=gpd.points_from_xy(lon, lat), crs=4326).to_crs(crs)


def write(frame, path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # shapefile names cut to 10 characters
        frame.to_file(path, engine="pyogrio", **kw)
    return path


def load_base(conn, county, tmp_path):
    run(conn, county, "townships", write(township_frame(), tmp_path / "townships.gpkg"))
    run(conn, county, "villages", write(village_frame(), tmp_path / "villages.gpkg"))


# ---------------------------------------------------------------- formats

def test_geopackage_adds_then_updates_and_keeps_extra_columns(conn, county, tmp_path):
    result = run(conn, county, "townships", write(township_frame(), tmp_path / "t.gpkg"))
    assert (result.added, result.updated, result.rows) == (2, 0, 2)
    path = write(village_frame(), tmp_path / "villages.gpkg")
    result = run(conn, county, "villages", path)
    assert (result.added, result.updated, result.warnings) == (2, 0, [])
    got = rows(conn, "SELECT code, name, township_code, remote, population, props "
                     "FROM villages ORDER BY code")
    assert got == [("410999001001", "张村", "410999001", True, 812, {"note": "山区"}),
                   ("410999002001", "李庄", "410999002", False, 1530, {"note": None})]
    # re-import: one changed, one new
    frame = village_frame()
    frame.loc[1, "population"] = 1600
    extra = gpd.GeoDataFrame({"code": ["410999002002"], "name": ["王庄"], "remote": [True],
                              "population": [300], "note": ["新村"]},
                             geometry=[box(111.63, 33.86, 111.66, 33.89)], crs=4326)
    frame = pd.concat([frame, extra], ignore_index=True)
    result = run(conn, county, "villages", write(frame, tmp_path / "villages2.gpkg"))
    assert (result.added, result.updated) == (1, 2)
    assert rows(conn, "SELECT population, township_code FROM villages WHERE code IN "
                      "('410999002001', '410999002002') ORDER BY code") == [
        (1600, "410999002"), (300, "410999002")]


def test_geopackage_layer_named_like_the_target_and_replace(conn, county, tmp_path):
    path = tmp_path / "county.gpkg"
    write(village_frame(), path, layer="villages")
    write(township_frame(), path, layer="townships")
    assert run(conn, county, "townships", path).added == 2
    assert run(conn, county, "villages", path).added == 2
    assert count(conn, "townships") == 2 and count(conn, "villages") == 2
    # --replace empties the layer first
    one = village_frame().iloc[[0]]
    result = run(conn, county, "villages", write(one, tmp_path / "one.gpkg"), replace=True)
    assert (result.added, result.updated) == (1, 0)
    assert rows(conn, "SELECT code FROM villages") == [("410999001001",)]


def test_shapefile_with_gbk_cpg_and_cut_column_names(conn, county, tmp_path):
    run(conn, county, "townships", write(township_frame(), tmp_path / "t.gpkg"))
    frame = village_frame(remediated_on=["2026-03-05", None], township_code=[None, None])
    path = write(frame, tmp_path / "villages.shp", encoding="gbk")
    assert (tmp_path / "villages.cpg").read_text().strip().upper() in ("GBK", "CP936", "936")
    assert (tmp_path / "villages.dbf").read_bytes().find("张村".encode("gbk")) > 0
    result = run(conn, county, "villages", path)
    assert result.added == 2 and result.warnings == []
    got = rows(conn, "SELECT name, remediated_on, township_code, props FROM villages ORDER BY code")
    assert got == [("张村", dt.date(2026, 3, 5), "410999001", {"note": "山区"}),
                   ("李庄", None, "410999002", {"note": None})]


def test_shapefile_without_cpg(conn, county, tmp_path):
    path = write(village_frame(), tmp_path / "villages.shp", encoding="gbk")
    os.remove(tmp_path / "villages.cpg")
    result = run(conn, county, "villages", path, encoding="gbk")
    assert result.warnings == []
    assert rows(conn, "SELECT name FROM villages ORDER BY code") == [("张村",), ("李庄",)]
    # without --encoding: GBK is recognised, and the user is told
    result = run(conn, county, "villages", path, replace=True)
    one_problem(result.warnings, "villages.shp", ".cpg", "--encoding")
    assert rows(conn, "SELECT name FROM villages ORDER BY code") == [("张村",), ("李庄",)]


def test_geojson_incidents_times_labels_and_location(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    frame = gpd.GeoDataFrame({
        "code": ["J1", "J2", "J3", "J4"],
        "occurred_at": ["2026-03-05 10:00", "2026-03-05T02:00:00Z", "2026/3/5 10:00:30",
                        "2026-03-05T10:00:00+08:00"],
        "category": ["theft", "盗窃", "THEFT", "telecom_fraud"],
        "caller": ["张三", "李四", None, "王五"],
        "units": [1, 2, 3, 4],
    }, geometry=[Point(*IN_V1), Point(*IN_V2), Point(111.69, 33.71), Point(*IN_V1)], crs=4326)
    path = write(frame, tmp_path / "incidents.geojson", driver="GeoJSON")
    assert run(conn, county, "incidents", path).added == 4
    got = rows(conn, "SELECT code, occurred_at, category, village_code, township_code, props, focus "
                     "FROM incidents ORDER BY code")
    ten = dt.datetime(2026, 3, 5, 10, 0, tzinfo=SHANGHAI)
    assert [g[1] for g in got] == [ten, ten, ten + dt.timedelta(seconds=30), ten]
    # categories as written; their focus groups from the shipped mapping
    assert [g[2] for g in got] == ["theft", "盗窃", "THEFT", "telecom_fraud"]
    assert [g[6] for g in got] == ["theft", "theft", "theft", "telecom_fraud"]
    assert [(g[3], g[4]) for g in got] == [("410999001001", "410999001"),
                                           ("410999002001", "410999002"),
                                           (None, "410999002"),
                                           ("410999001001", "410999001")]
    assert got[0][5] == {"caller": "张三", "units": 1}
    # .json is GeoJSON too
    path = write(township_frame(), tmp_path / "townships.json", driver="GeoJSON")
    assert run(conn, county, "townships", path).updated == 2


def _csv(path, text, encoding="utf-8-sig"):
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_lon_lat_with_bom_defaults_to_wgs84(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    path = _csv(tmp_path / "cameras.csv",
                "code,name,kind,azimuth,fov,range_m,status,networked,installed_on,备注,lon,lat\n"
                f"C1,村口,dome,90,60,120,working,是,2025/9/1,新装,{IN_V1[0]},{IN_V1[1]}\n"
                f"C2,桥头,球机,,360,80.5,faulty,false,,,{IN_V2[0]},{IN_V2[1]}\n")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = run(conn, county, "cameras", path)
    assert result.added == 2
    assert result.warnings == [one_problem(result.warnings, "cameras.csv", "EPSG:4326", "gcj02")]
    got = rows(conn, "SELECT code, name, kind, azimuth, fov, range_m, networked, installed_on, "
                     "village_code, props, ST_X(geom), ST_Y(geom) FROM cameras ORDER BY code")
    assert got[0][:10] == ("C1", "村口", "dome", 90.0, 60.0, 120.0, True, dt.date(2025, 9, 1),
                           "410999001001", {"备注": "新装"})
    assert got[1][:10] == ("C2", "桥头", "dome", None, 360.0, 80.5, False, None,
                           "410999002001", {"备注": None})
    assert metres(got[0][10], got[0][11], *IN_V1) < 0.01


def test_csv_without_bom_and_in_gbk(conn, county, tmp_path):
    text = ("code,occurred_at,category,地点,lon,lat\n"
            f"J1,2026-03-05 10:00,theft,张村村口,{IN_V1[0]},{IN_V1[1]}\n")
    plain = _csv(tmp_path / "plain.csv", text, encoding="utf-8")
    assert run(conn, county, "incidents", plain).added == 1
    gbk = _csv(tmp_path / "gbk.csv", text.replace("J1", "J2"), encoding="gbk")
    found = run(conn, county, "incidents", gbk)  # not UTF-8: read as GB18030, said in a warning
    assert found.added == 1 and any("GB18030" in w for w in found.warnings)
    assert run(conn, county, "incidents", gbk, encoding="gbk").updated == 1
    wrong = _csv(tmp_path / "wrong.csv", text.replace("J1", "J3"), encoding="gbk")
    one_problem(refused(conn, county, "incidents", wrong, encoding="utf-8"), "wrong.csv", "--encoding")
    assert rows(conn, "SELECT props FROM incidents ORDER BY code") == [
        ({"地点": "张村村口"},), ({"地点": "张村村口"},)]


def test_patrol_teams_need_no_geometry(conn, county, tmp_path):
    path = _csv(tmp_path / "teams.csv",
                "code,name,kind,township_code,village_code,members\n"
                "T1,城关镇专职巡防队,township_fulltime,410999001,,15\n"
                "T2,张村义务巡防队,village_volunteer,410999001,410999001001,6\n")
    result = run(conn, county, "patrol_teams", path)
    assert (result.added, result.warnings) == (2, [])
    assert rows(conn, "SELECT code, members, village_code, geom FROM patrol_teams ORDER BY code") \
        == [("T1", 15, None, None), ("T2", 6, "410999001001", None)]


def test_patrol_tracks_code_from_team_and_time(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    text = ("team_code,recorded_at,lon,lat\n"
            f"T1,2026-03-05 10:00:00,{IN_V1[0]},{IN_V1[1]}\n"
            f"T1,2026-03-05 10:01:00,{IN_V2[0]},{IN_V2[1]}\n")
    path = _csv(tmp_path / "tracks.csv", text)
    assert run(conn, county, "patrol_tracks", path).added == 2
    assert rows(conn, "SELECT code, village_code FROM patrol_tracks ORDER BY code") == [
        ("T1@2026-03-05T10:00:00+08:00", "410999001001"),
        ("T1@2026-03-05T10:01:00+08:00", "410999002001")]
    result = run(conn, county, "patrol_tracks", path)
    assert (result.added, result.updated) == (0, 2)


def test_patrol_tracks_with_a_missing_time_are_refused_naming_the_row(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    path = _csv(tmp_path / "tracks.csv", "team_code,recorded_at,lon,lat\n"
                f"T1,2026-03-05 10:00:00,{IN_V1[0]},{IN_V1[1]}\n"
                f"T1,,{IN_V2[0]},{IN_V2[1]}\n")
    problems = refused(conn, county, "patrol_tracks", path)
    one_problem(problems, "tracks.csv", "第 3 行", "recorded_at")


def test_hotspots_quarter_and_deadline(conn, county, tmp_path):
    frame = gpd.GeoDataFrame({
        "code": ["H1", "H2", "H3"], "quarter": ["2026Q3", "2026q3", "Q3 2026"],
        "level": ["county", "乡镇级", "township"], "name": ["市场", "车站", "网吧"],
        "status": ["listed", "挂牌", "listed"], "deadline": ["2026-09-30", "2026年9月30日", None]},
        geometry=[box(111.53, 33.76, 111.54, 33.77), box(111.63, 33.76, 111.64, 33.77),
                  box(111.55, 33.80, 111.56, 33.81)], crs=4326)
    problems = refused(conn, county, "hotspots", write(frame, tmp_path / "hotspots.gpkg"))
    assert problems == ["hotspots.gpkg 第 3 行 (code=H3) 列 quarter: 格式不对 'Q3 2026'，"
                        "应如 2026Q3 (e.g. 2026Q3) (bad format)"]
    ok = write(frame.iloc[:2], tmp_path / "ok.gpkg")
    assert run(conn, county, "hotspots", ok).added == 2
    assert rows(conn, "SELECT quarter, level, status, deadline, township_code FROM hotspots "
                      "ORDER BY code") == [
        ("2026Q3", "county", "listed", dt.date(2026, 9, 30), None),
        ("2026Q3", "township", "listed", dt.date(2026, 9, 30), None)]


def test_a_database_failure_leaves_nothing_written(conn, county, tmp_path, monkeypatch):
    from layers import store

    load_base(conn, county, tmp_path)

    def broken_locate(conn, county_code):
        with conn.cursor() as cur:
            cur.execute("SELECT 1 / 0")

    monkeypatch.setattr(store, "locate", broken_locate)
    path = write(incident_frame(10), tmp_path / "incidents.gpkg")
    problems = refused(conn, county, "incidents", path)
    one_problem(problems, "incidents.gpkg", "database refused", "division by zero")
    assert count(conn, "incidents") == 0 and count(conn, "villages") == 2   # still usable


def test_roads_and_schools_geometry_kinds(conn, county, tmp_path):
    roads = gpd.GeoDataFrame({"code": ["R1"], "name": ["县道"], "class": ["county"]},
                             geometry=[LineString([IN_V1, IN_V2])], crs=4326)
    assert run(conn, county, "roads", write(roads, tmp_path / "roads.gpkg")).added == 1
    schools = gpd.GeoDataFrame({"code": ["S1", "S2"], "name": ["小学", "中学"]},
                               geometry=[Point(*IN_V1), box(111.64, 33.79, 111.645, 33.795)],
                               crs=4326)
    assert run(conn, county, "schools", write(schools, tmp_path / "schools.gpkg")).added == 2
    assert rows(conn, "SELECT GeometryType(geom) FROM roads") == [("MULTILINESTRING",)]


# ---------------------------------------------------------------- coordinate systems

def _points_back(conn, table="incidents"):
    return rows(conn, f"SELECT code, ST_X(geom), ST_Y(geom) FROM {table} ORDER BY code")


def test_declared_crs_is_reprojected_to_wgs84(conn, county, tmp_path):
    # CGCS2000 lon/lat; 3-degree Gauss-Krüger CM 111E, the same as zone 37 (with the zone
    # number in front of the easting), and CM 114E (the neighbouring zone)
    for epsg in (4490, 4546, 4525, 4547):
        truth = incident_frame(20, seed=epsg)
        path = write(truth.to_crs(epsg), tmp_path / f"incidents_{epsg}.gpkg")
        assert run(conn, county, "incidents", path, replace=True).added == 20
        back = _points_back(conn)
        for (code, x, y), (_, t) in zip(back, truth.sort_values("code").iterrows()):
            assert code == t["code"]
            assert metres(x, y, t.geometry.x, t.geometry.y) < 1.0, epsg


def test_crs_option_for_a_shapefile_without_prj(conn, county, tmp_path):
    truth = incident_frame(10, seed=3)
    path = write(truth.to_crs(4547), tmp_path / "incidents.shp")
    os.remove(tmp_path / "incidents.prj")
    problems = refused(conn, county, "incidents", path)
    one_problem(problems, "incidents.shp", "--crs", "no CRS")
    assert run(conn, county, "incidents", path, crs="EPSG:4547").added == 10
    for (code, x, y), (_, t) in zip(_points_back(conn), truth.sort_values("code").iterrows()):
        assert metres(x, y, t.geometry.x, t.geometry.y) < 1.0


def test_crs_option_overrides_the_file(conn, county, tmp_path):
    truth = incident_frame(5, seed=4)
    # a file whose .prj wrongly says WGS 84 but holds CM 111E Gauss-Krüger metres
    wrong = truth.to_crs(4546).set_crs(4326, allow_override=True)
    path = write(wrong, tmp_path / "incidents.gpkg")
    problems = refused(conn, county, "incidents", path)
    one_problem(problems, "incidents.gpkg", "projected", "--crs")
    assert run(conn, county, "incidents", path, crs="epsg:4546").added == 5
    for (code, x, y), (_, t) in zip(_points_back(conn), truth.sort_values("code").iterrows()):
        assert metres(x, y, t.geometry.x, t.geometry.y) < 1.0


def test_gcj02_is_converted_back(conn, county, tmp_path):
    truth = incident_frame(30, seed=5)
    g_lon, g_lat = wgs84_to_gcj02(truth.geometry.x.to_numpy(), truth.geometry.y.to_numpy())
    lines = ["code,occurred_at,category,lon,lat"] + [
        f"{c},{t},{k},{float(x)!r},{float(y)!r}" for c, t, k, x, y in
        zip(truth["code"], truth["occurred_at"], truth["category"], g_lon, g_lat)]
    path = _csv(tmp_path / "from_amap.csv", "\n".join(lines) + "\n")
    assert run(conn, county, "incidents", path, crs="gcj02").added == 30
    back = _points_back(conn)
    for (code, x, y), (_, t) in zip(back, truth.sort_values("code").iterrows()):
        assert metres(x, y, t.geometry.x, t.geometry.y) < 0.01
    # read as plain WGS 84 they would be hundreds of metres off
    assert metres(g_lon[0], g_lat[0], truth.geometry.x[0], truth.geometry.y[0]) > 100


def test_gcj02_polygons(conn, county, tmp_path):
    frame = township_frame()

    def to_gcj(xy):
        return np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))

    frame["geometry"] = shapely.transform(frame.geometry.values, to_gcj)
    path = write(frame, tmp_path / "townships.geojson", driver="GeoJSON")
    run(conn, county, "townships", path, crs="GCJ02")
    got = rows(conn, "SELECT ST_XMin(geom), ST_YMin(geom) FROM townships ORDER BY code")
    assert metres(got[0][0], got[0][1], 111.50, 33.70) < 0.01


# ---------------------------------------------------------------- refusals

def test_missing_unsupported_and_unreadable_files(conn, county, tmp_path):
    one_problem(refused(conn, county, "villages", tmp_path / "nope.gpkg"),
                "nope.gpkg", "not found")
    xls = tmp_path / "villages.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    one_problem(refused(conn, county, "villages", xls), "villages.xls", "unsupported")
    xlsx = tmp_path / "villages.xlsx"
    xlsx.write_bytes(b"PK\x03\x04")
    one_problem(refused(conn, county, "villages", xlsx), "villages.xlsx", "cannot read")
    broken = tmp_path / "villages.gpkg"
    broken.write_bytes(b"this is not a geopackage")
    one_problem(refused(conn, county, "villages", broken), "villages.gpkg", "cannot read")
    empty = _csv(tmp_path / "empty.csv", "")
    one_problem(refused(conn, county, "incidents", empty), "empty.csv")
    header_only = _csv(tmp_path / "header.csv", "code,occurred_at,category,lon,lat\n")
    one_problem(refused(conn, county, "incidents", header_only), "header.csv", "no rows")


def test_unknown_layer_and_bad_crs_option(conn, county, tmp_path):
    path = write(township_frame(), tmp_path / "t.gpkg")
    with pytest.raises(LayerNotFound) as err:
        run(conn, county, "parks", path)
    assert "parks" in str(err.value)
    problems = refused(conn, county, "townships", path, crs="EPSG:9999999")
    one_problem(problems, "--crs", "EPSG:9999999")
    problems = refused(conn, county, "townships", path, crs="bd10")
    one_problem(problems, "--crs", "bd10")


def test_missing_required_column(conn, county, tmp_path):
    frame = village_frame().drop(columns=["population"])
    problems = refused(conn, county, "villages", write(frame, tmp_path / "villages.gpkg"))
    one_problem(problems, "villages.gpkg", "列 population", "missing required column")


def test_bad_values_each_name_file_row_column_and_problem(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    path = _csv(tmp_path / "cameras.csv",
                "code,name,kind,azimuth,fov,range_m,status,networked,installed_on,lon,lat\n"
                f"C1,a,dome,90,60,120,working,yes,2025-09-01,{IN_V1[0]},{IN_V1[1]}\n"
                f"C2,b,laser,90,60,120,working,yes,2025-09-01,{IN_V1[0]},{IN_V1[1]}\n"
                f"C3,c,dome,abc,60,120,working,yes,2025-09-01,{IN_V1[0]},{IN_V1[1]}\n"
                f"C4,d,dome,90,60,9000,working,yes,2025-09-01,{IN_V1[0]},{IN_V1[1]}\n"
                f"C5,e,dome,90,60,120,working,maybe,2025-09-01,{IN_V1[0]},{IN_V1[1]}\n"
                f"C6,f,dome,90,60,120,working,yes,2025-02-30,{IN_V1[0]},{IN_V1[1]}\n"
                f"C7,g,dome,-5,60,120,working,yes,2025/9/1,{IN_V1[0]},{IN_V1[1]}\n"
                f"C8,,dome,90,60,120,working,yes,,{IN_V1[0]},{IN_V1[1]}\n")
    problems = refused(conn, county, "cameras", path)
    assert len(problems) == 7, problems
    one_problem(problems, "cameras.csv", "第 3 行", "code=C2", "列 kind", "laser",
                "not one of: fixed, dome, ptz, checkpoint")
    one_problem(problems, "第 4 行", "code=C3", "列 azimuth", "'abc'", "not a number")
    one_problem(problems, "第 5 行", "code=C4", "列 range_m", "above maximum 5000")
    one_problem(problems, "第 6 行", "code=C5", "列 networked", "maybe", "not a boolean")
    one_problem(problems, "第 7 行", "code=C6", "列 installed_on", "2025-02-30", "not a date")
    one_problem(problems, "第 8 行", "code=C7", "列 azimuth", "below minimum 0")
    one_problem(problems, "第 9 行", "code=C8", "列 name", "missing value")


def test_bad_integer_and_timestamp(conn, county, tmp_path):
    frame = village_frame()
    frame["population"] = ["812", "abc"]
    problems = refused(conn, county, "villages", write(frame, tmp_path / "villages.gpkg"))
    assert problems == ["villages.gpkg 第 2 行 (code=410999002001) 列 population: "
                        "不是整数 'abc' (not an integer)"]
    frame["population"] = [812.5, 3]
    problems = refused(conn, county, "villages", write(frame, tmp_path / "v2.gpkg"))
    one_problem(problems, "v2.gpkg", "第 1 行", "population", "not an integer")
    incidents = incident_frame(3)
    incidents["occurred_at"] = ["2026-03-05 10:00", "2026-03-05 25:00", "yesterday"]
    problems = refused(conn, county, "incidents", write(incidents, tmp_path / "i.geojson",
                                                          driver="GeoJSON"))
    assert len(problems) == 2
    one_problem(problems, "i.geojson", "第 2 行", "code=J0000001", "列 occurred_at",
                "not a timestamp")
    one_problem(problems, "第 3 行", "yesterday", "not a timestamp")


def test_dates_that_do_not_exist(conn, county, tmp_path):
    # GeoJSON: read as text, so the importer itself names the row
    cameras = gpd.GeoDataFrame({
        "code": ["C1", "C2"], "name": ["a", "b"], "kind": "dome", "fov": 60, "range_m": 100,
        "status": "working", "networked": True, "installed_on": ["2025-09-01", "2025-02-30"]},
        geometry=[Point(*IN_V1), Point(*IN_V2)], crs=4326)
    path = write(cameras, tmp_path / "cameras.geojson", driver="GeoJSON")
    problems = refused(conn, county, "cameras", path)
    assert problems == ["cameras.geojson 第 2 行 (code=C2) 列 installed_on: 不是日期 "
                        "'2025-02-30'，应为 YYYY-MM-DD (not a date)"]
    # GeoPackage: a DATETIME column holding something else (GDAL would read it as null)
    import sqlite3

    frame = incident_frame(3)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    gpkg = write(frame, tmp_path / "incidents.gpkg", SPATIAL_INDEX="NO")
    with sqlite3.connect(gpkg) as db:
        db.execute("UPDATE incidents SET occurred_at = '2026-02-30T25:00:00' WHERE fid = 3")
    db.close()
    problems = refused(conn, county, "incidents", gpkg)
    one_problem(problems, "incidents.gpkg", "第 3 行", "code=J0000002", "occurred_at",
                "2026-02-30T25:00:00", "invalid content")


TOO_LONG = "x" * 101     # a category longer than the 100 characters allowed


def too_long(where: str) -> str:
    """The problem a too-long category gives, ``where`` being '<file> 第 N 行 (code=…)'."""
    return f"{where} 列 category: 过长 '{'x' * 40}…'，最多 100 个字符 (longer than 100 characters)"


def test_the_hundredth_bad_row_refuses_the_whole_file(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    run(conn, county, "incidents", write(incident_frame(5, seed=9).assign(
        code=lambda f: "OLD" + f["code"]), tmp_path / "old.gpkg"))
    frame = incident_frame(100)
    frame.loc[99, "category"] = TOO_LONG
    problems = refused(conn, county, "incidents", write(frame, tmp_path / "incidents.gpkg"))
    assert problems == [too_long("incidents.gpkg 第 100 行 (code=J0000099)")]
    assert count(conn, "incidents") == 5


def test_problem_list_is_capped(conn, county, tmp_path):
    frame = incident_frame(120)
    frame["category"] = TOO_LONG
    problems = refused(conn, county, "incidents", write(frame, tmp_path / "incidents.gpkg"))
    assert len(problems) == 51
    assert "第 1 行" in problems[0] and "第 50 行" in problems[49]
    assert problems[-1] == "… 另有 70 个问题 (and 70 more)"


def test_projected_coordinates_read_as_degrees(conn, county, tmp_path):
    metres_frame = incident_frame(3).to_crs(4547)
    # GeoJSON is WGS 84 by definition: metres in it are a projected file read as degrees
    raw = json.loads(metres_frame.to_json())
    raw.pop("crs", None)
    path = tmp_path / "incidents.geojson"
    path.write_text(json.dumps(raw), encoding="utf-8")
    problems = refused(conn, county, "incidents", path)
    one_problem(problems, "incidents.geojson", "look projected", "--crs")
    one_problem(problems, "incidents.geojson", "第 1 行", "code=J0000000", "列 geometry",
                "out of range")
    # the same in a CSV without --crs (taken as EPSG:4326)
    lines = ["code,occurred_at,category,lon,lat"] + [
        f"{c},{t},{k},{g.x},{g.y}" for c, t, k, g in
        zip(metres_frame["code"], metres_frame["occurred_at"], metres_frame["category"],
            metres_frame.geometry)]
    csv = _csv(tmp_path / "incidents.csv", "\n".join(lines) + "\n")
    problems = refused(conn, county, "incidents", csv)
    one_problem(problems, "incidents.csv", "look projected", "--crs EPSG:4547")
    one_problem(problems, "incidents.csv", "第 2 行", "列 lon/lat", "out of range")
    assert run(conn, county, "incidents", csv, crs="EPSG:4547").added == 3


def test_coordinates_outside_china_or_swapped(conn, county, tmp_path):
    frame = incident_frame(3)
    frame.loc[1, "geometry"] = Point(2.35, 48.85)          # Paris
    frame.loc[2, "geometry"] = Point(33.8, 111.6)          # lat/lon swapped
    problems = refused(conn, county, "incidents", write(frame, tmp_path / "incidents.gpkg"))
    assert len(problems) == 2
    one_problem(problems, "incidents.gpkg", "第 2 行", "code=J0000001", "列 geometry",
                "outside China")
    one_problem(problems, "第 3 行", "code=J0000002", "列 geometry", "swapped")
    # a GK file whose --crs names the wrong zone lands outside China
    gk = write(incident_frame(2).to_crs(4547), tmp_path / "gk.gpkg")
    problems = refused(conn, county, "incidents", gk, crs="EPSG:4326")
    one_problem(problems, "gk.gpkg", "look projected")
    problems = refused(conn, county, "incidents", gk, crs="EPSG:4502")   # 6-degree CM 75E
    one_problem(problems, "gk.gpkg", "第 1 行", "outside China", "EPSG:4502")


def test_geometry_type_not_accepted_and_missing(conn, county, tmp_path):
    frame = village_frame()
    frame.loc[1, "geometry"] = LineString([IN_V1, IN_V2])
    problems = refused(conn, county, "villages", write(frame, tmp_path / "villages.gpkg"))
    assert problems == ["villages.gpkg 第 2 行 (code=410999002001) 列 geometry: 几何类型 "
                        "LineString 不被接受，应为 Polygon/MultiPolygon (geometry type "
                        "LineString not accepted; expected Polygon/MultiPolygon)"]
    frame = incident_frame(3)
    frame.loc[1, "geometry"] = None
    problems = refused(conn, county, "incidents", write(frame, tmp_path / "incidents.gpkg"))
    one_problem(problems, "incidents.gpkg", "第 2 行", "列 geometry", "missing")
    csv = _csv(tmp_path / "incidents.csv", "code,occurred_at,category,lon,lat\n"
                                           "J1,2026-03-05 10:00,theft,,\n"
                                           "J2,2026-03-05 10:00,theft,abc,33.8\n")
    problems = refused(conn, county, "incidents", csv)
    one_problem(problems, "incidents.csv", "第 2 行", "code=J1", "列 lon/lat", "missing")
    one_problem(problems, "第 3 行", "code=J2", "列 lon", "not a number")
    nolonlat = _csv(tmp_path / "nolonlat.csv", "code,occurred_at,category\nJ1,2026-03-05,theft\n")
    one_problem(refused(conn, county, "incidents", nolonlat), "nolonlat.csv", "lon", "missing")


# a village whose top edge makes a small self-crossing loop (area change 0.04 %)
SPIKE = Polygon([(111.52, 33.75), (111.58, 33.75), (111.58, 33.85), (111.551, 33.85),
                 (111.549, 33.851), (111.549, 33.849), (111.551, 33.8505), (111.52, 33.85)])
BOWTIE = Polygon([(111.62, 33.75), (111.68, 33.85), (111.68, 33.75), (111.62, 33.85)])


def test_invalid_polygons_repaired_or_refused(conn, county, tmp_path):
    assert not SPIKE.is_valid and not BOWTIE.is_valid
    frame = village_frame()
    frame.loc[0, "geometry"] = SPIKE
    result = run(conn, county, "villages", write(frame, tmp_path / "villages.gpkg"))
    assert result.added == 2
    one_problem(result.warnings, "villages.gpkg", "第 1 行", "code=410999001001", "列 geometry",
                "repaired")
    assert rows(conn, "SELECT bool_and(ST_IsValid(geom)) FROM villages") == [(True,)]
    frame.loc[1, "geometry"] = BOWTIE
    problems = refused(conn, county, "villages", write(frame, tmp_path / "bowtie.gpkg"))
    assert len(problems) == 1
    one_problem(problems, "bowtie.gpkg", "第 2 行", "code=410999002001", "列 geometry",
                "invalid geometry", "self-intersection", "area")


def test_duplicate_codes_name_both_rows(conn, county, tmp_path):
    frame = incident_frame(5)
    frame.loc[3, "code"] = "J0000001"
    problems = refused(conn, county, "incidents", write(frame, tmp_path / "incidents.gpkg"))
    assert problems == ["incidents.gpkg 第 4 行 (code=J0000001) 列 code: 与第 2 行重复 "
                        "'J0000001' (duplicate code, same as row 2)"]
    tracks = _csv(tmp_path / "tracks.csv",
                  "team_code,recorded_at,lon,lat\n"
                  f"T1,2026-03-05 10:00:00,{IN_V1[0]},{IN_V1[1]}\n"
                  f"T2,2026-03-05 10:00:00,{IN_V1[0]},{IN_V1[1]}\n"
                  f"T1,2026-03-05T02:00:00Z,{IN_V2[0]},{IN_V2[1]}\n")
    problems = refused(conn, county, "patrol_tracks", tracks)
    one_problem(problems, "tracks.csv", "第 4 行", "team_code+recorded_at", "第 2 行",
                "duplicate")


# ---------------------------------------------------------------- the CLI

def test_cli_import_and_refusal(runner, app, tmp_path):
    from layers.db import transaction

    path = write(township_frame(crs=4547), tmp_path / "townships.gpkg")
    result = runner.invoke(args=["import", "townships", str(path)])
    assert result.exit_code == 0, result.output
    assert "新增 2 条" in result.output and "added 2, updated 0" in result.output
    result = runner.invoke(args=["import", "townships", str(path), "--crs", "EPSG:4547"])
    assert result.exit_code == 0 and "updated 2" in result.output

    shp = write(village_frame(crs=4547), tmp_path / "villages.shp", encoding="gbk")
    os.remove(tmp_path / "villages.prj")
    os.remove(tmp_path / "villages.cpg")
    result = runner.invoke(args=["import", "villages", str(shp)])
    assert result.exit_code == 1
    assert "nothing written" in result.output and "villages.shp" in result.output
    assert "--crs" in result.output
    result = runner.invoke(args=["import", "villages", str(shp), "--crs", "EPSG:4547",
                                 "--encoding", "gbk"])
    assert result.exit_code == 0, result.output
    with transaction(app.config["RESOLVED_DATABASE_URL"]) as conn:
        got = rows(conn, "SELECT name, township_code, ST_XMin(geom), ST_YMin(geom) "
                         "FROM villages ORDER BY code")
    assert [g[:2] for g in got] == [("张村", "410999001"), ("李庄", "410999002")]
    assert metres(got[0][2], got[0][3], 111.52, 33.75) < 1.0

    result = runner.invoke(args=["import", "parks", str(path)])
    assert result.exit_code == 1 and "parks" in result.output
    result = runner.invoke(args=["import", "villages", str(shp), "--crs", "mars2"])
    assert result.exit_code == 1 and "mars2" in result.output

    one = write(village_frame().iloc[[1]], tmp_path / "one.gpkg")
    result = runner.invoke(args=["import", "villages", str(one), "--replace"])
    assert result.exit_code == 0 and "added 1, updated 0" in result.output
    with transaction(app.config["RESOLVED_DATABASE_URL"]) as conn:
        assert rows(conn, "SELECT code FROM villages") == [("410999002001",)]


# ---------------------------------------------------------------- speed

def test_ten_thousand_incidents_from_csv_quickly(conn, county, tmp_path, capsys):
    import time

    load_base(conn, county, tmp_path)
    frame = incident_frame(10_000, seed=11)
    csv = tmp_path / "incidents.csv"
    pd.DataFrame({"code": frame["code"], "occurred_at": frame["occurred_at"],
                  "category": frame["category"], "lon": frame.geometry.x,
                  "lat": frame.geometry.y}).to_csv(csv, index=False)
    start = time.perf_counter()
    result = run(conn, county, "incidents", csv, progress=True)
    elapsed = time.perf_counter() - start
    assert "10000/10000" in capsys.readouterr().err        # the progress bar
    assert result.added == 10_000
    assert elapsed < 10, elapsed
    assert rows(conn, "SELECT count(*) FROM incidents WHERE village_code IS NOT NULL")[0][0] > 0


def test_villages_with_remediated_on_record_past_remediation(conn, county, tmp_path):
    run(conn, county, "townships", write(township_frame(), tmp_path / "t.gpkg"))
    frame = village_frame()
    frame["remediated_on"] = ["2026-03-05", None]
    run(conn, county, "villages", write(frame, tmp_path / "villages.gpkg"))
    got = rows(conn, "SELECT village_code, kind, status, confirmed_on::text, effective_on::text"
                     " FROM remediation_events ORDER BY id")
    assert got == [("410999001001", "import", "remediated", "2026-03-05", "2026-03-05")]
    run(conn, county, "villages", write(frame, tmp_path / "again.gpkg"))  # re-import adds nothing
    assert count(conn, "remediation_events") == 1
