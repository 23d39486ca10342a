"""Dispute screening (issue 16, item 4) through the API: cadence, targets, screenings
recorded, refused and removed, incident flags, and who may do what."""
from __future__ import annotations

from datetime import date

import pytest
from shapely.geometry import Point

from layers import disputes as store
from tests.conftest import basic
from tests.helpers import COUNTY, put, small_county, square

TODAY = date(2026, 11, 20)
GOOD = {"level": "township", "unit_code": "410999001", "screened_on": "2026-11-03", "disputes_found": 4,
        "resolved": 3, "note": "宅基地纠纷 2 起"}


@pytest.fixture
def county(app, conn, monkeypatch):
    small_county(conn)
    put(conn, "townships", [{"code": "410998001", "name": "外县镇", "geometry": square(112.0, 33.0, 0.1)}],
        county="410998")
    incidents = [{"code": f"T{i}", "occurred_at": f"2026-{1 + i % 10:02d}-10 10:00", "category": "纠纷",
                  "geometry": Point(111.015, 33.01)} for i in range(10)]
    incidents += [{"code": f"L{i}", "occurred_at": f"2025-{1 + i % 10:02d}-10 10:00", "category": "纠纷",
                   "geometry": Point(111.015, 33.01)} for i in range(12)]
    incidents.append({"code": "LATE", "occurred_at": "2025-12-01 10:00", "category": "纠纷",
                      "geometry": Point(111.015, 33.01)})
    put(conn, "incidents", incidents)
    monkeypatch.setattr("web.api.disputes.today", lambda: TODAY)
    monkeypatch.setattr("web.services.disputes.local_today", lambda: TODAY)
    return app


def post(client, role="planner", **fields):
    return client.post("/api/disputes/screenings", json={**GOOD, **fields}, headers=basic(role))


def test_screenings_are_recorded_and_make_the_cadence(county):
    client = county.test_client()
    assert post(client).status_code == 201
    assert post(client, level="county", unit_code=COUNTY, screened_on="2026-10-30").status_code == 201
    assert post(client, level="village", unit_code="410999002001", screened_on="2026-11-19").status_code == 201
    listed = client.get("/api/disputes/screenings?from=2026-11-01", headers=basic("leader")).get_json()
    assert listed["count"] == 2 and listed["screenings"][0]["unit_name"] == "村21"
    assert listed["screenings"][1]["unit_name"] == "甲镇" and listed["screenings"][1]["created_by"] == "planner"
    doc = client.get("/api/disputes/cadence?period=2026-11", headers=basic("commander")).get_json()
    towns = {u["code"]: u for u in doc["levels"]["township"]["units"]}
    assert [s["status"] for s in towns["410999001"]["slots"]] == ["done", "due"]
    assert [s["status"] for s in towns["410999002"]["slots"]] == ["missing", "due"]
    assert doc["levels"]["township"]["units_missing"] == ["410999002"]
    assert doc["levels"]["county"]["units"][0]["slots"][0]["status"] == "due"
    villages = {u["code"]: u for u in doc["levels"]["village"]["units"]}
    assert villages["410999002001"]["screenings"] == 1 and doc["levels"]["village"]["missing"] == 0
    october = client.get("/api/disputes/cadence?period=2026-10", headers=basic("leader")).get_json()
    assert october["levels"]["county"]["units"][0]["slots"][0]["status"] == "done"
    assert october["levels"]["township"]["missing"] == 4
    quarter = client.get("/api/disputes/cadence?period=2026Q4", headers=basic("leader")).get_json()
    assert len(quarter["levels"]["township"]["units"][0]["slots"]) == 6


def test_township_screening_is_what_the_rankings_read(county, conn):
    from web.services.disputes import township_screening

    client = county.test_client()
    for day in ("2026-10-02", "2026-10-16", "2026-11-03"):
        assert post(client, screened_on=day).status_code == 201
    got = township_screening(conn, COUNTY, date(2026, 10, 1), date(2026, 12, 1), today=TODAY)
    assert got["410999001"] == {"required": 3, "done": 3, "missing": 0, "share": 1.0}
    assert got["410999002"] == {"required": 3, "done": 0, "missing": 3, "share": 0.0}
    month = township_screening(conn, COUNTY, date(2026, 12, 1), date(2027, 1, 1), today=TODAY)
    assert month["410999001"] == {"required": 0, "done": 0, "missing": 0, "share": None}


