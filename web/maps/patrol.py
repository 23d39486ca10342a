"""Patrol maps: the commander's day (places by visit status, routes, tracks, last positions)
and a team's printable plan (route, numbered stops, base)."""
from __future__ import annotations

import folium
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from geo.calendar import LOCAL
from geo.rules import LONG_VISIT_MIN
from layers.catalog import VALUE_LABELS
from web.maps.shell import add_overlay, feature, figure_parts, fit_bounds, page_map, use_vector_assets
from web.maps.text import safe_text
from web.maps.tiled import ApiOverlay
from web.numbers import distance

# Visit status of a hotspot or school over the 24 hours: colour and legend label.
STATUS = {"long": ("#1a9641", f"已巡（停留≥{LONG_VISIT_MIN:g}分钟）"),
          "brief": ("#fdae61", f"短暂经过（<{LONG_VISIT_MIN:g}分钟）"), "none": ("#d7191c", "未巡")}
TEAM_COLORS = ("#1f78b4", "#6a3d9a", "#b15928", "#01665e", "#c51b7d", "#2166ac", "#8c510a",
               "#35978f", "#762a83", "#4d4d4d")
KIND_LABELS = {"hotspot": "乱点", "school": "学校"}
TRACK_GAP = pd.Timedelta(minutes=15)   # a longer gap between GPS points breaks the drawn track
PRECISION = 5                           # decimals of a degree (about 1 m)
SIMPLIFY = {"track": 5e-5, "route": 1e-5, "area": 3e-5}  # degrees: within GPS error (areas: ~3 m)
EMPTY_VISITS = {"visits": 0, "long_visits": 0, "dwell_min": 0, "last_visit": None}


def clock(value) -> str:
    """'11-26 09:30' of an ISO time, '—' when there is none."""
    return "—" if not value else pd.Timestamp(value).tz_convert(LOCAL).strftime("%m-%d %H:%M")


def visit_status(row: dict) -> str:
    """'long' (a stop of 10 minutes or more), 'brief' (visited) or 'none'."""
    return "long" if row["long_visits"] else "brief" if row["visits"] else "none"


def team_colors(codes) -> dict:
    return {c: TEAM_COLORS[i % len(TEAM_COLORS)] for i, c in enumerate(codes)}


def _feature(geom, props: dict) -> dict:
    return feature(geom, props, PRECISION)


def track_features(team, times, lon, lat, names: dict, colors: dict) -> tuple[list, list]:
    """The day's GPS points (ordered by team and time) as one line per team, broken at gaps
    over TRACK_GAP, and each team's last point: (track features, position features)."""
    lines, positions = [], []
    if not len(team):
        return lines, positions
    # datetime64 (UTC) of whatever unit the frame has (ns or us)
    stamps = (times.tz_convert(None) if times.tz is not None else times).to_numpy()
    for seg in np.split(np.arange(len(team)), np.flatnonzero(team[1:] != team[:-1]) + 1):
        code, last = team[seg[0]], seg[-1]
        name = safe_text(names.get(code, code))
        color = colors.get(code, TEAM_COLORS[0])
        parts = [p for p in np.split(seg, np.flatnonzero(np.diff(stamps[seg]) > TRACK_GAP.to_timedelta64()) + 1) if len(p) > 1]
        span = f"{times[seg[0]]:%H:%M}–{times[last]:%H:%M}"
        if parts:
            geom = shapely.MultiLineString([np.column_stack([lon[p], lat[p]]) for p in parts])
            lines.append(_feature(shapely.simplify(geom, SIMPLIFY["track"]), {
                "color": color, "label": f"{name} 轨迹 {span}",
                "popup": f"<b>{name}</b><br>轨迹 {span}，{len(seg)} 个定位点"}))
        positions.append(_feature(shapely.Point(lon[last], lat[last]), {
            "color": color, "label": f"{name} {times[last]:%H:%M}",
            "popup": f"<b>{name}</b><br>最后位置 {times[last]:%Y-%m-%d %H:%M}"}))
    return lines, positions


def place_features(frame, report: list[dict], kind: str) -> tuple[list, dict]:
    """Hotspots or school places coloured by visit status; and the count per status."""
    rows = {r["code"]: r for r in report}
    counts = dict.fromkeys(STATUS, 0)
    out = []
    listed = frame["status"] if kind == "hotspot" else [None] * len(frame)
    for code, name, listing, geom in zip(frame["code"], frame["name"], listed, frame.to_crs(4326).geometry):
        r = rows.get(code, EMPTY_VISITS)
        status = visit_status(r)
        counts[status] += 1
        extra = f"，{VALUE_LABELS.get(listing, '')}" if kind == "hotspot" else "（200米范围）"
        out.append(_feature(shapely.simplify(geom, SIMPLIFY["area"]), {
            "color": STATUS[status][0], "label": f"{safe_text(name)}：{STATUS[status][1]}",
            "popup": (f"<b>{safe_text(name)}</b>（{safe_text(code)}）{extra}<br>近24小时：{STATUS[status][1]}，"
                      f"到访 {r['visits']} 次，停留 {r['dwell_min']} 分钟<br>最近到访 {clock(r['last_visit'])}")}))
    return out, counts


