"""Remote-village remediation (R1, R2): progress API, edits with history, leader exports."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_login import current_user
from openpyxl import Workbook

from geo.coverage import village_indicators
from geo.remediation import burnup, curve, milestones, plan_target, project, share
from layers import coverage
from layers import remediation as records
from layers.db import get_conn
from layers.errors import Conflict
from web.auth import require_role
from web.charts import burnup_chart

bp = Blueprint("remediation", __name__)
LOCAL = ZoneInfo("Asia/Shanghai")
WINDOW_DAYS = 60
STATUS_LABELS = {"not_started": "未开始", "in_progress": "整治中", "remediated": "已整治"}


def today() -> date:
    return datetime.now(LOCAL).date()


def parse_day(value: str | None, name: str, default: date | None = None) -> date:
    """Parse YYYY-MM-DD from a request; 400 naming the parameter otherwise."""
    if not value:
        if default is None:
            abort(400, description=f"缺少参数 {name}（YYYY-MM-DD）")
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, description=f"参数 {name} 不是有效日期 '{value}'（应为 YYYY-MM-DD）")


def plan_year(as_of: date) -> int:
    return int(current_app.config.get("PLAN_YEAR") or as_of.year)


def _unit(code, name, remote, done, done_before, as_of, year, target) -> dict:
    s = share(done, remote)
    p = project(remote, done, done_before, as_of, year, WINDOW_DAYS)
    return {"code": code, "name": name, "remote": remote, "remediated": done, "share": s,
            "target": round(target, 4), "on_track": s >= round(target, 4),
            "gap_pp": round((s - target) * 100, 1),
            "projection": {"pace_per_30_days": round(p.pace_per_day * 30, 2),
                           "finish": p.finish.isoformat() if p.finish else None,
                           "on_time": p.on_time, "done": p.done}}


def progress_report(conn, county: str, as_of: date) -> dict:
    """The API.md progress document for ``as_of``, with gaps and projections added."""
    year = plan_year(as_of)
    target = plan_target(as_of, year)
    now = records.progress_counts(conn, county, as_of, WINDOW_DAYS)
    townships = [_unit(r["code"], r["name"], r["remote"], r["remediated"], r["remediated_before"],
                       as_of, year, target) for r in now]
    county_unit = _unit(county, current_app.config["COUNTY_NAME"], sum(r["remote"] for r in now),
                        sum(r["remediated"] for r in now),
                        sum(r["remediated_before"] for r in now), as_of, year, target)
    return {"as_of": as_of.isoformat(), "plan_year": year,
            "milestones": [{"date": d.isoformat(), "share": s} for d, s in milestones(year)],
            "county": county_unit, "townships": townships, "window_days": WINDOW_DAYS}


def computed_video(conn, county: str, codes: list[str]) -> dict[str, bool] | None:
    """The R2 video criterion from the camera layer, or None while the county has no cameras.

    The rule is geo.coverage.video_covered: at least half the village's road length inside
    a working camera's sector and every school in it covered. It uses the cameras as they
    are now, whatever the as-of date.
    """
    if coverage.camera_counts(conn, county)["total"] == 0:
        return None
    rows = village_indicators(coverage.village_coverage(conn, county, villages=codes))
    return {r["code"]: r["video_covered"] for r in rows}


def village_rows(conn, county: str, as_of: date) -> list[dict]:
    """Every remote village with its state on ``as_of`` and its current version.

    ``video`` is the computed criterion once the county has cameras (``video_source``
    'computed'), else the recorded one ('recorded'); ``video_recorded`` is always what
    was recorded.
    """
    villages = records.remote_villages(conn, county)
    codes = [v["code"] for v in villages]
    on_day = records.states(conn, county, as_of)
    versions = records.versions(conn, county, codes)
    computed = computed_video(conn, county, codes) if codes else None
    rows = []
    for v in villages:
        state = on_day.get(v["code"], records.EMPTY)
        video = computed.get(v["code"], False) if computed is not None else state["video"]
        rows.append({**v, **{k: state[k] for k in records.FIELDS},
                     "video": video, "video_recorded": state["video"],
                     "video_source": "recorded" if computed is None else "computed",
                     "confirmed_on": state["confirmed_on"].isoformat() if state["confirmed_on"] else None,
                     "criteria_met": int(state["orderly"]) + int(state["services"]) + int(video),
                     "version": versions.get(v["code"])})
    return rows


def at_risk(conn, county: str, as_of: date, limit: int = 20) -> list[dict]:
    """Villages most at risk of missing 31 December: not remediated, in late townships first."""
    report = progress_report(conn, county, as_of)
    late = {t["code"]: t for t in report["townships"] if not t["projection"]["on_time"]}
    rows = [r for r in village_rows(conn, county, as_of) if r["status"] != "remediated"]
    for r in rows:
        t = late.get(r["township_code"])
        r["township_finish"] = t["projection"]["finish"] if t else None
        r["township_late"] = t is not None
    rows.sort(key=lambda r: (not r["township_late"], r["status"] != "not_started",
                             r["criteria_met"], r["code"]))
    return rows[:limit]


def series(conn, county: str, as_of: date, remote: int) -> list[tuple[date, float]]:
    """The daily remediated share from 1 January of the plan year to ``as_of``."""
    start = date(plan_year(as_of), 1, 1)
    if as_of < start:
        return []
    return burnup(records.events_in_force(conn, county, as_of), remote, start, as_of)


def chart_bytes(conn, county: str, as_of: date, fmt: str) -> bytes:
    report = progress_report(conn, county, as_of)
    year = report["plan_year"]
    return burnup_chart(series(conn, county, as_of, report["county"]["remote"]), curve(year),
                        milestones(year), as_of,
                        f"{current_app.config['COUNTY_NAME']}偏远村整治进度（{year}年）", fmt)


# ---- JSON API ---------------------------------------------------------------------------

@bp.route("/api/remediation/progress")
def api_progress():
    """Remote-village remediation against the plan on a day (R1)."""
    as_of = parse_day(request.args.get("as_of"), "as_of", today())
    return jsonify(progress_report(get_conn(), current_app.config["COUNTY_CODE"], as_of))


@bp.route("/api/remediation/villages")
def api_villages():
    """Every remote village with its state on a day."""
    as_of = parse_day(request.args.get("as_of"), "as_of", today())
    return jsonify(village_rows(get_conn(), current_app.config["COUNTY_CODE"], as_of))


@bp.route("/api/remediation/at-risk")
def api_at_risk():
    """The villages most at risk of missing the year-end deadline."""
    as_of = parse_day(request.args.get("as_of"), "as_of", today())
    return jsonify(at_risk(get_conn(), current_app.config["COUNTY_CODE"], as_of))


def _jsonable_history(events):
    for e in events:
        e["effective_on"] = e["effective_on"].isoformat()
        e["recorded_at"] = e["recorded_at"].isoformat()
        if e["after"]["confirmed_on"]:
            e["after"]["confirmed_on"] = e["after"]["confirmed_on"].isoformat()
    return events


@bp.route("/api/remediation/villages/<code>/history")
def api_history(code):
    """A village's every change: who, when, before and after."""
    return jsonify(_jsonable_history(records.history(get_conn(), current_app.config["COUNTY_CODE"], code)))


