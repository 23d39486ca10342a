"""Dispute screening (矛盾纠纷排查, issue 16 item 4; seed §9): the cadence per level, the
year-on-year targets for 民转刑 and dispute homicides, screenings recorded and removed,
incidents flagged. Rules: ``geo.disputes``; SQL: ``layers.disputes``. No Flask.

A screening may be removed only by its author or an admin, on the (local) day it was
recorded; it is kept, marked deleted with who and when, and no longer counts.
"""
from __future__ import annotations

from datetime import date, timedelta

from geo import disputes as rules
from geo.calendar import today as local_today
from layers import disputes as store
from layers.errors import FeatureNotFound, InvalidInput


def _iso(d: date) -> str:
    return d.isoformat()


def _unit_rows(level: str, units: list[dict], days: dict, start: date, end: date, today: date) -> list[dict]:
    rows = []
    for unit in units:
        got = rules.unit_cadence(level, start, end, days.get((level, unit["code"]), []), today)
        got["slots"] = [{"first": _iso(s["first"]), "last": _iso(s["last"]), "status": s["status"],
                         "label": rules.STATUS_LABELS[s["status"]]} for s in got["slots"]]
        rows.append({**unit, **got})
    return rows


def cadence(conn, county_code: str, period: str, today: date | None = None) -> dict:
    """Every unit's cadence over ``period`` (2026-11 or 2026Q4): per level the units with their
    slots (done, due, missing), screenings and counts; a summary per level."""
    today = today or local_today()
    start, end = rules.period_dates(period)
    first, last = start - timedelta(days=15), end + timedelta(days=15)   # whole slots at the edges
    days = store.screened_days(conn, county_code, first, last)
    units = store.units(conn, county_code)
    levels = {}
    for level in rules.LEVELS:
        rows = _unit_rows(level, units[level], days, start, end, today)
        levels[level] = {"label": rules.LEVEL_LABELS[level], "cadence": rules.CADENCE_LABELS[level],
                         "units": rows, "screenings": sum(r["screenings"] for r in rows),
                         "required": sum(r["required"] for r in rows), "done": sum(r["done"] for r in rows),
                         "missing": sum(r["missing"] for r in rows), "due": sum(r["due"] for r in rows),
                         "units_missing": [r["code"] for r in rows if r["missing"]]}
    return {"period": period, "start": _iso(start), "end": _iso(end - timedelta(days=1)), "today": _iso(today),
            "levels": levels}


def township_screening(conn, county_code: str, start: date, end: date, today: date | None = None) -> dict[str, dict]:
    """Per township code over local days [start, end): {"required", "done", "missing", "share"}:
    the half-month slots overlapping the range that have ended or hold a screening, those
    done, those missed, done / required (None when nothing is required yet)."""
    today = today or local_today()
    days = store.screened_days(conn, county_code, start - timedelta(days=15), end + timedelta(days=15))
    out = {}
    for unit in store.units(conn, county_code)["township"]:
        got = rules.unit_cadence("township", start, end, days.get(("township", unit["code"]), []), today)
        out[unit["code"]] = {k: got[k] for k in ("required", "done", "missing", "share")}
    return out


def year_on_year(conn, county_code: str, day: date) -> dict:
    """民转刑 and dispute homicides from 1 January to ``day`` (inclusive) against the same span
    last year, each against its target (−10%, −20%)."""
    last_first, last_day = rules.same_span_last_year(day)
    now = store.flagged_counts(conn, county_code, date(day.year, 1, 1), day)
    before = store.flagged_counts(conn, county_code, last_first, last_day)
    return {"date": _iso(day), "this_year": {"from": _iso(date(day.year, 1, 1)), "to": _iso(day)},
            "last_year": {"from": _iso(last_first), "to": _iso(last_day)},
            "targets": [rules.year_on_year(k, now[k], before[k]) for k in rules.TARGETS]}


def listing(conn, county_code: str, filters, today: date) -> list[dict]:
    """Screenings matching ``filters`` (``ScreeningFilter``; default this year), newest first."""
    start = filters.start or date(today.year, 1, 1)
    end = filters.end or today + timedelta(days=1)
    rows = store.listing(conn, county_code, start, end, filters.level)
    return [{**r, "level_label": rules.LEVEL_LABELS[r["level"]], "screened_on": _iso(r["screened_on"]),
             "created_at": r["created_at"].isoformat()} for r in rows]


def record(conn, county_code: str, values, user: str, today: date) -> dict:
    """Store a screening (``NewScreening``): the unit must be the county's, of that level, and
    the day not after today. {id}."""
    if values.screened_on > today:
        raise InvalidInput(f"字段 screened_on 不能晚于今天（{today.isoformat()}）", "screened_on")
    if not store.unit_exists(conn, county_code, values.level, values.unit_code):
        what = {"county": f"县级排查的 unit_code 应为本县代码 {county_code}",
                "township": "本县没有这个乡镇", "village": "本县没有这个村（社区）"}[values.level]
        raise InvalidInput(f"字段 unit_code {what}：'{values.unit_code}'", "unit_code")
    return {"id": store.add(conn, county_code, values.model_dump(), user)}


def removal_refused(conn, county_code: str, screening_id: int, user: str, is_admin: bool, today: date) -> str | None:
    """Why ``user`` may not remove the screening (None: they may; its row is locked): only its
    author or an admin, on the day it was recorded. FeatureNotFound when there is none."""
    row = store.get(conn, county_code, screening_id)
    if row is None:
        raise FeatureNotFound(f"没有编号为 {screening_id} 的排查记录")
    if not is_admin and row["created_by"] != user:
        return "只有录入人或管理员可以删除排查记录"
    if row["created_on"] != today:
        return "排查记录只能在录入当天删除"
    return None


def remove(conn, county_code: str, screening_id: int, user: str) -> dict:
    """Remove a screening (kept, marked deleted by ``user``); check ``removal_refused`` first."""
    if not store.remove(conn, county_code, screening_id, user):
        raise FeatureNotFound(f"没有编号为 {screening_id} 的排查记录")
    return {"id": screening_id, "deleted": True}


def mark_incident(conn, county_code: str, code: str, flags, user: str) -> dict:
    """Set an incident's 民转刑 / dispute-homicide flags (``DisputeFlags``; a flag not given
    stays), keeping who, when and what before. The incident's flags and their history."""
    before = store.incident_flags(conn, county_code, code)
    if before is None:
        raise FeatureNotFound(f"没有编号为 {code} 的警情")
    after = {k: before[k] if getattr(flags, k) is None else getattr(flags, k)
             for k in ("civil_to_criminal", "dispute_homicide")}
    store.mark_incident(conn, county_code, code, after, before, flags.note, user)
    history = [{**m, "at": m["at"].isoformat()} for m in store.marks(conn, county_code, code)]
    return {"code": code, **after, "history": history}
