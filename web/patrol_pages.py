"""Patrol pages (R5, R6, R7): the commander's patrol map and printable patrol plans per team.

``/commander/patrol?day=YYYY-MM-DD`` (default: the latest day with GPS points) shows
routes, the day's tracks and each team's last position, listed hotspots and schools
coloured by their visits in the 24 hours up to the end of that day (or now, today),
the alerts, team strength and a week of visits per hotspot. ``/commander/patrol/plan/
<team>`` is a team's planned route through its hotspots and schools, with clock times,
ready to print; commanders can save it as the team's route.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from shapely.geometry import mapping, shape

from layers import patrol as records
from layers.catalog import LAYERS, VALUE_LABELS
from layers.db import get_conn
from layers.features import extent
from layers.frames import read_frame
from web import patrol as wp
from web.auth import require_role
from web.maps import figure_parts, page_map, safe_text, township_outlines

LOGGER = logging.getLogger(__name__)
bp = Blueprint("patrol_pages", __name__)

LOCAL = wp.LOCAL
# Visit status of a hotspot or school over the 24 hours: colour and legend label.
STATUS = {"long": ("#1a9641", "已巡（停留≥10分钟）"), "brief": ("#fdae61", "短暂经过（<10分钟）"),
          "none": ("#d7191c", "未巡")}
TEAM_COLORS = ("#1f78b4", "#6a3d9a", "#b15928", "#01665e", "#c51b7d", "#2166ac", "#8c510a",
               "#35978f", "#762a83", "#4d4d4d")
KIND_LABELS = {"hotspot": "乱点", "school": "学校"}
STOP_CHOICES = {"hotspots,schools": "乱点和学校", "hotspots": "仅乱点", "schools": "仅学校"}
TRACK_GAP = pd.Timedelta(minutes=15)   # a longer gap between GPS points breaks the drawn track
PRECISION = 5                           # decimals of a degree (about 1 m)
SIMPLIFY = {"track": 5e-5, "route": 1e-5, "area": 1e-5}  # degrees: within GPS error
VISIT_DAYS = 7


def _county() -> str:
    return current_app.config["COUNTY_CODE"]


def _clock(value) -> str:
    return "—" if not value else pd.Timestamp(value).tz_convert(LOCAL).strftime("%m-%d %H:%M")


# --- the day and its figures ------------------------------------------------------------

def pick_day(conn, county: str, value: str | None) -> date:
    """The day asked for, else the latest local day with GPS points, else today; 400 if invalid."""
    today = datetime.now(LOCAL).date()
    if value:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            abort(400, description=f"参数 day 应为日期 YYYY-MM-DD，而不是 '{value}'")
        return day
    interval = extent(conn, LAYERS["patrol_tracks"], county)["interval"]
    return interval[1].astimezone(LOCAL).date() if interval else today


def day_window(day: date) -> tuple[datetime, datetime]:
    """(local start of ``day``, its end: now when it is today, else its last microsecond)."""
    start = datetime.combine(day, time(), LOCAL)
    now = datetime.now(LOCAL)
    return start, now if now.date() == day else start + timedelta(days=1) - timedelta(microseconds=1)


def visit_status(row: dict) -> str:
    """'long' (a stop of 10 minutes or more), 'brief' (visited) or 'none'."""
    return "long" if row["long_visits"] else "brief" if row["visits"] else "none"


def staffing_view(conn, county: str) -> dict:
    """R7 strength with names: townships against 15, villages short of 6 and their count."""
    doc = wp.staffing(conn, county)
    town_names = dict(read_frame(conn, LAYERS["townships"], county, ["code", "name"])[["code", "name"]].values)
    vil = read_frame(conn, LAYERS["villages"], county, ["code", "name", "township_code"])
    vil_names = dict(zip(vil["code"], vil["name"]))
    vil_town = dict(zip(vil["code"], vil["township_code"]))
    townships = [{**t, "name": town_names.get(t["code"], t["code"])} for t in doc["townships"]]
    short = [{**v, "name": vil_names.get(v["code"], v["code"]),
              "township": town_names.get(vil_town.get(v["code"]), "")} for v in doc["villages"] if not v["met"]]
    return {"townships": townships, "villages": len(doc["villages"]), "villages_short": short,
            "villages_without_team": sum(1 for v in short if v["volunteer_members"] == 0),
            "townships_short": sum(1 for t in townships if not t["met"])}


def track_features(team, times, lon, lat, names: dict, colors: dict) -> tuple[list, list]:
    """The day's GPS points (ordered by team and time) as one line per team, broken at gaps
    over TRACK_GAP, and each team's last point: (track features, position features)."""
    lines, positions = [], []
    if not len(team):
        return lines, positions
    ns = times.asi8
    for seg in np.split(np.arange(len(team)), np.flatnonzero(team[1:] != team[:-1]) + 1):
        code, last = team[seg[0]], seg[-1]
        name = safe_text(names.get(code, code))
        parts = [p for p in np.split(seg, np.flatnonzero(np.diff(ns[seg]) > TRACK_GAP.value) + 1) if len(p) > 1]
        span = f"{times[seg[0]]:%H:%M}–{times[last]:%H:%M}"
        if parts:
            geom = shapely.MultiLineString([np.column_stack([lon[p], lat[p]]) for p in parts])
            lines.append(_feature(shapely.simplify(geom, SIMPLIFY["track"]), {
                "color": colors.get(code, TEAM_COLORS[0]), "label": f"{name} 轨迹 {span}",
                "popup": f"<b>{name}</b><br>轨迹 {span}，{len(seg)} 个定位点"}))
        positions.append(_feature(shapely.Point(lon[last], lat[last]), {
            "color": colors.get(code, TEAM_COLORS[0]), "label": f"{name} {times[last]:%H:%M}",
            "popup": f"<b>{name}</b><br>最后位置 {times[last]:%Y-%m-%d %H:%M}"}))
    return lines, positions