def _bool(value, name):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "on", "yes", "是"):
        return True
    if value in (None, "", False) or (isinstance(value, str) and value.lower() in ("false", "0", "off", "no", "否")):
        return False
    abort(400, description=f"字段 {name} 应为 true 或 false，而不是 '{value}'")


def apply_change(county: str, code: str, body: dict) -> int:
    """Validate a change request and record it; return the event id (400/404/409 on errors)."""
    state = {"status": body.get("status", ""), "note": body.get("note") or "",
             "orderly": _bool(body.get("orderly"), "orderly"),
             "services": _bool(body.get("services"), "services"),
             "video": _bool(body.get("video"), "video")}
    effective_on = parse_day(body.get("effective_on") or body.get("confirmed_on"), "effective_on", today())
    if effective_on > today():
        abort(400, description=f"日期 {effective_on} 在今天之后，不能预先确认")
    if state["status"] == "remediated":
        state["confirmed_on"] = effective_on
        state["confirmed_by"] = current_user.name
    version = body.get("version")
    version = int(version) if version not in (None, "", "null") else None
    try:
        return records.record_change(get_conn(), county, code, state, current_user.name,
                                     effective_on, version)
    except ValueError as err:
        abort(400, description=str(err))


@bp.route("/api/remediation/villages/<code>", methods=["POST"])
@require_role("planner")
def api_change(code):
    """Change a remote village's status and criteria (planners, admins)."""
    county = current_app.config["COUNTY_CODE"]
    try:
        event_id = apply_change(county, code, request.get_json(silent=True) or {})
    except Conflict as err:
        return jsonify({"error": "conflict", "message": str(err), "version": err.current}), 409
    return jsonify({"event": event_id, "version": event_id}), 201


