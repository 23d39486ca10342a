"""Remote-village remediation (R1, R2)."""
from __future__ import annotations

from flask import jsonify

from geo.calendar import today
from layers import remediation as records
from web import context, params
from web.api import bp
from web.auth import require_role
from web.cache import kept
from web.schemas.remediation import AsOf, Change, Revert
from web.services import remediation as rem


def _as_of():
    return params.query(AsOf).as_of or today()


@bp.route("/remediation/progress")
def remediation_progress():
    """Remote-village remediation against the plan on a day (R1)."""
    return jsonify(rem.progress_report(context.conn(), context.county(), _as_of()))


@bp.route("/remediation/villages")
@kept
def remediation_villages():
    """Every remote village with its state on a day."""
    return jsonify(rem.village_rows(context.conn(), context.code(), _as_of()))


@bp.route("/remediation/at-risk")
@kept
def remediation_at_risk():
    """The villages most at risk of missing the year-end deadline."""
    return jsonify(rem.at_risk(context.conn(), context.county(), _as_of()))


@bp.route("/remediation/villages/<code>/history")
def remediation_history(code):
    """A village's every change: who, when, before and after."""
    return jsonify(rem.history(context.conn(), context.code(), code))


@bp.route("/remediation/villages/<code>", methods=["POST"])
@require_role("planner")
def remediation_change(code):
    """Change a remote village's status and criteria (planners, admins)."""
    event = rem.record_change(context.conn(), context.code(), code, params.body(Change), context.user_name(),
                              today())
    return jsonify({"event": event, "version": event}), 201


@bp.route("/remediation/events/<int:event_id>/revert", methods=["POST"])
@require_role("planner")
def remediation_revert(event_id):
    """Undo a wrong change; the change stays in the history (planners, admins)."""
    version = params.body(Revert).version
    new_id = records.revert(context.conn(), context.code(), event_id, context.user_name(), version)
    return jsonify({"event": new_id, "version": new_id}), 201
