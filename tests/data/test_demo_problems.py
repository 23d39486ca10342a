"""The demo county's problem list: every state, some overdue, some closed late, some sent
back from the callback; the same for the same seed; a second load keeps what is there."""
from __future__ import annotations

from collections import Counter
from datetime import date

from data.demo import problems as demo
from data.demo.constants import AS_OF, COUNTY_CODE
from geo import problems as machine
from layers import problems as store
from web.services.problems import township_problems


def test_the_plan_is_deterministic_and_its_histories_are_valid():
    assert demo.plan(0) == demo.plan(0) and demo.plan(0) != demo.plan(1)
    for p in demo.plan(0):
        states = [s for s, _d, _h in p["steps"]]
        for a, b in zip(states, states[1:]):
            assert machine.allowed(a, b), p
        days = [d for _s, d, _h in p["steps"]]
        assert days == sorted(days, reverse=True) and len(set(days)) == len(days) and min(days) >= 0, p


def test_load_demo_writes_problems_in_every_state(demo_conn, demo_county):
    conn, counts = demo_conn, demo_county.counts
    assert counts["problems"] == sum(demo.HISTORIES.values())
    rows = store.listing(conn, COUNTY_CODE)
    assert Counter(r["state"] for r in rows).keys() == set(machine.STATES)
    assert sum(machine.overdue(r["state"], r["deadline"], AS_OF) for r in rows) >= demo.HISTORIES["overdue"]
    on_time = [machine.closed_on_time(r["state"], r["deadline"], r["closed_on"]) for r in rows]
    assert on_time.count(True) >= 10 and on_time.count(False) >= demo.HISTORIES["closed_late"]
    assert all(r["township_code"] for r in rows)
    sent_back = [r for r in rows if any(s["satisfied"] is False for s in store.steps(conn, r["id"]))]
    assert len(sent_back) == demo.HISTORIES["sent_back_closed"] + demo.HISTORIES["sent_back_open"]
    year = township_problems(conn, COUNTY_CODE, date(2026, 1, 1), date(2027, 1, 1))
    assert sum(t["closed"] for t in year.values()) == sum(r["state"] == "closed" for r in rows)
    assert demo.load(conn, COUNTY_CODE, {}) == 0 and store.count_in(conn, COUNTY_CODE) == len(rows)
