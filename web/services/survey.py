"""Opinion calls (民意调查; issue 16, items 1 and 6): record a call, the day's count against
the required 50, per-township means, the list, the week's plan, the anonymised export.

Privacy: a phone number is hashed before anything is stored (``data.importer.phones``) and
no answer of this module carries a hash; free text (``problems``) goes only to planners and
admins (``with_text``). Days are local (Asia/Shanghai); periods are [start, end).
"""
from __future__ import annotations

from datetime import date, timedelta

from data.importer.phones import phone_hash
from geo import survey as rules
from geo.calendar import day_start, now
from layers import survey as store
from layers.errors import InvalidInput

TEXT_ROLES = ("planner", "admin")


def daily(conn, county_code: str, day: date) -> dict:
    """{"date", "calls", "required", "met"} for one local day."""
    calls = store.count(conn, county_code, day_start(day), day_start(day + timedelta(days=1)))
    required = store.required_daily(conn, county_code)
    return {"date": day.isoformat(), "calls": calls, "required": required, "met": rules.met(calls, required)}


def township_opinion(conn, county_code: str, start: date, end: date) -> dict[str, dict]:
    """Per township code: {"calls", "safety", "satisfaction"} (means to 2 places) over the
    local days [start, end); townships without calls are absent."""
    rows = store.township_means(conn, county_code, day_start(start), day_start(end))
    return {code: {"calls": n, "safety": round(s, 2) if s is not None else None,
                   "satisfaction": round(f, 2) if f is not None else None} for code, n, s, f in rows}


def _answers(given: dict, questions: list[dict]) -> dict:
    """The answers to active questions, checked against their kind; InvalidInput otherwise."""
    kinds = {q["key"]: q["kind"] for q in questions}
    out = {}
    for key, value in given.items():
        kind = kinds.get(key)
        if kind is None:
            raise InvalidInput(f"answers.{key} 不是本县当前的调查问题", f"answers.{key}")
        if kind == "scale" and (isinstance(value, bool) or value not in rules.SCORES):
            raise InvalidInput(f"answers.{key} 应为 1–5 的整数", f"answers.{key}")
        if kind == "yesno" and not isinstance(value, bool):
            raise InvalidInput(f"answers.{key} 应为 true 或 false", f"answers.{key}")
        if kind == "text" and not isinstance(value, str):
            raise InvalidInput(f"answers.{key} 应为文字", f"answers.{key}")
        out[key] = value
    return out


def repeat_warning(conn, county_code: str, hashed: str | None, when) -> str | None:
    """A warning when the number of ``hashed`` was called already in the quarter of ``when``."""
    if hashed is None:
        return None
    first = rules.quarter_start(when.date())
    seen = store.phone_calls(conn, county_code, hashed, day_start(first), when)
    return f"该号码本季度已拨打过 {seen} 次" if seen else None


def record_call(conn, county_code: str, call, user: str, key: bytes) -> dict:
    """Store one call (``NewCall``): the village must be the county's, answers must fit the
    active questions, the phone number is hashed with ``key``. Returns {id, code, warnings,
    daily}; a number called already this quarter is a warning, not a refusal."""
    if store.village(conn, county_code, call.village_code) is None:
        raise InvalidInput(f"village_code '{call.village_code}' 不是本县的行政村", "village_code")
    hashed = phone_hash(call.phone, key) if call.phone else None
    if call.phone and hashed is None:
        raise InvalidInput("phone 不是有效的电话号码", "phone")
    when = call.called_at or now()
    warning = repeat_warning(conn, county_code, hashed, when)
    values = {"called_at": when, "village_code": call.village_code, "caller": call.caller or user,
              "safety": call.safety, "satisfaction": call.satisfaction, "phone_hash": hashed,
              "answers": _answers(call.answers, store.questions(conn, county_code)), "problems": call.problems}
    made = store.insert(conn, county_code, values, user)
    return {**made, "warnings": [warning] if warning else [], "daily": daily(conn, county_code, when.date())}


def calls(conn, county_code: str, start: date, end: date, township: str | None, role: str) -> list[dict]:
    """The calls of local days [start, end), newest first (at most 2,000): free text only
    for planners and admins; the phone hash never (``has_phone`` says whether there is one)."""
    rows = store.listing(conn, county_code, day_start(start), day_start(end), township)
    out = []
    for r in rows:
        shown = {k: v for k, v in r.items() if k not in ("phone_hash", "problems")}
        shown["day"] = r["day"].isoformat()
        shown["has_phone"] = r["phone_hash"] is not None
        if role in TEXT_ROLES:
            shown["problems"] = r["problems"]
        out.append(shown)
    return out


def month_before(day: date) -> tuple[date, date]:
    """The previous calendar month of ``day``: [first, first of ``day``'s month)."""
    first = day.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1), first


def daily_summary(conn, county_code: str, day: date) -> dict:
    """The day's check with the previous month's: days met, days counted, calls."""
    start, end = month_before(day)
    counts = store.per_day(conn, county_code, day_start(start), day_start(end))
    required = store.required_daily(conn, county_code)
    days = (end - start).days
    return {**daily(conn, county_code, day), "month": start.strftime("%Y-%m"), "month_days": days,
            "month_calls": sum(counts.values()),
            "month_days_met": sum(1 for n in counts.values() if rules.met(n, required))}
