"""Hotspots from anywhere (issue 11): drawn polygons, points with a radius, picked
villages, schools and road sections, several candidates in one change; every refusal
names the field and changes nothing; roles that may not change lists are refused."""
import math

import pytest
from shapely.geometry import LineString, Point, mapping

from tests.conftest import basic
from tests.helpers import put, small_county, square
from tests.web.test_planner_pages import incidents

Q = "2026Q4"


@pytest.fixture
def county(app, conn):
    small_county(conn)
    put(conn, "schools", [{"code": "S1", "name": "甲镇中心小学", "township_code": None, "village_code": None,
                           "geometry": Point(111.03, 33.01)}])
    put(conn, "roads", [{"code": "R1", "name": "团结街", "class": "county", "township_code": None,
                         "geometry": LineString([(111.005, 33.03), (111.095, 33.03)])}])
    put(conn, "incidents", incidents(40, 60, "2026-08-10", 1, "q3-") + incidents(10, 60, "2026-05-10", 2, "q2-"))
    return app


def draft(client):
    resp = client.post("/api/hotspots/lists", json={"quarter": Q}, headers=basic("planner"))
    assert resp.status_code == 201
    return resp.get_json()


def post(client, lst, body, role="planner"):
    return client.post(f"/api/hotspots/lists/{lst['id']}/items", json=body, headers=basic(role))


def state(client, lst):
    doc = client.get(f"/api/hotspots/lists/{lst['id']}", headers=basic("planner")).get_json()
    return doc["revision"], [f["properties"] for f in doc["items"]["features"]]


def test_drawn_point_and_picked_places_become_hotspots(county, client):
    lst = draft(client)
    drawn = post(client, lst, {"name": "夜市", "level": "county", "reason": "群众多次反映夜间斗殴",
                               "geometry": mapping(square(111.01, 33.01, 0.004))})
    assert drawn.status_code == 201, drawn.get_json()
    point = post(client, lst, {"name": "桥头", "level": "township", "radius_m": 150,
                               "geometry": {"type": "Point", "coordinates": [111.15, 33.05]}})
    village = post(client, lst, {"level": "township", "place": {"layer": "villages", "code": "410999002002"}})
    school = post(client, lst, {"level": "county", "place": {"layer": "schools", "code": "S1", "buffer_m": 200}})
    road = post(client, lst, {"level": "township", "place": {"layer": "roads", "code": "R1", "buffer_m": 30,
                                                            "at": {"lon": 111.05, "lat": 33.0302}}})
    for resp in (point, village, school, road):
        assert resp.status_code == 201, resp.get_json()
    _, items = state(client, lst)
    by_name = {p["name"]: p for p in items}
    assert by_name["夜市"]["source"] == "drawn" and by_name["夜市"]["reason"] == "群众多次反映夜间斗殴"
    assert by_name["夜市"]["township_code"] == "410999001"          # derived by location
    circle = by_name["桥头"]
    assert circle["source"] == "point" and circle["township_code"] == "410999002"
    assert abs(circle["area_m2"] - math.pi * 150 ** 2) / (math.pi * 150 ** 2) < 0.01
    assert by_name["村22治安乱点"]["source"] == "picked" and by_name["村22治安乱点"]["picked"]["code"] == "410999002002"
    assert 3.9e6 < by_name["村22治安乱点"]["area_m2"] < 4.4e6       # the village itself (0.02° square)
    assert abs(by_name["甲镇中心小学周边治安乱点"]["area_m2"] - math.pi * 200 ** 2) / (math.pi * 200 ** 2) < 0.02
    section = by_name["团结街路段治安乱点"]
    assert section["township_code"] == "410999001"
    # the section: the road within 300 m of the click, 30 m either side: about 600 m × 60 m
    assert 30_000 < section["area_m2"] < 45_000
    # the township is editable
    code = section["code"]
    resp = client.patch(f"/api/hotspots/lists/{lst['id']}/items/{code}", json={"township_code": "410999002"},
                        headers=basic("planner"))
    assert resp.status_code == 200
    assert {p["code"]: p for p in state(client, lst)[1]}[code]["township_code"] == "410999002"


