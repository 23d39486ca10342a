"""The patrol commander's pages: the map, cameras and their status, the day's patrol, plans."""
from __future__ import annotations

import logging

import pandas as pd
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from shapely.geometry import shape

from geo.calendar import now, today
from geo.coverage import entrance_name, share_words
from layers import patrol as records
from layers.catalog import CAMERA_KINDS, LAYERS, VALUE_LABELS
from layers.db import reads_only
from layers.features import query_features
from web import context, params
from web.auth import may, require_role
from web.cache import built
from web.limits import heavy
from web.maps import coverage as coverage_maps
from web.maps import patrol as patrol_maps
from web.pages.common import attempt, map_urls, townships, vector_assets
from web.pages.home import download
from web.schemas.cameras import CameraListQuery
from web.schemas.coverage import CameraStatus, SitingPage
from web.schemas.patrol import Day_, RouteArgs
from web.services import cameras as camera_rows
from web.services import coverage, exports, mapdata, patrol, reports
from web.services import hotspot_lists as hl

LOGGER = logging.getLogger(__name__)
STOP_CHOICES = {"hotspots,schools": "乱点和学校", "hotspots": "仅乱点", "schools": "仅学校"}

bp = reads_only(Blueprint("commander", __name__, url_prefix="/commander"))  # its GETs may read a replica (layers.db)


# --- cameras ------------------------------------------------------------------------------

@bp.route("/cameras")
def cameras():
    """Show cameras with their sectors by status, and the gaps in coverage."""
    conn, county = context.conn(), context.code()

    def build():
        return coverage.camera_counts(conn, county), coverage_maps.camera_map(
            current_app.config, mapdata.page_county(conn, county), map_urls(), vector_assets(),
            url_for(".camera", code="__CODE__"), may("commander"), url_for("api.coverage_gaps"))
    counts, parts = built("commander.cameras", build)
    return render_template("commander/cameras.html", counts=counts, map=parts)


@bp.route("/cameras/list")
def camera_list():
    """List the cameras: filter by status, kind, township and networked, sort, page, export."""
    conn, county = context.conn(), context.code()
    q = params.query(CameraListQuery)
    shown = {**q.model_dump(exclude={"page", "format", "order"}, exclude_none=True), "order": q.order}  # filters first
    return render_template("commander/camera_list.html", q=q, shown=shown, found=camera_rows.page(conn, county, q),
                           towns=hl.township_names(conn, county), kinds=CAMERA_KINDS, labels=VALUE_LABELS,
                           sorts=SORT_LABELS)


SORT_LABELS = {"status": "状态（离线、故障在前）", "code": "编码", "name": "名称", "kind": "类型", "township": "乡镇",
               "changed": "状态变更时间", "installed": "安装日期"}


def _camera_page(code: str, status: int = 200):
    conn, county = context.conn(), context.code()
    return render_template("commander/camera.html", cam=coverage.camera(conn, county, code), labels=VALUE_LABELS,
                           history=coverage.camera_history(conn, county, code), can_edit=may("commander")), status


@bp.route("/cameras/<code>", methods=["GET"])
def camera(code):
    """Show a camera's status form and its history."""
    return _camera_page(code)


@bp.route("/cameras/<code>", methods=["POST"])
@require_role("commander")
def camera_save(code):
    """Change a camera's status from the form; kept in its history."""
    change = params.form(CameraStatus)
    _, err = attempt(coverage.set_camera_status, context.conn(), context.code(), code, change.status,
                     context.user_name(), change.note)
    flash(f"未保存：{err}" if err else "已保存")
    return redirect(url_for(".camera", code=code))


@bp.route("/siting")
def siting():
    """Show where to add cameras so that a village meets the county's video rule (R2); without
    ``village``, the villages that do not meet it."""
    conn, county = context.conn(), context.code()
    code = params.query(SitingPage).village
    if code is None:
        rows = built("commander.siting", lambda: coverage.failing_villages(conn, county))
        return render_template("commander/siting.html", doc=None, failing=rows,
                               rule=coverage.rule_document(conn, county))

    def build():
        doc = coverage.village_siting(conn, county, code)
        village = query_features(conn, LAYERS["villages"], county_code=county, codes=[code], precision=6)[0]
        box = shape(village[0]["geometry"]).buffer(0.002).bounds
        roads = query_features(conn, LAYERS["roads"], county_code=county, bbox=box, limit=5000, precision=6)[0]
        sectors = coverage.working_sectors(conn, county, box)
        return doc, coverage_maps.siting_map(current_app.config, village, roads, sectors, doc)
    doc, parts = built(("commander.siting", code), build)
    return render_template("commander/siting.html", doc=doc, v=doc["village"], map=parts, share_words=share_words,
                           entrance_name=entrance_name)


# --- the day's patrol ---------------------------------------------------------------------

def _layers(day: dict) -> tuple[dict, dict, dict]:
    """Map features of the commander's day, and the visit counts of hotspots and schools."""
    names, colors = day["names"], patrol_maps.team_colors(day["teams"]["code"])
    _tracks, positions = patrol_maps.track_features(*day["tracks"], names, colors)
    hot, hot_counts = patrol_maps.place_features(day["hot"], day["recent"]["hotspots"], "hotspot")
    schools, school_counts = patrol_maps.place_features(day["schools"], day["recent"]["schools"], "school")
    layers = {"positions": positions, "hotspots": hot, "schools": schools}
    return layers, hot_counts, school_counts


