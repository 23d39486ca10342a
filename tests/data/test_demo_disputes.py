"""The demo county's dispute screening: a year of screenings with a few gaps (one county
month, some township half-months), incidents flagged so that the 民转刑 target is met and
the dispute-homicide one is not; a second load keeps what is there."""
from __future__ import annotations

from datetime import date

from data.demo import disputes as demo
from data.demo.constants import AS_OF, COUNTY_CODE
from layers import disputes as store
from web.services import disputes


def test_load_demo_writes_screenings_with_gaps_and_flags(demo_conn, demo_county):
    conn, counts = demo_conn, demo_county.counts
    units = store.units(conn, COUNTY_CODE)
    assert counts["dispute_screenings"] > 0 and demo.plan(units, 0) == demo.plan(units, 0)
    year = disputes.cadence(conn, COUNTY_CODE, "2026Q3", today=AS_OF)["levels"]
    assert [s["status"] for s in year["county"]["units"][0]["slots"]] == ["missing", "done", "done"]   # July
    missing = sum(disputes.cadence(conn, COUNTY_CODE, q, today=AS_OF)["levels"]["township"]["missing"]
                  for q in ("2025-12", "2026Q1", "2026Q2", "2026Q3", "2026Q4"))
    assert missing == demo.TOWNSHIP_GAPS
    assert year["village"]["screenings"] > 0 and year["village"]["missing"] == 0
    towns = disputes.township_screening(conn, COUNTY_CODE, date(2026, 1, 1), date(2026, 11, 16), today=AS_OF)
    assert sum(t["missing"] for t in towns.values()) <= demo.TOWNSHIP_GAPS
    assert all(t["required"] == 2 * 10 + 1 for t in towns.values())   # Jan–Oct, and 1–15 November
    ctc, homicide = disputes.year_on_year(conn, COUNTY_CODE, AS_OF)["targets"]
    assert (ctc["this_year"], ctc["last_year"], ctc["met"]) == (*demo.CIVIL_TO_CRIMINAL, True)
    assert (homicide["this_year"], homicide["last_year"], homicide["met"]) == (*demo.DISPUTE_HOMICIDE, False)
    before = store.stored_in(conn, COUNTY_CODE)
    assert demo.load(conn, COUNTY_CODE) == 0 and store.stored_in(conn, COUNTY_CODE) == before
