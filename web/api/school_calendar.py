"""The school calendar (issue 15, item 4): holidays, 调休 make-up days and school terms.
GET for every role that sees schools; POST and DELETE for admins."""
from __future__ import annotations

from flask import jsonify

from web import context, params
from web.api import bp
from web.auth import actor, require_role
from web.schemas.school_calendar import CalendarChange, CalendarRemoval, Year
from web.services import school_calendar


@bp.route("/calendar")
@require_role("commander", "planner", "leader")
def calendar_year():
    """A year's holidays and make-up days (national and the county's), the county's terms,
    and per month the calendar, working and school days."""
    year = params.query(Year).year
    return jsonify(school_calendar.year_document(context.conn(), context.code(), year))


@bp.route("/calendar", methods=["POST"])
@require_role()  # admins only
def calendar_change():
    """Add or replace days ({date, kind, name, scope}) and terms ({name, starts, ends,
    school_code}); all or nothing."""
    ask = params.body(CalendarChange)
    conn, county, who = context.conn(), context.code(), actor()
    days = [school_calendar.set_day(conn, county, who, d.date, d.kind, d.name, d.scope) for d in ask.days]
    terms = [school_calendar.save_term(conn, county, who, t.row()) for t in ask.terms]
    return jsonify({"days": days, "terms": terms}), 201


@bp.route("/calendar", methods=["DELETE"])
@require_role()
def calendar_remove():
    """Remove a day (?date=YYYY-MM-DD&scope=county|national) or a term (?term_id=N)."""
    ask = params.query(CalendarRemoval)
    conn, county, who = context.conn(), context.code(), actor()
    if ask.term_id is not None:
        return jsonify({"removed": school_calendar.remove_term(conn, county, who, ask.term_id)})
    return jsonify({"removed": school_calendar.remove_day(conn, county, who, ask.date, ask.scope)})
