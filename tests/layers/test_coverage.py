"""Coverage on hand-built geometry whose answers are known exactly."""
import pytest
from shapely.geometry import LineString, Point

from geo.coverage import village_indicators
from layers.coverage import WhatIf, hotspot_coverage, school_coverage, village_coverage
from tests.helpers import COUNTY, put, square

Y = 33.02  # the road runs west-east along this latitude


@pytest.fixture
def village(app, conn):
    put(conn, "townships", [{"code": "410999001", "name": "甲镇", "geometry": square(110.9, 32.9, 0.3)}])
    put(conn, "villages", [
        {"code": "V1", "name": "一村", "remote": True, "population": 1, "remediated_on": None,
         "geometry": square(111.0, 33.0, 0.05)},
        {"code": "V2", "name": "二村", "remote": False, "population": 1, "remediated_on": None,
         "geometry": square(111.05, 33.0, 0.05)}])
    put(conn, "roads", [{"code": "R1", "name": "东西路", "class": "county",
                         "geometry": LineString([(111.0, Y), (111.1, Y)])}])
    return conn


def cam(code, x, azimuth=None, kind="fixed", fov=90.0, range_m=100.0, status="working", y=Y):
    return {"code": code, "name": code, "kind": kind, "azimuth": azimuth, "fov": fov,
            "range_m": range_m, "status": status, "networked": True, "installed_on": None,
            "geometry": Point(x, y)}


def covered(conn, code="V1", what_if=None):
    return {r["code"]: r for r in village_coverage(conn, COUNTY, what_if)}[code]["covered_road_m"]


def test_road_is_clipped_at_village_borders(village):
    rows = {r["code"]: r for r in village_coverage(village, COUNTY)}
    # 0.05 degrees of longitude at 33.02 N, on the ellipsoid
    assert rows["V1"]["road_m"] == pytest.approx(4_671, rel=0.002)
    assert rows["V2"]["road_m"] == pytest.approx(rows["V1"]["road_m"], rel=1e-6)
    assert rows["V1"]["covered_road_m"] == 0


def test_dome_on_a_straight_road_covers_twice_its_range(village):
    put(village, "cameras", [cam("D", 111.02, kind="dome", fov=360, range_m=80)])
    assert covered(village) == pytest.approx(160, rel=0.005)


def test_fixed_camera_looking_along_the_road_covers_its_range(village):
    put(village, "cameras", [cam("E", 111.02, azimuth=90)])  # looking east, along the road
    assert covered(village) == pytest.approx(100, rel=0.005)


def test_camera_looking_across_the_road_covers_nothing(village):
    put(village, "cameras", [cam("N", 111.02, azimuth=0, fov=60)])  # looking north
    assert covered(village) == pytest.approx(0, abs=0.01)


def test_azimuth_runs_clockwise_from_north(village):
    # a camera 50 m south of the road: looking north (0) it sees the road, east (90) it does not
    south = Y - 50 / 110_900
    put(village, "cameras", [cam("S", 111.02, azimuth=0, fov=90, y=south)])
    assert covered(village) > 90  # chord of the 90-degree sector at 50 m: 100 m
    put(village, "cameras", [cam("S", 111.02, azimuth=90, fov=60, y=south)])
    assert covered(village) == pytest.approx(0, abs=0.01)


def test_overlapping_cameras_count_once(village):
    put(village, "cameras", [cam("A", 111.02, kind="dome", fov=360, range_m=100),
                             cam("B", 111.02, azimuth=90, range_m=100)])
    assert covered(village) == pytest.approx(200, rel=0.005)


def test_faulty_camera_covers_nothing_and_what_if(village):
    put(village, "cameras", [cam("F", 111.02, kind="dome", fov=360, status="faulty")])
    assert covered(village) == 0
    put(village, "cameras", [cam("W", 111.03, kind="dome", fov=360)])
    assert covered(village) == pytest.approx(200, rel=0.005)
    assert covered(village, what_if=WhatIf(faulty=["W"])) == 0
    proposal = WhatIf(proposed=[{"lon": 111.01, "lat": Y, "kind": "fixed", "azimuth": 270, "fov": 90, "range_m": 50}])
    assert covered(village, what_if=proposal) == pytest.approx(250, rel=0.005)


def test_schools_hotspots_and_the_r2_rule(village):
    put(village, "schools", [{"code": "S1", "name": "一小", "geometry": Point(111.0201, Y + 0.0002)},
                             {"code": "S2", "name": "二小", "geometry": Point(111.04, 33.04)}])
    put(village, "hotspots", [{"code": "H1", "quarter": "2026Q3", "level": "county", "township_code": None,
                               "name": "乱点", "status": "listed", "unit": None, "deadline": None,
                               "geometry": square(111.02, Y, 0.002)}])
    put(village, "cameras", [cam("D", 111.02, kind="dome", fov=360, range_m=100)])
    schools = {s["code"]: s["covered"] for s in school_coverage(village, COUNTY)}
    assert schools == {"S1": True, "S2": False}
    (h,) = hotspot_coverage(village, COUNTY)
    assert 0 < h["covered_m2"] < h["area_m2"]
    rows = {r["code"]: r for r in village_indicators(village_coverage(village, COUNTY))}
    assert rows["V1"]["schools"] == 2 and rows["V1"]["covered_schools"] == 1
    assert rows["V1"]["video_covered"] is False  # 200 m of 4.7 km, and a school uncovered
