"""The header's search box (issue 12, item 5) on the demo county: pinyin initials, codes,
names, at most 20 hits, links only to pages the role opens, bad input refused with 400."""
from __future__ import annotations

import psycopg2
import pytest

from tests.conftest import ROLES, app_on_demo_copy, basic


@pytest.fixture(scope="module")
def demo(demo_county, tmp_path_factory):
    with app_on_demo_copy(demo_county, tmp_path_factory.mktemp("var")) as app:
        yield app


@pytest.fixture
def client(demo):
    return demo.test_client()


def rows(demo, sql, *args):
    with psycopg2.connect(demo.config["RESOLVED_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        found = cur.fetchall()
    conn.close()
    return found


def find(client, query, role="leader"):
    resp = client.get("/api/search", query_string=query, headers=basic(role))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_pinyin_initials_find_a_village(demo, client):
    if demo.config["LOADED_COUNTY"] != "demo":
        pytest.skip("needs the demo county")
    (code, town), = rows(demo, "SELECT v.code, t.name FROM villages v JOIN townships t ON t.code = v.township_code"
                               " WHERE v.name = '韩岩村'")
    hits = find(client, {"q": "hyc"})
    first = hits[0]
    assert (first["kind"], first["kind_label"], first["name"], first["code"]) == ("village", "村（社区）", "韩岩村", code)
    assert first["township"] == town
    (inside,), = rows(demo, "SELECT ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) FROM villages"
                            " WHERE code = %s", first["point"]["lon"], first["point"]["lat"], code)
    assert inside
    w, s, e, n = first["bbox"]
    assert w <= first["point"]["lon"] <= e and s <= first["point"]["lat"] <= n
    assert find(client, {"q": "HYC"})[0]["code"] == code            # upper case too
    assert len(hits) <= 20 and len({(h["kind"], h["code"]) for h in hits}) == len(hits)


def test_code_and_name_substring(demo, client):
    (code, name), = rows(demo, "SELECT code, name FROM villages ORDER BY code LIMIT 1")
    assert find(client, {"q": code})[0]["code"] == code              # exact code first
    part = name[1:3] if len(name) > 2 else name
    hits = find(client, {"q": part})
    assert hits and all(part in h["name"] or any(part in c for c in [h["code"]]) for h in hits)
    assert len(hits) <= 20


def test_camera_by_code_links_its_page(demo, client):
    (code, name), = rows(demo, "SELECT code, name FROM cameras ORDER BY code DESC LIMIT 1")
    hit = find(client, {"q": code.lower()})[0]
    assert (hit["kind"], hit["code"], hit["name"]) == ("camera", code, name)
    assert hit["url"] == f"/commander/cameras/{code}"
    assert client.get(hit["url"], headers=basic("leader")).status_code == 200


def test_at_most_twenty_and_limit(demo, client):
    total, = rows(demo, "SELECT count(*) FROM cameras WHERE code ILIKE 'C%%'")[0]
    assert total > 20
    assert len(find(client, {"q": "C"})) == 20
    assert len(find(client, {"q": "C", "limit": "5"})) == 5


def test_nothing_found_is_an_empty_list(client):
    assert find(client, {"q": "zzzzqqqq-none"}) == []


def test_road_sections_come_once_per_name(demo, client):
    (name, sections), = rows(demo, "SELECT name, count(*) FROM roads GROUP BY name ORDER BY count(*) DESC LIMIT 1")
    assert sections > 1
    roads = [h for h in find(client, {"q": name}) if h["kind"] == "road" and h["name"] == name]
    assert len(roads) == 1 and roads[0]["url"] is None and roads[0]["bbox"][0] < roads[0]["bbox"][2]


@pytest.mark.parametrize("role", ROLES)
def test_every_link_opens_for_the_role(demo, client, role):
    (remote,), = rows(demo, "SELECT name FROM villages WHERE remote ORDER BY code LIMIT 1")
    (hotspot,), = rows(demo, "SELECT name FROM hotspots ORDER BY code LIMIT 1")
    (team,), = rows(demo, "SELECT name FROM patrol_teams ORDER BY code LIMIT 1")
    hits = [h for q in (remote, hotspot, team) for h in find(client, {"q": q, "limit": "3"}, role)]
    links = {h["url"] for h in hits if h["url"]}
    village = next(h for h in hits if h["name"] == remote and h["kind"] == "village")
    assert (village["url"] is not None) == (role in ("planner", "admin"))
    assert {"hotspot", "team"} <= {h["kind"] for h in hits if h["url"]}
    for url in links:
        assert client.get(url, headers=basic(role)).status_code in (200, 302), (role, url)


@pytest.mark.parametrize("query,field", [
    ({"q": ""}, "q"), ({"q": "   "}, "q"), ({}, "q"), ({"q": "x" * 51}, "q"),
    ({"q": "a", "limit": "999"}, "limit"), ({"q": "a", "limit": "0"}, "limit"), ({"q": "a", "limit": "abc"}, "limit"),
    ({"q": ["a", "b"]}, "q"), ({"q": "a\x00b"}, "q")])
def test_bad_input_is_400_naming_the_field(client, query, field):
    resp = client.get("/api/search", query_string=query, headers=basic("commander"))
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert field in resp.get_data(as_text=True)


def test_signed_out_is_refused(client):
    resp = client.get("/api/search?q=hyc")
    assert resp.status_code == 401


def test_initials_of_every_reading():
    from web.services.search import initials

    assert initials("韩岩村") == ["hyc"]
    assert sorted(initials("长岭村")) == ["clc", "zlc"]        # 长: cháng or zhǎng
    assert initials("Ｇ357国道") == ["g357gd"]                   # full-width letters fold
