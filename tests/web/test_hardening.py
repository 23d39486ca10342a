"""What an attacker's review found, each refused cleanly now: bad input never causes a 500
or poisons stored data, heavy work is bounded, errors are JSON, a lost database is a 503."""
from __future__ import annotations

import contextlib
import json
import threading

import psycopg2
import pytest

from tests.conftest import basic
from tests.helpers import put, small_county, square
from web.limits import heavy_slot

T1 = "410999001"
LINE = {"type": "LineString", "coordinates": [[111.01, 33.01], [111.02, 33.02]]}
PAGES = ["/map", "/leader/", "/planner/", "/commander/", "/api/patrol/alerts", "/commander/patrol",
         "/ogc/collections/patrol_routes/items", "/ogc/collections/patrol_tracks/items"]


@pytest.fixture
def county(app, conn):
    small_county(conn)
    put(conn, "patrol_teams", [{"code": "T1", "name": "甲镇专职队", "kind": "township_fulltime",
                                "township_code": T1, "members": 15, "geometry": square(111.01, 33.01, 0).centroid}])
    put(conn, "incidents", [{"code": f"I{i}", "occurred_at": "2026-08-01 10:00", "category": "theft",
                             "geometry": square(111.01 + 0.001 * i, 33.01, 0).centroid} for i in range(30)])
    return app


def post(client, path, body, role="commander", raw=False):
    data = body if raw else json.dumps(body, allow_nan=True)
    return client.post(path, data=data, content_type="application/json", headers=basic(role))


def pages_answer(client):
    for path in PAGES:
        assert client.get(path, headers=basic("admin")).status_code == 200, path


def test_a_nan_route_is_refused_and_every_page_still_answers(county, client):
    body = {"code": "R1", "name": "夜巡", "team_code": "T1", "shift": "夜班",
            "geometry": {"type": "LineString", "coordinates": [[111.01, 33.01], [111.02, float("nan")]]}}
    resp = post(client, "/api/patrol/routes", body)
    assert resp.status_code == 400 and resp.get_json()["field"] == "geometry"
    pages_answer(client)


def test_a_gps_point_in_9999_is_refused(county, client):
    resp = post(client, "/api/patrol/tracks", {"team_code": "T1", "points": [
        {"lon": 111.01, "lat": 33.01, "recorded_at": "9999-12-31T00:00:00+08:00"}]})
    assert resp.status_code == 400 and resp.get_json()["field"] == "points[0].recorded_at"
    pages_answer(client)


@pytest.mark.parametrize("path, body", [
    ("/api/patrol/tracks", {"team_code": "T1", "points": [{"lon": 0, "lat": 0, "recorded_at": "2026-11-20T08:00:00"}]}),
    ("/api/patrol/routes", {"code": "R", "name": "r", "team_code": "T1", "shift": "d",
                            "geometry": {"type": "LineString", "coordinates": [[0, 0], [0.01, 0.01]]}}),
])
def test_points_at_null_island_are_outside_the_county(county, client, path, body):
    resp = post(client, path, body)
    assert resp.status_code == 400 and "不在本县范围内" in resp.get_json()["message"]


def test_a_hotspot_at_null_island_is_refused(county, client):
    lst = post(client, "/api/hotspots/lists", {"quarter": "2026Q4"}, "planner").get_json()
    square0 = {"type": "Polygon", "coordinates": [[[0, 0], [0.001, 0], [0.001, 0.001], [0, 0]]]}
    resp = post(client, f"/api/hotspots/lists/{lst['id']}/items", {"name": "x", "level": "county",
                                                                   "geometry": square0}, "planner")
    assert resp.status_code == 400 and "不在本县范围内" in resp.get_json()["message"]


@pytest.mark.parametrize("raw", ["[1, 2]", '"a string"', "42", "null", "{not json"])
def test_a_body_that_is_not_an_object_is_a_400(county, client, raw):
    for path in ("/api/patrol/tracks", "/api/remediation/villages/410999001001", "/api/hotspots/lists"):
        resp = post(client, path, raw, role="admin", raw=True)
        assert resp.status_code == 400 and resp.is_json, (path, resp.status_code)


