"""School days as the county keeps them: holidays, 调休 make-up working days and school terms.
Pure; no database, no Flask.

A day is a school day for a school when it falls inside one of the terms that apply to
the school, and it is either a weekday that is not a holiday or a make-up working day
(调休上班, e.g. a Saturday worked in exchange for a longer holiday).

Which terms apply: a school's own terms when it has any, else the county's terms for
every school. A county that has recorded no term at all is treated as "terms unknown":
the term condition is left out and only weekdays, holidays and 调休 decide (that is how
the app behaved before the calendar existed).

Holidays and make-up days are national (the State Council's schedule) or the county's
own; the county's entry for a day overrides the national one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from geo.calendar import FIRST_YEAR, LAST_YEAR

KINDS = {"holiday": "节假日", "workday": "调休上班"}
WEEKDAYS = "一二三四五六日"
MAX_TERM_DAYS = 366


@dataclass(frozen=True)
class Term:
    """A school term: [starts, ends], both days included; school_code None = every school."""

    name: str
    starts: date
    ends: date
    school_code: str | None = None

    def holds(self, day: date) -> bool:
        return self.starts <= day <= self.ends


@dataclass(frozen=True)
class SchoolCalendar:
    """Holidays and make-up days ({date: name}) and terms of one county."""

    holidays: dict = field(default_factory=dict)
    workdays: dict = field(default_factory=dict)
    terms: tuple = ()

    def terms_for(self, school: str | None = None) -> tuple:
        """The terms that apply to ``school`` (its own if it has any, else the county-wide
        ones); for no school, the county-wide terms."""
        own = tuple(t for t in self.terms if school is not None and t.school_code == school)
        return own or tuple(t for t in self.terms if t.school_code is None)

    def in_term(self, day: date, school: str | None = None) -> bool:
        """Whether ``day`` falls inside a term of ``school`` (always, when no term is known)."""
        terms = self.terms_for(school)
        if not terms and not self.terms:
            return True
        return any(t.holds(day) for t in terms)

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a holiday, or a make-up working day (调休)."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def is_school_day(self, day: date, school: str | None = None) -> bool:
        """Inside a term and a working day."""
        return self.in_term(day, school) and self.is_working_day(day)

    def why_not(self, day: date, school: str | None = None) -> str | None:
        """Why ``day`` is not a school day, in Chinese ('国庆节', '周六', '不在学期内（假期）'),
        or None when it is one."""
        if self.is_school_day(day, school):
            return None
        if not self.in_term(day, school):
            return "不在学期内（寒暑假）"
        if day in self.holidays:
            return self.holidays[day] or "节假日"
        return f"周{WEEKDAYS[day.weekday()]}"

    def note(self, day: date, school: str | None = None) -> str | None:
        """'今日非上学日（国庆节）' for the alerts, or None on a school day."""
        why = self.why_not(day, school)
        return None if why is None else f"今日非上学日（{why}）"

    def school_days(self, start: date, end: date, school: str | None = None) -> list[date]:
        """The school days from ``start`` to ``end``, both included."""
        return [d for d in days_between(start, end) if self.is_school_day(d, school)]

    def count_school_days(self, start: date, end: date, school: str | None = None) -> int:
        """How many school days from ``start`` to ``end``, both included."""
        return len(self.school_days(start, end, school))


def days_between(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end``, both included ([] when end < start)."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def build(day_rows, term_rows) -> SchoolCalendar:
    """A calendar from rows as the database keeps them: day rows {day, kind, name,
    county_code} (national rows have county_code None and yield to the county's own for
    the same day) and term rows {name, starts, ends, school_code}."""
    chosen: dict = {}
    for r in sorted(day_rows, key=lambda r: r.get("county_code") is not None):
        chosen[r["day"]] = r   # the county's row, sorted last, wins
    holidays = {d: r.get("name") or "" for d, r in chosen.items() if r["kind"] == "holiday"}
    workdays = {d: r.get("name") or "" for d, r in chosen.items() if r["kind"] == "workday"}
    terms = tuple(Term(r["name"], r["starts"], r["ends"], r.get("school_code")) for r in term_rows)
    return SchoolCalendar(holidays, workdays, terms)


def check_day(day: date) -> None:
    """ValueError unless ``day`` lies in the years the county's records may use."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"年份应在 {FIRST_YEAR} 与 {LAST_YEAR} 之间，而不是 {day.year}")


def check_term(starts: date, ends: date) -> None:
    """ValueError unless [starts, ends] is a sane term."""
    check_day(starts)
    check_day(ends)
    if starts > ends:
        raise ValueError("学期开始日期不能晚于结束日期")
    if (ends - starts).days > MAX_TERM_DAYS:
        raise ValueError(f"一个学期不能超过 {MAX_TERM_DAYS} 天")


def month_counts(cal: SchoolCalendar, year: int) -> list[dict]:
    """Per month of ``year``: calendar days, working days, school days (county-wide)."""
    out = []
    for month in range(1, 13):
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        days = days_between(start, end)
        out.append({"month": month, "days": len(days),
                    "working_days": sum(cal.is_working_day(d) for d in days),
                    "school_days": sum(cal.is_school_day(d) for d in days)})
    return out
