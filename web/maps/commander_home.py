"""The commander's first-screen map: teams' latest positions and the day's tracks, routes,
and the listed hotspots by visit status, each also drawn as a marker of a minimum size in
pixels so that it shows at county zoom."""
from __future__ import annotations

import folium
import shapely
from shapely.geometry import shape

from web.maps.patrol import place_features, route_features, team_colors, track_features
from web.maps.shell import add_overlay, feature, figure_parts, fit_bounds, page_map

HOTSPOT_MARKER_PX = 7   # radius of a hotspot's marker: seen at county zoom however small the area
COARSE_DEG = 2e-4       # lines simplified to about 20 m and drawn to 4 decimals (11 m): the page stays small


def _style(base: dict, outline: str | None = None):
    """Colour of the feature's ``color`` property; the outline another colour when given."""
    return lambda p: {**base, "color": outline or p["color"], "fillColor": p["color"]}


def _hotspot_markers(areas: list[dict], frame) -> list[dict]:
    """A point inside each hotspot carrying its area's colour and label (the popup is the area's)."""
    points = frame.to_crs(4326).geometry.representative_point() if len(frame) else []
    return [feature(pt, {"color": area["properties"]["color"], "label": area["properties"]["label"]}, 5)
            for area, pt in zip(areas, points)]


def coarse(features: list[dict]) -> list[dict]:
    """Lines for a county-wide view: simplified within COARSE_DEG, coordinates to 4 decimals."""
    return [feature(shapely.simplify(shape(f["geometry"]), COARSE_DEG), f["properties"], 4) for f in features]


def _names_colors(teams) -> tuple[dict, dict]:
    return dict(zip(teams["code"], teams["name"])), team_colors(teams["code"])


def layers(screen: dict) -> dict:
    """GeoJSON features the first screen's page holds (``commander_home.first_screen``):
    hotspots and teams' last positions; the tracks and routes are fetched (``lines``)."""
    names, colors = _names_colors(screen["teams"])
    _tracks, positions = track_features(*screen["tracks"], names, colors)
    areas, counts = place_features(screen["hot"], screen["recent"]["hotspots"], "hotspot")
    return {"areas": areas, "markers": _hotspot_markers(areas, screen["hot"]), "counts": counts,
            "positions": positions}


def lines(day: dict) -> dict:
    """{tracks, routes} as FeatureCollections coloured by team (``commander_home.day_lines``)."""
    names, colors = _names_colors(day["teams"])
    tracks, _positions = track_features(*day["tracks"], names, colors)
    return {key: {"type": "FeatureCollection", "features": coarse(features)}
            for key, features in (("tracks", tracks), ("routes", route_features(day["routes"], names, colors)))}


def home_map(config, townships: list[dict], parts: dict) -> dict:
    """Page parts of the map, fitted to the county (its townships), else to what it draws."""
    m = page_map(config, townships)
    add_overlay(m, "挂牌乱点范围", parts["areas"], _style({"weight": 2, "fillOpacity": 0.45, "className": "ch-hotspot"}),
                tooltip="label", popup="popup")
    add_overlay(m, "挂牌乱点位置", parts["markers"],
                _style({"weight": 2, "fillOpacity": 0.9, "className": "ch-hotspot-marker"}, "#222222"),
                tooltip="label", marker=folium.CircleMarker(radius=HOTSPOT_MARKER_PX, fill=True))
    add_overlay(m, "巡防队最后位置", parts["positions"],
                _style({"weight": 2, "fillOpacity": 1, "className": "ch-team"}, "#ffffff"),
                tooltip="label", popup="popup", marker=folium.CircleMarker(radius=7, fill=True))
    bounds = fit_bounds(townships or []) or fit_bounds(
        f for key in ("areas", "positions") for f in parts[key])
    if bounds:
        m.fit_bounds(bounds)
    return {**figure_parts(m, layer_control=True, collapsed=True), "name": m.get_name()}