@pytest.mark.parametrize("path, body, field", [
    ("/api/remediation/villages/410999001001", {"status": "in_progress", "version": "abc"}, "version"),
    ("/api/remediation/villages/410999001001", {"status": "in_progress", "version": True}, "version"),
    ("/api/hotspots/lists", {"quarter": 123}, "quarter"),
    ("/api/patrol/tracks", {"team_code": ["T1"], "points": [{"lon": 111.01, "lat": 33.01,
                                                             "recorded_at": "2026-11-20T08:00:00"}]}, "team_code"),
    ("/api/patrol/routes", {"code": "R", "name": "r", "team_code": "T1", "shift": "d",
                            "geometry": {"type": "LineString", "coordinates": [[111.01, 33.01]]}}, "geometry"),
    ("/api/coverage", {"proposed": [{"lon": 111.01, "lat": 33.01}] * 20_000}, "proposed"),
    ("/api/coverage", {"proposed": [{"lon": 111.01, "lat": 33.01, "range_m": float("nan")}]}, "proposed[0].range_m"),
])
def test_wrong_types_are_400s_naming_the_field(county, client, path, body, field):
    resp = post(client, path, body, role="admin")
    assert resp.status_code == 400 and resp.get_json()["field"] == field, resp.get_data(as_text=True)[:300]


def test_a_deadline_that_is_not_a_date_is_a_400(county, client):
    lst = post(client, "/api/hotspots/lists", {"quarter": "2026Q4"}, "planner").get_json()
    area = {"type": "Polygon", "coordinates": [[[111.01, 33.01], [111.012, 33.01], [111.012, 33.012],
                                                [111.01, 33.01]]]}
    resp = post(client, f"/api/hotspots/lists/{lst['id']}/items",
                {"name": "x", "level": "county", "geometry": area, "deadline": "garbage"}, "planner")
    assert resp.status_code == 400 and resp.get_json()["field"] == "deadline"


@pytest.mark.parametrize("path", [
    "/api/hotspots/grid?quarter=9999Q4", "/api/remediation/progress?as_of=0001-01-01",
    "/api/patrol/visits?from=0001-01-01", "/api/patrol/alerts?hours=nan", "/api/patrol/alerts?hours=inf",
    "/api/patrol/alerts?hours=1e9", "/api/hotspots/H1/evaluation?buffer_m=nan",
    "/api/hotspots/grid?quarter=2026Q3&cell_m=nan", "/api/coverage/worst?limit=-1",
    "/api/remediation/villages/%00/history", "/api/cameras/a%00b/history",
])
def test_extreme_values_are_400s(county, client, path):
    resp = client.get(path, headers=basic("leader"))
    assert resp.status_code == 400 and resp.is_json, (path, resp.status_code, resp.get_data(as_text=True)[:200])


def test_the_same_point_twice_in_one_upload_is_stored_once(county, client):
    point = {"lon": 111.01, "lat": 33.01, "recorded_at": "2026-11-20T08:00:00+08:00"}
    same = {**point, "recorded_at": "2026-11-20T00:00:00Z"}  # the same moment in UTC
    resp = post(client, "/api/patrol/tracks", {"team_code": "T1", "points": [point, same]})
    assert resp.status_code == 201 and resp.get_json() == {"added": 1, "updated": 0}


def test_a_100_m_grid_and_a_10_km_kernel_are_refused_by_their_budgets(county, client, app):
    app.config.update(MAX_CELLS=1000)
    from web.services import budget
    budget.configure(app.config)
    try:
        resp = client.get("/api/hotspots/grid?quarter=2026Q3&cell_m=100&band_m=2000&all=1", headers=basic("leader"))
        assert resp.status_code == 413 and resp.get_json()["field"] == "cell_m"
        assert "至少" in resp.get_json()["message"]
    finally:
        budget.configure({})
    app.config.update(MAX_KDE_PAIRS=1000)
    budget.configure(app.config)
    try:
        resp = client.get("/api/hotspots/density?quarter=2026Q3&cell_m=500&bandwidth_m=10000", headers=basic("leader"))
        assert resp.status_code == 413 and resp.get_json()["field"] == "bandwidth_m"
        assert client.get("/api/hotspots/density?quarter=2026Q3", headers=basic("leader")).status_code == 200
    finally:
        budget.configure({})


def hold_slots(app, user: str, n: int):
    """Hold ``n`` heavy slots of ``user`` in a thread (its own app context); returns (release, thread)."""
    release, taken = threading.Event(), threading.Event()

    def hold():
        with app.app_context(), contextlib.ExitStack() as stack:
            for _ in range(n):
                stack.enter_context(heavy_slot(user))
            taken.set()
            release.wait(10)

    worker = threading.Thread(target=hold)
    worker.start()
    assert taken.wait(5)
    return release, worker