def route_features(routes: list[dict], names: dict, colors: dict) -> list[dict]:
    """The planned routes, coloured by team."""
    return [_feature(shapely.simplify(shape(r["geometry"]), SIMPLIFY["route"]), {
        "color": colors.get(r["team_code"], TEAM_COLORS[0]), "label": safe_text(r["name"]),
        "popup": (f"<b>{safe_text(r['name'])}</b>（{safe_text(r['code'])}）"
                  f"<br>巡防队：{safe_text(names.get(r['team_code'], r['team_code']))}"
                  f"<br>班次：{safe_text(r['shift'])}，长 {distance(r['length_m'])}")})
        for r in routes if r["geometry"]]


def day_map(config, townships: list[dict], places: dict, urls: dict, assets: dict) -> dict:
    """Hotspots and schools by visit status, routes, tracks and last positions, all fetched
    after the page: ``urls['places']`` gives {hotspots, schools, positions} (``places``, the
    same FeatureCollections, only fit the view), ``urls['lines']`` {routes, tracks}
    (``commander_home.day_lines``), coloured by team. Page parts."""
    m = page_map(config, townships)
    use_vector_assets(m, assets)
    shown = {"tooltip": "label", "popup": "popup", "escaped": True, "colour": "color"}
    ApiOverlay("挂牌乱点（近24小时巡查）", urls["places"], {"weight": 2, "fillOpacity": 0.45, "className": "pt-hotspot"},
               key="hotspots", **shown).add_to(m)
    ApiOverlay("学校200米范围（近24小时巡查）", urls["places"],
               {"weight": 1.5, "dashArray": "4 3", "fillOpacity": 0.25, "className": "pt-school"},
               key="schools", **shown).add_to(m)
    for key, title, style in (("routes", "巡逻路线", {"weight": 3, "dashArray": "8 5", "opacity": 0.8, "fill": False,
                                                  "className": "pt-route"}),
                              ("tracks", "当天轨迹", {"weight": 2.5, "opacity": 0.85, "fill": False,
                                                  "className": "pt-track"})):
        ApiOverlay(title, urls["lines"], style, key=key, **shown).add_to(m)
    ApiOverlay("巡防队最后位置", urls["places"], {"weight": 2, "fillOpacity": 1, "className": "pt-team"},
               key="positions", point_radius=7, **shown).add_to(m)
    bounds = fit_bounds(townships or []) or fit_bounds(f for fc in places.values() for f in fc["features"])
    if bounds:
        m.fit_bounds(bounds)
    return figure_parts(m, layer_control=True)


def _stop_marker(stop: dict) -> folium.Marker:
    when = f"{stop['arrival']}–{stop['departure']}" if "arrival" in stop else f"第 {stop['arrival_min']} 分钟"
    return folium.Marker([stop["lat"], stop["lon"]], tooltip=folium.Tooltip(
        f"{stop['order']}. {KIND_LABELS[stop['kind']]} {safe_text(stop['name'])} {when}"),
        icon=folium.DivIcon(html=f"<span>{int(stop['order'])}</span>", icon_size=(24, 24), icon_anchor=(12, 12),
                            class_name=f"pt-stop pt-stop-{stop['kind']}"))


def plan_map(config, townships: list[dict], plan: dict, base: tuple[float, float]) -> dict:
    """The planned route, its numbered stops and the team's base (lon, lat). Page parts,
    with the map's JavaScript name and the route's bounds for the print layout."""
    m = page_map(config, townships)
    add_overlay(m, "计划路线", [{"type": "Feature", "geometry": plan["geometry"], "properties": {}}],
                {"color": "#0570b0", "weight": 4, "opacity": 0.85, "className": "pt-plan-route"})
    stops = folium.FeatureGroup(name="停靠点").add_to(m)
    for stop in plan["stops"]:
        _stop_marker(stop).add_to(stops)
    folium.CircleMarker([base[1], base[0]], radius=8, color="#222", weight=3, fill=True, fill_color="#ffffff",
                        fill_opacity=1, tooltip=folium.Tooltip(f"驻地：{safe_text(plan['team_name'])}")).add_to(m)
    bounds = fit_bounds([{"geometry": plan["geometry"]}])
    m.fit_bounds(bounds)
    return {**figure_parts(m, layer_control=True), "name": m.get_name(), "bounds": bounds}
