"""Patrol endpoints: staffing, tracks posted by devices, visits, alerts, route planning."""
import pytest
from shapely.geometry import LineString, Point

from tests.conftest import basic
from tests.helpers import put, small_county, square

A1 = "410999001001"
SCHOOL = Point(111.005, 33.005)   # in village A1 (111.00-111.02)
HOT = square(111.041, 33.001, 0.004)  # a listed hotspot in village A3


@pytest.fixture
def county(app, conn):
    small_county(conn)
    put(conn, "patrol_teams", [
        {"code": "T1", "name": "甲镇专职队", "kind": "township_fulltime", "township_code": "410999001",
         "village_code": None, "members": 16, "geometry": Point(111.001, 33.002)},
        {"code": "T2", "name": "乙乡专职队", "kind": "township_fulltime", "township_code": "410999002",
         "village_code": None, "members": 9, "geometry": Point(111.15, 33.002)},
        {"code": "V1", "name": "村1义务队", "kind": "village_volunteer", "township_code": "410999001",
         "village_code": A1, "members": 4, "geometry": None}])
    put(conn, "schools", [{"code": "S1", "name": "一小", "geometry": SCHOOL}])
    put(conn, "hotspots", [{"code": "H1", "quarter": "2026Q4", "level": "township", "township_code": "410999001",
                            "name": "集市", "status": "listed", "unit": "派出所", "deadline": None,
                            "carried_from": None, "geometry": HOT}])
    put(conn, "roads", [{"code": "R1", "name": "主路", "class": "county",
                         "geometry": LineString([(111.0, 33.002), (111.06, 33.002)])},
                        {"code": "R2", "name": "支路", "class": "village",
                         "geometry": LineString([(111.005, 33.002), (111.005, 33.01)])}])
    return app


def post_points(client, team, points, role="commander"):
    return client.post("/api/patrol/tracks", json={"team_code": team, "points": points}, headers=basic(role))


def minutes(start_min, end_min, lon, lat, day="2026-11-25"):
    return [{"lon": lon, "lat": lat, "recorded_at": f"{day}T09:{m:02d}:00+08:00"} for m in range(start_min, end_min + 1)]


def test_staffing_against_r7(county, client):
    doc = client.get("/api/patrol/staffing", headers=basic("leader")).get_json()
    towns = {t["code"]: t for t in doc["townships"]}
    assert towns["410999001"] == {"code": "410999001", "fulltime_members": 16, "required": 15, "met": True}
    assert towns["410999002"]["met"] is False and towns["410999002"]["fulltime_members"] == 9
    villages = {v["code"]: v for v in doc["villages"]}
    assert villages[A1]["volunteer_members"] == 4 and villages[A1]["met"] is False
    assert villages["410999002003"] == {"code": "410999002003", "volunteer_members": 0, "required": 6, "met": False}


def test_tracks_posted_then_visits_and_dwell(county, client):
    assert post_points(client, "T1", minutes(0, 12, 111.043, 33.003), role="leader").status_code == 403
    assert post_points(client, "NOPE", minutes(0, 1, 111.043, 33.003)).status_code == 400
    bad = post_points(client, "T1", [{"lon": 111.0, "lat": 33.0, "recorded_at": "yesterday"}])
    assert bad.status_code == 400 and "points 第 1 项" in bad.get_json()["message"]
    # 12 minutes at the hotspot, then 20 minutes away, then 3 at the school (within 200 m)
    resp = post_points(client, "T1", minutes(0, 12, 111.043, 33.003) + minutes(13, 32, 111.03, 33.02)
                       + minutes(33, 35, 111.0055, 33.0055))
    assert resp.status_code == 201 and resp.get_json()["added"] == 36
    doc = client.get("/api/patrol/visits?from=2026-11-25T00:00:00&to=2026-11-26T00:00:00",
                     headers=basic("leader")).get_json()
    (hot,), (school,) = doc["hotspots"], doc["schools"]
    assert (hot["code"], hot["visits"], hot["dwell_min"], hot["long_visits"]) == ("H1", 1, 12.0, 1)
    assert (school["visits"], school["dwell_min"], school["long_visits"]) == (1, 2.0, 0)
    assert hot["presence_rate"] == 1.0 and school["presence_rate"] == 0.0
    assert client.get("/api/patrol/visits?from=2026-11-26&to=2026-11-25", headers=basic("leader")).status_code == 400


def test_alerts_name_unvisited_hotspots_and_schools(county, client):
    post_points(client, "T1", minutes(0, 12, 111.043, 33.003))
    doc = client.get("/api/patrol/alerts?now=2026-11-25T20:00:00%2B08:00", headers=basic("commander")).get_json()
    assert doc["hotspots_unvisited"] == [] and doc["school_day"] is True  # a Wednesday
    assert [s["code"] for s in doc["schools_unvisited"]] == ["S1"]
    doc = client.get("/api/patrol/alerts?now=2026-11-27T20:00:00%2B08:00", headers=basic("commander")).get_json()
    assert [h["code"] for h in doc["hotspots_unvisited"]] == ["H1"]


def test_team_off_its_route(county, client):
    route = {"code": "P1", "name": "甲镇日间", "team_code": "T1", "shift": "08:00-16:00",
             "geometry": {"type": "LineString", "coordinates": [[111.0, 33.002], [111.06, 33.002]]}}
    assert client.post("/api/patrol/routes", json=route, headers=basic("planner")).status_code == 403
    assert client.post("/api/patrol/routes", json={**route, "geometry": {"type": "Point", "coordinates": [111, 33]}},
                       headers=basic("commander")).status_code == 400
    assert client.post("/api/patrol/routes", json=route, headers=basic("commander")).status_code == 201
    post_points(client, "T1", minutes(0, 10, 111.03, 33.03))  # 3 km north of the route
    doc = client.get("/api/patrol/alerts?now=2026-11-25T09:20:00%2B08:00", headers=basic("commander")).get_json()
    assert [t["team"] for t in doc["teams_off_route"]] == ["T1"]
    post_points(client, "T1", minutes(21, 30, 111.03, 33.0021))  # back on the road
    doc = client.get("/api/patrol/alerts?now=2026-11-25T09:40:00%2B08:00", headers=basic("commander")).get_json()
    assert doc["teams_off_route"] == []


def test_route_plan_through_hotspot_and_school(county, client):
    doc = client.get("/api/patrol/routes/plan?team=T1", headers=basic("commander")).get_json()
    assert [s["code"] for s in sorted(doc["stops"], key=lambda s: s["kind"])] == ["H1", "S1"]
    # out along the main road to the hotspot (about 4 km) and back, via the school's branch
    assert 8_000 < doc["length_m"] < 9_500 and doc["fits_shift"] is True
    assert doc["duration_min"] == pytest.approx(doc["travel_min"] + 30, abs=0.2)
    assert doc["geometry"]["type"] in ("LineString", "MultiLineString")
    assert client.get("/api/patrol/routes/plan?team=V1", headers=basic("commander")).status_code == 400  # no base
    assert client.get("/api/patrol/routes/plan?team=T1&stop_minutes=-1", headers=basic("commander")).status_code == 400
