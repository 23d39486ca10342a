"""Dispute screening (矛盾纠纷排查, seed §9): the cadence each level owes and the
year-on-year targets for 民转刑 and dispute homicides. Pure: dates and counts in, dicts out.

Cadence: the county screens at least once per calendar month; a township at least once in
each half-month (1st–15th, 16th–last day); villages screen at any time (counted, never
flagged). A period (a month ``2026-11`` or a quarter ``2026Q4``) owes the slots that
overlap it; a slot is ``done`` when a screening falls on any of its days, ``due`` while it
has not ended (its last day is today or later) and holds none, ``missing`` once it ended
without one. Days are local (Asia/Shanghai) dates.

Year on year: the count from 1 January to a day (inclusive) against the same span of the
year before (29 February maps to 28 February). Targets: 民转刑 at least 10% fewer, dispute
homicides at least 20% fewer. When last year's span had none, no fall can be measured:
the target is met only when this year has none either (change is None).
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from geo.calendar import QUARTER_RE, quarter_dates

LEVELS = ("county", "township", "village")
LEVEL_LABELS = {"county": "县级", "township": "乡镇", "village": "村（社区）"}
CADENCE_LABELS = {"county": "每月至少一次", "township": "每半月至少一次（1–15 日、16 日–月末）",
                  "village": "随时排查（只计次数）"}
STATUS_LABELS = {"done": "已排查", "due": "进行中", "missing": "缺排查"}
MONTH_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
#: the fall each count must reach against the same span last year, in percent
TARGETS = {"civil_to_criminal": 10, "dispute_homicide": 20}
TARGET_LABELS = {"civil_to_criminal": "民转刑案件", "dispute_homicide": "民事纠纷引发命案"}


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def period_dates(period: str) -> tuple[date, date]:
    """(first day, first day after) of a month '2026-11' or a quarter '2026Q4';
    ValueError otherwise."""
    match = MONTH_RE.match(period or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        return date(year, month, 1), month_end(year, month) + timedelta(days=1)
    if QUARTER_RE.match(period or ""):
        return quarter_dates(period)
    raise ValueError(f"period should look like 2026-11 or 2026Q4, not {period!r}")


def _months(start: date, end: date):
    """(year, month) of every month overlapping [start, end)."""
    year, month = start.year, start.month
    while date(year, month, 1) < end:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def slots(level: str, start: date, end: date) -> list[tuple[date, date]]:
    """The slots (first day, last day, inclusive) ``level`` owes that overlap [start, end):
    months for the county, half-months for a township, none for a village."""
    if level not in LEVELS:
        raise ValueError(f"level should be one of {LEVELS}, not {level!r}")
    out: list[tuple[date, date]] = []
    for year, month in _months(start, end):
        last = month_end(year, month)
        if level == "county":
            out.append((date(year, month, 1), last))
        elif level == "township":
            out += [(date(year, month, 1), date(year, month, 15)), (date(year, month, 16), last)]
    return [(a, b) for a, b in out if b >= start and a < end]


def slot_status(first: date, last: date, days: list[date], today: date) -> str:
    """'done', 'due' (not ended, nothing yet) or 'missing' (ended without a screening)."""
    if any(first <= d <= last for d in days):
        return "done"
    return "due" if last >= today else "missing"


def unit_cadence(level: str, start: date, end: date, days: list[date], today: date) -> dict:
    """One unit's cadence over [start, end): its slots with their status, the screenings in
    the period, and the counts: required (slots ended or done), done, missing, due, share
    (done / required; None when nothing is required yet)."""
    owed = [{"first": a, "last": b, "status": slot_status(a, b, days, today)} for a, b in slots(level, start, end)]
    count = {s: sum(o["status"] == s for o in owed) for s in STATUS_LABELS}
    required = count["done"] + count["missing"]
    return {"slots": owed, "screenings": sum(start <= d < end for d in days), "required": required,
            "done": count["done"], "missing": count["missing"], "due": count["due"],
            "share": round(count["done"] / required, 4) if required else None}


def same_span_last_year(day: date) -> tuple[date, date]:
    """(1 January, the same day) of the year before ``day``'s; 29 February -> 28 February."""
    year = day.year - 1
    return date(year, 1, 1), date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def change(this_year: int, last_year: int) -> float | None:
    """(this - last) / last, rounded to 4 places; None when last year had none."""
    return round((this_year - last_year) / last_year, 4) if last_year else None


def target_met(this_year: int, last_year: int, fall_percent: int) -> bool:
    """Whether this year's count is at least ``fall_percent`` % below last year's (exact, in
    integers: 9 against 10 meets −10%). Last year 0: met only when this year is 0 too."""
    if last_year == 0:
        return this_year == 0
    return this_year * 100 <= last_year * (100 - fall_percent)


def year_on_year(key: str, this_year: int, last_year: int) -> dict:
    """One target's figures: counts, change, target (a negative fraction), met."""
    fall = TARGETS[key]
    return {"key": key, "label": TARGET_LABELS[key], "this_year": this_year, "last_year": last_year,
            "change": change(this_year, last_year), "target": -fall / 100,
            "met": target_met(this_year, last_year, fall),
            "note": "去年同期为 0：今年也为 0 才算达标" if last_year == 0 else ""}