def _feature(geom, props: dict) -> dict:
    geom = shapely.transform(geom, lambda xy: np.round(xy, PRECISION))
    return {"type": "Feature", "geometry": mapping(geom), "properties": props}


def place_features(frame: gpd.GeoDataFrame, report: list[dict], kind: str) -> tuple[list, dict]:
    """Hotspots or school places coloured by visit status; and the count per status."""
    rows = {r["code"]: r for r in report}
    counts = dict.fromkeys(STATUS, 0)
    out = []
    listed = frame["status"] if kind == "hotspot" else [None] * len(frame)
    for code, name, listing, geom in zip(frame["code"], frame["name"], listed, frame.to_crs(4326).geometry):
        r = rows.get(code, {"visits": 0, "long_visits": 0, "dwell_min": 0, "last_visit": None})
        status = visit_status(r)
        counts[status] += 1
        extra = f"，{VALUE_LABELS.get(listing, '')}" if kind == "hotspot" else "（200米范围）"
        out.append(_feature(shapely.simplify(geom, SIMPLIFY["area"]), {
            "color": STATUS[status][0], "label": f"{safe_text(name)}：{STATUS[status][1]}",
            "popup": (f"<b>{safe_text(name)}</b>（{safe_text(code)}）{extra}<br>近24小时：{STATUS[status][1]}，"
                      f"到访 {r['visits']} 次，停留 {r['dwell_min']} 分钟"
                      f"<br>最近到访 {_clock(r['last_visit'])}")}))
    return out, counts


def route_features(routes: list[dict], names: dict, colors: dict) -> list[dict]:
    """The planned routes, coloured by team."""
    return [_feature(shapely.simplify(shape(r["geometry"]), SIMPLIFY["route"]), {
        "color": colors.get(r["team_code"], TEAM_COLORS[0]), "label": safe_text(r["name"]),
        "popup": (f"<b>{safe_text(r['name'])}</b>（{safe_text(r['code'])}）"
                  f"<br>巡防队：{safe_text(names.get(r['team_code'], r['team_code']))}"
                  f"<br>班次：{safe_text(r['shift'])}，长 {r['length_m'] / 1000:.1f} 公里")})
        for r in routes if r["geometry"]]


def patrol_status(conn, county: str, day: date) -> dict:
    """Everything the commander's page shows for ``day``."""
    day_start, now = day_window(day)
    teams = records.teams(conn, county)
    names = dict(zip(teams["code"], teams["name"]))
    colors = {c: TEAM_COLORS[i % len(TEAM_COLORS)] for i, c in enumerate(teams["code"])}
    hot, schools, _crs = wp.places(conn, county)
    recent = wp.visit_report(conn, county, now - timedelta(hours=24), now)
    week = wp.visit_report(conn, county, day_start - timedelta(days=VISIT_DAYS - 1), now)
    alerts = wp.alerts(conn, county, now, 24.0)
    for t in alerts["teams_off_route"]:
        t["name"] = names.get(t["team"], t["team"])
    tracks, positions = track_features(*records.tracks(conn, county, day_start, now), names, colors)
    hot_features, hot_counts = place_features(hot, recent["hotspots"], "hotspot")
    school_features, school_counts = place_features(schools, recent["schools"], "school")
    return {"day": day, "now": now, "today": day == datetime.now(LOCAL).date(), "alerts": alerts,
            "week": week, "hot_counts": hot_counts, "school_counts": school_counts,
            "staffing": staffing_view(conn, county),
            "teams": teams.assign(has_base=teams["lon"].notna()).to_dict("records"),
            "layers": {"routes": route_features(records.routes(conn, county), names, colors),
                       "tracks": tracks, "positions": positions, "hotspots": hot_features,
                       "schools": school_features}}


