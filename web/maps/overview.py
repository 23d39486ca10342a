"""The overview map: every layer of the county on one folium (Leaflet) map, drawn as the
catalog declares (``layers.catalog``: order, views, styles, legend, popup labels).

Page weight: coordinates are rounded to 6 decimals (0.1 m) and lines and polygons
simplified by about a metre; patrol tracks are joined into one line per team; camera
sectors use 16 arc segments.
"""
from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.elements import MacroElement
from folium.template import Template
from shapely.geometry import mapping, shape

from geo.sectors import camera_sectors
from layers.catalog import LAYERS, overlays
from web.maps.legend import legend_html
from web.maps.shell import DEFAULT_CENTER, LocalMap, add_tiles, figure_parts, use_local_assets
from web.maps.text import display_value, format_time, safe_text

PRECISION = 6
SECTOR_ARC = 16
VIEWS = ("all", "commander", "planner", "leader")
SECTOR_TITLE = next(title for name, title, *_ in overlays() if name == "camera_sectors")


class ShellControls(MacroElement):
    """Legend, township zoom (乡镇定位) and scale bar, drawn by static/map_shell.js."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        CountyMap.shell({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, legend: str, townships: list, bounds):
        super().__init__()
        self._name = "ShellControls"
        self.options = {"legend": legend, "townships": townships, "bounds": bounds}


def _features(value) -> list[dict]:
    """GeoJSON features from a list of features or a GeoDataFrame (any CRS)."""
    if value is None:
        return []
    if isinstance(value, gpd.GeoDataFrame):
        if value.crs is not None and value.crs.to_epsg() != 4326:
            value = value.to_crs(4326)
        return list(value.iterfeatures(na="null", show_bbox=False, drop_id=True))
    return list(value)


def _clean_geometries(features: list[dict], tolerance: float | None):
    """Shapely geometries simplified by ``tolerance`` degrees and rounded to PRECISION."""
    geoms = np.array([shape(f["geometry"]) if f.get("geometry") else None for f in features], dtype=object)
    if len(geoms) == 0:
        return geoms
    if tolerance:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    return shapely.transform(geoms, lambda xy: np.round(xy, PRECISION))


def _bounds(geoms) -> list | None:
    """[[south, west], [north, east]] of non-empty geometries, or None."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    west, south, east, north = shapely.total_bounds(geoms)
    return [[float(south), float(west)], [float(north), float(east)]]


def _code_names(feats: dict) -> dict:
    """{column: {code: name}} so that popups show names next to codes."""
    def names(layer):
        return {f["properties"]["code"]: f["properties"].get("name")
                for f in feats.get(layer, []) if f.get("properties", {}).get("name")}
    return {"township_code": names("townships"), "village_code": names("villages"),
            "team_code": names("patrol_teams")}


def join_tracks(features: list[dict]) -> list[dict]:
    """Join GPS points into one line per team, in time order (lines pass through)."""
    points = [f for f in features if (f.get("geometry") or {}).get("type") == "Point"]
    others = [f for f in features if (f.get("geometry") or {}).get("type") != "Point"]
    if not points:
        return others
    frame = pd.DataFrame({
        "team": [f["properties"].get("team_code") for f in points],
        "at": pd.to_datetime([f["properties"].get("recorded_at") for f in points], utc=True),
        "xy": [tuple(f["geometry"]["coordinates"][:2]) for f in points],
    }).dropna(subset=["team", "at"]).sort_values(["team", "at"], kind="stable")
    lines = []
    for team, group in frame.groupby("team", sort=True):
        coords = list(group["xy"])
        geometry = ({"type": "LineString", "coordinates": coords} if len(coords) > 1
                    else {"type": "Point", "coordinates": coords[0]})
        start, end = format_time(group["at"].iloc[0]), format_time(group["at"].iloc[-1])
        span = start if start == end else f"{start} 至 {end[11:] if end[:10] == start[:10] else end}"
        lines.append({"type": "Feature", "geometry": geometry,
                      "properties": {"team_code": team, "recorded_at": span, "points": len(coords)}})
    return lines + others


def sector_features(cameras: list[dict]) -> list[dict]:
    """View sectors of the cameras (geo.sectors), as GeoJSON features."""
    located = [f for f in cameras if f.get("geometry")]
    if not located:
        return []
    gdf = gpd.GeoDataFrame.from_features(located, crs="EPSG:4326")
    for col in ("kind", "azimuth", "fov", "range_m", "status"):
        if col not in gdf:
            gdf[col] = None
    sectors = camera_sectors(gdf, n_arc=SECTOR_ARC)
    return [{"type": "Feature", "geometry": None if g is None else mapping(g),
             "properties": {"code": code, "status": status}}
            for g, code, status in zip(sectors.geometry, sectors.get("code", [None] * len(sectors)),
                                       sectors["status"])]


def _pane(name: str) -> str:
    return f"cm-{name.replace('_', '-')}"


