"""The plan curve and projections, on the milestone days themselves and in a leap year."""
from datetime import date

import pytest

from geo.remediation import burnup, curve, plan_target, project


@pytest.mark.parametrize("year", [2026, 2028])  # 2028 is a leap year
def test_plan_curve_on_its_milestones(year):
    assert plan_target(date(year, 1, 1), year) == 0.0
    assert plan_target(date(year, 6, 30), year) == pytest.approx(0.6)
    assert plan_target(date(year, 12, 31), year) == 1.0
    assert plan_target(date(year - 1, 12, 31), year) == 0.0
    assert plan_target(date(year + 1, 1, 1), year) == 1.0


def test_plan_curve_in_a_leap_year_counts_29_february():
    # 1 Jan to 30 Jun is 181 days in 2028 and 180 in 2026
    assert plan_target(date(2028, 3, 1), 2028) == pytest.approx(0.6 * 60 / 181)
    assert plan_target(date(2026, 3, 1), 2026) == pytest.approx(0.6 * 59 / 180)
    assert plan_target(date(2028, 2, 29), 2028) == pytest.approx(0.6 * 59 / 181)


def test_second_half_runs_from_60_to_100():
    # 30 Jun to 31 Dec is 184 days; 1 Oct is 93 days after 30 Jun
    assert plan_target(date(2026, 10, 1), 2026) == pytest.approx(0.6 + 0.4 * 93 / 184)
    shares = [s for _, s in curve(2026)]
    assert len(shares) == 365 and shares == sorted(shares)


def test_projection_at_recent_pace():
    # 10 remote, 4 done, 2 of them in the last 60 days: 1 per 30 days, 6 left -> 180 days
    p = project(10, 4, 2, date(2026, 7, 1), 2026)
    assert p.finish == date(2026, 12, 28) and p.on_time and not p.done
    late = project(10, 4, 3, date(2026, 7, 1), 2026)
    assert late.finish == date(2027, 6, 26)  # 360 days on and not late.on_time
    stalled = project(10, 4, 4, date(2026, 7, 1), 2026)
    assert stalled.finish is None and not stalled.on_time
    assert project(5, 5, 1, date(2026, 7, 1), 2026).done


def test_burnup_counts_from_the_confirmation_day_inclusive():
    events = [("a", date(2026, 3, 1), 1, "remediated"),
              ("b", date(2026, 2, 1), 2, "in_progress"),
              ("b", date(2026, 3, 3), 3, "remediated"),
              ("c", date(2026, 3, 2), 4, "remediated"),
              ("c", date(2026, 3, 4), 5, "in_progress")]  # later withdrawn
    series = dict(burnup(events, 4, date(2026, 2, 28), date(2026, 3, 5)))
    assert series[date(2026, 2, 28)] == 0.0
    assert series[date(2026, 3, 1)] == 0.25
    assert series[date(2026, 3, 2)] == 0.5
    assert series[date(2026, 3, 3)] == 0.75
    assert series[date(2026, 3, 4)] == 0.5
    assert series[date(2026, 3, 5)] == 0.5