@pytest.mark.parametrize("fields, field", [
    ({"level": "county", "unit_code": "410999001"}, "unit_code"),          # level/unit mismatch
    ({"level": "township", "unit_code": "410999001001"}, "unit_code"),     # a village as a township
    ({"level": "village", "unit_code": "410999001"}, "unit_code"),
    ({"unit_code": "410998001"}, "unit_code"),                             # another county's township
    ({"level": "county", "unit_code": "410998"}, "unit_code"),
    ({"level": "province"}, "level"),
    ({"screened_on": "2026-11-21"}, "screened_on"),                        # the future
    ({"screened_on": "2026-02-30"}, "screened_on"),
    ({"screened_on": "1999-12-31"}, "screened_on"),
    ({"resolved": 5}, "resolved"),                                         # more than found
    ({"disputes_found": -1, "resolved": 0}, "disputes_found"),
    ({"disputes_found": float("nan")}, "disputes_found"),
    ({"disputes_found": "NaN"}, "disputes_found"),
    ({"disputes_found": 2.5}, "disputes_found"),
    ({"disputes_found": True}, "disputes_found"),
    ({"disputes_found": [4]}, "disputes_found"),
    ({"unit_code": ["410999001"]}, "unit_code"),
    ({"level": ["township"]}, "level"),
    ({"screened_on": ["2026-11-03"]}, "screened_on"),
    ({"note": {"a": 1}}, "note"),
    ({"note": "x" * 2001}, "note"),
    ({"unit_code": ""}, "unit_code"),
])
def test_bad_screenings_are_refused_naming_the_field(county, conn, fields, field):
    client = county.test_client()
    before = store.count(conn)
    resp = post(client, **fields)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["field"] == field
    conn.rollback()
    assert store.count(conn) == before


def test_a_body_that_is_not_an_object_is_refused(county, conn):
    client = county.test_client()
    resp = client.post("/api/disputes/screenings", json=[GOOD], headers=basic("planner"))
    assert resp.status_code == 400 and store.count(conn) == (0, 0)
    bad = client.post("/api/disputes/screenings", data="{", content_type="application/json", headers=basic("planner"))
    assert bad.status_code == 400


@pytest.mark.parametrize("url", ["/api/disputes/cadence?period=2026-13", "/api/disputes/cadence?period=2026Q5",
                                 "/api/disputes/cadence?period=1999-12", "/api/disputes/cadence?period=x" * 50,
                                 "/api/disputes/targets?date=2026-02-30", "/api/disputes/targets?date=NaN",
                                 "/api/disputes/screenings?level=province", "/api/disputes/screenings?from=x",
                                 "/api/disputes/screenings?from=2026-11-02&to=2026-11-01"])
def test_bad_queries_are_refused(county, url):
    resp = county.test_client().get(url, headers=basic("leader"))
    assert resp.status_code == 400 and resp.get_json()["field"]


def test_who_may_do_what(county, conn):
    client = county.test_client()
    for role in ("leader", "commander"):
        assert post(client, role=role).status_code == 403
        assert client.patch("/api/incidents/T1/dispute", json={"civil_to_criminal": True},
                            headers=basic(role)).status_code == 403
        assert client.get("/api/disputes/cadence", headers=basic(role)).status_code == 200
    assert store.count(conn) == (0, 0)
    for url in ("/api/disputes/cadence", "/api/disputes/targets", "/api/disputes/screenings"):
        assert client.get(url).status_code == 401
    assert client.post("/api/disputes/screenings", json=GOOD).status_code == 401
    assert client.delete("/api/disputes/screenings/1").status_code == 401
    assert client.patch("/api/incidents/T1/dispute", json={"civil_to_criminal": True}).status_code == 401
    assert post(client, role="admin").status_code == 201


