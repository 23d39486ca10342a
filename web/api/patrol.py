"""Patrol (R5, R6, R7): staffing, visits, alerts, route plans, routes and tracks."""
from __future__ import annotations

from flask import jsonify

from geo.calendar import now
from web import context, params
from web.api import bp
from web.auth import require_role
from web.cache import kept, kept_json
from web.schemas.patrol import Alerts, Period, PlanQuery, Route, Tracks
from web.services import patrol


@bp.route("/patrol/staffing")
def patrol_staffing():
    """Team strength against R7: township full-time ≥ 15, village volunteers ≥ 6."""
    return jsonify(patrol.staffing(context.conn(), context.code()))


@bp.route("/patrol/visits")
@kept
def patrol_visits():
    """How often patrols were at each listed hotspot and school (within 200 m) in a period."""
    period = params.query(Period)
    return jsonify(patrol.visit_report(context.conn(), context.code(), period.start, period.end))


@bp.route("/patrol/alerts")
def patrol_alerts():
    """Alerts for the commander: unvisited hotspots and schools, teams off their route.
    Without ``now``, as of the current minute (kept for that minute)."""
    ask = params.query(Alerts)
    at = ask.now or now().replace(second=0, microsecond=0)
    return kept_json(("patrol_alerts", at, ask.hours),
                     lambda: patrol.alerts(context.conn(), context.code(), at, ask.hours))


@bp.route("/patrol/routes/plan")
@kept
def patrol_plan():
    """Plan a team's route through its listed hotspots and schools along the roads."""
    ask = params.query(PlanQuery)
    return jsonify(patrol.plan_for_team(context.conn(), context.code(), ask.team, ask))


@bp.route("/patrol/routes", methods=["POST"])
@require_role("commander")
def patrol_save_route():
    """Save a drawn or planned route for a team and shift (commanders)."""
    route = params.body(Route)
    added, updated = patrol.save_route(context.conn(), context.code(), route.model_dump(),
                                       {"saved_by": context.user_name()})
    return jsonify({"code": route.code, "added": added, "updated": updated}), 201


@bp.route("/patrol/tracks", methods=["POST"])
@require_role("commander")
def patrol_tracks():
    """Store GPS points posted by a device: {team_code, points: [{lon, lat, recorded_at}]}."""
    added, updated = patrol.add_tracks(context.conn(), context.code(), params.body(Tracks))
    return jsonify({"added": added, "updated": updated}), 201
