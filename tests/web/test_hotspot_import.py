"""Imported lists are lists (issue 11): importing the hotspots layer for a quarter records
that quarter's list as a published version marked 'imported' (once per content), which
the quota, the lifecycle, R10 and the next quarter's carried-over hotspots see."""
import json

import pytest
from shapely.geometry import mapping

from layers.db import transaction
from tests.conftest import basic
from tests.helpers import small_county, square

Q = "2026Q3"


@pytest.fixture
def county(app, conn):
    small_county(conn)
    return app


def hotspots_file(path, rows):
    """A GeoJSON of a quarter's hotspots (Chinese column names arrive with issue 13)."""
    features = [{"type": "Feature", "geometry": mapping(square(x, y, 0.003)),
                 "properties": {"code": code, "quarter": Q, "level": level, "name": f"乱点{code}", "status": status,
                                "unit": "城关派出所"}} for code, level, x, y, status in rows]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return path


def ten_five_four(status_of=lambda i: "listed"):
    rows = [(f"C{i:02d}", "county", 111.005 + 0.005 * i, 33.005, status_of(i)) for i in range(10)]
    rows += [(f"A{i}", "township", 111.005 + 0.005 * i, 33.05, "listed") for i in range(5)]   # 甲镇
    rows += [(f"B{i}", "township", 111.105 + 0.005 * i, 33.05, "listed") for i in range(4)]   # 乙乡
    return rows


def CARRIED(i):
    return "carried_over" if i < 2 else "listed"


def run_import(app, path):
    from data.importer import import_file

    with transaction(app.config["RESOLVED_DATABASE_URL"]) as c:
        return import_file(c, "hotspots", path, county_code=app.config["COUNTY_CODE"])


def test_an_imported_quarter_is_a_published_list(county, client, tmp_path):
    path = hotspots_file(tmp_path / "hotspots.geojson", ten_five_four(CARRIED))
    assert run_import(county, path).added == 19
    quota = client.get(f"/api/hotspots/quota?quarter={Q}", headers=basic("leader")).get_json()
    assert [quota["county"]["required"], quota["county"]["selected"], quota["county"]["met"]] == [10, 10, True]
    assert [[t["required"], t["selected"], t["met"]] for t in quota["townships"]] == [[5, 5, True], [5, 4, False]]
    versions = client.get(f"/api/hotspots/lists?quarter={Q}", headers=basic("leader")).get_json()
    assert [(v["version"], v["state"], v["origin"]) for v in versions] == [(1, "published", "imported")]
    doc = client.get(f"/api/hotspots/lists/{versions[0]['id']}", headers=basic("leader")).get_json()
    assert {f["properties"]["source"] for f in doc["items"]["features"]} == {"imported"}
    # the lifecycle sees each hotspot with its imported status
    history = client.get("/api/hotspots/C00/history", headers=basic("leader")).get_json()
    assert [(h["before"], h["after"], h["note"]) for h in history] == \
        [(None, "carried_over", "导入 2026Q3 第 1 版清单")]
    # importing the same file again records nothing new
    assert run_import(county, path).updated == 19
    versions = client.get(f"/api/hotspots/lists?quarter={Q}", headers=basic("leader")).get_json()
    assert len(versions) == 1
    assert len(client.get("/api/hotspots/C00/history", headers=basic("leader")).get_json()) == 1
    # a changed list is the next version
    rows = ten_five_four(CARRIED) + [("B4", "township", 111.13, 33.05, "listed")]
    run_import(county, hotspots_file(tmp_path / "hotspots2.geojson", rows))
    versions = client.get(f"/api/hotspots/lists?quarter={Q}", headers=basic("leader")).get_json()
    assert [(v["version"], v["origin"]) for v in versions] == [(2, "imported"), (1, "imported")]
    quota = client.get(f"/api/hotspots/quota?quarter={Q}", headers=basic("leader")).get_json()
    assert [t["met"] for t in quota["townships"]] == [True, True]
    # the next quarter's first draft starts with the carried-over hotspots
    lst = client.post("/api/hotspots/lists", json={"quarter": "2026Q4"}, headers=basic("planner")).get_json()
    doc = client.get(f"/api/hotspots/lists/{lst['id']}", headers=basic("planner")).get_json()
    assert sorted(f["properties"]["carried_from"] for f in doc["items"]["features"]) == ["C00", "C01"]


def test_the_planner_page_shows_an_imported_version(county, client, tmp_path):
    from tests.web.test_planner_pages import login

    run_import(county, hotspots_file(tmp_path / "hotspots.geojson", ten_five_four()))
    login(client, "planner")
    html = client.get(f"/planner/hotspots?quarter={Q}").get_data(as_text=True)
    assert "第 1 版，已发布·导入" in html and "导入，已发布" in html


def test_a_draft_older_than_an_imported_list_cannot_overwrite_it(county, client, tmp_path):
    """Import while a planner's draft is open: publishing that draft would drop the imported
    list, so it is refused (409) naming the newer version; the planner discards it and
    opens a new draft, a copy of the imported list."""
    lst = client.post("/api/hotspots/lists", json={"quarter": Q}, headers=basic("planner")).get_json()
    run_import(county, hotspots_file(tmp_path / "hotspots.geojson", ten_five_four()))
    resp = client.post(f"/api/hotspots/lists/{lst['id']}/publish", json={}, headers=basic("planner"))
    assert resp.status_code == 409 and "第 2 版，导入" in resp.get_json()["message"]
    listed = client.get(f"/api/hotspots/listed?quarter={Q}", headers=basic("leader")).get_json()["features"]
    assert len(listed) == 19                                           # the imported list stays in force
    for role in ("commander", "leader"):
        assert client.delete(f"/api/hotspots/lists/{lst['id']}", json={}, headers=basic(role)).status_code == 403
    assert client.delete(f"/api/hotspots/lists/{lst['id']}", json={"revision": 5},
                         headers=basic("planner")).status_code == 409
    assert client.delete(f"/api/hotspots/lists/{lst['id']}", json={"revision": []},
                         headers=basic("planner")).status_code == 400
    assert client.delete(f"/api/hotspots/lists/{lst['id']}", json={}, headers=basic("planner")).status_code == 200
    published = client.get(f"/api/hotspots/lists?quarter={Q}", headers=basic("planner")).get_json()
    assert [(v["version"], v["state"]) for v in published] == [(2, "published")]
    assert client.delete(f"/api/hotspots/lists/{published[0]['id']}", json={},
                         headers=basic("planner")).status_code == 409       # a published version never goes
    again = client.post("/api/hotspots/lists", json={"quarter": Q}, headers=basic("planner")).get_json()
    doc = client.get(f"/api/hotspots/lists/{again['id']}", headers=basic("planner")).get_json()
    assert again["based_on"] == published[0]["id"] and len(doc["items"]["features"]) == 19
