"""The commander's first-screen map: teams' latest positions and the day's tracks, routes,
and the listed hotspots by visit status, each also drawn as a marker of a minimum size in
pixels so that it shows at county zoom."""
from __future__ import annotations

import folium

from web.maps.patrol import place_features, route_features, team_colors, track_features
from web.maps.shell import add_overlay, feature, figure_parts, fit_bounds, page_map
from web.maps.text import safe_text

HOTSPOT_MARKER_PX = 7   # radius of a hotspot's marker: seen at county zoom however small the area


def _style(base: dict):
    return lambda p: {**base, "color": p["color"], "fillColor": p["color"]}


def _hotspot_markers(areas: list[dict], frame) -> list[dict]:
    """A point inside each hotspot carrying its area's colour, label and popup."""
    points = frame.to_crs(4326).geometry.representative_point() if len(frame) else []
    return [feature(pt, {**area["properties"], "code": safe_text(code)}, 5)
            for area, pt, code in zip(areas, points, frame["code"])]


def layers(screen: dict) -> dict:
    """GeoJSON features of the first screen (``commander_home.first_screen``)."""
    teams = screen["teams"]
    names, colors = dict(zip(teams["code"], teams["name"])), team_colors(teams["code"])
    tracks, positions = track_features(*screen["tracks"], names, colors)
    areas, counts = place_features(screen["hot"], screen["recent"]["hotspots"], "hotspot")
    return {"areas": areas, "markers": _hotspot_markers(areas, screen["hot"]), "counts": counts,
            "routes": route_features(screen["routes"], names, colors), "tracks": tracks, "positions": positions}


def home_map(config, townships: list[dict], parts: dict) -> dict:
    """Page parts of the map, fitted to the county (its townships), else to what it draws."""
    m = page_map(config, townships)
    add_overlay(m, "挂牌乱点范围", parts["areas"], _style({"weight": 2, "fillOpacity": 0.45, "className": "ch-hotspot"}),
                tooltip="label", popup="popup")
    add_overlay(m, "挂牌乱点位置", parts["markers"],
                _style({"weight": 2, "fillOpacity": 0.9, "className": "ch-hotspot-marker"}),
                tooltip="label", popup="popup", marker=folium.CircleMarker(radius=HOTSPOT_MARKER_PX, fill=True))
    add_overlay(m, "巡逻路线", parts["routes"], _style({"weight": 3, "dashArray": "8 5", "opacity": 0.8, "fill": False,
                                                     "className": "ch-route"}), tooltip="label", popup="popup")
    add_overlay(m, "当天轨迹", parts["tracks"], _style({"weight": 2.5, "opacity": 0.85, "fill": False,
                                                    "className": "ch-track"}), tooltip="label", popup="popup")
    add_overlay(m, "巡防队最后位置", parts["positions"], _style({"weight": 2, "fillOpacity": 1, "className": "ch-team"}),
                tooltip="label", popup="popup", marker=folium.CircleMarker(radius=7, fill=True))
    bounds = fit_bounds(townships or []) or fit_bounds(
        f for key in ("areas", "routes", "tracks", "positions") for f in parts[key])
    if bounds:
        m.fit_bounds(bounds)
    return {**figure_parts(m, layer_control=True, collapsed=True), "name": m.get_name()}
