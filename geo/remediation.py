"""Remote-village remediation against the plan curve (R1): pure arithmetic on dates and counts."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from geo.rules import MID_YEAR_SHARE  # R1: share of remote villages remediated by 30 June


def milestones(plan_year: int) -> list[tuple[date, float]]:
    """The plan's milestones: 60% on 30 June, 100% on 31 December."""
    return [(date(plan_year, 6, 30), MID_YEAR_SHARE), (date(plan_year, 12, 31), 1.0)]


def plan_target(as_of: date, plan_year: int) -> float:
    """The remediated share the plan asks for on ``as_of``.

    Straight lines by calendar day from 0 on 1 January to 0.6 on 30 June and on to
    1.0 on 31 December of ``plan_year``; 0 before the year, 1 after it.
    """
    start, mid, end = date(plan_year, 1, 1), date(plan_year, 6, 30), date(plan_year, 12, 31)
    if as_of <= start:
        return 0.0
    if as_of >= end:
        return 1.0
    if as_of <= mid:
        return MID_YEAR_SHARE * (as_of - start).days / (mid - start).days
    return MID_YEAR_SHARE + (1 - MID_YEAR_SHARE) * (as_of - mid).days / (end - mid).days


def share(remediated: int, remote: int) -> float:
    """Remediated share, 0 when there are no remote villages (rounded to 4 places)."""
    return round(remediated / remote, 4) if remote else 0.0


@dataclass
class Projection:
    """When a unit reaches 100% at its recent pace."""

    pace_per_day: float          # villages remediated per day over the window
    finish: date | None          # projected day of 100%; None when the pace is 0
    on_time: bool                # finish on or before 31 December of the plan year
    done: bool                   # already at 100%


def project(remote: int, remediated_now: int, remediated_before: int, as_of: date,
            plan_year: int, window_days: int = 60) -> Projection:
    """Project the day a unit reaches 100% from its pace over the last ``window_days``.

    remediated_before is the count ``window_days`` before ``as_of``.
    """
    deadline = date(plan_year, 12, 31)
    if remote == 0 or remediated_now >= remote:
        return Projection(0.0, as_of if remote else None, True, True)
    pace = max(remediated_now - remediated_before, 0) / window_days
    if pace <= 0:
        return Projection(0.0, None, False, False)
    finish = as_of + timedelta(days=math.ceil((remote - remediated_now) / pace))
    return Projection(round(pace, 4), finish, finish <= deadline, False)


def curve(plan_year: int, step_days: int = 1) -> list[tuple[date, float]]:
    """The target curve as (day, share) pairs over the plan year."""
    day, end = date(plan_year, 1, 1), date(plan_year, 12, 31)
    out = []
    while day <= end:
        out.append((day, plan_target(day, plan_year)))
        day += timedelta(days=step_days)
    if out[-1][0] != end:
        out.append((end, 1.0))
    return out


def burnup(events, remote: int, start: date, end: date) -> list[tuple[date, float]]:
    """Daily remediated share from ``start`` to ``end`` (inclusive).

    events: iterable of (village_code, effective_on, order, status) in force (not reverted);
    a village counts as remediated on a day when its last event by then (by effective_on,
    then order) has status 'remediated'. remote: the number of remote villages.
    """
    by_village: dict[str, list] = {}
    for village, day, order, status in events:
        by_village.setdefault(village, []).append((day, order, status == "remediated"))
    n_days = (end - start).days + 1
    delta = [0] * (n_days + 1)
    for seq in by_village.values():
        seq.sort()
        state, since = False, None
        for day, _order, remediated in seq + [(date.max, 0, None)]:
            if remediated is None or remediated != state:
                if state:  # a remediated spell from `since` to the day before `day`
                    a = max((since - start).days, 0)
                    b = min((day - start).days, n_days) if day != date.max else n_days
                    if a < b:
                        delta[a] += 1
                        delta[b] -= 1
                if remediated is None:
                    break
                state, since = remediated, day
    out, running = [], 0
    for i in range(n_days):
        running += delta[i]
        out.append((start + timedelta(days=i), share(running, remote)))
    return out
