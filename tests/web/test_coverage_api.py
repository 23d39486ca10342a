"""/api/coverage, what-if, gaps and camera status changes with history."""
import pytest
from shapely.geometry import LineString, Point

from tests.conftest import basic
from tests.helpers import put, square
from tests.layers.test_coverage import Y, cam


@pytest.fixture
def county(app, conn):
    put(conn, "townships", [{"code": "410999001", "name": "甲镇", "geometry": square(110.9, 32.9, 0.3)}])
    put(conn, "villages", [{"code": "V1", "name": "一村", "remote": True, "population": 1,
                            "remediated_on": None, "geometry": square(111.0, 33.0, 0.05)}])
    put(conn, "roads", [{"code": "R1", "name": "东西路", "class": "county",
                         "geometry": LineString([(111.0, Y), (111.05, Y)])},
                        {"code": "R2", "name": "南北路", "class": "village",
                         "geometry": LineString([(111.02, 33.0), (111.02, Y)])},
                        {"code": "R3", "name": "北段", "class": "village",
                         "geometry": LineString([(111.02, Y), (111.02, 33.05)])}])
    put(conn, "cameras", [cam("D", 111.02, kind="dome", fov=360, range_m=100),
                          cam("X", 111.04, kind="dome", fov=360, status="offline")])
    put(conn, "schools", [{"code": "S1", "name": "一小", "geometry": Point(111.0205, Y)}])
    return app


def test_coverage_document(county, client):
    doc = client.get("/api/coverage", headers=basic("leader")).get_json()
    cams = doc["cameras"]
    assert (cams["total"], cams["working"], cams["working_share"]) == (2, 1, 0.5)
    assert cams["working_met"] is False and cams["working_target"] == 0.98
    (v,) = doc["villages"]
    # the dome sits on the junction of R1 (both ways) and R2/R3: 4 x 100 m covered
    assert v["covered_road_m"] == pytest.approx(400, rel=0.01)
    assert v["junctions"] == 1 and v["covered_junctions"] == 1 and v["junction_share"] == 1.0
    assert doc["schools"] == [{"code": "S1", "name": "一小", "township_code": "410999001",
                               "village_code": "V1", "covered": True}]
    assert doc["townships"][0]["code"] == "410999001"
    assert doc["county"]["road_m"] == pytest.approx(v["road_m"], rel=1e-6)


def test_what_if_faulty_and_proposed(county, client):
    doc = client.get("/api/coverage?faulty=D", headers=basic("leader")).get_json()
    assert doc["villages"][0]["covered_road_m"] == 0 and doc["schools"][0]["covered"] is False
    body = {"proposed": [{"lon": 111.01, "lat": Y, "kind": "dome", "fov": 360, "range_m": 50}]}
    doc = client.post("/api/coverage", json=body, headers=basic("leader")).get_json()
    assert doc["villages"][0]["covered_road_m"] == pytest.approx(500, rel=0.01)
    assert doc["cameras"]["proposed"] == 1
    bad = client.post("/api/coverage", json={"proposed": [{"lat": 33}]}, headers=basic("leader"))
    assert bad.status_code == 400 and "lon" in bad.get_json()["message"]


def test_gaps_are_the_uncovered_parts(county, client):
    fc = client.get("/api/coverage/gaps", headers=basic("commander")).get_json()
    kinds = {f["properties"]["kind"] for f in fc["features"]}
    assert "road" in kinds and "school" in kinds
    road = [f for f in fc["features"] if f["properties"]["kind"] == "road"]
    total_gap = sum(f["properties"]["size"] for f in road)
    doc = client.get("/api/coverage", headers=basic("leader")).get_json()
    v = doc["villages"][0]
    assert total_gap == pytest.approx(v["road_m"] - v["covered_road_m"], rel=0.01)


def test_camera_status_change_by_commanders_with_history(county, client):
    assert client.post("/api/cameras/X/status", json={"status": "working"}, headers=basic("leader")).status_code == 403
    assert client.post("/api/cameras/X/status", json={"status": "broken"}, headers=basic("commander")).status_code == 400
    assert client.post("/api/cameras/NOPE/status", json={"status": "working"}, headers=basic("commander")).status_code == 404
    resp = client.post("/api/cameras/X/status", json={"status": "working", "note": "已修复"}, headers=basic("commander"))
    assert resp.status_code == 201
    doc = client.get("/api/coverage", headers=basic("leader")).get_json()
    assert doc["cameras"]["working"] == 2
    (event,) = client.get("/api/cameras/X/history", headers=basic("leader")).get_json()
    assert (event["before"], event["after"], event["user"], event["note"]) == ("offline", "working", "commander", "已修复")


def test_siting_suggests_cameras_on_uncovered_roads(county, client):
    resp = client.get("/api/coverage/siting?k=3&kind=dome&range_m=100", headers=basic("planner"))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    doc = resp.get_json()
    gains = [f["properties"]["gain_road_m"] for f in doc["features"]]
    assert len(gains) == 3 and gains == sorted(gains, reverse=True)
    assert gains[0] == pytest.approx(200, rel=0.06)  # a dome on a straight uncovered road
    # nothing suggested where the existing dome already covers (within 100 m of it)
    for f in doc["features"]:
        x, y = f["geometry"]["coordinates"]
        assert abs(x - 111.02) > 0.0005 or abs(y - Y) > 0.0005
    assert doc["curve"][0]["cameras"] == 0 and len(doc["curve"]) == 4
    assert client.get("/api/coverage/siting?k=0", headers=basic("planner")).status_code == 400
    assert client.get("/api/coverage/siting?kind=laser", headers=basic("planner")).status_code == 400


def test_coverage_pages(county, client):
    page = client.get("/leader/coverage", headers=basic("leader")).get_data(as_text=True)
    assert "完好率" in page and "50.0%（1/2）" in page and 'id="township-coverage"' in page
    page = client.get("/commander/cameras", headers=basic("commander")).get_data(as_text=True)
    link = '"link":{"url":"/commander/cameras/__CODE__"'   # each camera's popup links to its page
    assert link in page and '"text":"修改状态"' in page and "摄像机 2 台" in page
    leader_page = client.get("/commander/cameras", headers=basic("leader")).get_data(as_text=True)
    assert link in leader_page and "修改状态" not in leader_page and "查看详情与历史" in leader_page
    assert client.post("/commander/cameras/X", data={"status": "working"}, headers=basic("leader")).status_code == 403
    resp = client.post("/commander/cameras/X", data={"status": "working", "note": "修复"}, headers=basic("commander"))
    assert resp.status_code == 302
    page = client.get("/commander/cameras/X", headers=basic("leader")).get_data(as_text=True)
    assert "修复" in page and "离线" in page
