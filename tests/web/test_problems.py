"""The 四单制 problem list (issue 16, item 2) through the API: every allowed and refused
step, who may do what, stale steps, bad input, overdue, and the stats."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from shapely.geometry import Point

from geo import problems as machine
from geo.calendar import LOCAL
from layers import checkins
from layers import problems as store
from tests.conftest import basic
from tests.helpers import COUNTY, put, small_county
from tests.web.test_patrol_members import add_member

TODAY = date(2026, 11, 20)
POINT = {"lon": 111.015, "lat": 33.01}   # in 甲镇 (410999001), village 410999001001
ALLOWED = {("listed", "assigned"), ("assigned", "handling"), ("handling", "callback"),
           ("callback", "closed"), ("callback", "handling")}
PATH = {"listed": [], "assigned": ["assigned"], "handling": ["assigned", "handling"],
        "callback": ["assigned", "handling", "callback"], "closed": ["assigned", "handling", "callback", "closed"]}


@pytest.fixture
def county(app, conn, monkeypatch):
    small_county(conn)
    put(conn, "incidents", [{"code": "I1", "occurred_at": "2026-11-01 10:00", "category": "盗窃",
                             "geometry": Point(111.125, 33.01)}])
    checkins.add(conn, COUNTY, (None, "m1"), "T1", {"kind": "hotspot", "code": "H1", "name": "桥头"},
                 datetime(2026, 11, 19, 9, tzinfo=LOCAL), (111.03, 33.01), 8, 0, "路灯坏了")
    conn.commit()
    for module in ("web.api.problems", "web.pages.problems"):
        monkeypatch.setattr(f"{module}.today", lambda: TODAY)
    return app


def new(client, role="planner", **fields):
    body = {"source": "planner", "title": "村口路灯损坏", "category": "基础设施", **POINT, **fields}
    return client.post("/api/problems", json=body, headers=basic(role))


def step(client, pid, target, seen, role="planner", **fields):
    body = {"to": target, "expected": seen, **fields}
    if (seen, target) == ("listed", "assigned"):
        body = {"department": "县住建局", "deadline": "2026-11-30", **body}
    if seen == "callback" and "satisfied" not in fields:
        body["satisfied"] = target == "closed"
    return client.post(f"/api/problems/{pid}/steps", json=body, headers=basic(role))


def problem_in(client, state: str) -> int:
    pid = new(client).get_json()["id"]
    current = "listed"
    for to in PATH[state]:
        assert step(client, pid, to, current).status_code == 201
        current = to
    return pid


def test_a_problem_goes_through_every_state_with_who_and_when(county, conn):
    client = county.test_client()
    resp = new(client)
    assert resp.status_code == 201
    made = resp.get_json()
    assert made["code"].startswith("WT") and made["state"] == "listed"
    pid = made["id"]
    got = client.get(f"/api/problems/{pid}", headers=basic("leader")).get_json()
    assert (got["township_code"], got["village_code"]) == ("410999001", "410999001001")
    assert got["township_name"] == "甲镇" and got["steps"][0]["to_state"] == "listed"
    assert all(not n["allowed"] for n in got["next"])     # a leader reads only
    assert step(client, pid, "assigned", "listed").status_code == 201
    assert step(client, pid, "handling", "assigned", role="commander").status_code == 201
    assert step(client, pid, "callback", "handling", role="commander", note="已修复").status_code == 201
    back = step(client, pid, "handling", "callback", satisfied=False, note="群众反映仍不亮")
    assert back.status_code == 201 and back.get_json()["state"] == "handling"
    assert step(client, pid, "callback", "handling").status_code == 201
    done = step(client, pid, "closed", "callback", satisfied=True)
    assert done.status_code == 201 and done.get_json()["version"] == 7
    got = client.get(f"/api/problems/{pid}", headers=basic("planner")).get_json()
    assert got["state"] == "closed" and got["state_label"] == "销单" and got["next"] == []
    assert got["department"] == "县住建局" and got["deadline"] == "2026-11-30"
    assert [(s["from_state"], s["to_state"], s["by_user"]) for s in got["steps"]] == [
        (None, "listed", "planner"), ("listed", "assigned", "planner"), ("assigned", "handling", "commander"),
        ("handling", "callback", "commander"), ("callback", "handling", "planner"),
        ("handling", "callback", "planner"), ("callback", "closed", "planner")]
    assert [s["satisfied"] for s in got["steps"]] == [None, None, None, None, False, None, True]
    assert got["steps"][4]["note"] == "群众反映仍不亮" and got["steps"][1]["deadline"] == "2026-11-30"


@pytest.mark.parametrize("state", machine.STATES)
def test_every_refused_step_writes_nothing(county, conn, state):
    client = county.test_client()
    pid = problem_in(client, state)
    before = store.count(conn)
    for to in machine.STATES:
        if (state, to) in ALLOWED:
            continue
        resp = step(client, pid, to, state, role="admin")
        assert resp.status_code == 409, (state, to, resp.get_json())
        body = resp.get_json()
        assert body["state"] == state and machine.label(state) in body["message"]
    assert store.count(conn) == before
    assert client.get(f"/api/problems/{pid}", headers=basic("admin")).get_json()["version"] == len(PATH[state]) + 1


def test_closing_without_a_satisfied_callback_is_refused(county, conn):
    client = county.test_client()
    pid = problem_in(client, "callback")
    before = store.count(conn)
    resp = step(client, pid, "closed", "callback", satisfied=False)
    assert resp.status_code == 409 and "不满意" in resp.get_json()["message"]
    resp = client.post(f"/api/problems/{pid}/steps", json={"to": "closed", "expected": "callback"}, headers=basic("planner"))
    assert resp.status_code == 400 and resp.get_json()["field"] == "satisfied"
    assert store.count(conn) == before


def test_a_stale_step_is_refused_and_writes_nothing(county, conn):
    client = county.test_client()
    pid = problem_in(client, "assigned")
    assert step(client, pid, "handling", "assigned", role="commander").status_code == 201
    before = store.count(conn)
    resp = step(client, pid, "handling", "assigned", role="planner")   # a second user saw 'assigned' too
    assert resp.status_code == 409 and resp.get_json()["state"] == "handling"
    assert "办单" in resp.get_json()["message"]
    resp = step(client, pid, "callback", "handling", version=2)           # the right state, an old version
    assert resp.status_code == 409
    assert store.count(conn) == before
    assert step(client, pid, "callback", "handling", version=3).status_code == 201


@pytest.mark.parametrize("fields,field", [
    ({"department": None}, "department"),
    ({"department": "x" * 201}, "department"),
    ({"deadline": None}, "deadline"),
    ({"deadline": "9999-01-01"}, "deadline"),
    ({"deadline": "2026-02-30"}, "deadline"),
    ({"deadline": "2026-11-19"}, "deadline"),
    ({"deadline": "2028-01-01"}, "deadline"),
    ({"deadline": ["2026-12-01"]}, "deadline"),
    ({"note": "长" * 2001}, "note"),
    ({"to": "done"}, "to"),
    ({"expected": None}, "expected"),
    ({"version": 1e300}, "version"),
    ({"version": "NaN"}, "version"),
    ({"satisfied": True}, "satisfied"),
])
def test_bad_steps_are_400_naming_the_field(county, conn, fields, field):
    client = county.test_client()
    pid = problem_in(client, "listed")
    before = store.count(conn)
    resp = step(client, pid, "assigned", "listed", **fields)
    assert resp.status_code == 400, resp.get_json()
    assert resp.get_json()["field"] == field
    assert store.count(conn) == before


@pytest.mark.parametrize("fields,field", [
    ({"title": "x" * 201}, "title"),
    ({"title": None}, "title"),
    ({"description": "长" * 2001}, "description"),
    ({"category": "外星人"}, "category"),
    ({"source": "rumour"}, "source"),
    ({"lon": "NaN"}, "lon"),
    ({"lon": 1e308}, "lon"),
    ({"lon": 120.0}, "lat"),            # outside the county
    ({"lat": None}, "lat"),
    ({"lon": None, "lat": None}, "body"),
    ({"lon": None, "lat": None, "village_code": "999"}, "village_code"),
    ({"source": "checkin", "source_ref": "abc"}, "body"),
    ({"source": "checkin", "source_ref": "987654"}, "source_ref"),
    ({"source": "incident", "source_ref": "NOPE"}, "source_ref"),
    ({"source": "call"}, "body"),
])
def test_bad_problems_are_400_naming_the_field(county, conn, fields, field):
    client = county.test_client()
    before = store.count(conn)
    resp = new(client, **fields)
    assert resp.status_code == 400, resp.get_json()
    assert resp.get_json()["field"] == field
    assert store.count(conn) == before


def test_a_body_that_is_not_an_object_is_400(county, conn):
    client = county.test_client()
    pid = problem_in(client, "listed")
    for url in ("/api/problems", f"/api/problems/{pid}/steps"):
        resp = client.post(url, json=[{"to": "assigned"}], headers=basic("planner"))
        assert resp.status_code == 400
    assert client.get("/api/problems?state=lost", headers=basic("planner")).status_code == 400
    assert client.get("/api/problems/stats?from=2026-02-30", headers=basic("planner")).status_code == 400
    assert client.get("/api/problems/stats?from=2026-12-01&to=2026-11-01", headers=basic("planner")).status_code == 400
    assert client.get("/api/problems/99999", headers=basic("planner")).status_code == 404
    assert step(client, 99999, "assigned", "listed").status_code == 404


def test_from_a_checkin_an_incident_a_village_and_a_call(county, conn):
    client = county.test_client()
    checkin_id = checkins.of_period(conn, COUNTY, datetime(2026, 11, 19, tzinfo=LOCAL),
                                    datetime(2026, 11, 20, tzinfo=LOCAL))[0]["id"]
    resp = new(client, "commander", source="checkin", source_ref=str(checkin_id), title=None, lon=None, lat=None)
    assert resp.status_code == 201, resp.get_json()
    got = client.get(f"/api/problems/{resp.get_json()['id']}", headers=basic("commander")).get_json()
    assert got["title"] == "巡防打卡发现：桥头" and got["source_kind"] == "checkin"
    assert (round(got["lon"], 3), got["village_code"]) == (111.03, "410999001002")
    resp = new(client, "commander", source="incident", source_ref="I1", title=None, lon=None, lat=None)
    got = client.get(f"/api/problems/{resp.get_json()['id']}", headers=basic("commander")).get_json()
    assert got["township_code"] == "410999002" and "盗窃" in got["title"]
    resp = new(client, source="other", lon=None, lat=None, village_code="410999002003")
    got = client.get(f"/api/problems/{resp.get_json()['id']}", headers=basic("planner")).get_json()
    assert got["village_code"] == "410999002003"
    resp = new(client, source="call", source_ref="C-20261120-17", lon=None, lat=None)
    assert resp.status_code == 201
    got = client.get(f"/api/problems/{resp.get_json()['id']}", headers=basic("planner")).get_json()
    assert got["lon"] is None and got["township_code"] is None and got["source_ref"] == "C-20261120-17"


def test_who_may_not(county, conn):
    client = county.test_client()
    add_member(county.config["RESOLVED_DATABASE_URL"], "m9", "T1")
    pid = problem_in(client, "listed")
    before = store.count(conn)
    assert new(client, "leader").status_code == 403
    assert new(client, "commander").status_code == 403                       # a planner's own problem
    assert step(client, pid, "assigned", "listed", role="commander").status_code == 403
    assert step(client, pid, "assigned", "listed", role="leader").status_code == 403
    for url in ("/api/problems", f"/api/problems/{pid}", "/api/problems/stats", "/problems/", f"/problems/{pid}",
                "/problems/new"):
        assert client.get(url, headers=basic("m9")).status_code == 403, url
    assert new(client, "m9").status_code == 403
    assert step(client, pid, "assigned", "listed", role="m9").status_code == 403
    assert client.get("/api/problems").status_code == 401
    pid2 = problem_in(client, "callback")
    before = store.count(conn)
    assert step(client, pid2, "closed", "callback", role="commander").status_code == 403
    assert step(client, pid2, "handling", "callback", role="commander").status_code == 403
    assert store.count(conn) == before


def test_overdue_is_flagged_and_filtered(county, conn, monkeypatch):
    client = county.test_client()
    late = problem_in(client, "handling")                       # deadline 2026-11-30
    problem_in(client, "listed")
    closed = problem_in(client, "closed")
    got = client.get("/api/problems?overdue=1", headers=basic("leader")).get_json()
    assert got["count"] == 0
    monkeypatch.setattr("web.api.problems.today", lambda: date(2026, 12, 1))
    got = client.get("/api/problems?overdue=1", headers=basic("leader")).get_json()
    assert [p["id"] for p in got["problems"]] == [late]
    assert got["problems"][0]["overdue"] is True
    every = client.get("/api/problems", headers=basic("leader")).get_json()["problems"]
    assert {p["id"]: p["overdue"] for p in every}[closed] is False
    assert client.get("/api/problems?state=closed", headers=basic("leader")).get_json()["count"] == 1
    assert client.get("/api/problems?township=410999002", headers=basic("leader")).get_json()["count"] == 0
    assert client.get("/api/problems?department=县住建局", headers=basic("leader")).get_json()["count"] == 2
    geo = client.get("/api/problems?format=geojson", headers=basic("leader")).get_json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 3


def _backdated(conn, pid: int, days: list[str]) -> None:
    store.backdate(conn, pid, datetime.fromisoformat(days[0]).replace(tzinfo=LOCAL),
                   [datetime.fromisoformat(d).replace(tzinfo=LOCAL) for d in days])
    conn.commit()


def test_stats_per_department_and_township(county, conn):
    from web.services.problems import township_problems

    client = county.test_client()
    on_time = problem_in(client, "closed")                     # deadline 2026-11-30
    _backdated(conn, on_time, ["2026-11-01 09:00", "2026-11-02 09:00", "2026-11-03 09:00", "2026-11-10 09:00",
                               "2026-11-12 09:00"])
    late = problem_in(client, "handling")
    assert step(client, late, "callback", "handling").status_code == 201
    assert step(client, late, "handling", "callback", satisfied=False).status_code == 201
    assert step(client, late, "callback", "handling").status_code == 201
    assert step(client, late, "closed", "callback", satisfied=True).status_code == 201
    _backdated(conn, late, ["2026-11-01 09:00", "2026-11-02 09:00", "2026-11-03 09:00", "2026-11-10 09:00",
                            "2026-11-11 09:00", "2026-11-20 09:00", "2026-12-03 09:00"])
    still = problem_in(client, "handling")
    _backdated(conn, still, ["2026-11-05 09:00", "2026-11-06 09:00", "2026-11-07 09:00"])
    other = new(client, lon=111.15, lat=33.05).get_json()["id"]       # 乙乡, listed
    _backdated(conn, other, ["2026-11-06 09:00"])

    got = township_problems(conn, COUNTY, date(2026, 11, 1), date(2026, 12, 1))
    assert set(got) == {"410999001", "410999002"}
    assert got["410999001"] == {"open": 2, "overdue": 0, "closed": 1, "closed_on_time": 1, "on_time_share": 1.0,
                                "callback_satisfaction": 0.5}   # late: callbacks 11-11 (no) and 11-12 (on_time, yes)
    assert got["410999002"] == {"open": 1, "overdue": 0, "closed": 0, "closed_on_time": 0, "on_time_share": None,
                                "callback_satisfaction": None}
    december = township_problems(conn, COUNTY, date(2026, 12, 1), date(2027, 1, 1))
    assert december["410999001"]["closed"] == 1 and december["410999001"]["on_time_share"] == 0.0
    assert december["410999001"]["callback_satisfaction"] == 1.0
    assert december["410999001"]["open"] == 1          # still: handling past 11-30 (overdue as of today)
    assert township_problems(conn, COUNTY, date(2026, 1, 1), date(2026, 2, 1))["410999001"]["open"] == 0

    resp = client.get("/api/problems/stats?from=2026-11-01&to=2026-12-01", headers=basic("leader"))
    body = resp.get_json()
    assert resp.status_code == 200 and body["as_of"] == "2026-11-20"
    depts = {d["department"]: d for d in body["departments"]}
    assert depts["县住建局"]["closed"] == 1 and depts["县住建局"]["open"] == 2
    assert [t["name"] for t in body["townships"]] == ["甲镇", "乙乡"]
    assert body["county"]["open"] == 3 and body["county"]["callbacks"] == 2


def test_huge_ids_are_not_found_not_errors(county, conn):
    client = county.test_client()
    huge = "9" * 30
    assert client.get(f"/api/problems/{huge}", headers=basic("planner")).status_code == 404
    assert client.get(f"/problems/{huge}", headers=basic("planner")).status_code == 404
    assert step(client, huge, "assigned", "listed").status_code == 404
    resp = new(client, source="checkin", source_ref=huge, lon=None, lat=None)
    assert resp.status_code == 400 and resp.get_json()["field"] in ("source_ref", "body")
