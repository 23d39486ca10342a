"""Incident categories as written and their R4 focus groups on the web: the mapping's API and
admin page (admins change it, everyone else is refused and nothing changes), OGC items,
and hotspot analysis by focus group or by category as written."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from tests.conftest import basic
from tests.helpers import put, square
from tests.web.test_planner_pages import login
from tests.web.test_refused_changes_nothing import fingerprint

ADMIN = basic("admin")
OTHERS = ("commander", "planner", "leader")
API = "/api/incident-categories"
GRID = "/api/hotspots/grid?quarter=2026Q3&all=1"
# (category as written, how many) in 2026Q3: a cluster of thefts written three ways
WRITTEN = [("盗窃", 40), ("盗窃电动车", 30), ("入室盗窃", 20), ("赌博", 25), ("邻里纠纷", 60)]


@pytest.fixture
def county(app, conn):
    put(conn, "townships", [{"code": "410999001", "name": "甲镇", "geometry": square(111.0, 33.0, 0.1)},
                            {"code": "410999002", "name": "乙乡", "geometry": square(111.1, 33.0, 0.1)}])
    rng = np.random.default_rng(5)
    rows = []
    for written, n in WRITTEN:     # disputes all over the county, the rest in one cluster
        xs, ys = ((rng.uniform(111.01, 111.19, n), rng.uniform(33.01, 33.09, n)) if written == "邻里纠纷"
                  else (rng.normal(111.05, 0.002, n), rng.normal(33.05, 0.002, n)))
        for x, y in zip(xs, ys):
            rows.append({"code": f"I{len(rows):04d}", "category": written, "geometry": Point(x, y),
                         "occurred_at": pd.Timestamp("2026-08-10 21:00", tz="Asia/Shanghai")})
    put(conn, "incidents", rows)
    return app


def grid_count(client, query: str = "", role: str = "planner") -> tuple[int, dict]:
    resp = client.get(GRID + query, headers=basic(role))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    doc = resp.get_json()
    return sum(f["properties"]["count"] for f in doc["features"]), doc["params"]


def test_every_role_reads_the_mapping_with_counts(county, client):
    for role in OTHERS + ("admin",):
        doc = client.get(API, headers=basic(role)).get_json()
        assert [f["code"] for f in doc["focus"]][:3] == ["robbery", "snatching", "theft"]
        rows = {r["category"]: r for r in doc["categories"]}
        assert rows["盗窃电动车"] == {**rows["盗窃电动车"], "focus": "theft", "focus_label": "盗窃",
                                   "source": "default", "incidents": 30}
        assert rows["赌博"] == {**rows["赌博"], "focus": "other", "source": "unmapped", "incidents": 25}
        assert rows["集资诈骗"]["incidents"] == 0      # shipped, not used yet
        assert doc["categories"][0]["category"] == "邻里纠纷"   # most incidents first
    assert client.get(API).status_code == 401


def test_an_admin_maps_a_category_and_its_incidents_follow(county, client, conn):
    assert grid_count(client, "&focus=dispute")[0] == 60
    resp = client.post(API, json={"category": " 赌博 ", "focus": "dispute"}, headers=ADMIN)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json() == {"category": "赌博", "focus": "dispute", "before": None, "incidents": 25}
    assert grid_count(client, "&focus=dispute")[0] == 85      # the kept analysis was renewed
    rows = {r["category"]: r for r in client.get(API, headers=ADMIN).get_json()["categories"]}
    assert rows["赌博"]["source"] == "county" and rows["赌博"]["added_by"] == "admin"
    entry = client.get("/api/audit?action=category_mapped", headers=ADMIN).get_json()[0]
    assert (entry["actor"], entry["target"], entry["before"], entry["after"]) == (
        "admin", "赌博", {"focus": None}, {"focus": "dispute", "incidents": 25})
    # and back to a shipped group's other member, on the page
    resp = client.post("/admin/categories", data={"category": "入室盗窃", "focus": "robbery"}, headers=ADMIN)
    assert resp.status_code == 302
    with conn.cursor() as cur:
        cur.execute("SELECT focus, count(*) FROM incidents WHERE category = '入室盗窃' GROUP BY 1")
        assert cur.fetchall() == [("robbery", 20)]


@pytest.mark.parametrize("role", OTHERS)
def test_only_admins_may_change_the_mapping(county, client, conn, role):
    before = fingerprint(conn)
    assert client.post(API, json={"category": "赌博", "focus": "dispute"}, headers=basic(role)).status_code == 403
    for method in ("GET", "POST"):
        resp = client.open("/admin/categories", method=method, headers=basic(role),
                           data={"category": "赌博", "focus": "dispute"})
        assert resp.status_code == 403, (role, method)
    assert fingerprint(conn) == before


@pytest.mark.parametrize("body, field", [
    ({"category": "赌博", "focus": "gambling"}, "focus"), ({"category": "赌博"}, "focus"),
    ({"category": "  ", "focus": "dispute"}, "category"), ({"focus": "dispute"}, "category"),
    ({"category": "x" * 101, "focus": "dispute"}, "category"), ({"category": "赌\x07博", "focus": "dispute"}, "category"),
    ({"category": "ＴＨＥＦＴ", "focus": "robbery"}, "category"), ({"category": ["赌博"], "focus": "dispute"}, "category"),
])
def test_bad_mappings_are_refused_naming_the_field_and_change_nothing(county, client, conn, body, field):
    before = fingerprint(conn)
    resp = client.post(API, json=body, headers=ADMIN)
    assert resp.status_code == 400 and resp.get_json()["field"] == field, resp.get_json()
    page = client.post("/admin/categories", data={k: v for k, v in body.items() if isinstance(v, str)},
                       headers=ADMIN)
    assert page.status_code == 400
    assert fingerprint(conn) == before


def test_the_admin_page_lists_and_changes_the_mapping(county, client):
    login(client, "admin")
    html = client.get("/admin/categories").get_data(as_text=True)
    assert "警情类别映射" in html and 'data-category="赌博"' in html and "未对应（按其他计）" in html
    assert 'href="/admin/categories"' in client.get("/admin/").get_data(as_text=True)
    resp = client.post("/admin/categories", data={"category": "赌博", "focus": "dispute"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "已将类别“赌博”对应到“纠纷”，25 起警情随之改变" in html and "本县设定" in html


def test_ogc_items_carry_the_category_as_written_and_its_focus(county, client):
    item = client.get("/ogc/collections/incidents/items/I0040", headers=basic("leader")).get_json()
    assert item["properties"]["category"] == "盗窃电动车" and item["properties"]["focus"] == "theft"
    schema = client.get("/ogc/collections/incidents/schema", headers=basic("leader")).get_json()
    props = schema["properties"]["properties"]["properties"]
    assert props["category"] == {"title": "类别", "type": "string"}
    assert props["focus"]["enum"][-1] == "other" and props["focus"]["title"] == "重点类别"


def test_hotspot_analysis_by_focus_or_by_category_as_written(county, client):
    assert grid_count(client)[0] == 175
    total, params = grid_count(client, "&focus=theft")
    assert total == 90 and params["focus"] == "theft" and params["category"] is None
    total, params = grid_count(client, "&category=盗窃电动车")
    assert (total, params["category"], params["focus"], params["incidents"]) == (30, "盗窃电动车", None, 30)
    assert grid_count(client, "&category=%E3%80%80%E7%9B%97%E7%AA%83%20")[0] == 40   # "　盗窃 ": as 盗窃
    # a focus code given as category means that group, as it did when categories were codes
    assert grid_count(client, "&category=THEFT")[1]["focus"] == "theft"
    assert grid_count(client, "&focus=other")[0] == 25
    doc = client.get("/api/hotspots/candidates?quarter=2026Q3&category=赌博", headers=basic("leader")).get_json()
    assert doc["params"]["category"] == "赌博"
    assert doc["features"][0]["properties"]["top_categories"][0]["category"] == "other"
    dens = client.get("/api/hotspots/density?quarter=2026Q3&focus=theft", headers=basic("leader"))
    assert dens.status_code == 200


@pytest.mark.parametrize("query, field, says", [
    ("&category=盗窃&focus=theft", "focus", "category"), ("&category=theft&focus=theft", "focus", "category"),
    ("&focus=gambling", "focus", "gambling"), ("&focus=盗窃", "focus", "robbery"),
    ("&category=jaywalking", "category", "未知的案件类别"), ("&category=" + "x" * 101, "category", "过长"),
])
def test_bad_analyses_are_400_naming_the_parameter(county, client, query, field, says):
    for path in ("grid", "density", "candidates"):
        resp = client.get(f"/api/hotspots/{path}?quarter=2026Q3{query}", headers=basic("planner"))
        body = resp.get_json()
        assert resp.status_code == 400 and body["field"] == field and says in body["message"], (path, body)


def test_the_planner_page_selects_a_focus_group(county, client):
    login(client, "planner")
    html = client.get("/planner/hotspots?quarter=2026Q4&focus=theft").get_data(as_text=True)
    assert "（90 起，仅重点类别“盗窃”）" in html
    assert '<select name="focus">' in html and '<option value="theft" selected>盗窃</option>' in html
    html = client.get("/planner/hotspots?quarter=2026Q4&category=盗窃电动车").get_data(as_text=True)
    assert "（30 起，仅类别“盗窃电动车”）" in html
    assert client.get("/planner/hotspots?quarter=2026Q4&category=盗窃&focus=theft").status_code == 400
