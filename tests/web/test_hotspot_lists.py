"""The quarterly list: drafts, the R3 quota, publishing, versions, lifecycle, R10, exports."""
import io

import geopandas as gpd
import pytest
from openpyxl import load_workbook
from shapely.geometry import Point, mapping

from tests.conftest import basic
from tests.helpers import put, small_county, square

Q = "2026Q3"


@pytest.fixture
def county(app, conn):
    small_county(conn)
    return app


def draft(client, quarter=Q):
    resp = client.post("/api/hotspots/lists", json={"quarter": quarter}, headers=basic("planner"))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()


def add(client, list_id, n, level, x, y, **extra):
    body = {"name": f"乱点{n}", "level": level, "unit": "城关派出所", "deadline": "2026-09-30",
            "geometry": mapping(square(x, y, 0.002)), **extra}
    return client.post(f"/api/hotspots/lists/{list_id}/items", json=body, headers=basic("planner"))


def fill(client, list_id, county_level=10, per_township=5):
    for i in range(county_level):
        assert add(client, list_id, i, "county", 111.01 + 0.003 * i, 33.01).status_code == 201
    for t, x0 in (("410999001", 111.0), ("410999002", 111.1)):
        for i in range(per_township):
            assert add(client, list_id, f"{t}-{i}", "township", x0 + 0.003 * i + 0.001, 33.05).status_code == 201


def test_quota_is_checked_as_planners_go_and_publishing_short_is_refused(county, client):
    lst = draft(client)
    fill(client, lst["id"], county_level=9, per_township=5)
    quota = client.get(f"/api/hotspots/quota?quarter={Q}", headers=basic("leader")).get_json()
    assert quota["county"] == {"required": 10, "selected": 9, "met": False}
    assert [t["selected"] for t in quota["townships"]] == [5, 5]
    resp = client.post(f"/api/hotspots/lists/{lst['id']}/publish", json={}, headers=basic("planner"))
    assert resp.status_code == 422
    assert "县级乱点 9 个，少于 10 个" in resp.get_json()["message"]
    # township-level short: remove one in 乙乡
    code = [f for f in client.get(f"/api/hotspots/lists/{lst['id']}", headers=basic("planner")).get_json()
            ["items"]["features"] if f["properties"]["township_code"] == "410999002"][0]["id"]
    assert client.delete(f"/api/hotspots/lists/{lst['id']}/items/{code}", headers=basic("planner")).status_code == 200
    assert add(client, lst["id"], 99, "county", 111.05, 33.02).status_code == 201
    resp = client.post(f"/api/hotspots/lists/{lst['id']}/publish", json={}, headers=basic("planner"))
    assert resp.status_code == 422 and resp.get_json()["shortfall"] == ["乙乡（410999002）乡镇级乱点 4 个，少于 5 个（差 1 个）"]
    listed = client.get(f"/api/hotspots/listed?quarter={Q}", headers=basic("leader")).get_json()
    assert listed["features"] == []  # nothing published


def test_publish_then_versions_keep_the_published_one(county, client):
    lst = draft(client)
    fill(client, lst["id"])
    assert client.post(f"/api/hotspots/lists/{lst['id']}/publish", json={}, headers=basic("leader")).status_code == 403
    resp = client.post(f"/api/hotspots/lists/{lst['id']}/publish", json={}, headers=basic("planner"))
    assert resp.status_code == 200 and resp.get_json()["state"] == "published"
    listed = client.get(f"/api/hotspots/listed?quarter={Q}", headers=basic("leader")).get_json()["features"]
    assert len(listed) == 20 and {f["properties"]["status"] for f in listed} == {"listed"}
    # the published version cannot change; a new draft copies it
    again = add(client, lst["id"], 100, "county", 111.06, 33.02)
    assert again.status_code == 409 and "已发布" in again.get_json()["message"]
    v2 = draft(client)
    assert v2["version"] == 2 and v2["based_on"] == lst["id"]
    first = listed[0]["id"]
    assert client.patch(f"/api/hotspots/lists/{v2['id']}/items/{first}", json={"name": "改名"},
                        headers=basic("planner")).status_code == 200
    old = client.get(f"/api/hotspots/lists/{lst['id']}", headers=basic("leader")).get_json()
    assert {f["properties"]["name"] for f in old["items"]["features"]} >= {"乱点0"}
    assert "改名" not in {f["properties"]["name"] for f in old["items"]["features"]}
    # a stale revision is refused, not applied
    stale = client.patch(f"/api/hotspots/lists/{v2['id']}/items/{first}", json={"name": "又改", "revision": 0},
                         headers=basic("planner"))
    assert stale.status_code == 409
    assert client.post(f"/api/hotspots/lists/{v2['id']}/publish", json={}, headers=basic("planner")).status_code == 200
    names = {f["id"]: f["properties"]["name"] for f in
             client.get(f"/api/hotspots/listed?quarter={Q}", headers=basic("leader")).get_json()["features"]}
    assert names[first] == "改名"
    versions = client.get(f"/api/hotspots/lists?quarter={Q}", headers=basic("leader")).get_json()
    assert [(v["version"], v["state"]) for v in versions] == [(2, "published"), (1, "published")]


