"""Dispute screening (矛盾纠纷排查, issue 16 item 4): cadence, year-on-year targets,
screenings, and an incident's 民转刑 / dispute-homicide flags.

Planners and admins record screenings and flag incidents; leaders and commanders read; a
screening is removed (kept as deleted) by its author or an admin on the day it was recorded.
"""
from __future__ import annotations

from flask import abort, jsonify

from geo.calendar import today
from web import context, params
from web.api import bp
from web.auth import may, require_role
from web.schemas.disputes import DisputeFlags, NewScreening, PeriodQuery, ScreeningFilter, TargetsQuery
from web.services import disputes

READERS = ("planner", "commander", "leader")


@bp.route("/disputes/cadence", methods=["GET"])
@require_role(*READERS)
def dispute_cadence():
    """Each unit's screening slots over ?period=2026-11|2026Q4 (default this month): done, due, missing."""
    day = today()
    period = params.query(PeriodQuery).period or f"{day.year}-{day.month:02d}"
    return jsonify(disputes.cadence(context.conn(), context.code(), period, day))


@bp.route("/disputes/targets", methods=["GET"])
@require_role(*READERS)
def dispute_targets():
    """民转刑 and dispute homicides this year to ?date= against the same span last year."""
    day = params.query(TargetsQuery).date or today()
    return jsonify(disputes.year_on_year(context.conn(), context.code(), day))


@bp.route("/disputes/screenings", methods=["GET"])
@require_role(*READERS)
def dispute_screenings():
    """Screenings on ?from=&to= (default this year), ?level=county|township|village."""
    rows = disputes.listing(context.conn(), context.code(), params.query(ScreeningFilter), today())
    return jsonify({"screenings": rows, "count": len(rows)})


@bp.route("/disputes/screenings", methods=["POST"])
@require_role("planner")
def dispute_screening_add():
    """Record a screening (level, unit_code, screened_on, disputes_found, resolved, note)."""
    values = params.body_or_form(NewScreening)
    made = disputes.record(context.conn(), context.code(), values, context.user_name(), today())
    return jsonify(made), 201


@bp.route("/disputes/screenings/<int:screening_id>", methods=["DELETE"])
@require_role("planner")
def dispute_screening_delete(screening_id):
    """Remove a screening (kept as deleted): its author or an admin, the day it was recorded."""
    conn, county = context.conn(), context.code()
    refused = disputes.removal_refused(conn, county, screening_id, context.user_name(), may("admin"), today())
    if refused:
        abort(403, description=refused)
    return jsonify(disputes.remove(conn, county, screening_id, context.user_name()))


@bp.route("/incidents/<code>/dispute", methods=["PATCH"])
@require_role("planner")
def incident_dispute(code):
    """Set an incident's civil_to_criminal (民转刑) and dispute_homicide flags; who and when kept."""
    flags = params.body_or_form(DisputeFlags)
    return jsonify(disputes.mark_incident(context.conn(), context.code(), code[:100], flags, context.user_name()))
