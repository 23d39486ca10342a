"""Patrol (R5, R6, R7): staffing, visits from GPS tracks, alerts, route planning, track upload."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user
from pyproj import Transformer
from shapely.geometry import mapping, shape

from geo import patrol as pg
from geo.crs import utm_crs_for
from layers import patrol as records
from layers import store
from layers.catalog import LAYERS
from layers.db import get_conn
from layers.frames import read_frame
from web.auth import require_role

bp = Blueprint("patrol", __name__)
LOCAL = ZoneInfo("Asia/Shanghai")
IN_FORCE = ("listed", "remediating")


def _county() -> str:
    return current_app.config["COUNTY_CODE"]


def parse_time(value: str | None, name: str, default: datetime) -> datetime:
    """An ISO 8601 time from the query string (local time when no offset); 400 otherwise."""
    if not value:
        return default
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        abort(400, description=f"参数 {name} 不是 ISO 8601 时间 '{value}'（如 2026-11-20T08:00:00+08:00）")
    return ts if ts.tzinfo else ts.replace(tzinfo=LOCAL)


def period_args(days: int = 7) -> tuple[datetime, datetime]:
    now = datetime.now(LOCAL)
    end = parse_time(request.args.get("to"), "to", now)
    start = parse_time(request.args.get("from"), "from", end - timedelta(days=days))
    if start >= end:
        abort(400, description="参数 from 必须早于 to")
    return start, end


def places(conn, county: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, object]:
    """(listed hotspots in force, schools' 200 m places, metric CRS) in that CRS."""
    quarter = records.latest_quarter(conn, county)
    hot = read_frame(conn, LAYERS["hotspots"], county, ["code", "name", "status", "township_code"],
                     "t.quarter = %(q)s AND t.status IN ('listed', 'remediating')", {"q": quarter})
    schools = read_frame(conn, LAYERS["schools"], county, ["code", "name", "township_code", "village_code"])
    ref = hot if len(hot) else schools
    if ref.empty:
        crs = utm_crs_for(111.6, 33.8)
    else:
        c = ref.geometry.union_all().centroid
        crs = utm_crs_for(c.x, c.y)
    return hot.to_crs(crs), pg.school_places(schools.to_crs(crs)) if len(schools) else schools.to_crs(crs), crs


def _track_xy(lon, lat, crs) -> np.ndarray:
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return np.column_stack([x, y]) if len(lon) else np.zeros((0, 2))


def visit_report(conn, county: str, start: datetime, end: datetime) -> dict:
    """Visits, dwell, longest gap and presence rate per listed hotspot and school over a period."""
    hot, schools, crs = places(conn, county)
    team, times, lon, lat = records.tracks(conn, county, start, end)
    xy = _track_xy(lon, lat, crs)
    days = pd.date_range(start.astimezone(LOCAL).date(), (end - timedelta(microseconds=1)).astimezone(LOCAL).date())
    out = {"from": start.isoformat(), "to": end.isoformat(), "points": int(len(team))}
    for key, frame in (("hotspots", hot), ("schools", schools)):
        if frame.empty:
            out[key] = []
            continue
        result = pg.visits(team, times, xy, frame, period=(pd.Timestamp(start), pd.Timestamp(end)))
        rate = pg.presence_rate(result.visits, [d.date() for d in days], places=list(frame["code"]))
        rate = dict(zip(rate["code"], rate["rate"]))
        rows = []
        for r, name in zip(result.summary.to_dict("records"), frame["name"]):
            last = r["last_visit"]
            rows.append({"code": r["code"], "name": name, "visits": int(r["visits"]),
                         "dwell_min": round(float(r["dwell_min"]), 1), "long_visits": int(r["long_visits"]),
                         "longest_gap_h": round(float(r["longest_gap_h"]), 2),
                         "last_visit": None if pd.isna(last) else pd.Timestamp(last).tz_convert(LOCAL).isoformat(),
                         "presence_rate": rate.get(r["code"], 0.0)})
        out[key] = rows
    return out


def staffing(conn, county: str) -> dict:
    """Team strength against R7 for every township and village of the county."""
    towns, villages = records.unit_codes(conn, county)
    return pg.staffing(records.teams(conn, county), towns, villages)


@bp.route("/api/patrol/staffing")
def api_staffing():
    """Team strength against R7: township full-time ≥ 15, village volunteers ≥ 6."""
    return jsonify(staffing(get_conn(), _county()))


@bp.route("/api/patrol/visits")
def api_visits():
    """How often patrols were at each listed hotspot and school (within 200 m) in a period."""
    start, end = period_args()
    return jsonify(visit_report(get_conn(), _county(), start, end))


def alerts(conn, county: str, now: datetime, hours: float) -> dict:
    """Hotspots not visited in the last ``hours``, schools not visited today (a school day),
    teams whose latest points are off their route."""
    day_start = now.astimezone(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    report = visit_report(conn, county, now - timedelta(hours=max(hours, 24)), now)
    cutoff = now - timedelta(hours=hours)
    stale = [h for h in report["hotspots"]
             if h["last_visit"] is None or datetime.fromisoformat(h["last_visit"]) < cutoff]
    school_day = pg.school_day(now.astimezone(LOCAL).date())
    unvisited_schools = []
    if school_day:
        unvisited_schools = [s for s in report["schools"]
                             if s["last_visit"] is None or datetime.fromisoformat(s["last_visit"]) < day_start]
    return {"now": now.isoformat(), "hours": hours, "hotspots_unvisited": stale,
            "school_day": school_day, "schools_unvisited": unvisited_schools,
            "teams_off_route": off_route_teams(conn, county, now)}


def off_route_teams(conn, county: str, now: datetime) -> list[dict]:
    """Teams with a route whose last points in the past hour are all farther than 50 m from it."""
    out = []
    by_team: dict = {}
    for r in records.routes(conn, county):
        by_team.setdefault(r["team_code"], []).append(r)
    if not by_team:
        return out
    team, _times, lon, lat = records.tracks(conn, county, now - timedelta(hours=1), now)
    if not len(team):
        return out
    crs = utm_crs_for(lon, lat)
    xy = _track_xy(lon, lat, crs)
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    for code in sorted(set(team) & set(by_team)):
        line = shapely.union_all([shape(r["geometry"]) for r in by_team[code]])
        line = shapely.transform(line, lambda c: np.column_stack(to_metric.transform(c[:, 0], c[:, 1])))
        result = pg.off_route(xy[team == code], line, crs=crs)
        if result.alert:
            out.append({"team": code, "distance_m": round(float(result.distance_m[-1]), 1),
                        "share_off": round(float(result.share_off), 4)})
    return out


@bp.route("/api/patrol/alerts")
def api_alerts():
    """Alerts for the commander: unvisited hotspots and schools, teams off their route."""
    now = parse_time(request.args.get("now"), "now", datetime.now(LOCAL))
    hours = request.args.get("hours", "24")
    try:
        hours = float(hours)
    except ValueError:
        abort(400, description=f"参数 hours 应为数字，而不是 '{hours}'")
    return jsonify(alerts(get_conn(), _county(), now, hours))


def plan_for_team(conn, county: str, team_code: str, include: set[str], stop_minutes: float,
                  shift_minutes: float, start_time=None) -> dict:
    """A route from the team's base through the listed hotspots and schools of its area."""
    teams = records.teams(conn, county)
    row = teams[teams["code"] == team_code]
    if row.empty:
        abort(404, description=f"没有编码为 '{team_code}' 的巡防队")
    team = row.iloc[0]
    if pd.isna(team["lon"]):
        abort(400, description=f"巡防队 {team_code} 没有驻地位置，无法规划路线")
    hot, schools, crs = places(conn, county)
    area = "village_code" if team["kind"] == "village_volunteer" and team["village_code"] else "township_code"
    stops = []
    if "hotspots" in include and len(hot):
        sel = hot[hot["township_code"] == team["township_code"]]
        stops += [("hotspot", c, n, g.representative_point()) for c, n, g in zip(sel["code"], sel["name"], sel.geometry)]
    if "schools" in include and len(schools):
        sel = schools[schools[area] == team[area]]
        stops += [("school", c, n, g.centroid) for c, n, g in zip(sel["code"], sel["name"], sel.geometry)]
    if not stops:
        abort(400, description=f"巡防队 {team_code} 的辖区内没有挂牌乱点或学校可作为停靠点")
    roads = read_frame(conn, LAYERS["roads"], county, ["code"]).to_crs(crs)
    start = _track_xy(np.array([team["lon"]]), np.array([team["lat"]]), crs)[0]
    stops_xy = np.array([[p.x, p.y] for *_, p in stops])
    try:
        plan = pg.plan_route(roads, start, stops_xy, stop_minutes=stop_minutes, shift_minutes=shift_minutes,
                             start_time=start_time, crs=crs)
    except ValueError as err:
        abort(400, description=f"无法规划路线：{err}")
    geom = gpd.GeoSeries([plan.geometry], crs=crs).to_crs("EPSG:4326").iloc[0]
    where = gpd.GeoSeries([p for *_, p in stops], crs=crs).to_crs("EPSG:4326")
    ordered = []
    for r in plan.stops.to_dict("records"):
        kind, code, name, _ = stops[int(r["stop"])]
        point = where.iloc[int(r["stop"])]
        item = {"order": int(r["order"]), "kind": kind, "code": code, "name": name,
                "lon": round(point.x, 6), "lat": round(point.y, 6),
                "arrival_min": round(float(r["arrival_min"]), 1), "departure_min": round(float(r["departure_min"]), 1),
                "distance_m": round(float(r["distance_m"]), 1)}
        if "arrival" in r:
            item["arrival"] = pd.Timestamp(r["arrival"]).strftime("%H:%M")
            item["departure"] = pd.Timestamp(r["departure"]).strftime("%H:%M")
        ordered.append(item)
    return {"team": team_code, "team_name": team["name"], "geometry": mapping(geom),
            "length_m": round(plan.length_m, 1), "travel_min": round(plan.travel_min, 1),
            "duration_min": round(plan.duration_min, 1), "fits_shift": bool(plan.fits_shift),
            "method": plan.method, "stops": ordered, "stop_minutes": stop_minutes, "shift_minutes": shift_minutes}


def route_args(source) -> dict:
    """stops, stop_minutes and shift_minutes of a route plan, checked (400 otherwise)."""
    include = {s for s in str(source.get("stops", "hotspots,schools")).split(",") if s}
    if not include <= {"hotspots", "schools"}:
        abort(400, description="stops 只能是 hotspots、schools 或二者")
    out = {"include": include}
    for name, default in (("stop_minutes", 15.0), ("shift_minutes", 480.0)):
        try:
            out[name] = float(source.get(name, default))
        except (TypeError, ValueError):
            abort(400, description=f"{name} 应为数字")
        if out[name] <= 0:
            abort(400, description=f"{name} 应为正数")
    return out


@bp.route("/api/patrol/routes/plan")
def api_plan():
    """Plan a team's route through its listed hotspots and schools along the roads."""
    team = request.args.get("team") or abort(400, description="缺少参数 team")
    a = route_args(request.args)
    return jsonify(plan_for_team(get_conn(), _county(), team, a["include"], a["stop_minutes"], a["shift_minutes"]))


@bp.route("/api/patrol/routes", methods=["POST"])
@require_role("commander")
def api_save_route():
    """Save a drawn or planned route for a team and shift (commanders)."""
    body = request.get_json(silent=True) or {}
    missing = [k for k in ("code", "name", "team_code", "shift", "geometry") if not body.get(k)]
    if missing:
        abort(400, description=f"缺少字段：{', '.join(missing)}")
    try:
        geom = shape(body["geometry"])
    except (TypeError, ValueError, AttributeError, KeyError) as err:
        abort(400, description=f"geometry 不是有效的 GeoJSON：{err}")
    if geom.geom_type not in ("LineString", "MultiLineString") or geom.is_empty:
        abort(400, description="巡逻路线必须是线（LineString）")
    conn = get_conn()
    if body["team_code"] not in set(records.teams(conn, _county())["code"]):
        abort(400, description=f"没有编码为 '{body['team_code']}' 的巡防队")
    added, updated = records.save_route(conn, _county(), body["code"], body["name"], body["team_code"],
                                        body["shift"], geom, {"saved_by": current_user.name})
    return jsonify({"code": body["code"], "added": added, "updated": updated}), 201


@bp.route("/api/patrol/tracks", methods=["POST"])
@require_role("commander")
def api_post_tracks():
    """Store GPS points posted by a device: {team_code, points: [{lon, lat, recorded_at}]}."""
    body = request.get_json(silent=True) or {}
    team = body.get("team_code")
    points = body.get("points")
    if not team or not isinstance(points, list) or not points:
        abort(400, description="需要 team_code 和非空的 points 列表")
    conn = get_conn()
    if team not in set(records.teams(conn, _county())["code"]):
        abort(400, description=f"没有编码为 '{team}' 的巡防队")
    rows = []
    for i, p in enumerate(points, 1):
        try:
            lon, lat = float(p["lon"]), float(p["lat"])
            ts = datetime.fromisoformat(str(p["recorded_at"]).replace("Z", "+00:00"))
        except (KeyError, TypeError, ValueError) as err:
            abort(400, description=f"points 第 {i} 个点无效：{err}")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            abort(400, description=f"points 第 {i} 个点坐标超出范围 ({lon}, {lat})")
        ts = ts if ts.tzinfo else ts.replace(tzinfo=LOCAL)
        rows.append({"team_code": team, "recorded_at": ts, "code": f"{team}@{pd.Timestamp(ts).isoformat()}",
                     "township_code": None, "village_code": None, "props": {}, "lon": lon, "lat": lat})
    frame = gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy([r["lon"] for r in rows], [r["lat"] for r in rows]),
                             crs="EPSG:4326").drop(columns=["lon", "lat"])
    added, updated = records.add_track_points(conn, _county(), frame)
    store.locate(conn, _county())
    return jsonify({"added": added, "updated": updated}), 201