POINT = {"type": "Point", "coordinates": [111.01, 33.01]}
BAD = [
    ({"name": "小", "level": "county", "geometry": mapping(square(111.01, 33.01, 0.00005))}, "geometry", "面积"),
    ({"name": "大", "level": "county", "geometry": mapping(square(111.0, 33.0, 0.1))}, "geometry", "5 平方公里"),
    ({"name": "外", "level": "county", "geometry": mapping(square(115.0, 30.0, 0.004))}, "geometry", "不在本县"),
    ({"name": "蝶", "level": "county", "geometry": {"type": "Polygon", "coordinates": [
        [[111.01, 33.01], [111.02, 33.02], [111.02, 33.01], [111.01, 33.02], [111.01, 33.01]]]}}, "geometry", "无效"),
    ({"name": "线", "level": "county", "geometry": {"type": "LineString", "coordinates": [[111.01, 33.01],
                                                                                         [111.02, 33.02]]}},
     "geometry", "GeoJSON"),
    ({"name": "点", "level": "county", "geometry": POINT}, "body", "radius_m"),
    ({"name": "点", "level": "county", "radius_m": "NaN", "geometry": POINT}, "radius_m", "有限"),
    ({"name": "点", "level": "county", "radius_m": 5000, "geometry": POINT}, "radius_m", ""),
    ({"name": "两", "level": "county", "geometry": mapping(square(111.01, 33.01, 0.004)),
      "place": {"layer": "villages", "code": "410999001001"}}, "body", "二者之一"),
    ({"name": "无", "level": "county"}, "body", "二者之一"),
    ({"level": "county", "geometry": mapping(square(111.01, 33.01, 0.004))}, "body", "name"),
    ({"level": "county", "place": {"layer": "cameras", "code": "C1"}}, "place.layer", ""),
    ({"level": "county", "place": {"layer": "schools", "code": "S1", "buffer_m": 0}}, "buffer_m", "缓冲"),
    ({"level": "county", "place": {"layer": "roads", "code": "R1", "buffer_m": 20,
                                   "at": {"lon": 111.05, "lat": 33.09}}}, "at", "不经过"),
    ({"level": "county", "place": ["villages", "410999001001"]}, "place", ""),
    ({"level": "county", "township_code": "410999009", "geometry": mapping(square(111.01, 33.01, 0.004)),
      "name": "错乡"}, "township_code", "没有编码"),
    ({"level": "city", "name": "级", "geometry": mapping(square(111.01, 33.01, 0.004))}, "level", ""),
]


@pytest.mark.parametrize("body, field, words", BAD)
def test_bad_items_are_refused_naming_the_field_and_change_nothing(county, client, body, field, words):
    lst = draft(client)
    assert post(client, lst, {"name": "先有", "level": "county",
                              "geometry": mapping(square(111.05, 33.05, 0.003))}).status_code == 201
    before = state(client, lst)
    resp = post(client, lst, {**body, "revision": before[0]})
    assert resp.status_code == 400, resp.get_json()
    err = resp.get_json()
    assert err["field"].endswith(field) or field == "body" and err["field"] in (None, "body"), err
    assert words in err["message"], err
    assert state(client, lst) == before


def test_an_unknown_place_is_not_found(county, client):
    lst = draft(client)
    resp = post(client, lst, {"level": "county", "place": {"layer": "villages", "code": "nope"}})
    assert resp.status_code == 404 and "nope" in resp.get_json()["message"]


