"""Dispute screening's cadence and year-on-year targets (geo.disputes): every level, the
half-month boundaries, February, a slot still running, months and quarters."""
from __future__ import annotations

from datetime import date

import pytest

from geo import disputes as rules

D = date


def test_periods_are_months_or_quarters():
    assert rules.period_dates("2026-11") == (D(2026, 11, 1), D(2026, 12, 1))
    assert rules.period_dates("2026-12") == (D(2026, 12, 1), D(2027, 1, 1))
    assert rules.period_dates("2026Q4") == (D(2026, 10, 1), D(2027, 1, 1))
    for bad in ("2026-13", "2026-1", "2026Q5", "", "2026-11-01", None):
        with pytest.raises(ValueError):
            rules.period_dates(bad)


def test_the_county_owes_one_slot_a_month_and_a_township_two():
    start, end = rules.period_dates("2026Q4")
    assert rules.slots("county", start, end) == [(D(2026, 10, 1), D(2026, 10, 31)), (D(2026, 11, 1), D(2026, 11, 30)),
                                                 (D(2026, 12, 1), D(2026, 12, 31))]
    town = rules.slots("township", start, end)
    assert len(town) == 6 and town[0] == (D(2026, 10, 1), D(2026, 10, 15)) and town[1] == (D(2026, 10, 16),
                                                                                          D(2026, 10, 31))
    assert rules.slots("village", start, end) == []
    with pytest.raises(ValueError):
        rules.slots("province", start, end)


@pytest.mark.parametrize("year, last", [(2026, 28), (2028, 29)])
def test_february_second_half_ends_on_its_last_day(year, last):
    start, end = rules.period_dates(f"{year}-02")
    assert rules.slots("township", start, end) == [(D(year, 2, 1), D(year, 2, 15)), (D(year, 2, 16), D(year, 2, last))]
    done = rules.unit_cadence("township", start, end, [D(year, 2, 15), D(year, 2, last)], D(year, 3, 5))
    assert (done["required"], done["done"], done["missing"]) == (2, 2, 0)


def test_half_month_boundaries():
    start, end = rules.period_dates("2026-11")
    after = D(2026, 12, 10)
    # the 15th belongs to the first half, the 16th to the second: both halves done
    assert rules.unit_cadence("township", start, end, [D(2026, 11, 15), D(2026, 11, 16)], after)["missing"] == 0
    # two screenings in the first half leave the second missing
    twice = rules.unit_cadence("township", start, end, [D(2026, 11, 1), D(2026, 11, 15)], after)
    assert [s["status"] for s in twice["slots"]] == ["done", "missing"] and twice["share"] == 0.5
    # the 16th–30th only
    late = rules.unit_cadence("township", start, end, [D(2026, 11, 30)], after)
    assert [s["status"] for s in late["slots"]] == ["missing", "done"]


def test_a_slot_still_running_is_due_not_missing():
    start, end = rules.period_dates("2026-11")
    got = rules.unit_cadence("township", start, end, [], D(2026, 11, 20))
    assert [s["status"] for s in got["slots"]] == ["missing", "due"]
    assert (got["required"], got["done"], got["missing"], got["due"], got["share"]) == (1, 0, 1, 1, 0.0)
    # on a slot's last day it is still due
    assert rules.unit_cadence("township", start, end, [], D(2026, 11, 15))["slots"][0]["status"] == "due"
    county = rules.unit_cadence("county", start, end, [], D(2026, 11, 30))
    assert county["due"] == 1 and county["required"] == 0 and county["share"] is None
    assert rules.unit_cadence("county", start, end, [], D(2026, 12, 1))["missing"] == 1


def test_a_quarter_counts_every_month_and_half_month():
    start, end = rules.period_dates("2026Q4")
    days = [D(2026, 10, 3), D(2026, 10, 20), D(2026, 11, 2)]
    county = rules.unit_cadence("county", start, end, days, D(2026, 11, 20))
    assert [s["status"] for s in county["slots"]] == ["done", "done", "due"]
    town = rules.unit_cadence("township", start, end, days, D(2026, 11, 20))
    assert [s["status"] for s in town["slots"]] == ["done", "done", "done", "due", "due", "due"]
    assert (town["required"], town["done"], town["missing"], town["screenings"]) == (3, 3, 0, 3)


def test_villages_are_counted_never_flagged():
    start, end = rules.period_dates("2026-11")
    got = rules.unit_cadence("village", start, end, [D(2026, 11, 3), D(2026, 11, 3), D(2026, 10, 31)], D(2027, 1, 1))
    assert (got["screenings"], got["required"], got["missing"], got["share"]) == (2, 0, 0, None)


def test_ten_percent_fewer_exactly_meets_the_target():
    got = rules.year_on_year("civil_to_criminal", 9, 10)
    assert got["change"] == -0.1 and got["target"] == -0.1 and got["met"]
    assert rules.year_on_year("civil_to_criminal", 18, 20)["met"]
    assert not rules.year_on_year("civil_to_criminal", 19, 20)["met"]
    assert rules.year_on_year("dispute_homicide", 4, 5)["met"]
    assert not rules.year_on_year("dispute_homicide", 9, 10)["met"]
    assert not rules.year_on_year("dispute_homicide", 3, 2)["met"]


def test_last_year_zero_is_met_only_by_zero():
    none = rules.year_on_year("dispute_homicide", 0, 0)
    assert none["met"] and none["change"] is None and none["note"]
    some = rules.year_on_year("dispute_homicide", 1, 0)
    assert not some["met"] and some["change"] is None


def test_the_same_span_last_year():
    assert rules.same_span_last_year(D(2026, 11, 26)) == (D(2025, 1, 1), D(2025, 11, 26))
    assert rules.same_span_last_year(D(2028, 2, 29)) == (D(2027, 1, 1), D(2027, 2, 28))
