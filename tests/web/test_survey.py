"""Opinion calls (issue 16, items 1 and 6) through the API: the 50-a-day check around
midnight, hashing and privacy per role, the plan's proportional sums, bad input, roles."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import psycopg2
import pytest

from geo.calendar import LOCAL
from layers import survey as store
from tests.conftest import basic
from tests.helpers import COUNTY, small_county
from web.services import survey, survey_plan

PHONE = "138 1234 5678"
VILLAGE = "410999001001"


@pytest.fixture
def county(app, conn):
    small_county(conn)
    conn.commit()
    return app


def add(conn, when: datetime, village=VILLAGE, n=1, safety=4, satisfaction=3, phone_hash=None, problems=""):
    for _ in range(n):
        store.insert(conn, COUNTY, {"called_at": when, "village_code": village, "caller": "c1", "safety": safety,
                                    "satisfaction": satisfaction, "phone_hash": phone_hash, "answers": {},
                                    "problems": problems}, "planner")
    conn.commit()


def call(client, role="planner", **fields):
    body = {"village_code": VILLAGE, "safety": 5, "satisfaction": 4, **fields}
    return client.post("/api/survey/calls", json=body, headers=basic(role))


def rows(conn) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM survey_calls")
        return cur.fetchone()[0]


def test_fifty_a_day_is_met_and_fortynine_is_not(county, conn):
    client = county.test_client()
    add(conn, datetime(2026, 12, 1, 9, tzinfo=LOCAL), n=49)
    got = client.get("/api/survey/daily?date=2026-12-01", headers=basic("leader")).get_json()
    assert got == {"date": "2026-12-01", "calls": 49, "required": 50, "met": False}
    add(conn, datetime(2026, 12, 1, 18, tzinfo=LOCAL))
    got = client.get("/api/survey/daily?date=2026-12-01", headers=basic("commander")).get_json()
    assert got == {"date": "2026-12-01", "calls": 50, "required": 50, "met": True}


def test_days_are_cut_at_midnight_in_shanghai(county, conn):
    last = datetime(2026, 12, 1, 23, 59, 59, tzinfo=LOCAL)      # 15:59:59 UTC
    add(conn, last, n=2)
    add(conn, last + timedelta(seconds=1), n=3)                 # 2026-12-02 00:00 local, 16:00 UTC
    assert survey.daily(conn, COUNTY, date(2026, 12, 1))["calls"] == 2
    assert survey.daily(conn, COUNTY, date(2026, 12, 2))["calls"] == 3


def test_the_required_count_is_the_countys(county, conn):
    client = county.test_client()
    assert client.post("/api/survey/settings", json={"required_daily": 3}, headers=basic("admin")).status_code == 200
    add(conn, datetime(2026, 12, 1, 9, tzinfo=LOCAL), n=3)
    got = client.get("/api/survey/daily?date=2026-12-01", headers=basic("planner")).get_json()
    assert (got["required"], got["met"]) == (3, True)


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "1999-01-01", "2026-02-30"])
def test_a_bad_date_is_400(county, value):
    resp = county.test_client().get(f"/api/survey/daily?date={value}", headers=basic("leader"))
    assert resp.status_code == 400 and "date" in resp.get_json()["description"]


def test_a_call_is_stored_with_its_township_and_the_number_only_hashed(county, conn):
    client = county.test_client()
    resp = call(client, phone=PHONE, problems="夜里路灯不亮", called_at="2026-12-01T10:00:00")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["warnings"] == [] and resp.get_json()["code"].startswith("MY")
    with conn.cursor() as cur:
        cur.execute("SELECT township_code, caller, phone_hash, created_by FROM survey_calls")
        town, caller, hashed, by = cur.fetchone()
    assert (town, caller, by) == ("410999001", "planner", "planner") and len(hashed) == 64
    for text in ("13812345678", "38123456"):
        assert_nowhere(conn, text)


def assert_nowhere(conn, text: str) -> None:
    """No text, JSON or varchar column of any table holds ``text``."""
    with conn.cursor() as cur:
        cur.execute("""SELECT table_name, column_name FROM information_schema.columns
                       WHERE table_schema = 'public' AND table_name <> 'spatial_ref_sys' AND data_type IN ('text', 'jsonb', 'character varying', 'json')""")
        for table, column in cur.fetchall():
            cur.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE %s', (f"%{text}%",))
            assert cur.fetchone()[0] == 0, (table, column)


def test_the_same_number_in_any_format_is_one_number_and_a_repeat_warns(county, conn):
    client = county.test_client()
    assert call(client, phone="+86 138-1234-5678", called_at="2026-11-02T10:00:00").get_json()["warnings"] == []
    second = call(client, phone="008613812345678", called_at="2026-12-01T10:00:00")
    assert second.status_code == 201 and "本季度已拨打过 1 次" in second.get_json()["warnings"][0]
    next_quarter = call(client, phone="13812345678", called_at="2027-01-02T10:00:00")
    assert next_quarter.get_json()["warnings"] == []
    with conn.cursor() as cur:
        cur.execute("SELECT count(DISTINCT phone_hash) FROM survey_calls")
        assert cur.fetchone()[0] == 1


def test_free_text_only_for_planners_and_admins_and_the_hash_for_nobody(county, conn):
    client = county.test_client()
    call(client, phone=PHONE, problems="村口积水", called_at="2026-12-01T10:00:00")
    for role, sees in (("planner", True), ("admin", True), ("leader", False), ("commander", False)):
        got = client.get("/api/survey/calls?from=2026-12-01&to=2026-12-02", headers=basic(role))
        assert got.status_code == 200
        (row,) = got.get_json()["calls"]
        assert ("problems" in row) == sees
        assert ("村口积水" in got.get_data(as_text=True)) == sees
        assert "phone_hash" not in row and row["has_phone"] is True
        assert row["township_code"] == "410999001" and row["day"] == "2026-12-01"


def test_the_list_filters_by_township_and_days(county, conn):
    add(conn, datetime(2026, 12, 1, 9, tzinfo=LOCAL), n=2)
    add(conn, datetime(2026, 12, 1, 9, tzinfo=LOCAL), village="410999002001")
    add(conn, datetime(2026, 12, 3, 9, tzinfo=LOCAL))
    client = county.test_client()
    got = client.get("/api/survey/calls?from=2026-12-01&to=2026-12-02&township=410999002",
                     headers=basic("leader")).get_json()
    assert got["count"] == 1 and got["calls"][0]["village_code"] == "410999002001"
    assert client.get("/api/survey/calls?from=2026-12-01&to=2026-12-04",
                      headers=basic("leader")).get_json()["count"] == 4


@pytest.mark.parametrize("fields, field", [
    ({"safety": 6}, "safety"), ({"satisfaction": 0}, "satisfaction"), ({"safety": "很好"}, "safety"),
    ({"safety": True}, "safety"), ({"village_code": "420111001001"}, "village_code"), ({"village_code": ""}, "village_code"),
    ({"phone": "call me"}, "phone"), ({"phone": "12"}, "phone"), ({"called_at": "tomorrow"}, "called_at"),
    ({"answers": {"no_such": 3}}, "answers"), ({"answers": [1]}, "answers"), ({"problems": "x" * 2001}, "problems"),
])
def test_bad_calls_are_refused_naming_the_field_and_nothing_is_written(county, conn, fields, field):
    resp = call(county.test_client(), **fields)
    assert resp.status_code == 400, resp.get_json()
    assert field in resp.get_json()["description"]
    assert rows(conn) == 0


def test_answers_must_fit_the_active_questions(county, conn):
    client = county.test_client()
    for q in ({"key": "police", "text": "见到民警巡逻吗", "kind": "yesno"},
              {"key": "light", "text": "路灯", "kind": "scale", "position": 2}):
        assert client.post("/api/survey/questions", json=q, headers=basic("admin")).status_code == 201
    assert call(client, answers={"police": "maybe"}).status_code == 400
    assert call(client, answers={"light": 7}).status_code == 400
    assert call(client, answers={"police": True, "light": 4}).status_code == 201
    listed = client.get("/api/survey/questions", headers=basic("planner")).get_json()["questions"]
    assert [q["key"] for q in listed] == ["police", "light"]
    assert rows(conn) == 1


@pytest.mark.parametrize("method, url, body, roles", [
    ("post", "/api/survey/calls", {"village_code": VILLAGE, "safety": 5, "satisfaction": 5}, ("leader", "commander")),
    ("post", "/api/survey/questions", {"key": "k", "text": "t", "kind": "text"}, ("planner", "leader", "commander")),
    ("post", "/api/survey/settings", {"required_daily": 10}, ("planner", "leader", "commander")),
    ("get", "/api/survey/questions", None, ("leader", "commander")),
    ("get", "/api/survey/plan", None, ("commander",)),
])
def test_roles_that_may_not_are_refused(county, conn, method, url, body, roles):
    client = county.test_client()
    for role in roles:
        resp = getattr(client, method)(url, json=body, headers=basic(role))
        assert resp.status_code == 403, (role, url)
    assert getattr(client, method)(url, json=body).status_code == 401
    assert rows(conn) == 0
    for url in ("/api/survey/daily", "/api/survey/calls"):
        assert client.get(url).status_code == 401


@pytest.mark.parametrize("url, body", [("/api/survey/questions", {"key": "1bad", "text": "t", "kind": "text"}),
                                       ("/api/survey/questions", {"key": "ok", "text": "t", "kind": "stars"}),
                                       ("/api/survey/settings", {"required_daily": 0})])
def test_bad_admin_input_is_400(county, conn, url, body):
    resp = county.test_client().post(url, json=body, headers=basic("admin"))
    assert resp.status_code == 400
    assert list(body)[0] in resp.get_json()["description"] or "kind" in resp.get_json()["description"]
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM survey_questions) + (SELECT count(*) FROM survey_settings)")
        assert cur.fetchone()[0] == 0


def test_township_opinion_means_over_the_period_end_exclusive(county, conn):
    add(conn, datetime(2026, 11, 30, 9, tzinfo=LOCAL), safety=5, satisfaction=5)
    add(conn, datetime(2026, 11, 30, 10, tzinfo=LOCAL), safety=4, satisfaction=2)
    add(conn, datetime(2026, 11, 30, 10, tzinfo=LOCAL), village="410999002001", safety=1, satisfaction=1)
    add(conn, datetime(2026, 12, 1, 0, tzinfo=LOCAL), safety=1, satisfaction=1)   # past the end
    got = survey.township_opinion(conn, COUNTY, date(2026, 11, 1), date(2026, 12, 1))
    assert got == {"410999001": {"calls": 2, "safety": 4.5, "satisfaction": 3.5},
                   "410999002": {"calls": 1, "safety": 1.0, "satisfaction": 1.0}}


def test_the_plan_spreads_the_week_by_population_and_sums_exactly(county, conn):
    add(conn, datetime(2026, 11, 20, 9, tzinfo=LOCAL), village="410999001009", n=3)
    p = survey_plan.plan(conn, COUNTY, date(2026, 11, 30))
    assert p["total"] == 350 and p["week"] == "2026-W49"
    towns = {t["code"]: t["quota"] for t in p["townships"]}
    assert towns == {"410999001": 215, "410999002": 135}     # 2400 and 1500 people of 3900
    for code, quota in towns.items():
        assert sum(v["quota"] for v in p["villages"] if v["township_code"] == code) == quota
    first_town = [v["code"] for v in p["villages"] if v["township_code"] == "410999001"]
    assert first_town[-1] == "410999001009"                   # called this quarter: last
    resp = county.test_client().get("/api/survey/plan?week=2026-W49", headers=basic("leader"))
    assert resp.status_code == 200 and resp.get_json()["total"] == 350


@pytest.mark.parametrize("week", ["2026-W60", "2026W49", "49", "2026-W00"])
def test_a_bad_week_is_400(county, week):
    resp = county.test_client().get(f"/api/survey/plan?week={week}", headers=basic("planner"))
    assert resp.status_code == 400 and "week" in resp.get_json()["description"]


def test_the_database_refuses_scores_out_of_range_and_raw_numbers_as_hash(county, conn):
    for values in ({"safety": 6}, {"phone_hash": "13812345678"}):
        with pytest.raises(psycopg2.errors.CheckViolation):
            store.insert(conn, COUNTY, {"called_at": datetime(2026, 12, 1, tzinfo=LOCAL), "village_code": VILLAGE,
                                        "caller": "c", "safety": 3, "satisfaction": 3, "phone_hash": None,
                                        "answers": {}, "problems": "", **values}, "planner")
        conn.rollback()


def test_the_cockpit_shows_yesterdays_calls_against_fifty_and_a_month_before(county, conn):
    add(conn, datetime(2026, 12, 1, 9, tzinfo=LOCAL), n=50)
    add(conn, datetime(2026, 11, 1, 9, tzinfo=LOCAL), n=7)
    doc = county.test_client().get("/api/cockpit?date=2026-12-02", headers=basic("leader")).get_json()
    (ind,) = [i for i in doc["indicators"] if i["key"] == "survey_daily"]
    assert (ind["value"], ind["target"], ind["met"], ind["previous"]) == (50, 50, True, 7)
    assert ind["detail_url"].endswith("/survey/plan")


@pytest.mark.parametrize("query, field", [("from=2026-02-30", "from"), ("to=x", "to"),
                                          ("from=2026-12-02&to=2026-12-01", "to"), ("from=2020-01-01&to=2026-01-01", "from")])
def test_a_bad_period_of_the_list_is_400(county, query, field):
    resp = county.test_client().get(f"/api/survey/calls?{query}", headers=basic("leader"))
    assert resp.status_code == 400 and field in resp.get_json()["description"]
