"""Pages for remote-village remediation: the leader's progress page, the planner's forms."""
from __future__ import annotations

import folium
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from layers import remediation as records
from layers.catalog import LAYERS
from layers.db import get_conn
from layers.errors import Conflict
from layers.features import query_features
from web.auth import require_role
from web.maps import page_map, safe_text, township_outlines
from web.remediation import (STATUS_LABELS, apply_change, at_risk, chart_bytes, parse_day,
                             progress_report, today, village_rows)

bp = Blueprint("remediation_pages", __name__)
STATUS_COLORS = {"not_started": "#d7191c", "in_progress": "#fdae61", "remediated": "#1a9641"}


def _can_edit() -> bool:
    return current_user.role in ("planner", "admin")


def status_map(conn, county: str, rows: list[dict], editable: bool) -> dict:
    """A map of remote villages coloured by status; returns the page parts."""
    by_code = {r["code"]: r for r in rows}
    features, _ = query_features(conn, LAYERS["villages"], county_code=county,
                                 codes=list(by_code), limit=100_000, precision=5)
    for f in features:
        r = by_code[f["id"]]
        link = (f'<br><a href="{safe_text(url_for("remediation_pages.edit", code=r["code"]))}">修改整治状态</a>'
                if editable else "")
        f["properties"] = {"status": r["status"], "popup": (
            f"<b>{safe_text(r['name'])}</b>（{safe_text(r['township_name'] or '')}）<br>状态：{STATUS_LABELS[r['status']]}"
            f"<br>管理有序：{'是' if r['orderly'] else '否'}；服务规范：{'是' if r['services'] else '否'}"
            f"；视频覆盖：{'是' if r['video'] else '否'}<br>确认日期：{r['confirmed_on'] or '—'}{link}")}
    m = page_map(current_app.config, township_outlines(conn, county))
    if features:
        layer = folium.GeoJson(
            {"type": "FeatureCollection", "features": features}, name="偏远村整治状态",
            style_function=lambda f: {"color": "#555", "weight": 1, "fillOpacity": 0.7,
                                      "fillColor": STATUS_COLORS[f["properties"]["status"]]},
            popup=folium.GeoJsonPopup(fields=["popup"], labels=False))
        layer.add_to(m)
        m.fit_bounds(layer.get_bounds())
    folium.LayerControl().add_to(m)
    root = m.get_root()
    root.render()
    return {"header": root.header.render(), "html": root.html.render(),
            "script": root.script.render()}


@bp.route("/leader/remediation")
def leader():
    """Show remediation progress against the plan: chart, township ranking, map."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    as_of = parse_day(request.args.get("as_of"), "as_of", today())
    report = progress_report(conn, county, as_of)
    rows = village_rows(conn, county, as_of)
    ranked = sorted(report["townships"], key=lambda t: (-t["share"], t["code"]))
    return render_template(
        "remediation/leader.html", report=report, ranked=ranked, as_of=as_of,
        chart=chart_bytes(conn, county, as_of, "svg").decode("utf-8"),
        risky=at_risk(conn, county, as_of, 15), labels=STATUS_LABELS,
        map=status_map(conn, county, rows, _can_edit()))


@bp.route("/planner/remediation")
def planner():
    """List remote villages with their status, for planners to open and change."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    as_of = today()
    return render_template("remediation/planner.html", rows=village_rows(conn, county, as_of),
                           labels=STATUS_LABELS, as_of=as_of, can_edit=_can_edit())


def _village(conn, county, code):
    rows = [r for r in village_rows(conn, county, today()) if r["code"] == code]
    if not rows:
        abort(404, description=f"没有编码为 '{code}' 的偏远村")
    return rows[0]


@bp.route("/planner/remediation/<code>", methods=["GET"])
def edit(code):
    """Show a remote village's remediation form and its history."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    return render_template("remediation/edit.html", v=_village(conn, county, code),
                           history=records.history(conn, county, code), labels=STATUS_LABELS,
                           today=today(), can_edit=_can_edit())


@bp.route("/planner/remediation/<code>", methods=["POST"])
@require_role("planner")
def save(code):
    """Record a change from the form; a stale form is refused, not saved over."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    try:
        apply_change(county, code, request.form.to_dict())
    except Conflict:
        conn.rollback()
        flash("该村的整治记录已被他人修改，您的修改未保存。请查看最新记录后重新填写。")
        return _rerender(conn, county, code, 409)
    except HTTPException as err:
        if err.code != 400:
            raise
        conn.rollback()
        flash(f"未保存：{err.description}")
        return _rerender(conn, county, code, 400)
    flash("已保存")
    return redirect(url_for("remediation_pages.edit", code=code))


def _rerender(conn, county, code, status):
    return render_template("remediation/edit.html", v=_village(conn, county, code),
                           history=records.history(conn, county, code), labels=STATUS_LABELS,
                           today=today(), can_edit=True, form=request.form), status


@bp.route("/planner/remediation/<code>/revert/<int:event_id>", methods=["POST"])
@require_role("planner")
def revert(code, event_id):
    """Undo one change from the history list."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    version = request.form.get("version")
    try:
        records.revert(conn, county, event_id, current_user.name, int(version) if version else None)
        flash(f"已撤销记录 {event_id}（原记录仍保留在历史中）")
    except Conflict:
        conn.rollback()
        flash("该村的整治记录已被他人修改，未撤销。请查看最新记录。")
    except ValueError as err:
        conn.rollback()
        flash(f"未撤销：{err}")
    return redirect(url_for("remediation_pages.edit", code=code))
