"""The 四单制 problem list (issue 16, item 2): list, create, read, step, stats.

Planners and admins may do everything; commanders may list problems from a patrol
check-in or an incident and record the handling (办单); leaders read; patrol members
nothing (``web.auth.PATROL_ENDPOINTS``).
"""
from __future__ import annotations

from flask import abort, jsonify, url_for
from flask_login import current_user

from geo import problems as machine
from geo.calendar import today
from web import context, params
from web.api import bp
from web.auth import may, require_role
from web.schemas.problems import NewProblem, Period, ProblemFilter, Step
from web.services import problems

READERS = ("planner", "commander", "leader")
COMMANDER_SOURCES = ("checkin", "incident")


@bp.route("/problems", methods=["GET"])
@require_role(*READERS)
def problem_list():
    """The county's problems (?state=&township=&department=&overdue=1; ?format=geojson for the map)."""
    filters = params.query(ProblemFilter)
    rows = problems.listing(context.conn(), context.code(), filters, today())
    if filters.format == "geojson":
        return jsonify(problems.geojson(rows))
    return jsonify({"problems": rows, "count": len(rows)})


@bp.route("/problems", methods=["POST"])
@require_role("planner", "commander")
def problem_create():
    """List a problem (列单): commanders only from a patrol check-in or an incident."""
    values = params.body_or_form(NewProblem)
    if not may("planner") and values.source not in COMMANDER_SOURCES:
        abort(403, description="巡防指挥只能从巡防打卡或警情列出问题")
    made = problems.create(context.conn(), context.code(), values, context.user_name())
    return jsonify({**made, "url": url_for("problems.detail", problem_id=made["id"])}), 201


@bp.route("/problems/stats", methods=["GET"])
@require_role(*READERS)
def problem_stats():
    """Per department and township over [from, to): open, overdue, closed on time, satisfaction."""
    start, end = params.query(Period).days(today())
    return jsonify(problems.stats(context.conn(), context.code(), start, end, today()))


@bp.route("/problems/<int:problem_id>", methods=["GET"])
@require_role(*READERS)
def problem_get(problem_id):
    """A problem with its steps and the steps the user may take next."""
    return jsonify(problems.detail(context.conn(), context.code(), problem_id, current_user.role, today()))


@bp.route("/problems/<int:problem_id>/steps", methods=["POST"])
@require_role("planner", "commander")
def problem_step(problem_id):
    """Take a step (to, expected state, optional version; department and deadline for 交单,
    satisfied when leaving 回访)."""
    step = params.body_or_form(Step)
    if machine.allowed(step.expected, step.to) and not machine.may_take(current_user.role, step.expected, step.to):
        abort(403, description=f"角色“{current_user.role_label}”不能将问题从“{machine.label(step.expected)}”"
                               f"转为“{machine.label(step.to)}”")
    done = problems.transition(context.conn(), context.code(), problem_id, step, context.user_name(), today())
    return jsonify(done), 201
