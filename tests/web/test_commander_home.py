"""The commander's first screen (issue 12, item 2): alerts to act on (a team off its route,
hotspots and schools not visited, a camera that went offline) each with where it is and a
link to act, beside a map of teams, tracks and hotspots; every role reads it."""
import json
import re

import pytest
from shapely.geometry import Point

from layers import coverage as camera_records
from tests.conftest import basic
from tests.helpers import put
from tests.web.test_patrol_pages import DAY, load_patrol_county
from tests.web.test_planner_pages import login


@pytest.fixture
def county(app, conn):
    load_patrol_county(conn)
    put(conn, "cameras", [
        {"code": f"K{i}", "name": f"路口{i}", "kind": "fixed", "azimuth": 90.0, "fov": 60.0, "range_m": 100.0,
         "status": status, "networked": True, "installed_on": None, "geometry": Point(111.02 + 0.01 * i, 33.004)}
        for i, status in enumerate(("working", "working", "faulty"))])
    # K0 goes offline now (an alert); K1 went faulty and was repaired (none); K2 was faulty all along (counted only)
    for code, status in (("K0", "offline"), ("K1", "faulty"), ("K1", "working")):
        camera_records.set_camera_status(conn, "410999", code, status, "值班员", "测试")
    conn.commit()
    return app


def alerts(html: str) -> dict:
    """{code: (kind, data-lat, data-lon, act href)} of the page's alert list."""
    out = {}
    for m in re.finditer(r'<li class="alert alert-(\w+)" data-code="([^"]+)"'
                         r'(?: data-lat="([^"]+)" data-lon="([^"]+)")?[^>]*>(.*?)</li>', html, re.S):
        act = re.search(r'class="act" href="([^"]+)"', m.group(5)).group(1).replace("&amp;", "&")
        out[m.group(2)] = (m.group(1), m.group(3), m.group(4), act)
    return out


def test_alerts_each_with_a_place_and_a_link_to_act(county, client):
    login(client, "commander")
    resp = client.get("/commander/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    found = alerts(html)
    # a team off its route, located at its last point, linked to the patrol page with that team
    kind, lat, lon, act = found["T2"]
    assert kind == "team" and (float(lon), float(lat)) == pytest.approx((111.1503, 33.03), abs=1e-4)
    assert act == f"/commander/patrol?day={DAY}&team=T2#patrol-alerts"
    # H2 never visited: located inside it, acted on by its township's team plan; H1 was visited
    kind, lat, lon, act = found["H2"]
    assert kind == "hotspot" and 111.131 < float(lon) < 111.135 and 33.001 < float(lat) < 33.005
    assert act.startswith("/commander/patrol/plan/T2?") and "stops=hotspots,schools" in act
    assert "H1" not in found
    assert found["S2"][0] == "school" and found["S2"][3].startswith("/commander/patrol/plan/T2?")
    assert "S1" not in found
    # K0 went offline: an alert with its status form; K1 repaired, K2 no change this week: none
    kind, lat, lon, act = found["K0"]
    assert kind == "camera" and act == "/commander/cameras/K0" and float(lon) == pytest.approx(111.02)
    assert "K1" not in found and "K2" not in found
    assert re.search(r'id="cameras-problem">2 台</a>', html)                 # K0 offline and K2 faulty now
    assert "/commander/cameras/list?status=problem" in html
    # the hotspot's bounds go with it for the map to fit
    box = re.search(r'data-code="H2"[^>]*data-bounds="([^"]+)"', html).group(1)
    (south, west), (north, east) = json.loads(box.replace("&#34;", '"').replace("&quot;", '"'))
    assert (south, west, north, east) == pytest.approx((33.001, 111.131, 33.005, 111.135), abs=1e-6)
    assert len(resp.get_data()) < 150_000 and "folium-map" in html
    assert "/map?preset=commander" in html


def test_the_map_draws_teams_tracks_and_hotspots_with_markers(county, client):
    login(client, "commander")
    html = client.get("/commander/").get_data(as_text=True)
    for name in ("ch-hotspot\"", "ch-hotspot-marker", "ch-team"):
        assert name in html, name
    lines = client.get(f"/commander/tracks?day={DAY}").get_json()            # fetched by the page, not in it
    assert 'data-lines="/commander/tracks?day=2026-11-25"' in html
    assert [f["properties"]["label"][-11:] for f in lines["tracks"]["features"]] == ["09:00–09:33", "23:20–23:50"]
    assert len(lines["routes"]["features"]) == 2 and lines["routes"]["features"][0]["geometry"]["type"] == "LineString"
    assert client.get("/commander/tracks?day=2026-11-01").get_json()["tracks"]["features"] == []
    assert re.search(r"CircleMarker\([^)]*\{[^}]*\"radius\": 7", html.replace("\n", " ")) or '"radius": 7' in html
    assert f"截至 {DAY} 23:59" in html                                       # the demo's "today": the latest track day


def test_a_day_without_alerts_says_so(county, client):
    login(client, "commander")
    html = client.get("/commander/?day=2026-11-01").get_data(as_text=True)     # a Sunday before the tracks
    found = alerts(html)
    assert {k for k, v in found.items() if v[0] in ("team", "school")} == set()
    assert {"H1", "H2"} <= set(found) and found["K0"][0] == "camera"


@pytest.mark.parametrize("path", ["/commander/", "/commander/tracks"])
@pytest.mark.parametrize("query", ["day=2026-13-01", "day=yesterday", "day=1900-01-01"])
def test_bad_input_is_refused_naming_the_field(county, client, path, query):
    resp = client.get(f"{path}?{query}", headers=basic("commander"))
    assert resp.status_code == 400 and "day" in resp.get_data(as_text=True)


def test_every_role_reads_it_strangers_sign_in_first(county, client):
    assert client.get("/commander/").status_code == 302 and client.get("/commander/tracks").status_code == 302
    for role in ("commander", "leader", "planner", "admin"):
        other = client.application.test_client()
        login(other, role)
        html = other.get("/commander/").get_data(as_text=True)
        assert 'data-code="K0"' in html and 'id="alerts"' in html, role
        assert other.get("/commander/tracks").status_code == 200


def test_many_cameras_down_are_listed_newest_first_up_to_a_limit(county, client, conn):
    from web.services.commander_home import CAMERA_ALERTS
    put(conn, "cameras", [
        {"code": f"M{i:02d}", "name": f"卡口{i}", "kind": "checkpoint", "azimuth": 0.0, "fov": 60.0, "range_m": 50.0,
         "status": "working", "networked": True, "installed_on": None, "geometry": Point(111.05, 33.01 + 0.001 * i)}
        for i in range(CAMERA_ALERTS)])
    for i in range(CAMERA_ALERTS):
        camera_records.set_camera_status(conn, "410999", f"M{i:02d}", "faulty", "值班员", "")
        conn.commit()                                   # one transaction each: M39 changed last
    login(client, "commander")
    html = client.get("/commander/").get_data(as_text=True)
    cams = [code for code, v in alerts(html).items() if v[0] == "camera"]
    assert len(cams) == CAMERA_ALERTS and cams[0] == f"M{CAMERA_ALERTS - 1:02d}" and "K0" not in cams
    assert f"另有 1 台摄像机近 7 天变为故障或离线" in html and 'id="cameras-problem">42 台' in html
