"""Pages for video coverage: the leader's dashboard, the commander's camera map and forms."""
from __future__ import annotations

import folium
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from layers import coverage
from layers.catalog import LAYERS, VALUE_LABELS
from layers.db import get_conn
from layers.features import query_features
from web.auth import require_role
from web.coverage import coverage_report
from web.maps import page_map, safe_text, township_outlines

bp = Blueprint("coverage_pages", __name__)
STATUS_COLORS = {"working": "#1a9641", "faulty": "#f39c12", "offline": "#d7191c"}
GAP_STYLES = {"road": {"color": "#d7191c", "weight": 3},
              "hotspot": {"color": "#b2182b", "fillColor": "#ef8a62", "fillOpacity": 0.5, "weight": 1},
              "school": {"color": "#762a83", "fillColor": "#c2a5cf", "fillOpacity": 0.5, "weight": 1}}


def share_color(share: float) -> str:
    """Green at full coverage through yellow to red at none."""
    if share >= 0.8:
        return "#1a9641"
    if share >= 0.5:
        return "#a6d96a"
    if share >= 0.3:
        return "#fdae61"
    return "#d7191c"


def _parts(m: folium.Map) -> dict:
    folium.LayerControl(collapsed=False).add_to(m)
    root = m.get_root()
    root.render()
    return {"header": root.header.render(), "html": root.html.render(), "script": root.script.render()}


def coverage_map(conn, county: str, report: dict) -> dict:
    """Villages coloured by road coverage, and the gaps, for the leader."""
    by_code = {v["code"]: v for v in report["villages"]}
    features, _ = query_features(conn, LAYERS["villages"], county_code=county, limit=100_000, precision=5)
    for f in features:
        v = by_code.get(f["id"], {})
        f["properties"] = {"share": v.get("road_share", 0), "popup": (
            f"<b>{safe_text(f['properties']['name'])}</b><br>道路 {v.get('road_m', 0) / 1000:.1f} 公里，覆盖 "
            f"{v.get('road_share', 0):.0%}<br>路口 {v.get('covered_junctions', 0)}/{v.get('junctions', 0)}；"
            f"学校 {v.get('covered_schools', 0)}/{v.get('schools', 0)}<br>视频覆盖（R2）："
            f"{'达标' if v.get('video_covered') else '未达标'}")}
    m = page_map(current_app.config)
    if features:
        layer = folium.GeoJson({"type": "FeatureCollection", "features": features}, name="村道路视频覆盖率",
                               style_function=lambda f: {"color": "#555", "weight": 0.8, "fillOpacity": 0.6,
                                                         "fillColor": share_color(f["properties"]["share"])},
                               popup=folium.GeoJsonPopup(fields=["popup"], labels=False))
        layer.add_to(m)
        m.fit_bounds(layer.get_bounds())
    return _parts(m)


@bp.route("/leader/coverage")
def leader():
    """Show each coverage indicator against its target, townships ranked, and the map."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    report = coverage_report(conn, county)
    names = {f["id"]: f["properties"]["name"] for f in
             query_features(conn, LAYERS["townships"], county_code=county, limit=10_000)[0]}
    ranked = sorted(report["townships"], key=lambda t: (-t["road_share"], t["code"]))
    worst = sorted((v for v in report["villages"] if v["road_m"] > 0),
                   key=lambda v: (v["road_share"], -v["road_m"]))[:15]
    return render_template("coverage/leader.html", r=report, ranked=ranked, names=names, worst=worst,
                           map=coverage_map(conn, county, report))


def camera_map(conn, county: str, editable: bool) -> dict:
    """Cameras and their sectors coloured by status, and the coverage gaps, for the commander."""
    cams, _ = query_features(conn, LAYERS["cameras"], county_code=county, limit=100_000, precision=6)
    sectors = coverage.sector_geojson(conn, county)
    m = page_map(current_app.config, township_outlines(conn, county))
    sector_features, point_features = [], []
    for f in cams:
        p = f["properties"]
        link = (f'<br><a href="{safe_text(url_for("coverage_pages.camera", code=p["code"]))}">'
                f'{"修改状态" if editable else "查看详情与历史"}</a>')
        popup = (f"<b>{safe_text(p['name'])}</b>（{safe_text(p['code'])}）<br>{VALUE_LABELS.get(p['kind'], p['kind'])}，"
                 f"状态：{VALUE_LABELS.get(p['status'], p['status'])}，{'已联网' if p['networked'] else '未联网'}"
                 f"<br>朝向 {p['azimuth'] if p['azimuth'] is not None else '—'}°，视场 {p['fov']}°，"
                 f"可视 {p['range_m']} 米{link}")
        props = {"status": p["status"], "popup": popup}
        point_features.append({**f, "properties": props})
        if sectors.get(p["code"]):
            sector_features.append({"type": "Feature", "geometry": sectors[p["code"]], "properties": props})
    folium.GeoJson({"type": "FeatureCollection", "features": sector_features}, name="可视范围（按状态）",
                   style_function=lambda f: {"color": STATUS_COLORS[f["properties"]["status"]], "weight": 0.5,
                                             "fillColor": STATUS_COLORS[f["properties"]["status"]],
                                             "fillOpacity": 0.25}).add_to(m)
    gaps = coverage.gaps(conn, county, quarter=coverage.latest_quarter(conn, county))
    for kind, title in (("road", "未覆盖路段"), ("hotspot", "乱点未覆盖部分"), ("school", "学校周边未覆盖")):
        fs = [g for g in gaps if g["properties"]["kind"] == kind]
        folium.GeoJson({"type": "FeatureCollection", "features": fs}, name=title,
                       style_function=lambda f, k=kind: GAP_STYLES[k]).add_to(m)
    points = folium.GeoJson({"type": "FeatureCollection", "features": point_features}, name="摄像机（按状态）",
                            marker=folium.CircleMarker(radius=4, weight=1, fill=True, fill_opacity=0.9),
                            style_function=lambda f: {"color": "#333", "fillColor": STATUS_COLORS[f["properties"]["status"]]},
                            popup=folium.GeoJsonPopup(fields=["popup"], labels=False))
    points.add_to(m)
    if point_features:
        m.fit_bounds(points.get_bounds())
    return _parts(m)


@bp.route("/commander/cameras")
def commander():
    """Show cameras with their sectors by status, and the gaps in coverage."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    counts = coverage.camera_counts(conn, county)
    return render_template("coverage/commander.html", counts=counts,
                           map=camera_map(conn, county, current_user.role in ("commander", "admin")))


@bp.route("/commander/cameras/<code>", methods=["GET"])
def camera(code):
    """Show a camera's status form and its history."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    feats, _ = query_features(conn, LAYERS["cameras"], county_code=county, codes=[code], limit=1)
    if not feats:
        abort(404, description=f"没有编码为 '{code}' 的摄像机")
    return render_template("coverage/camera.html", cam=feats[0]["properties"], labels=VALUE_LABELS,
                           history=coverage.camera_history(conn, county, code),
                           can_edit=current_user.role in ("commander", "admin"))


@bp.route("/commander/cameras/<code>", methods=["POST"])
@require_role("commander")
def camera_save(code):
    """Change a camera's status from the form; kept in its history."""
    conn = get_conn()
    try:
        coverage.set_camera_status(conn, current_app.config["COUNTY_CODE"], code,
                                   request.form.get("status", ""), current_user.name, request.form.get("note", ""))
    except ValueError as err:
        conn.rollback()
        flash(f"未保存：{err}")
        return redirect(url_for("coverage_pages.camera", code=code))
    flash("已保存")
    return redirect(url_for("coverage_pages.camera", code=code))
