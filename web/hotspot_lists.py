"""Quarterly hotspot lists (R3, R4, R10): drafts, quota, publishing, lifecycle, exports."""
from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path

import geopandas as gpd
from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_login import current_user
from openpyxl import Workbook
from shapely.geometry import shape

from layers import hotspot_lists as lists
from layers.catalog import VALUE_LABELS
from layers.db import get_conn
from layers.errors import Conflict

bp = Blueprint("hotspot_lists", __name__)
QUARTER = re.compile(r"^[0-9]{4}Q[1-4]$")
SUPERVISION_QUARTERS = 2   # R10: 挂牌督办 after two consecutive quarters
VETO_QUARTERS = 3          # R10: 一票否决 after three


def quarter_arg(value: str | None = None) -> str:
    q = value if value is not None else request.args.get("quarter", "")
    if not QUARTER.match(q or ""):
        abort(400, description=f"参数 quarter 应形如 2026Q3，而不是 '{q}'")
    return q


def _county() -> str:
    return current_app.config["COUNTY_CODE"]


def _planner():
    if current_user.role not in ("planner", "admin"):
        abort(403, description=f"角色“{current_user.role_label}”无权修改乱点清单")


def _revision(body: dict):
    rev = body.get("revision")
    if rev in (None, ""):
        return None
    try:
        return int(rev)
    except (TypeError, ValueError):
        abort(400, description=f"revision 应为整数，而不是 '{rev}'")


def current_list(conn, county: str, quarter: str) -> dict | None:
    """The draft when there is one (planners check as they go), else the newest published version."""
    all_versions = lists.versions(conn, county, quarter)
    for v in all_versions:
        if v["state"] == "draft":
            return v
    return all_versions[0] if all_versions else None


@bp.route("/api/hotspots/quota")
def api_quota():
    """The quarter's list against R3: ≥ 10 county-level, ≥ 5 township-level per township."""
    conn = get_conn()
    quarter = quarter_arg()
    lst = current_list(conn, _county(), quarter)
    q = lists.quota(conn, _county(), lst["id"] if lst else None)
    return jsonify({"quarter": quarter, **q, "list": lst, "shortfall": lists.shortfall(q)})


@bp.route("/api/hotspots/lists")
def api_versions():
    """Every version of the quarter's list, newest first."""
    return jsonify(lists.versions(get_conn(), _county(), quarter_arg()))


@bp.route("/api/hotspots/lists", methods=["POST"])
def api_draft():
    """Open the quarter's draft (created from the newest published version) (planners)."""
    _planner()
    body = request.get_json(silent=True) or {}
    return jsonify(lists.draft(get_conn(), _county(), quarter_arg(body.get("quarter")), current_user.name)), 201


@bp.route("/api/hotspots/lists/<int:list_id>")
def api_list(list_id):
    """One version of a list with its items and its quota check."""
    conn = get_conn()
    lst = lists.get_list(conn, _county(), list_id)
    q = lists.quota(conn, _county(), list_id)
    return jsonify({**lst, "items": {"type": "FeatureCollection", "features": lists.items(conn, list_id)},
                    "quota": q, "shortfall": lists.shortfall(q)})


def _item_from_body(body: dict) -> dict:
    item = {k: body.get(k) for k in ("name", "level", "township_code", "unit", "deadline",
                                     "significant", "incident_count", "gi_z")}
    item["source"] = "candidate" if body.get("source") == "candidate" else "drawn"
    try:
        item["geometry"] = shape(body["geometry"])
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        abort(400, description=f"geometry 缺失或不是有效的 GeoJSON 面：{err}")
    return item