# --- maps ------------------------------------------------------------------------------

def _page_map() -> folium.Map:
    """A page map with the county's township borders."""
    return page_map(current_app.config, township_outlines(get_conn(), _county()))


def _overlay(m: folium.Map, title: str, features: list[dict], style: dict, marker=None) -> None:
    """One overlay of features whose properties carry color, label and popup (all escaped)."""
    if not features:
        folium.FeatureGroup(name=f"{title}（无）").add_to(m)
        return
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name=title, marker=marker,
        style_function=lambda f: {**style, "color": f["properties"]["color"],
                                  "fillColor": f["properties"]["color"]},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False)).add_to(m)


def fit_bounds(features) -> list | None:
    """[[south, west], [north, east]] of GeoJSON features, or None when there are none."""
    geoms = [shape(f["geometry"]) for f in features if f.get("geometry")]
    if not geoms:
        return None
    west, south, east, north = shapely.total_bounds(geoms)
    return [[float(south), float(west)], [float(north), float(east)]]


def status_map(layers: dict, m: folium.Map | None = None) -> folium.Map:
    """Hotspots and schools by visit status, routes, tracks and last positions on ``m``."""
    m = _page_map() if m is None else m
    for args in (
        (m, "挂牌乱点（近24小时巡查）", layers["hotspots"],
         {"weight": 2, "fillOpacity": 0.45, "className": "pt-hotspot"}),
        (m, "学校200米范围（近24小时巡查）", layers["schools"],
         {"weight": 1.5, "dashArray": "4 3", "fillOpacity": 0.25, "className": "pt-school"}),
        (m, "巡逻路线", layers["routes"],
         {"weight": 3, "dashArray": "8 5", "opacity": 0.8, "fill": False, "className": "pt-route"}),
        (m, "当天轨迹", layers["tracks"], {"weight": 2.5, "opacity": 0.85, "fill": False, "className": "pt-track"}),
        (m, "巡防队最后位置", layers["positions"], {"weight": 2, "fillOpacity": 1, "className": "pt-team"},
         folium.CircleMarker(radius=7, fill=True)),
    ):
        _overlay(*args)
    bounds = fit_bounds(f for features in layers.values() for f in features)
    if bounds:
        m.fit_bounds(bounds)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def plan_map(plan: dict, stop_points: list, base, m: folium.Map | None = None) -> folium.Map:
    """The planned route, its numbered stops and the team's base on ``m``."""
    m = _page_map() if m is None else m
    route = folium.GeoJson({"type": "Feature", "geometry": plan["geometry"], "properties": {}}, name="计划路线",
                           style_function=lambda f: {"color": "#0570b0", "weight": 4, "opacity": 0.85,
                                                     "className": "pt-plan-route"})
    route.add_to(m)
    stops = folium.FeatureGroup(name="停靠点").add_to(m)
    for stop, point in zip(plan["stops"], stop_points):
        if point is None:
            continue
        when = f"{stop['arrival']}–{stop['departure']}" if "arrival" in stop else f"第 {stop['arrival_min']} 分钟"
        folium.Marker([point.y, point.x], tooltip=folium.Tooltip(
            f"{stop['order']}. {KIND_LABELS[stop['kind']]} {safe_text(stop['name'])} {when}"),
            icon=folium.DivIcon(html=f"<span>{int(stop['order'])}</span>", icon_size=(24, 24), icon_anchor=(12, 12),
                                class_name=f"pt-stop pt-stop-{stop['kind']}")).add_to(stops)
    folium.CircleMarker([base[1], base[0]], radius=8, color="#222", weight=3, fill=True, fill_color="#ffffff",
                        fill_opacity=1, tooltip=folium.Tooltip(f"驻地：{safe_text(plan['team_name'])}")).add_to(m)
    m.fit_bounds(fit_bounds([{"geometry": plan["geometry"]}]))
    folium.LayerControl(collapsed=False).add_to(m)
    return m