def test_a_user_running_two_analyses_is_told_to_wait(county, client, app):
    app.config.update(HEAVY_TOTAL=4)
    release, worker = hold_slots(app, "planner", 2)
    try:
        resp = client.get("/api/hotspots/grid?quarter=2026Q3", headers=basic("planner"))
        assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0 and resp.is_json
        other = client.get("/api/hotspots/grid?quarter=2026Q3", headers=basic("leader"))
        assert other.status_code == 200, other.get_json()  # another user is not held up
    finally:
        release.set()
        worker.join()


def test_the_server_waits_then_refuses_when_every_slot_is_taken(county, client, app):
    app.config.update(HEAVY_TOTAL=1, HEAVY_WAIT_S=0.2)
    release, worker = hold_slots(app, "leader", 1)
    try:
        resp = client.get("/api/coverage", headers=basic("planner"))
        assert resp.status_code == 429 and resp.headers["Retry-After"]
    finally:
        release.set()
        worker.join()
    assert client.get("/api/coverage", headers=basic("planner")).status_code == 200


def test_an_unexpected_error_on_the_api_is_json(county, client, monkeypatch):
    from web.services import patrol

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(patrol, "staffing", broken)
    resp = client.get("/api/patrol/staffing", headers=basic("leader"))
    assert resp.status_code == 500 and resp.is_json and resp.get_json()["code"] == "ServerError"
    assert "boom" not in resp.get_data(as_text=True)  # nothing internal is shown


def _terminate_app_sessions(cur):
    cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'countymap' AND pid <> pg_backend_pid()")


def test_a_database_restart_costs_nobody_an_error(county, client, app):
    """The pool's connections die with the server; the next request gets a new one."""
    assert client.get("/api/patrol/staffing", headers=basic("leader")).status_code == 200
    with psycopg2.connect(app.config["RESOLVED_DATABASE_URL"]) as admin, admin.cursor() as cur:
        _terminate_app_sessions(cur)
    admin.close()
    assert client.get("/api/patrol/staffing", headers=basic("leader")).status_code == 200
    assert client.get("/map", headers=basic("leader")).status_code == 200


def test_a_lost_database_is_a_503_then_the_app_recovers(county, client, app):
    url = app.config["RESOLVED_DATABASE_URL"]
    name = psycopg2.extensions.parse_dsn(url)["dbname"]
    assert client.get("/api/patrol/staffing", headers=basic("leader")).status_code == 200
    admin = psycopg2.connect(url, dbname="postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            _terminate_app_sessions(cur)
        resp = client.get("/api/patrol/staffing", headers=basic("leader"))
        assert resp.status_code == 503 and resp.is_json and int(resp.headers["Retry-After"]) > 0
        page = client.get("/map", headers=basic("leader"))  # the error page needs no database
        assert page.status_code == 503 and "暂时无法服务" in page.get_data(as_text=True)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        admin.close()
    assert client.get("/api/patrol/staffing", headers=basic("leader")).status_code == 200


def test_answers_over_a_kilobyte_are_gzipped(county, client):
    resp = client.get("/api/coverage", headers={**basic("leader"), "Accept-Encoding": "gzip"})
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
    import gzip
    assert json.loads(gzip.decompress(resp.get_data()))["cameras"]["total"] == 0
    page = client.get("/map", headers={**basic("leader"), "Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    plain = client.get("/api/coverage", headers=basic("leader"))
    assert "Content-Encoding" not in plain.headers and plain.get_json()["cameras"]["total"] == 0


def test_a_county_code_from_the_environment_stays_text(monkeypatch, tmp_path):
    """FLASK_COUNTY_CODE=410999 is read as JSON, a number: every query then failed (500)."""
    from web import create_app

    monkeypatch.setenv("FLASK_COUNTY_CODE", "410999")
    monkeypatch.setenv("FLASK_COUNTY_NAME", "123")
    app = create_app({"SKIP_DB": True, "SECRET_KEY": "test", "VAR_DIR": str(tmp_path)})
    assert app.config["COUNTY_CODE"] == "410999" and app.config["COUNTY_NAME"] == "123"
