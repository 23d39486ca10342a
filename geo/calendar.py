"""The county's calendar: its time zone, today, quarters. Pure; no database, no Flask.

Every part of the project that needs "today", a local day or a quarter's bounds takes
them from here, so that the time zone and the quarter arithmetic are written once.
China keeps UTC+08:00 all year (no daylight saving).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Shanghai"
LOCAL = ZoneInfo(TIMEZONE)
QUARTER_RE = re.compile(r"^([0-9]{4})Q([1-4])$")
#: Years the county's records may fall in; dates outside are refused at the edge.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def now() -> datetime:
    """The current local time (aware, Asia/Shanghai)."""
    return datetime.now(LOCAL)


def today() -> date:
    """Today's date in the county."""
    return now().date()


def local(moment: datetime) -> datetime:
    """``moment`` in local time; a naive moment is taken as local already."""
    return moment.replace(tzinfo=LOCAL) if moment.tzinfo is None else moment.astimezone(LOCAL)


def day_start(day: date) -> datetime:
    """The first moment of a local day (aware)."""
    return datetime.combine(day, time(), LOCAL)


def is_quarter(text) -> bool:
    """Whether ``text`` names a quarter like 2026Q3."""
    return isinstance(text, str) and QUARTER_RE.match(text) is not None


def _parts(quarter: str) -> tuple[int, int]:
    match = QUARTER_RE.match(quarter or "")
    if match is None:
        raise ValueError(f"quarter should look like 2026Q3, not {quarter!r}")
    return int(match.group(1)), int(match.group(2))


def quarter_of(day: date) -> str:
    """The quarter a day falls in: 2026-08-01 -> '2026Q3'."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def previous_quarter(quarter: str) -> str:
    year, q = _parts(quarter)
    return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"


def next_quarter(quarter: str) -> str:
    year, q = _parts(quarter)
    return f"{year + 1}Q1" if q == 4 else f"{year}Q{q + 1}"


def quarter_dates(quarter: str) -> tuple[date, date]:
    """(first day of the quarter, first day of the next): a half-open range of local days."""
    year, q = _parts(quarter)
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return start, end


def quarter_bounds(quarter: str) -> tuple[str, str]:
    """``quarter_dates`` as ISO strings, for SQL parameters."""
    start, end = quarter_dates(quarter)
    return start.isoformat(), end.isoformat()


def quarter_end(quarter: str) -> date:
    """The last day of the quarter."""
    return quarter_dates(quarter)[1] - timedelta(days=1)


def period_text(quarter: str) -> str:
    """'2026Q3（2026-07-01 至 2026-09-30）' for people."""
    start, _ = quarter_dates(quarter)
    return f"{quarter}（{start.isoformat()} 至 {quarter_end(quarter).isoformat()}）"