def test_a_screening_is_removed_by_its_author_or_an_admin_on_the_day_and_kept(county, conn, app, monkeypatch):
    from geo.calendar import today

    monkeypatch.setattr("web.api.disputes.today", today)   # removal is by the day it was recorded
    client = county.test_client()
    first = post(client).get_json()["id"]
    second = post(client, screened_on="2026-11-04").get_json()["id"]
    assert client.delete(f"/api/disputes/screenings/{first}", headers=basic("leader")).status_code == 403
    with app.app_context():
        from layers.db import transaction
        with transaction(app.config["RESOLVED_DATABASE_URL"]) as c, c.cursor() as cur:
            cur.execute("INSERT INTO users (name, password_hash, role) SELECT 'planner2', password_hash, 'planner'"
                        " FROM users WHERE name = 'planner'")
    assert client.delete(f"/api/disputes/screenings/{first}", headers=basic("planner2")).status_code == 403
    assert client.delete(f"/api/disputes/screenings/{first}", headers=basic("planner")).status_code == 200
    assert client.delete(f"/api/disputes/screenings/{first}", headers=basic("planner")).status_code == 404
    assert client.delete("/api/disputes/screenings/99999999999999999999", headers=basic("admin")).status_code == 404
    listed = client.get("/api/disputes/screenings", headers=basic("leader")).get_json()
    assert [s["id"] for s in listed["screenings"]] == [second]
    with conn.cursor() as cur:
        cur.execute("SELECT deleted_by, deleted_at IS NOT NULL FROM dispute_screenings WHERE id = %s", (first,))
        assert cur.fetchone() == ("planner", True)
        cur.execute("UPDATE dispute_screenings SET created_at = created_at - interval '2 days' WHERE id = %s",
                    (second,))
    conn.commit()
    late = client.delete(f"/api/disputes/screenings/{second}", headers=basic("admin"))
    assert late.status_code == 403 and "当天" in late.get_json()["message"]


def test_incidents_are_flagged_with_who_and_when_and_counted_year_on_year(county, conn):
    client = county.test_client()
    for i in range(9):
        assert client.patch(f"/api/incidents/T{i}/dispute", json={"civil_to_criminal": True},
                            headers=basic("planner")).status_code == 200
    for i in range(10):
        client.patch(f"/api/incidents/L{i}/dispute", json={"civil_to_criminal": "是"}, headers=basic("admin"))
    client.patch("/api/incidents/LATE/dispute", json={"civil_to_criminal": True, "dispute_homicide": True},
                 headers=basic("planner"))    # after 20 November last year: outside the span
    got = client.patch("/api/incidents/T0/dispute", json={"dispute_homicide": True, "note": "复核"},
                       headers=basic("planner")).get_json()
    assert got["civil_to_criminal"] and got["dispute_homicide"]
    assert [(h["was_dispute_homicide"], h["dispute_homicide"], h["by_user"]) for h in got["history"]] == \
        [(False, False, "planner"), (False, True, "planner")]
    doc = client.get("/api/disputes/targets?date=2026-11-20", headers=basic("leader")).get_json()
    ctc, hom = doc["targets"]
    assert (ctc["this_year"], ctc["last_year"], ctc["change"], ctc["met"]) == (9, 10, -0.1, True)
    assert (hom["this_year"], hom["last_year"], hom["change"], hom["met"]) == (1, 0, None, False)
    assert doc["last_year"] == {"from": "2025-01-01", "to": "2025-11-20"}
    assert client.patch("/api/incidents/NOPE/dispute", json={"civil_to_criminal": True},
                        headers=basic("planner")).status_code == 404


@pytest.mark.parametrize("body, field", [({}, "body"), ({"civil_to_criminal": "也许"}, "civil_to_criminal"),
                                         ({"civil_to_criminal": [True]}, "civil_to_criminal"),
                                         ({"dispute_homicide": 2}, "dispute_homicide"),
                                         ({"civil_to_criminal": True, "note": 5}, "note")])
def test_bad_flags_are_refused(county, conn, body, field):
    resp = county.test_client().patch("/api/incidents/T1/dispute", json=body, headers=basic("planner"))
    assert resp.status_code == 400 and resp.get_json()["field"] == field
    assert store.count(conn) == (0, 0)


def test_the_cockpit_card(county):
    client = county.test_client()
    for i in range(9):
        client.patch(f"/api/incidents/T{i}/dispute", json={"civil_to_criminal": True}, headers=basic("planner"))
    for i in range(10):
        client.patch(f"/api/incidents/L{i}/dispute", json={"civil_to_criminal": True}, headers=basic("planner"))
    doc = client.get("/api/cockpit?date=2026-11-20", headers=basic("leader")).get_json()
    card = {i["key"]: i for i in doc["indicators"]}["disputes"]
    assert (card["value"], card["target"], card["met"]) == (-0.1, -0.1, True)
    assert "纠纷命案 0/0 起" in card["note"] and "本月缺排查乡镇 2 个" in card["note"]
    assert card["detail_url"] == "/disputes/?period=2026-11"
