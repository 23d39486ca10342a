"""Video coverage (R2, R5, R8) and camera status."""
from __future__ import annotations

from flask import jsonify, request

from layers.catalog import CAMERA_KINDS
from web import context, inputs, params
from web.api import bp
from web.auth import require_role
from web.services import coverage


@bp.route("/coverage", methods=["GET", "POST"])
def coverage_report():
    """Coverage of villages, townships, hotspots and schools; POST for a what-if."""
    return jsonify(coverage.coverage_report(context.conn(), context.code(), inputs.what_if(),
                                            request.args.get("quarter")))


@bp.route("/coverage/gaps", methods=["GET", "POST"])
def coverage_gaps():
    """Uncovered road stretches, hotspot parts and school surroundings, as GeoJSON."""
    return jsonify(coverage.gaps(context.conn(), context.code(), inputs.what_if(), request.args.get("quarter")))


@bp.route("/coverage/worst")
def coverage_worst():
    """The villages with the worst road coverage (those with roads), worst first."""
    limit = params.integer(request.args, "limit", 20, 0, 10_000)
    return jsonify(coverage.worst(context.conn(), context.code(), limit))


@bp.route("/coverage/siting")
def coverage_siting():
    """Suggest k new cameras along roads that add the most covered road and hotspot area."""
    kind = params.choice(request.args, "kind", CAMERA_KINDS, "fixed")
    return jsonify(coverage.siting(
        context.conn(), context.code(), k=int(params.number_arg("k", 10, 1, 500)), kind=kind,
        fov=params.number_arg("fov", 360 if kind in ("dome", "ptz") else 90, 1, 360),
        range_m=params.number_arg("range_m", 100, 5, 1000), quarter=request.args.get("quarter"),
        what_if=inputs.what_if()))


@bp.route("/cameras/<code>/status", methods=["POST"])
@require_role("commander")
def camera_status(code):
    """Change a camera's status (commanders, admins); the change is kept in its history."""
    body = params.body_or_form()
    status = params.text(body, "status")
    event = coverage.set_camera_status(context.conn(), context.code(), code, status, context.user_name(),
                                       params.text(body, "note"))
    return jsonify({"event": event, "code": code, "status": status}), 201


@bp.route("/cameras/<code>/history")
def camera_history(code):
    """A camera's status changes, newest first."""
    return jsonify(coverage.camera_history(context.conn(), context.code(), code))
