"""Video coverage (R2, R5, R8) and camera status."""
from __future__ import annotations

from flask import jsonify, request

from web import context, params
from web.api import bp
from web.auth import actor, require_role
from web.cache import kept
from web.schemas.coverage import CameraStatus, CoverageQuery, Siting, VideoRuleInput, WhatIfInput, Worst
from web.services import coverage


def _what_if():
    """faulty=code,code in the query string; or JSON {faulty: [...], proposed: [...]} in a POST."""
    return (params.body(WhatIfInput) if request.method == "POST" else params.query(WhatIfInput)).what_if()


@bp.route("/coverage", methods=["GET", "POST"])
@kept
def coverage_report():
    """Coverage of villages, townships, hotspots and schools; POST for a what-if."""
    what_if, quarter = _what_if(), params.query(CoverageQuery).quarter
    return jsonify(coverage.coverage_report(context.conn(), context.code(), what_if, quarter))


@bp.route("/coverage/gaps", methods=["GET", "POST"])
@kept
def coverage_gaps():
    """Uncovered road stretches, hotspot parts and school surroundings, as GeoJSON."""
    what_if, quarter = _what_if(), params.query(CoverageQuery).quarter
    return jsonify(coverage.gaps(context.conn(), context.code(), what_if, quarter))


@bp.route("/coverage/villages/<code>", methods=["GET", "POST"])
def coverage_village(code):
    """One village's video check: its 村口, schools, main junctions and working cameras,
    seen or not, and whether it meets the county's rule (why not, in words); POST for a what-if."""
    return jsonify(coverage.village_check(context.conn(), context.code(), code, _what_if()))


@bp.route("/coverage/villages/<code>/siting")
@kept
def coverage_village_siting(code):
    """Cameras to add so that the village meets the rule, and its check with them added."""
    return jsonify(coverage.village_siting(context.conn(), context.code(), code))


@bp.route("/video-rule", methods=["GET"])
def video_rule():
    """The county's village video rule (R2 视频覆盖)."""
    return jsonify(coverage.rule_document(context.conn(), context.code()))


@bp.route("/video-rule", methods=["PUT"])
@require_role()  # admins only
def video_rule_set():
    """Replace the county's village video rule (admins only; audit-logged)."""
    rule, who = params.body(VideoRuleInput).model_dump(), actor()
    return jsonify(coverage.set_video_rule(context.conn(), context.code(), rule, who.name, who.address))


@bp.route("/coverage/worst")
@kept
def coverage_worst():
    """The villages with the worst road coverage (those with roads), worst first."""
    return jsonify(coverage.worst(context.conn(), context.code(), params.query(Worst).limit))


@bp.route("/coverage/siting")
@kept
def coverage_siting():
    """Suggest k new cameras along roads that add the most covered road and hotspot area."""
    return jsonify(coverage.siting(context.conn(), context.code(), params.query(Siting), _what_if()))


@bp.route("/cameras/<code>/status", methods=["POST"])
@require_role("commander")
def camera_status(code):
    """Change a camera's status (commanders, admins); the change is kept in its history."""
    change = params.body_or_form(CameraStatus)
    event = coverage.set_camera_status(context.conn(), context.code(), code, change.status, context.user_name(),
                                       change.note)
    return jsonify({"event": event, "code": code, "status": change.status}), 201


@bp.route("/cameras/<code>/history")
def camera_history(code):
    """A camera's status changes, newest first."""
    return jsonify(coverage.camera_history(context.conn(), context.code(), code))