def _patrol_day() -> tuple[dict, dict, dict]:
    """The day asked for (default: the latest with tracks): the page's status, map parts and
    the map's places and positions (fetched after the page: ``patrol_places``). Kept a
    minute at most: what is recent and what is overdue follow the clock."""
    conn, county = context.conn(), context.code()
    day = params.query(Day_).day or patrol.latest_track_day(conn, county, today())
    minute = now().replace(second=0, microsecond=0)

    def build():
        found = patrol.patrol_day(conn, county, day, minute)
        layers, hot_counts, school_counts = _layers(found)
        teams = found["teams"].assign(has_base=found["teams"]["lon"].notna()).to_dict("records")
        status = {**found, "teams": teams, "hot_counts": hot_counts, "school_counts": school_counts,
                  "distances": patrol.team_distances(found["tracks"], found["names"])}
        urls = {"lines": url_for("commander.day_lines", day=day.isoformat()),
                "places": url_for("commander.patrol_places", day=day.isoformat())}
        places = {key: {"type": "FeatureCollection", "features": features} for key, features in layers.items()}
        return status, patrol_maps.day_map(current_app.config, townships(), places, urls, vector_assets()), places
    return built(("commander.patrol", day, minute), build)


@bp.route("/patrol")
def patrol_page():
    """Show the day's patrol map, alerts, team strength and distance, a week of visits and plan links."""
    status, parts, _places = _patrol_day()
    return render_template("commander/patrol.html", s=status, status_styles=patrol_maps.STATUS, labels=VALUE_LABELS,
                           map=parts)


@bp.route("/patrol/places")
def patrol_places():
    """The patrol page map's hotspots and schools by visit status and the teams' last
    positions, as GeoJSON (fetched after the page, which stays small); ?day= as the page."""
    return jsonify(_patrol_day()[2])


@bp.route("/patrol.xlsx")
def patrol_xlsx():
    """Download the day's patrol as XLSX: visit summary, hotspots and schools, teams, alerts."""
    status = _patrol_day()[0]
    return download(reports.patrol_xlsx(status, status["distances"], context.county()), exports.XLSX,
                    f"patrol-{status['day']}.xlsx")


# --- printable plan per team --------------------------------------------------------------

PLAN_DEFAULTS = {"start": "08:00"}


@bp.route("/patrol/plan/<team_code>")
@heavy
def plan(team_code):
    """Show a team's printable patrol plan: map, stops with clock times, length and duration."""
    conn, county = context.conn(), context.code()
    args = params.query(RouteArgs, PLAN_DEFAULTS)
    doc = patrol.plan_for_team(conn, county, team_code, args)
    team = patrol.team_row(conn, county, team_code)
    end = args.start_time + pd.Timedelta(minutes=args.shift_minutes)
    view = {**args.query(), "stop_minutes": args.stop_minutes, "shift_minutes": args.shift_minutes}
    return render_template("commander/plan.html", plan=doc, team=team, args=view, query=args.query(),
                           stop_choices=STOP_CHOICES, kinds=patrol_maps.KIND_LABELS, labels=VALUE_LABELS,
                           finish=args.start_time + pd.Timedelta(minutes=doc["duration_min"]),
                           shift=f"{args.start}-{end:%H:%M}", can_save=may("commander"),
                           map=patrol_maps.plan_map(current_app.config, townships(), doc, (team["lon"], team["lat"])))


@bp.route("/patrol/plan/<team_code>", methods=["POST"])
@require_role("commander")
def save_plan(team_code):
    """Save the planned route as the team's route for a shift (commanders)."""
    conn, county = context.conn(), context.code()
    args = params.form(RouteArgs, PLAN_DEFAULTS)
    back = redirect(url_for(".plan", team_code=team_code, **args.query()))
    code, name, shift = (request.form.get(k, "").strip() for k in ("code", "name", "shift"))
    if not (code and name and shift):
        flash("未保存：路线编码、名称和班次都要填写")
        return back
    other = [r for r in records.routes(conn, county) if r["code"] == code and r["team_code"] != team_code]
    if other:
        flash(f"未保存：路线编码 {code} 已属于巡防队 {other[0]['team_code']}")
        return back
    doc = patrol.plan_for_team(conn, county, team_code, args)
    props = {"saved_by": context.user_name(), "planned_from": "patrol_plan", "start": args.start,
             "stops": args.query()["stops"], "stop_minutes": args.stop_minutes,
             "length_m": doc["length_m"], "duration_min": doc["duration_min"]}
    route = {"code": code, "name": name, "team_code": team_code, "shift": shift, "geometry": shape(doc["geometry"])}
    added, _ = patrol.save_route(conn, county, route, props)
    LOGGER.info("route %s saved for team %s by %s", code, team_code, context.user_name())
    flash(f"已{'保存' if added else '更新'}巡逻路线 {code}（{name}，班次 {shift}）")
    return back


from web.pages import commander_home  # noqa: E402,F401  (the first screen's routes on bp)
from web.pages import commander_lists  # noqa: E402,F401  (the hotspot and team lists on bp)
from web.pages import checkins  # noqa: E402,F401  (patrol members' check-ins on bp)