def _overlay(name: str, title: str, look, columns, features: list[dict], names: dict, show: bool):
    """One overlay: the features with their styles and a popup of Chinese labels."""
    geoms = _clean_geometries(features, look.simplify)
    out, styles = [], []
    for feat, geom in zip(features, geoms):
        if geom is None or geom.is_empty:
            continue
        props = feat.get("properties") or {}
        styles.append({**look.style_for(props), "pane": _pane(name), "className": f"cm-{name}"})
        out.append({"type": "Feature", "id": len(out), "geometry": mapping(geom),
                    "properties": {c.name: display_value(c, props.get(c.name), names, look) for c in columns}})
    if not out:
        return folium.FeatureGroup(name=f"{title}（无数据）", show=show), []
    has_points = any(g.geom_type == "Point" for g in geoms if g is not None)
    marker = folium.CircleMarker(radius=look.radius, fill=True) if has_points else None
    layer = folium.GeoJson({"type": "FeatureCollection", "features": out}, name=title, show=show,
                           style_function=lambda f: styles[f["id"]], marker=marker)
    if columns:
        folium.GeoJsonPopup(fields=[c.name for c in columns], aliases=[c.label for c in columns],
                            localize=False).add_to(layer)
    return layer, [g for g in geoms if g is not None]


def township_list(features: list[dict]) -> list[dict]:
    """[{code, name, bounds: [[s, w], [n, e]]}] of the townships, by code, for 乡镇定位.

    code and name are HTML-escaped (safe_text).
    """
    out = []
    for f in sorted(features, key=lambda f: str(f["properties"].get("code"))):
        bounds = _bounds([shape(f["geometry"])]) if f.get("geometry") else None
        if bounds:
            out.append({"code": safe_text(f["properties"].get("code")),
                        "name": safe_text(f["properties"].get("name")), "bounds": bounds})
    return out


def _prepare(layers: dict) -> dict:
    """Features per overlay: tracks joined into lines, sectors from the cameras."""
    feats = {name: _features(layers.get(name)) for name in LAYERS}
    feats["patrol_tracks"] = join_tracks(feats["patrol_tracks"])
    feats["camera_sectors"] = sector_features(feats["cameras"])
    return feats


def build_map(layers: dict, *, tile_url: str = "", attribution: str = "", townships=None,
              view: str = "all", subtitles: dict | None = None, notes: dict | None = None,
              assets: dict | None = None, m: folium.Map | None = None) -> folium.Map:
    """Draw the county's layers on ``m`` (a new map if None) and return it.

    layers: {layer name: GeoJSON features (EPSG:4326, raw attribute values) or a
    GeoDataFrame}; missing layers are drawn as empty overlays. Patrol track points
    are joined into one line per team; camera sectors are computed from the cameras.
    townships: [{code, name, bounds}] for 乡镇定位 (default: from layers['townships']).
    view: 'all', 'commander', 'planner' or 'leader' (which overlays are switched on).
    subtitles / notes: per layer, a word after the title / a line in the legend.
    tile_url: base map tiles ({z}/{x}/{y}); none when empty.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    names = _code_names({name: _features(layers.get(name)) for name in ("townships", "villages", "patrol_teams")})
    feats = _prepare(layers)
    if m is None:
        m = LocalMap(location=DEFAULT_CENTER, zoom_start=10, tiles=None, position="absolute",
                     assets=assets, maxZoom=19, zoomSnap=0.25)
    else:
        use_local_assets(m, assets)
    if tile_url:
        add_tiles(m, tile_url, attribution)
    listed = overlays()
    for name, _, look, _ in sorted(listed, key=lambda o: o[2].pane):
        folium.map.CustomPane(_pane(name), z_index=look.pane, pointer_events=True).add_to(m)
    subtitles = subtitles or {}
    drawn, sections = {}, []
    for name, title, look, source in listed:
        heading = f"{title}（{subtitles[name]}）" if subtitles.get(name) else title
        columns = source.popup if name == source.name else look.popup or ()
        layer, drawn[name] = _overlay(name, heading, look, columns, feats[name], names,
                                      view == "all" or view in look.views)
        layer.add_to(m)
        sections.append((name, heading, title, look, feats[name]))
    if townships is None:
        townships = township_list(feats["townships"])
    bounds = _bounds(drawn["townships"]) or _bounds([g for gs in drawn.values() for g in gs])
    if bounds:
        m.fit_bounds(bounds)
    ShellControls(legend_html(sections, notes or {}), townships, bounds).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def overview_parts(read: tuple[dict, dict, dict], config, view: str, assets: dict | None = None) -> dict:
    """The overview map of a view as page parts: ``read`` is services.mapdata.read_layers'
    (features, subtitles, notes); config holds TILE_URL and TILE_ATTRIBUTION."""
    feats, subtitles, notes = read
    m = build_map(feats, tile_url=config.get("TILE_URL") or "", attribution=config.get("TILE_ATTRIBUTION") or "",
                  view=view, subtitles=subtitles, notes=notes, assets=assets)
    return figure_parts(m)