@bp.route("/api/remediation/events/<int:event_id>/revert", methods=["POST"])
@require_role("planner")
def api_revert(event_id):
    """Undo a wrong change; the change stays in the history (planners, admins)."""
    county = current_app.config["COUNTY_CODE"]
    body = request.get_json(silent=True) or {}
    version = body.get("version")
    try:
        new_id = records.revert(get_conn(), county, event_id, current_user.name,
                                int(version) if version is not None else None)
    except Conflict as err:
        return jsonify({"error": "conflict", "message": str(err), "version": err.current}), 409
    except ValueError as err:
        abort(400, description=str(err))
    return jsonify({"event": new_id, "version": new_id}), 201


# ---- exports ----------------------------------------------------------------------------

TABLE_HEAD = ["乡镇编码", "乡镇", "偏远村数", "已整治", "整治比例", "计划目标", "差距(百分点)",
              "近60天速度(村/30天)", "预计完成日期", "年底前完成"]


def table_rows(report: dict) -> list[list]:
    rows = []
    for t in sorted(report["townships"], key=lambda t: -t["share"]) + [report["county"]]:
        p = t["projection"]
        rows.append([t["code"], t["name"], t["remote"], t["remediated"], t["share"], t["target"],
                     t["gap_pp"], p["pace_per_30_days"], p["finish"] or "按当前速度无法完成",
                     "是" if p["on_time"] else "否"])
    return rows


@bp.route("/leader/remediation.csv")
def export_csv():
    """Download the township table as CSV (UTF-8 with BOM, for Excel)."""
    as_of = parse_day(request.args.get("as_of"), "as_of", today())
    report = progress_report(get_conn(), current_app.config["COUNTY_CODE"], as_of)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(TABLE_HEAD)
    writer.writerows(table_rows(report))
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="remediation-{as_of}.csv"'})


@bp.route("/leader/remediation.xlsx")
def export_xlsx():
    """Download the township table as XLSX."""
    as_of = parse_day(request.args.get("as_of"), "as_of", today())
    report = progress_report(get_conn(), current_app.config["COUNTY_CODE"], as_of)
    wb = Workbook()
    ws = wb.active
    ws.title = "偏远村整治进度"
    ws.append([f"{current_app.config['COUNTY_NAME']}偏远村整治进度（统计日 {as_of}）"])
    ws.append(TABLE_HEAD)
    for row in table_rows(report):
        ws.append(row)
    for row in ws.iter_rows(min_row=3, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "0.0%"
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="remediation-{as_of}.xlsx"'})


@bp.route("/leader/remediation-chart.<fmt>")
def export_chart(fmt):
    """Download the burn-up chart as SVG or PNG."""
    if fmt not in ("svg", "png"):
        abort(404)
    as_of = parse_day(request.args.get("as_of"), "as_of", today())
    body = chart_bytes(get_conn(), current_app.config["COUNTY_CODE"], as_of, fmt)
    return Response(body, mimetype="image/svg+xml" if fmt == "svg" else "image/png",
                    headers={"Content-Disposition": f'attachment; filename="remediation-{as_of}.{fmt}"'})
