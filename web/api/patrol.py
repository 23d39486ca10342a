"""Patrol (R5, R6, R7): staffing, visits, alerts, route plans, routes and tracks."""
from __future__ import annotations

from datetime import timedelta

from flask import jsonify, request

from geo.calendar import now
from layers.errors import InvalidInput
from web import context, inputs, params
from web.api import bp
from web.auth import require_role
from web.services import patrol


@bp.route("/patrol/staffing")
def patrol_staffing():
    """Team strength against R7: township full-time ≥ 15, village volunteers ≥ 6."""
    return jsonify(patrol.staffing(context.conn(), context.code()))


@bp.route("/patrol/visits")
def patrol_visits():
    """How often patrols were at each listed hotspot and school (within 200 m) in a period."""
    end = params.moment(request.args, "to", now())
    start = params.moment(request.args, "from", end - timedelta(days=7))
    if start >= end:
        raise InvalidInput("参数 from 必须早于 to", "from")
    return jsonify(patrol.visit_report(context.conn(), context.code(), start, end))


@bp.route("/patrol/alerts")
def patrol_alerts():
    """Alerts for the commander: unvisited hotspots and schools, teams off their route."""
    at = params.moment(request.args, "now", now())
    hours = params.number(request.args, "hours", 24.0, 0, 24 * 31)
    return jsonify(patrol.alerts(context.conn(), context.code(), at, hours))


@bp.route("/patrol/routes/plan")
def patrol_plan():
    """Plan a team's route through its listed hotspots and schools along the roads."""
    team = request.args.get("team") or ""
    if not team:
        raise InvalidInput("缺少参数 team", "team")
    return jsonify(patrol.plan_for_team(context.conn(), context.code(), team, inputs.route_args(request.args)))


@bp.route("/patrol/routes", methods=["POST"])
@require_role("commander")
def patrol_save_route():
    """Save a drawn or planned route for a team and shift (commanders)."""
    route = inputs.route(params.json_body())
    added, updated = patrol.save_route(context.conn(), context.code(), route, {"saved_by": context.user_name()})
    return jsonify({"code": route["code"], "added": added, "updated": updated}), 201


@bp.route("/patrol/tracks", methods=["POST"])
@require_role("commander")
def patrol_tracks():
    """Store GPS points posted by a device: {team_code, points: [{lon, lat, recorded_at}]}."""
    team, points = inputs.track_points(params.json_body())
    added, updated = patrol.add_tracks(context.conn(), context.code(), team, points)
    return jsonify({"added": added, "updated": updated}), 201