def _guard(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Conflict as err:
        abort(Response(json.dumps({"error": "conflict", "message": str(err), "revision": err.current},
                                  ensure_ascii=False), 409, mimetype="application/json"))
    except ValueError as err:
        abort(400, description=str(err))


@bp.route("/api/hotspots/lists/<int:list_id>/items", methods=["POST"])
def api_add(list_id):
    """Put a candidate or a drawn area on a draft (planners)."""
    _planner()
    body = request.get_json(silent=True) or {}
    code = _guard(lists.add_item, get_conn(), _county(), list_id, _item_from_body(body), _revision(body))
    return jsonify({"code": code}), 201


@bp.route("/api/hotspots/lists/<int:list_id>/items/<code>", methods=["PATCH"])
def api_update(list_id, code):
    """Change a draft item's name, level, township, unit or deadline (planners)."""
    _planner()
    body = request.get_json(silent=True) or {}
    _guard(lists.update_item, get_conn(), _county(), list_id, code, body, _revision(body))
    return jsonify({"code": code})


@bp.route("/api/hotspots/lists/<int:list_id>/items/<code>", methods=["DELETE"])
def api_remove(list_id, code):
    """Take an item off a draft (planners)."""
    _planner()
    body = request.get_json(silent=True) or {}
    _guard(lists.remove_item, get_conn(), _county(), list_id, code, _revision(body))
    return jsonify({"removed": code})


@bp.route("/api/hotspots/lists/<int:list_id>/publish", methods=["POST"])
def api_publish(list_id):
    """Publish a draft; refused, naming the shortfall, when it is short of the quota (planners)."""
    _planner()
    body = request.get_json(silent=True) or {}
    try:
        lst = lists.publish(get_conn(), _county(), list_id, current_user.name, _revision(body))
    except lists.QuotaShort as err:
        return jsonify({"error": "quota_short", "message": str(err), "shortfall": err.shortfall}), 422
    except Conflict as err:
        return jsonify({"error": "conflict", "message": str(err)}), 409
    return jsonify(lst)


def evaluate(conn, county: str, code: str, buffer_m: float = 500) -> dict:
    """Before/after counts in the hotspot, its surrounding ring and the rest of the county, with WDQ."""
    from geo.hotspots import WDQ_MEANINGS, wdq, wdq_meaning

    counts = lists.evaluation_counts(conn, county, code, buffer_m)
    value = wdq(counts["R_before"], counts["R_after"], counts["D_before"], counts["D_after"],
                counts["C_before"], counts["C_after"])
    change = counts["R_after"] - counts["R_before"]
    return {**counts, "change": change,
            "change_share": round(change / counts["R_before"], 4) if counts["R_before"] else None,
            "wdq": None if value is None else round(value, 3), "wdq_meaning": wdq_meaning(value),
            "wdq_text": WDQ_MEANINGS[wdq_meaning(value)]}


@bp.route("/api/hotspots/<code>/evaluation")
def api_evaluation(code):
    """Incidents inside before and after listing, and the WDQ over a ring around it."""
    buffer_m = request.args.get("buffer_m", "500")
    try:
        buffer_m = float(buffer_m)
    except ValueError:
        abort(400, description=f"buffer_m 应为数字，而不是 '{buffer_m}'")
    return jsonify(evaluate(get_conn(), _county(), code, buffer_m))


@bp.route("/api/hotspots/<code>/status", methods=["POST"])
def api_status(code):
    """Move a hotspot along listed → remediating → delisted / carried over (planners)."""
    _planner()
    body = request.get_json(silent=True) or request.form.to_dict()
    status = str(body.get("status", ""))
    conn = get_conn()
    evaluation = evaluate(conn, _county(), code) if status in ("delisted", "carried_over") else None
    event = _guard(lists.set_status, conn, _county(), code, status, current_user.name,
                   str(body.get("note", "")), evaluation)
    return jsonify({"event": event, "code": code, "status": status, "evaluation": evaluation}), 201


@bp.route("/api/hotspots/<code>/history")
def api_status_history(code):
    """A hotspot's status changes with their evaluations, newest first."""
    return jsonify(lists.status_history(get_conn(), _county(), code))


def r10_flags(conn, county: str, quarter: str) -> list[dict]:
    """Townships whose listed hotspots stay on the list 2 (督办) or 3+ (否决) quarters running."""
    chains = lists.carried_chains(conn, county, quarter)
    worst: dict = {}
    for c in chains:
        worst.setdefault(c["township_code"], []).append(c)
    out = []
    for town, cs in sorted(worst.items(), key=lambda kv: str(kv[0])):
        longest = max(c["quarters"] for c in cs)
        if longest >= SUPERVISION_QUARTERS:
            out.append({"township_code": town, "quarters": longest,
                        "flag": "veto" if longest >= VETO_QUARTERS else "supervision",
                        "flag_label": "一票否决" if longest >= VETO_QUARTERS else "挂牌督办",
                        "hotspots": [c["code"] for c in cs if c["quarters"] >= SUPERVISION_QUARTERS]})
    return out


@bp.route("/api/hotspots/r10")
def api_r10():
    """R10 flags of the quarter: townships with hotspots listed two or three quarters running."""
    return jsonify({"quarter": (q := quarter_arg()), "townships": r10_flags(get_conn(), _county(), q)})


@bp.route("/api/hotspots/listed")
def api_listed():
    """The quarter's hotspots in force, with status, as GeoJSON."""
    return jsonify({"type": "FeatureCollection",
                    "features": lists.listed(get_conn(), _county(), quarter_arg())})


# ---- exports for the county's notice -----------------------------------------------------

EXPORT_HEAD = ["编码", "名称", "级别", "乡镇", "责任单位", "整治期限", "状态", "延续自"]


def _published_frame(conn, quarter: str) -> gpd.GeoDataFrame:
    features = lists.listed(conn, _county(), quarter)
    if not features:
        abort(404, description=f"{quarter} 没有已发布的乱点清单")
    return gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")


@bp.route("/exports/hotspots/<quarter>.xlsx")
def export_xlsx(quarter):
    """The quarter's published list as XLSX."""
    frame = _published_frame(get_conn(), quarter_arg(quarter))
    wb = Workbook()
    ws = wb.active
    ws.title = f"{quarter}治安乱点"
    ws.append([f"{current_app.config['COUNTY_NAME']}{quarter}挂牌整治治安乱点清单"])
    ws.append(EXPORT_HEAD)
    for _, r in frame.iterrows():
        ws.append([r["code"], r["name"], VALUE_LABELS.get(r["level"], r["level"]), r["township_name"],
                   r["unit"], r["deadline"], VALUE_LABELS.get(r["status"], r["status"]), r["carried_from"]])
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="hotspots-{quarter}.xlsx"'})


@bp.route("/exports/hotspots/<quarter>.<fmt>")
def export_areas(quarter, fmt):
    """The quarter's published areas as GeoPackage or GeoJSON (WGS 84)."""
    if fmt not in ("gpkg", "geojson"):
        abort(404)
    frame = _published_frame(get_conn(), quarter_arg(quarter))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"hotspots-{quarter}.{fmt}"
        frame.to_file(path, driver="GPKG" if fmt == "gpkg" else "GeoJSON",
                      **({"layer": "hotspots"} if fmt == "gpkg" else {}))
        body = path.read_bytes()
    mimetype = "application/geopackage+sqlite3" if fmt == "gpkg" else "application/geo+json"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="hotspots-{quarter}.{fmt}"'})