def test_bad_items_are_refused(county, client):
    lst = draft(client)
    assert add(client, lst["id"], 1, "village", 111.01, 33.01).status_code == 400
    resp = client.post(f"/api/hotspots/lists/{lst['id']}/items", json={"name": "x", "level": "county",
                       "geometry": {"type": "Point", "coordinates": [111, 33]}}, headers=basic("planner"))
    assert resp.status_code == 400 and "面" in resp.get_json()["message"]
    bowtie = {"type": "Polygon", "coordinates": [[[111, 33], [111.01, 33.01], [111.01, 33], [111, 33.01], [111, 33]]]}
    resp = client.post(f"/api/hotspots/lists/{lst['id']}/items", json={"name": "x", "level": "county",
                       "geometry": bowtie}, headers=basic("planner"))
    assert resp.status_code == 400 and "无效" in resp.get_json()["message"]
    assert client.get("/api/hotspots/quota?quarter=2026Q5", headers=basic("leader")).status_code == 400
    assert add(client, lst["id"], 1, "county", 111.01, 33.01).status_code == 201
    items = client.get(f"/api/hotspots/lists/{lst['id']}", headers=basic("leader")).get_json()["items"]["features"]
    assert len(items) == 1 and items[0]["properties"]["township_code"] == "410999001"  # by location


def test_lifecycle_evaluation_and_carry_over_with_r10(county, client, conn):
    lst = draft(client)
    fill(client, lst["id"])
    client.post(f"/api/hotspots/lists/{lst['id']}/publish", json={}, headers=basic("planner"))
    code = client.get(f"/api/hotspots/listed?quarter={Q}", headers=basic("leader")).get_json()["features"][0]["id"]
    # incidents: 6 inside before (2026Q2), 2 inside after (2026Q3); the rest of the county steady
    inside, far = Point(111.011, 33.011), Point(111.15, 33.09)
    rows = [{"code": f"b{i}", "occurred_at": "2026-05-10 10:00:00", "category": "theft", "geometry": inside} for i in range(6)]
    rows += [{"code": f"a{i}", "occurred_at": "2026-08-10 10:00:00", "category": "theft", "geometry": inside} for i in range(2)]
    rows += [{"code": f"c{i}", "occurred_at": d, "category": "theft", "geometry": far}
             for i, d in enumerate(["2026-05-01 09:00:00"] * 10 + ["2026-08-01 09:00:00"] * 10)]
    frame = rows
    for r in frame:
        r["occurred_at"] = gpd.pd.Timestamp(r["occurred_at"], tz="Asia/Shanghai")
    put(conn, "incidents", frame)
    ev = client.get(f"/api/hotspots/{code}/evaluation", headers=basic("leader")).get_json()
    assert (ev["R_before"], ev["R_after"], ev["C_before"], ev["C_after"]) == (6, 2, 10, 10)
    assert ev["before_quarter"] == "2026Q2" and ev["change"] == -4
    assert client.post(f"/api/hotspots/{code}/status", json={"status": "delisted"}, headers=basic("commander")).status_code == 403
    assert client.post(f"/api/hotspots/{code}/status", json={"status": "remediating"}, headers=basic("planner")).status_code == 201
    resp = client.post(f"/api/hotspots/{code}/status", json={"status": "carried_over"}, headers=basic("planner"))
    assert resp.status_code == 201 and resp.get_json()["evaluation"]["R_after"] == 2
    assert client.post(f"/api/hotspots/{code}/status", json={"status": "listed"}, headers=basic("planner")).status_code == 400
    history = client.get(f"/api/hotspots/{code}/history", headers=basic("leader")).get_json()
    assert [h["after"] for h in history] == ["carried_over", "remediating", "listed"]
    # the next quarter's first draft starts with the carried-over hotspot
    nxt = draft(client, "2026Q4")
    items = client.get(f"/api/hotspots/lists/{nxt['id']}", headers=basic("planner")).get_json()["items"]["features"]
    assert [(f["properties"]["source"], f["properties"]["carried_from"]) for f in items] == [("carried_over", code)]
    fill(client, nxt["id"])
    assert client.post(f"/api/hotspots/lists/{nxt['id']}/publish", json={}, headers=basic("planner")).status_code == 200
    flags = client.get("/api/hotspots/r10?quarter=2026Q4", headers=basic("leader")).get_json()["townships"]
    assert flags == [{"township_code": "410999001", "quarters": 2, "flag": "supervision", "flag_label": "挂牌督办",
                      "hotspots": [items[0]["id"]]}]


def test_exports(county, client):
    lst = draft(client)
    fill(client, lst["id"])
    assert client.get(f"/exports/hotspots/{Q}.xlsx", headers=basic("leader")).status_code == 404
    client.post(f"/api/hotspots/lists/{lst['id']}/publish", json={}, headers=basic("planner"))
    ws = load_workbook(io.BytesIO(client.get(f"/exports/hotspots/{Q}.xlsx", headers=basic("leader")).data)).active
    assert ws.cell(2, 2).value == "名称" and ws.max_row == 22
    for fmt in ("gpkg", "geojson"):
        resp = client.get(f"/exports/hotspots/{Q}.{fmt}", headers=basic("leader"))
        frame = gpd.read_file(io.BytesIO(resp.data))
        assert len(frame) == 20 and frame.crs.to_epsg() == 4326 and "name" in frame
