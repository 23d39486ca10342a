"""The school calendar: read it for a period (alerts, visit statistics), a year's document
(API, page), and change it: a day, a term, a CSV import with its preview, CSV exports.

Every change is audit-logged with who made it; the tables are tracked by
``layers.versions``, so kept visit reports and alerts follow at the next ask.
"""
from __future__ import annotations

from datetime import date, timedelta

from data import calendar_file
from geo import school_calendar as sc
from layers import audit
from layers import school_calendar as records
from layers.errors import Conflict, InvalidInput
from web.services.accounts import Actor

SCOPES = {"national": "全国统一（国务院安排）", "county": "本县"}


def calendar(conn, county_code: str, start: date, end: date) -> sc.SchoolCalendar:
    """The county's calendar for the days ``start`` to ``end`` (both included)."""
    return sc.build(records.days(conn, county_code, start, end), records.terms(conn, county_code))


def _scope_code(county_code: str, scope: str) -> str | None:
    return None if scope == "national" else county_code


def _day_doc(r: dict) -> dict:
    return {"date": r["day"].isoformat(), "kind": r["kind"], "kind_label": sc.KINDS[r["kind"]],
            "name": r["name"], "scope": "national" if r["county_code"] is None else "county",
            "changed_by": r["changed_by"], "weekday": f"周{sc.WEEKDAYS[r['day'].weekday()]}"}


def _term_doc(r: dict) -> dict:
    return {"id": r["id"], "name": r["name"], "starts": r["starts"].isoformat(), "ends": r["ends"].isoformat(),
            "school_code": r["school_code"], "changed_by": r["changed_by"]}


def year_document(conn, county_code: str, year: int) -> dict:
    """The year's holidays and make-up days (national and the county's), the county's
    terms, and per month the calendar, working and school days."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    day_rows = records.days(conn, county_code, start, end)
    term_rows = records.terms(conn, county_code)
    cal = sc.build(day_rows, term_rows)
    months = sc.month_counts(cal, year)
    return {"year": year, "county_code": county_code, "days": [_day_doc(r) for r in day_rows],
            "terms": [_term_doc(r) for r in term_rows], "months": months,
            "calendar_days": sum(m["days"] for m in months), "school_days": sum(m["school_days"] for m in months),
            "terms_known": bool(term_rows)}


def set_day(conn, county_code: str, who: Actor, day: date, kind: str, name: str, scope: str = "county") -> dict:
    """Add or replace a holiday or make-up day (national or the county's); audit-logged."""
    code = _scope_code(county_code, scope)
    before = records.day_row(conn, code, day)
    records.set_day(conn, code, day, kind, name, who.name)
    audit.record(conn, "calendar_day_set", actor=who.name, target=f"{scope}:{day.isoformat()}",
                 before=None if before is None else {"kind": before["kind"], "name": before["name"]},
                 after={"kind": kind, "name": name, "county_code": code}, address=who.address)
    return {"date": day.isoformat(), "kind": kind, "name": name, "scope": scope, "replaced": before is not None}


def remove_day(conn, county_code: str, who: Actor, day: date, scope: str = "county") -> dict:
    """Remove a holiday or make-up day; audit-logged. FeatureNotFound when there is none."""
    code = _scope_code(county_code, scope)
    gone = records.remove_day(conn, code, day)
    audit.record(conn, "calendar_day_removed", actor=who.name, target=f"{scope}:{day.isoformat()}",
                 before={"kind": gone["kind"], "name": gone["name"], "county_code": code}, address=who.address)
    return _day_doc(gone)


def save_term(conn, county_code: str, who: Actor, row: dict, term_id: int | None = None) -> dict:
    """Add a term or change one (``term_id``); audit-logged. Conflict when another term of the
    same school(s) has that name."""
    before = records.term(conn, county_code, term_id) if term_id is not None else None
    same = records.term_named(conn, county_code, row["name"], row.get("school_code"))
    if same is not None and term_id is not None and same["id"] != term_id:
        raise Conflict(f"已有名为“{row['name']}”的学期")
    new_id = records.save_term(conn, county_code, row, who.name, term_id)
    after = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}
    audit.record(conn, "school_term_set", actor=who.name, target=row["name"],
                 before=None if before is None else _term_doc(before), after=after, address=who.address)
    return {**_term_doc(records.term(conn, county_code, new_id))}


def remove_term(conn, county_code: str, who: Actor, term_id: int) -> dict:
    """Remove a term; audit-logged."""
    gone = _term_doc(records.remove_term(conn, county_code, term_id))
    audit.record(conn, "school_term_removed", actor=who.name, target=gone["name"], before=gone, address=who.address)
    return gone


def preview_import(conn, county_code: str, raw: bytes | str, scope: str = "national") -> dict:
    """What importing a calendar CSV would change: {kind, rows, added, changed, unchanged}
    (each change with before and after). ImportRefused naming every bad row and field."""
    parsed = calendar_file.parse(raw)
    changes = {"added": [], "changed": [], "unchanged": 0}
    for row in parsed["rows"]:
        if parsed["kind"] == "days":
            old = records.day_row(conn, _scope_code(county_code, scope), row["date"])
            now = {"date": row["date"].isoformat(), "kind": row["kind"], "name": row["name"]}
            was = None if old is None else {"date": now["date"], "kind": old["kind"], "name": old["name"]}
        else:
            old = records.term_named(conn, county_code, row["name"], row["school_code"])
            now = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}
            was = None if old is None else {k: v for k, v in _term_doc(old).items() if k in now}
        if was is None:
            changes["added"].append(now)
        elif was != now:
            changes["changed"].append({"before": was, "after": now})
        else:
            changes["unchanged"] += 1
    return {"kind": parsed["kind"], "scope": scope if parsed["kind"] == "days" else "county",
            "rows": len(parsed["rows"]), **changes}


def apply_import(conn, county_code: str, who: Actor, raw: bytes | str, scope: str = "national") -> dict:
    """Import a calendar CSV: its rows are added or replace those of the same day (or term
    name); other entries stay. All or nothing; one audit entry. The preview's counts."""
    preview = preview_import(conn, county_code, raw, scope)
    for row in calendar_file.parse(raw)["rows"]:
        if preview["kind"] == "days":
            records.set_day(conn, _scope_code(county_code, scope), row["date"], row["kind"], row["name"], who.name)
        else:
            records.save_term(conn, county_code, row, who.name)
    audit.record(conn, "calendar_imported", actor=who.name, target=f"{preview['kind']}:{preview['scope']}",
                 after={"rows": preview["rows"], "added": len(preview["added"]), "changed": len(preview["changed"])},
                 address=who.address)
    return preview


def export_csv(conn, county_code: str, what: str, year: int | None = None) -> str:
    """The days in force for the county in ``year`` (date,kind,name), or its terms."""
    if what == "terms":
        return calendar_file.write_terms(records.terms(conn, county_code))
    if year is None:
        raise InvalidInput("导出节假日时需给出年份 year", "year")
    cal = calendar(conn, county_code, date(year, 1, 1), date(year, 12, 31))
    rows = ([{"date": d, "kind": "holiday", "name": n} for d, n in cal.holidays.items()]
            + [{"date": d, "kind": "workday", "name": n} for d, n in cal.workdays.items()])
    return calendar_file.write_days(sorted(rows, key=lambda r: r["date"]))


def period_days(cal: sc.SchoolCalendar, first: date, last: date) -> tuple[list[date], list[date]]:
    """(every local day, the county-wide school days) from ``first`` to ``last``."""
    every = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return every, [d for d in every if cal.is_school_day(d)]
