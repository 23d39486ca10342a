"""A refused request (400, 403, 404, 409, 422) leaves the database exactly as it was.

Each case takes a fingerprint of every table (all rows, all columns) before and after
the request; typed errors are answered in one place (web.errors) and a request answered
with 400 or more is rolled back (layers.db.init_app).
"""
from __future__ import annotations

import pytest
from shapely.geometry import mapping

from tests.conftest import basic
from tests.helpers import put, small_county, square
from tests.web.test_hotspot_lists import add, draft, fill

Q = "2026Q3"
LINE = {"type": "LineString", "coordinates": [[111.01, 33.01], [111.02, 33.02]]}


def fingerprint(conn) -> dict[str, str]:
    """{table: digest of all its rows} for every table the migrations made."""
    with conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename NOT IN ('spatial_ref_sys')")
        tables = sorted(r[0] for r in cur.fetchall())
        out = {}
        for table in tables:
            cur.execute(f'SELECT md5(coalesce(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) FROM "{table}" t')
            out[table] = cur.fetchone()[0]
    conn.rollback()
    return out


@pytest.fixture
def county(app, conn):
    small_county(conn)
    put(conn, "cameras", [{"code": "C1", "name": "路口", "kind": "fixed", "azimuth": 90.0, "fov": 60.0,
                           "range_m": 100.0, "status": "working", "networked": True, "geometry": square(111.01, 33.01, 0).centroid}])
    put(conn, "patrol_teams", [{"code": "T1", "name": "甲镇专职队", "kind": "township_fulltime",
                                "township_code": "410999001", "members": 15, "geometry": None}])
    return app


def changed(conn, client, method, path, role, expected, **kwargs):
    """Send a request that must be refused with ``expected``; return the tables it changed."""
    before = fingerprint(conn)
    resp = client.open(path, method=method, headers=basic(role), **kwargs)
    assert resp.status_code == expected, (path, resp.status_code, resp.get_data(as_text=True)[:300])
    after = fingerprint(conn)
    return [t for t in before if before[t] != after[t]]


def test_a_bad_item_does_not_raise_the_drafts_revision(county, client, conn):
    """The case that started it: a line geometry answered 400 yet raised the revision."""
    lst = draft(client)
    body = {"name": "线", "level": "county", "geometry": LINE, "revision": lst["revision"]}
    assert changed(conn, client, "POST", f"/api/hotspots/lists/{lst['id']}/items", "planner", 400, json=body) == []
    # another planner's open form, made at the same revision, is still valid
    resp = add(client, lst["id"], 1, "county", 111.01, 33.01, revision=lst["revision"])
    assert resp.status_code == 201, resp.get_data(as_text=True)


def test_publishing_short_of_the_quota_changes_nothing(county, client, conn):
    lst = draft(client)
    fill(client, lst["id"], county_level=9, per_township=5)
    revision = client.get(f"/api/hotspots/lists/{lst['id']}", headers=basic("planner")).get_json()["revision"]
    assert changed(conn, client, "POST", f"/api/hotspots/lists/{lst['id']}/publish", "planner", 422,
                   json={"revision": revision}) == []


def test_a_stale_revision_is_refused_and_changes_nothing(county, client, conn):
    lst = draft(client)
    assert add(client, lst["id"], 1, "county", 111.01, 33.01).status_code == 201
    body = {"name": "旧表单", "level": "county", "geometry": mapping(square(111.03, 33.01, 0.002)),
            "revision": lst["revision"]}
    assert changed(conn, client, "POST", f"/api/hotspots/lists/{lst['id']}/items", "planner", 409, json=body) == []


@pytest.mark.parametrize("method, path, role, expected, body", [
    ("POST", "/api/remediation/villages/410999001001", "leader", 403, {"status": "in_progress"}),
    ("POST", "/api/remediation/villages/410999001001", "planner", 400, {"status": "done"}),
    ("POST", "/api/remediation/villages/410999001001", "planner", 400, {"status": "in_progress", "version": "abc"}),
    ("POST", "/api/remediation/villages/410999001001", "planner", 400, ["in_progress"]),
    ("POST", "/api/remediation/villages/410999001001", "planner", 400,
     {"status": "remediated", "effective_on": "2999-01-01"}),
    ("POST", "/api/remediation/villages/NOPE", "planner", 404, {"status": "in_progress"}),
    ("POST", "/api/cameras/C1/status", "planner", 403, {"status": "faulty"}),
    ("POST", "/api/cameras/C1/status", "commander", 400, {"status": "broken"}),
    ("POST", "/api/cameras/NOPE/status", "commander", 404, {"status": "faulty"}),
    ("POST", "/api/patrol/routes", "commander", 400,
     {"code": "R1", "name": "线", "team_code": "T1", "shift": "早", "geometry": {"type": "Point", "coordinates": [111, 33]}}),
    ("POST", "/api/patrol/routes", "commander", 400,
     {"code": "R1", "name": "线", "team_code": "NOPE", "shift": "早", "geometry": LINE}),
    ("POST", "/api/patrol/routes", "leader", 403,
     {"code": "R1", "name": "线", "team_code": "T1", "shift": "早", "geometry": LINE}),
    ("POST", "/api/patrol/tracks", "commander", 400,
     {"team_code": "T1", "points": [{"lon": 111.01, "lat": 33.01, "recorded_at": "2026-11-20T08:00:00"},
                                    {"lon": 999, "lat": 33.01, "recorded_at": "2026-11-20T08:01:00"}]}),
    ("POST", "/api/hotspots/lists", "commander", 403, {"quarter": Q}),
    ("POST", "/api/hotspots/lists", "planner", 400, {"quarter": "2026Q5"}),
    ("POST", "/api/users", "planner", 403, {"name": "x", "password": "long-enough-1", "role": "leader"}),
    ("POST", "/api/users", "admin", 409, {"name": "Planner", "password": "long-enough-1", "role": "leader"}),
])
def test_refused_api_writes_change_nothing(county, client, conn, method, path, role, expected, body):
    assert changed(conn, client, method, path, role, expected, json=body) == []


def test_refused_page_forms_change_nothing(county, client, conn):
    assert changed(conn, client, "POST", "/planner/remediation/410999001001", "planner", 400,
                   data={"status": "done"}) == []
    assert changed(conn, client, "POST", "/commander/cameras/C1", "leader", 403, data={"status": "faulty"}) == []
    assert changed(conn, client, "POST", "/planner/hotspots/publish?quarter=2026Q4", "commander", 403, data={}) == []


def test_fingerprint_sees_a_change(county, client, conn):
    """The check above can fail: an accepted change shows in the fingerprint."""
    before = fingerprint(conn)
    resp = client.post("/api/cameras/C1/status", json={"status": "faulty"}, headers=basic("commander"))
    assert resp.status_code == 201
    after = fingerprint(conn)
    assert {t for t in before if before[t] != after[t]} == {"cameras", "camera_status_events", "layer_versions"}
