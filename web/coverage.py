"""Video coverage (R2, R5, R8): /api/coverage, gaps, what-if, camera status changes."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user

from geo.coverage import (JUNCTION_TARGET, ROAD_SHARE_FOR_VIDEO, camera_indicators, ratio,
                          roll_up, village_indicators)
from layers import coverage
from layers.db import get_conn
from web.auth import require_role
from web.params import number_arg

bp = Blueprint("coverage", __name__)


def what_if_from_request() -> coverage.WhatIf:
    """faulty=code,code in the query string; or JSON {faulty: [...], proposed: [...]} in a POST."""
    body = request.get_json(silent=True) if request.method == "POST" else None
    body = body or {}
    faulty = body.get("faulty") or [c for c in request.args.get("faulty", "").split(",") if c]
    proposed = body.get("proposed") or []
    if not isinstance(faulty, list) or not isinstance(proposed, list):
        abort(400, description="faulty 与 proposed 必须是列表")
    for i, cam in enumerate(proposed, 1):
        for key in ("lon", "lat"):
            try:
                float(cam[key])
            except (KeyError, TypeError, ValueError):
                abort(400, description=f"proposed 第 {i} 台摄像机缺少有效的 {key}")
        if cam.get("kind", "fixed") not in ("fixed", "dome", "ptz", "checkpoint"):
            abort(400, description=f"proposed 第 {i} 台摄像机类型 '{cam.get('kind')}' 无效")
    return coverage.WhatIf(faulty=[str(c) for c in faulty], proposed=proposed)


def coverage_report(conn, county: str, what_if=None, quarter=None) -> dict:
    """The /api/coverage document: cameras, villages, townships, county, hotspots, schools."""
    villages = village_indicators(coverage.village_coverage(conn, county, what_if))
    townships = roll_up(villages)
    total = roll_up([{**v, "all": county} for v in villages], key="all")
    quarter = quarter or coverage.latest_quarter(conn, county)
    hotspots = coverage.hotspot_coverage(conn, county, what_if, quarter)
    for h in hotspots:
        h["area_share"] = ratio(h["covered_m2"], h["area_m2"])
    schools = coverage.school_coverage(conn, county, what_if)
    county_total = total[0] if total else {"road_m": 0, "covered_road_m": 0, "road_share": 0,
                                            "junctions": 0, "covered_junctions": 0, "junction_share": 0}
    return {
        "cameras": camera_indicators(coverage.camera_counts(conn, county, what_if)),
        "county": {**county_total, "junction_target": JUNCTION_TARGET,
                   "schools_covered_share": ratio(sum(s["covered"] for s in schools), len(schools)),
                   "hotspot_area_share": ratio(sum(h["covered_m2"] for h in hotspots),
                                               sum(h["area_m2"] for h in hotspots))},
        "villages": villages, "townships": townships, "hotspots": hotspots, "schools": schools,
        "quarter": quarter,
        "rule": {"video_covered": f"道路覆盖率 ≥ {ROAD_SHARE_FOR_VIDEO:.0%} 且村内学校全部覆盖",
                 "min_road_share": ROAD_SHARE_FOR_VIDEO},
        "what_if": {"faulty": what_if.faulty if what_if else [],
                    "proposed": len(what_if.proposed) if what_if else 0},
    }


@bp.route("/api/coverage", methods=["GET", "POST"])
def api_coverage():
    """Coverage of villages, townships, hotspots and schools; POST for a what-if."""
    conn = get_conn()
    return jsonify(coverage_report(conn, current_app.config["COUNTY_CODE"], what_if_from_request(),
                                   request.args.get("quarter")))


@bp.route("/api/coverage/gaps", methods=["GET", "POST"])
def api_gaps():
    """Uncovered road stretches, hotspot parts and school surroundings, as GeoJSON."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    quarter = request.args.get("quarter") or coverage.latest_quarter(conn, county)
    return jsonify({"type": "FeatureCollection",
                    "features": coverage.gaps(conn, county, what_if_from_request(), quarter)})


@bp.route("/api/coverage/worst")
def api_worst():
    """The villages with the worst road coverage (those with roads), worst first."""
    limit = request.args.get("limit", "20")
    if not limit.isdigit():
        abort(400, description=f"limit 应为正整数，而不是 '{limit}'")
    conn = get_conn()
    rows = village_indicators(coverage.village_coverage(conn, current_app.config["COUNTY_CODE"]))
    rows = sorted((r for r in rows if r["road_m"] > 0), key=lambda r: (r["road_share"], -r["road_m"]))
    return jsonify(rows[:int(limit)])


@bp.route("/api/cameras/<code>/status", methods=["POST"])
@require_role("commander")
def api_camera_status(code):
    """Change a camera's status (commanders, admins); the change is kept in its history."""
    body = request.get_json(silent=True) or request.form.to_dict()
    try:
        event = coverage.set_camera_status(get_conn(), current_app.config["COUNTY_CODE"], code,
                                           str(body.get("status", "")), current_user.name,
                                           str(body.get("note", "")))
    except ValueError as err:
        abort(400, description=str(err))
    return jsonify({"event": event, "code": code, "status": body["status"]}), 201


@bp.route("/api/cameras/<code>/history")
def api_camera_history(code):
    """A camera's status changes, newest first."""
    return jsonify(coverage.camera_history(get_conn(), current_app.config["COUNTY_CODE"], code))


SITING_KINDS = ("fixed", "dome", "ptz", "checkpoint")


@bp.route("/api/coverage/siting")
def api_siting():
    """Suggest k new cameras along roads that add the most covered road and hotspot area."""
    from geo.siting import suggest_cameras
    from layers.catalog import LAYERS
    from layers.frames import read_frame

    k = int(number_arg("k", 10, 1, 500))
    kind = request.args.get("kind", "fixed")
    if kind not in SITING_KINDS:
        abort(400, description=f"参数 kind 应为 {', '.join(SITING_KINDS)} 之一，而不是 '{kind}'")
    fov = number_arg("fov", 360 if kind in ("dome", "ptz") else 90, 1, 360)
    range_m = number_arg("range_m", 100, 5, 1000)
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    roads = read_frame(conn, LAYERS["roads"], county, ["code"])
    if roads.empty:
        abort(400, description="县内没有道路图层，无法选址")
    quarter = request.args.get("quarter") or coverage.latest_quarter(conn, county)
    hotspots = read_frame(conn, LAYERS["hotspots"], county, ["code"], "t.quarter = %(q)s", {"q": quarter})
    existing = coverage.sector_frame(conn, county, what_if_from_request())
    result = suggest_cameras(roads, hotspots if len(hotspots) else None, existing if len(existing) else None,
                             k, kind=kind, fov=fov, range_m=range_m)
    cams = result.cameras
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(g.x, 6), round(g.y, 6)]},
                 "properties": {"rank": int(r["rank"]), "kind": r["kind"],
                                "azimuth": None if r["azimuth"] != r["azimuth"] else round(float(r["azimuth"]), 1),
                                "fov": float(r["fov"]), "range_m": float(r["range_m"]),
                                "gain_road_m": round(float(r["gain_road_m"]), 1),
                                "gain_hotspot_m2": round(float(r["gain_hotspot_m2"]), 1),
                                "cumulative": round(float(r["cumulative"]), 1)}}
                for g, (_, r) in zip(cams.geometry, cams.iterrows())]
    return jsonify({"type": "FeatureCollection", "features": features, "quarter": quarter,
                    "curve": result.curve.round(4).to_dict(orient="records"),
                    "params": {"k": k, "kind": kind, "fov": fov, "range_m": range_m}})
