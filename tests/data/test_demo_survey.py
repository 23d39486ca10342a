"""The demo county's opinion calls: a year of about 50 a day with a few short days, scores
differing by township, some free text, a few numbers called twice a quarter; deterministic."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from data.demo import survey as demo
from data.demo.constants import AS_OF, COUNTY_CODE
from geo.calendar import day_start
from layers import survey as store
from web.services.survey import daily, township_opinion

VILLAGES = [{"code": f"V{i}", "township_code": f"T{i % 3}", "population": 100 + i} for i in range(9)]


def test_the_plan_is_deterministic():
    a = demo.plan(VILLAGES, 0)
    assert a == demo.plan(VILLAGES, 0) and a != demo.plan(VILLAGES, 1)
    assert 18_000 <= len(a) <= 20_500
    days = Counter(r[0].date() for r in a)
    assert len(days) == demo.DAYS and max(days) == AS_OF
    assert sum(n < 50 for n in days.values()) == demo.SHORT_DAYS
    assert all(1 <= r[3] <= 5 and 1 <= r[4] <= 5 for r in a)


def test_load_demo_writes_a_year_of_calls(demo_conn, demo_county):
    conn, counts = demo_conn, demo_county.counts
    n = counts["survey_calls"]
    assert 18_000 <= n <= 20_500
    assert daily(conn, COUNTY_CODE, AS_OF)["calls"] >= 30
    start = AS_OF - timedelta(days=demo.DAYS - 1)
    per_day = store.per_day(conn, COUNTY_CODE, day_start(start), day_start(AS_OF + timedelta(days=1)))
    assert sum(v < 50 for v in per_day.values()) == demo.SHORT_DAYS
    towns = township_opinion(conn, COUNTY_CODE, start, AS_OF + timedelta(days=1))
    assert len(towns) >= 3 and sum(t["calls"] for t in towns.values()) == n
    safety = [t["safety"] for t in towns.values()]
    assert max(safety) - min(safety) > 0.3
    rows = store.listing(conn, COUNTY_CODE, day_start(date(2026, 10, 1)), day_start(AS_OF + timedelta(days=1)),
                         None, limit=None)
    assert 0 < sum(bool(r["problems"]) for r in rows) < len(rows) / 5
    hashes = Counter(r["phone_hash"] for r in rows if r["phone_hash"])
    repeats = sum(c > 1 for c in hashes.values())
    assert 0 < repeats < 100
    assert [q["key"] for q in store.questions(conn, COUNTY_CODE)] == ["patrol_seen", "lighting", "fraud_aware"]
    assert demo.load(conn, COUNTY_CODE) == 0
