"""Quarterly hotspots (R3, R4, R10): analysis, lists, lifecycle."""
from __future__ import annotations

from flask import jsonify, request

from layers import hotspot_lists as lists
from web import context, inputs, params
from web.api import bp
from web.auth import require_role
from web.services import hotspot_lists as hl
from web.services import hotspots


@bp.route("/hotspots/grid")
def hotspot_grid():
    """Incident counts on a square grid with Getis-Ord Gi* (z, p, FDR class), as GeoJSON."""
    return jsonify(hotspots.grid_document(context.conn(), context.code(), inputs.analysis(),
                                          every_cell=request.args.get("all") == "1"))


@bp.route("/hotspots/density")
def hotspot_density():
    """Kernel density (quartic kernel) of the quarter's incidents per km² on the same grid."""
    a = inputs.analysis()
    bandwidth = params.number_arg("bandwidth_m", 1000, 100, 10000)
    return jsonify(hotspots.density_document(context.conn(), context.code(), a, bandwidth))


@bp.route("/hotspots/candidates")
def hotspot_candidates():
    """Candidate hotspots for the quarter, best first, with PAI, trend and driving categories."""
    return jsonify(hotspots.candidates_document(context.conn(), context.code(), inputs.analysis()))


@bp.route("/hotspots/quota")
def hotspot_quota():
    """The quarter's list against R3: ≥ 10 county-level, ≥ 5 township-level per township."""
    return jsonify(hl.quota_document(context.conn(), context.code(), params.quarter_arg()))


@bp.route("/hotspots/lists")
def hotspot_versions():
    """Every version of the quarter's list, newest first."""
    return jsonify(lists.versions(context.conn(), context.code(), params.quarter_arg()))


@bp.route("/hotspots/lists", methods=["POST"])
@require_role("planner")
def hotspot_draft():
    """Open the quarter's draft (created from the newest published version) (planners)."""
    quarter = params.quarter(params.json_body().get("quarter", request.args.get("quarter", "")))
    return jsonify(lists.draft(context.conn(), context.code(), quarter, context.user_name())), 201


@bp.route("/hotspots/lists/<int:list_id>")
def hotspot_list(list_id):
    """One version of a list with its items and its quota check."""
    return jsonify(hl.list_document(context.conn(), context.code(), list_id))


def _revision(body) -> int | None:
    return params.integer(body, "revision")


@bp.route("/hotspots/lists/<int:list_id>/items", methods=["POST"])
@require_role("planner")
def hotspot_add(list_id):
    """Put a candidate or a drawn area on a draft (planners)."""
    body = params.json_body()
    code = lists.add_item(context.conn(), context.code(), list_id, inputs.hotspot_item(body), _revision(body))
    return jsonify({"code": code}), 201


@bp.route("/hotspots/lists/<int:list_id>/items/<code>", methods=["PATCH"])
@require_role("planner")
def hotspot_update(list_id, code):
    """Change a draft item's name, level, township, unit or deadline (planners)."""
    body = params.json_body()
    lists.update_item(context.conn(), context.code(), list_id, code, body, _revision(body))
    return jsonify({"code": code})


@bp.route("/hotspots/lists/<int:list_id>/items/<code>", methods=["DELETE"])
@require_role("planner")
def hotspot_remove(list_id, code):
    """Take an item off a draft (planners)."""
    body = params.json_body()
    lists.remove_item(context.conn(), context.code(), list_id, code, _revision(body))
    return jsonify({"removed": code})


@bp.route("/hotspots/lists/<int:list_id>/publish", methods=["POST"])
@require_role("planner")
def hotspot_publish(list_id):
    """Publish a draft; refused, naming the shortfall, when it is short of the quota (planners)."""
    body = params.json_body()
    return jsonify(lists.publish(context.conn(), context.code(), list_id, context.user_name(), _revision(body)))


@bp.route("/hotspots/<code>/evaluation")
def hotspot_evaluation(code):
    """Incidents inside before and after listing, and the WDQ over a ring around it."""
    buffer_m = params.number(request.args, "buffer_m", 500, 0, 5000)
    return jsonify(hl.evaluate(context.conn(), context.code(), code, buffer_m))


@bp.route("/hotspots/<code>/status", methods=["POST"])
@require_role("planner")
def hotspot_status(code):
    """Move a hotspot along listed → remediating → delisted / carried over (planners)."""
    body = params.body_or_form()
    return jsonify(hl.change_status(context.conn(), context.code(), code, params.text(body, "status"),
                                    context.user_name(), params.text(body, "note"))), 201


@bp.route("/hotspots/<code>/history")
def hotspot_history(code):
    """A hotspot's status changes with their evaluations, newest first."""
    return jsonify(hl.status_history(context.conn(), context.code(), code))


@bp.route("/hotspots/r10")
def hotspot_r10():
    """R10 flags of the quarter: townships with hotspots listed two or three quarters running."""
    quarter = params.quarter_arg()
    return jsonify({"quarter": quarter, "townships": hl.r10_flags(context.conn(), context.code(), quarter)})


@bp.route("/hotspots/listed")
def hotspot_listed():
    """The quarter's hotspots in force, with status, as GeoJSON."""
    return jsonify({"type": "FeatureCollection",
                    "features": hl.listed(context.conn(), context.code(), params.quarter_arg())})