# --- the commander's page ---------------------------------------------------------------

@bp.route("/commander/patrol")
def index():
    """Show the day's patrol map, alerts, team strength, a week of visits and plan links."""
    conn = get_conn()
    status = patrol_status(conn, _county(), pick_day(conn, _county(), request.args.get("day")))
    return render_template("patrol/index.html", s=status, status_styles=STATUS, labels=VALUE_LABELS,
                           map=figure_parts(status_map(status["layers"])))


# --- printable plan per team ------------------------------------------------------------

def plan_args(source) -> dict:
    """Stops, stop and shift minutes (web.patrol's rules) and the start time ``HH:MM`` of today."""
    args = wp.route_args(source)
    value = str(source.get("start") or "08:00")
    try:
        start = datetime.strptime(value, "%H:%M")
    except ValueError:
        abort(400, description=f"参数 start 应为时刻 HH:MM（如 08:00），而不是 '{value}'")
    args["stops"] = ",".join(s for s in ("hotspots", "schools") if s in args["include"])
    args["start"] = f"{start:%H:%M}"
    args["start_time"] = pd.Timestamp(datetime.combine(datetime.now(LOCAL).date(), start.time()), tz=LOCAL)
    return args


def _query(args: dict) -> dict:
    return {"start": args["start"], "stops": args["stops"], "stop_minutes": f"{args['stop_minutes']:g}",
            "shift_minutes": f"{args['shift_minutes']:g}"}


def stop_points(stops: list[dict]) -> list:
    """Where each planned stop is (EPSG:4326 points, from the plan)."""
    return [shapely.Point(s["lon"], s["lat"]) for s in stops]


def _plan(conn, county: str, team_code: str, args: dict) -> dict:
    return wp.plan_for_team(conn, county, team_code, args["include"], args["stop_minutes"],
                            args["shift_minutes"], start_time=args["start_time"])


@bp.route("/commander/patrol/plan/<team_code>")
def plan(team_code):
    """Show a team's printable patrol plan: map, stops with clock times, length and duration."""
    conn, county = get_conn(), _county()
    args = plan_args(request.args)
    doc = _plan(conn, county, team_code, args)
    teams = records.teams(conn, county)
    team = teams[teams["code"] == team_code].iloc[0]
    end = args["start_time"] + pd.Timedelta(minutes=args["shift_minutes"])
    m = plan_map(doc, stop_points(doc["stops"]), (team["lon"], team["lat"]))
    parts = {**figure_parts(m), "name": m.get_name(), "bounds": fit_bounds([{"geometry": doc["geometry"]}])}
    return render_template("patrol/plan.html", plan=doc, team=team, args=args, query=_query(args),
                           stop_choices=STOP_CHOICES, kinds=KIND_LABELS, labels=VALUE_LABELS,
                           finish=args["start_time"] + pd.Timedelta(minutes=doc["duration_min"]),
                           shift=f"{args['start']}-{end:%H:%M}", map=parts,
                           can_save=current_user.role in ("commander", "admin"))


@bp.route("/commander/patrol/plan/<team_code>", methods=["POST"])
@require_role("commander")
def save_plan(team_code):
    """Save the planned route as the team's route for a shift (commanders)."""
    conn, county = get_conn(), _county()
    args = plan_args(request.form)
    back = redirect(url_for(".plan", team_code=team_code, **_query(args)))
    code, name, shift = (request.form.get(k, "").strip() for k in ("code", "name", "shift"))
    if not (code and name and shift):
        flash("未保存：路线编码、名称和班次都要填写")
        return back
    other = [r for r in records.routes(conn, county) if r["code"] == code and r["team_code"] != team_code]
    if other:
        flash(f"未保存：路线编码 {code} 已属于巡防队 {other[0]['team_code']}")
        return back
    doc = _plan(conn, county, team_code, args)
    props = {"saved_by": current_user.name, "planned_from": "patrol_plan", "start": args["start"],
             "stops": args["stops"], "stop_minutes": args["stop_minutes"], "length_m": doc["length_m"],
             "duration_min": doc["duration_min"]}
    added, _updated = records.save_route(conn, county, code, name, team_code, shift,
                                         shape(doc["geometry"]), props)
    LOGGER.info("route %s saved for team %s by %s", code, team_code, current_user.name)
    flash(f"已{'保存' if added else '更新'}巡逻路线 {code}（{name}，班次 {shift}）")
    return back