def test_place_preview_finds_what_was_clicked(county, client):
    url = "/api/hotspots/place?layer={}&lon={}&lat={}&buffer_m={}"
    f = client.get(url.format("villages", 111.13, 33.01, 0), headers=basic("planner")).get_json()
    assert (f["properties"]["code"], f["properties"]["township_code"], f["properties"]["fits"]) == \
        ("410999002002", "410999002", True)
    f = client.get(url.format("schools", 111.0305, 33.0105, 0), headers=basic("planner")).get_json()
    assert f["properties"]["code"] == "S1" and f["properties"]["buffer_m"] == 200      # the default buffer
    f = client.get(url.format("roads", 111.05, 33.031, 50), headers=basic("planner")).get_json()
    assert f["properties"]["name_suggested"] == "团结街路段治安乱点" and f["properties"]["fits"]
    far = client.get(url.format("schools", 111.09, 33.09, 0), headers=basic("planner"))
    assert far.status_code == 404 and "300 米内没有学校" in far.get_json()["message"]
    for query, field in (("layer=roads&lon=200&lat=33", "lon"), ("layer=x&lon=111&lat=33", "layer"),
                         ("layer=roads&lon=115&lat=30", "body"), ("layer=roads&lon=111.05&lat=33.03&buffer_m=-1",
                                                                  "buffer_m"), ("layer=roads", "lon")):
        resp = client.get(f"/api/hotspots/place?{query}", headers=basic("planner"))
        assert resp.status_code == 400, query


def test_several_candidates_go_on_in_one_change(county, client):
    cands = client.get("/api/hotspots/candidates?quarter=2026Q3", headers=basic("planner")).get_json()["features"]
    assert len(cands) >= 3
    picks = [{"rank": c["properties"]["rank"], "township_code": c["properties"]["township_code"] or "",
              "count": c["properties"]["count"]} for c in cands[:3]]
    lst = draft(client)
    url = f"/api/hotspots/lists/{lst['id']}/candidates?quarter={Q}"
    resp = client.post(url, json={"revision": 0, "candidates": picks}, headers=basic("planner"))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["revision"] == 1 and len(resp.get_json()["codes"]) == 3   # one change, one revision
    revision, items = state(client, lst)
    assert [p["source"] for p in items] == ["candidate"] * 3 and len({p["name"] for p in items}) == 3
    assert items[0]["level"] == "county" and items[0]["deadline"] == "2026-12-31"
    # again: refused (on the list), and nothing changes
    for body, status in (({"revision": revision, "candidates": picks[:1]}, 400),
                         ({"revision": revision - 1, "candidates": picks[:1]}, 409),
                         ({"revision": revision, "candidates": [{**picks[0], "count": picks[0]["count"] + 1}]}, 409),
                         ({"revision": revision, "candidates": []}, 400),
                         ({"revision": revision, "candidates": {"rank": 1}}, 400),
                         ({"revision": revision, "candidates": [{"rank": "一", "count": 1}]}, 400)):
        assert client.post(url, json=body, headers=basic("planner")).status_code == status, body
        assert state(client, lst) == (revision, items)
    other = client.post(f"/api/hotspots/lists/{lst['id']}/candidates?quarter=2026Q3",
                        json={"candidates": picks[:1]}, headers=basic("planner"))
    assert other.status_code == 400 and other.get_json()["field"] == "quarter"


@pytest.mark.parametrize("role", ["commander", "leader"])
def test_other_roles_may_not_add_or_pick(county, client, role):
    lst = draft(client)
    body = {"name": "夜市", "level": "county", "geometry": mapping(square(111.01, 33.01, 0.004))}
    assert post(client, lst, body, role).status_code == 403
    assert client.post(f"/api/hotspots/lists/{lst['id']}/candidates?quarter={Q}",
                       json={"candidates": [{"rank": 1, "count": 1}]}, headers=basic(role)).status_code == 403
    assert client.get("/api/hotspots/place?layer=villages&lon=111.01&lat=33.01",
                      headers=basic(role)).status_code == 403
    assert state(client, lst)[1] == []
