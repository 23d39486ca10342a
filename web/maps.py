"""The map shell: every layer of the county on one folium (Leaflet) map.

``build_map`` draws layers it is given (GeoJSON features or GeoDataFrames, EPSG:4326);
``render_shell`` reads the county's layers through ``layers.features`` and hands
the page its header, html and script. Every script and style sheet is served by the
app (``/vendor`` from npm, ``/static``): nothing comes from a CDN.

Page weight: coordinates are rounded to 6 decimals (0.1 m) and lines and polygons
simplified by about a metre; incidents are those of the 90 days up to the latest
recorded one (at most the latest 5,000); patrol tracks are those of the latest
recorded day, joined into one line per team; camera sectors use 16 arc segments.
"""
from __future__ import annotations

import html
import logging
from datetime import date, datetime, timedelta

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.elements import MacroElement
from folium.template import Template
from shapely.geometry import mapping, shape

from geo.sectors import camera_sectors
from layers.catalog import LAYERS, VALUE_LABELS, Column

LOGGER = logging.getLogger(__name__)

PRECISION = 6
INCIDENT_DAYS = 90
INCIDENT_LIMIT = 5000
SECTOR_ARC = 16
DEFAULT_CENTER = (33.8, 111.6)
# Scripts and style sheets, all served by the app (web/views.py: /vendor from npm).
ASSETS = {"leaflet": "/vendor/leaflet/dist/leaflet.js", "county_map": "/static/map_shell.js",
          "leaflet_css": "/vendor/leaflet/dist/leaflet.css",
          "county_map_css": "/static/map_shell.css"}

SECTORS = "camera_sectors"
SECTOR_TITLE = "监控可视范围"
ORDER = ("townships", "villages", "cameras", SECTORS, "incidents", "schools", "roads",
         "patrol_teams", "patrol_routes", "patrol_tracks", "hotspots")
VIEW_SHOWN = {
    "all": set(ORDER),
    "commander": {"townships", "villages", "roads", "cameras", "schools", "patrol_teams",
                  "patrol_routes", "patrol_tracks", "hotspots"},
    "planner": {"townships", "villages", "roads", "incidents", "schools", "hotspots"},
    "leader": {"townships", "villages", "roads", "cameras", SECTORS, "schools", "hotspots"},
}
# Leaflet panes: what is drawn over what, whichever overlay was switched on last.
PANES = {"villages": 402, "hotspots": 404, "townships": 406, SECTORS: 410,
         "roads": 420, "patrol_routes": 422, "patrol_tracks": 424,
         "incidents": 440, "schools": 442, "patrol_teams": 444, "cameras": 446}
SIMPLIFY = {"townships": 2e-5, "villages": 2e-5, "hotspots": 5e-6, "roads": 1e-5,
            "patrol_routes": 1e-5, "patrol_tracks": 1e-5}
POINT_RADIUS = {"cameras": 3, "incidents": 3, "schools": 6, "patrol_teams": 6}

CAMERA_COLORS = {"working": "#1a9641", "faulty": "#f39c12", "offline": "#d7191c"}
HOTSPOT_COLORS = {"listed": "#e31a1c", "remediating": "#ff7f00", "delisted": "#33a02c",
                  "carried_over": "#6a3d9a"}
INCIDENT_COLORS = {
    "robbery": "#b2182b", "snatching": "#d6604d", "theft": "#f4a582", "telecom_fraud": "#2166ac",
    "illegal_fundraising": "#4393c3", "drugs": "#762a83", "assault": "#e7298a",
    "traffic_accident": "#8c510a", "dispute": "#35978f", "other": "#878787",
}
# Road classes, English or Chinese in the data: label, colour, weight; major first.
_ROADS = (("expressway", "高速公路", "#8e0152", 4.5), ("national", "国道", "#d7301f", 4),
          ("provincial", "省道", "#ef6548", 3.5), ("county", "县道", "#fc8d59", 3),
          ("urban", "城区道路", "#a6761d", 2.5), ("township", "乡道", "#8c8c8c", 2),
          ("village", "村道", "#b0b0b0", 1.5))
ROAD_CLASSES = {key: (label, color, weight) for key, label, color, weight in _ROADS}
ROAD_CLASSES.update({label: (label, color, weight) for _, label, color, weight in _ROADS})
ROAD_OTHER = ("其他道路", "#9e9e9e", 1.5)
TEAM_MINIMUM = {"township_fulltime": 15, "village_volunteer": 6}  # REQUIREMENTS R7
VILLAGE_STYLES = {
    "plain": ("行政村", {"color": "#9e9e9e", "weight": 0.8, "fillColor": "#ffffff", "fillOpacity": 0.15}),
    "remote": ("偏远村（未整治）", {"color": "#e6550d", "weight": 2, "fillColor": "#fdae6b",
                                 "fillOpacity": 0.45}),
    "remediated": ("偏远村（已整治）", {"color": "#31a354", "weight": 2, "fillColor": "#a1d99b",
                                     "fillOpacity": 0.4}),
}
STATIC_STYLES = {
    "townships": {"color": "#253494", "weight": 2.5, "fill": False},
    "schools": {"color": "#08519c", "weight": 2, "fillColor": "#6baed6", "fillOpacity": 0.8},
    "patrol_routes": {"color": "#0570b0", "weight": 2.5, "dashArray": "6 4"},
    "patrol_tracks": {"color": "#c51b8a", "weight": 2.5, "opacity": 0.85},
}


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


class LocalMap(folium.Map):
    """A folium Map that loads Leaflet and the shell's own files from the app, nothing else.

    ``control_scale=True`` gives a metric-only scale bar.
    """

    def __init__(self, *args, assets: dict | None = None, control_scale: bool = False, **kwargs):
        super().__init__(*args, control_scale=False, **kwargs)
        use_local_assets(self, assets)
        if control_scale:
            MetricScale().add_to(self)


def use_local_assets(m: folium.Map, assets: dict | None = None) -> None:
    """Replace folium's CDN scripts and style sheets (jQuery, Bootstrap, Font Awesome …)."""
    urls = {**ASSETS, **(assets or {})}
    m.default_js = [(key, urls[key]) for key in ("leaflet", "county_map")]
    m.default_css = [(key, urls[key]) for key in ("leaflet_css", "county_map_css")]


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


# --- values shown in popups -------------------------------------------------------------

def _format_time(value) -> str:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("Asia/Shanghai")
    return stamp.strftime("%Y-%m-%d %H:%M")


def safe_text(text) -> str:
    """HTML-escape ``text`` and write braces as entities.

    folium (branca) compiles each element's rendered script as a Jinja template again,
    so "{{ … }}" in the data would be evaluated on the server: data never carries braces.
    Backticks and backslashes are written as entities too: folium puts tooltip text in a
    JavaScript template literal.
    """
    return (html.escape(str(text)).replace("{", "&#123;").replace("}", "&#125;")
            # folium puts tooltip text in a JavaScript template literal
            .replace("`", "&#96;").replace("\\", "&#92;"))


def display_value(column: Column, value, names: dict | None = None) -> str:
    """The Chinese text of one attribute value, HTML-escaped for the popup."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if column.kind == "bool":
        text = "是" if value else "否"
    elif column.kind == "enum":
        text = VALUE_LABELS.get(value, str(value))
    elif column.kind == "timestamp":
        text = _format_time(value)
    elif column.kind == "date":
        text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)[:10]
    elif column.kind == "float":
        text = f"{float(value):g}"
    elif column.name == "class":
        text = ROAD_CLASSES.get(value, (str(value),))[0]
    else:
        text = str(value)
    if names and column.name in names and value in names[column.name]:
        text = f"{names[column.name][value]}（{value}）"
    return safe_text(text)


# --- geometry ---------------------------------------------------------------------------

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
    geoms = np.array([shape(f["geometry"]) if f.get("geometry") else None for f in features],
                     dtype=object)
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


# --- styles -----------------------------------------------------------------------------

def _road_class(props) -> tuple:
    return ROAD_CLASSES.get(props.get("class"), ROAD_OTHER)


def _team_short(props) -> bool:
    minimum = TEAM_MINIMUM.get(props.get("kind"))
    members = props.get("members")
    return minimum is not None and members is not None and members < minimum


def _village_kind(props) -> str:
    if not props.get("remote"):
        return "plain"
    return "remediated" if props.get("remediated_on") else "remote"


def style_for(name: str, props: dict) -> dict:
    """Leaflet path options of one feature of layer ``name`` (raw attribute values)."""
    if name in STATIC_STYLES:
        return dict(STATIC_STYLES[name])
    if name == "villages":
        return dict(VILLAGE_STYLES[_village_kind(props)][1])
    if name == "roads":
        _, color, weight = _road_class(props)
        return {"color": color, "weight": weight}
    if name == "cameras":
        color = CAMERA_COLORS.get(props.get("status"), "#555555")
        return {"color": "#263238", "weight": 0.6, "fillColor": color, "fillOpacity": 1}
    if name == SECTORS:
        color = CAMERA_COLORS.get(props.get("status"), "#555555")
        return {"color": color, "weight": 0.8, "opacity": 0.7, "fillColor": color,
                "fillOpacity": 0.15, "interactive": False}
    if name == "incidents":
        color = INCIDENT_COLORS.get(props.get("category"), "#878787")
        return {"color": color, "weight": 1, "fillColor": color, "fillOpacity": 0.85}
    if name == "patrol_teams":
        edge = "#d7191c" if _team_short(props) else "#ffffff"
        return {"color": edge, "weight": 3, "fillColor": "#08306b", "fillOpacity": 1}
    if name == "hotspots":
        color = HOTSPOT_COLORS.get(props.get("status"), "#e31a1c")
        return {"color": color, "weight": 2, "fillColor": color, "fillOpacity": 0.3}
    return {"color": "#3388ff", "weight": 2}


# --- overlays ---------------------------------------------------------------------------

TRACK_COLUMNS = (Column("team_code", "text", "巡防队"), Column("recorded_at", "text", "记录时间"),
                 Column("points", "int", "轨迹点数"))


def _pane(name: str) -> str:
    return f"cm-{name.replace('_', '-')}"


def _code_names(feats: dict) -> dict:
    """{column: {code: name}} so that popups show names next to codes."""
    def names(layer):
        return {f["properties"]["code"]: f["properties"].get("name")
                for f in feats.get(layer, []) if f.get("properties", {}).get("name")}
    return {"township_code": names("townships"), "village_code": names("villages"),
            "team_code": names("patrol_teams")}


def join_tracks(features: list[dict]) -> list[dict]:
    """Join GPS points into one line per team, in time order (lines pass through)."""
    points, others = [], []
    for f in features:
        (points if (f.get("geometry") or {}).get("type") == "Point" else others).append(f)
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
        start, end = _format_time(group["at"].iloc[0]), _format_time(group["at"].iloc[-1])
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


def _overlay(name: str, title: str, features: list[dict], names: dict, show: bool):
    """One overlay: the layer's features with their styles and a popup of Chinese labels."""
    columns = {SECTORS: (), "patrol_tracks": TRACK_COLUMNS}.get(name, None)
    if columns is None:
        columns = LAYERS[name].columns
    geoms = _clean_geometries(features, SIMPLIFY.get(name))
    out, styles = [], []
    for feature, geom in zip(features, geoms):
        if geom is None or geom.is_empty:
            continue
        props = feature.get("properties") or {}
        styles.append({**style_for(name, props), "pane": _pane(name), "className": f"cm-{name}"})
        out.append({"type": "Feature", "id": len(out), "geometry": mapping(geom),
                    "properties": {c.name: display_value(c, props.get(c.name), names)
                                   for c in columns}})
    if not out:
        return folium.FeatureGroup(name=f"{title}（无数据）", show=show), []
    has_points = any(g.geom_type == "Point" for g in geoms if g is not None)
    marker = folium.CircleMarker(radius=POINT_RADIUS.get(name, 4), fill=True) if has_points else None
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


# --- legend -----------------------------------------------------------------------------

def _swatch(style: dict, kind: str) -> str:
    color = style.get("color", "#333")
    fill = style.get("fillColor", color)
    if kind == "line":
        dash = "dashed" if style.get("dashArray") else "solid"
        css = f"border-top:{min(style.get('weight', 2), 5)}px {dash} {color}"
    elif kind == "dot":
        css = f"background:{fill};border:1px solid {color if color != '#ffffff' else fill}"
    else:
        background = fill if style.get("fill", True) else "transparent"
        css = f"background:{background};border:2px solid {color}"
    return f'<span class="sw {kind}" style="{css}"></span>'


def _row(style: dict, kind: str, label: str, count: int | None = None) -> str:
    number = f' <span class="note">{count:,}</span>' if count is not None else ""
    return f'<div class="row">{_swatch(style, kind)}{safe_text(label)}{number}</div>'


def _counted(feats, key):
    return pd.Series([key(f.get("properties") or {}) for f in feats], dtype=object).value_counts()


def _legend_rows(name: str, feats: list[dict]) -> list[str]:
    if name == "villages":
        counts = _counted(feats, _village_kind)
        return [_row(style, "area", label, int(counts.get(kind, 0)))
                for kind, (label, style) in VILLAGE_STYLES.items()]
    if name in ("cameras", "incidents", "hotspots"):
        field, labels = {"cameras": ("status", CAMERA_COLORS), "incidents": ("category", INCIDENT_COLORS),
                         "hotspots": ("status", HOTSPOT_COLORS)}[name]
        counts = _counted(feats, lambda p: p.get(field))
        kind = "area" if name == "hotspots" else "dot"
        return [_row(style_for(name, {field: key}), kind, VALUE_LABELS.get(key, key), int(counts[key]))
                for key in labels if key in counts.index]
    if name == "roads":
        counts = _counted(feats, lambda p: _road_class(p))
        return [_row({"color": c, "weight": w}, "line", label, int(n))
                for (label, c, w), n in sorted(counts.items(), key=lambda kv: -kv[0][2])]
    if name == "patrol_teams":
        counts = _counted(feats, _team_short)
        return [_row(style_for(name, {"members": 99, "kind": "village_volunteer"}), "dot", "人数达标",
                     int(counts.get(False, 0))),
                _row(style_for(name, {"members": 0, "kind": "village_volunteer"}), "dot",
                     "人数不足（专职≥15，义务≥6）", int(counts.get(True, 0)))]
    if name == SECTORS:
        return [_row(style_for(SECTORS, {"status": "working"}), "area", "摄像机可视扇区（按比例）")]
    kind = {"townships": "area", "schools": "dot"}.get(name, "line")
    return [_row(style_for(name, {}), kind, LAYERS[name].title, len(feats))]


def legend_html(feats: dict, titles: dict, notes: dict) -> str:
    """The legend panel (Chinese): one section per layer that has features."""
    parts = ['<details open><summary>图例</summary>']
    for name in ORDER:
        if not feats.get(name):
            continue
        parts.append(f"<h4>{safe_text(titles[name])}</h4>")
        parts += _legend_rows(name, feats[name])
        if notes.get(name):
            parts.append(f'<div class="note">{safe_text(notes[name])}</div>')
    parts.append("</details>")
    return "".join(parts)


# --- the map ----------------------------------------------------------------------------

def _add_tiles(m: folium.Map, tile_url: str, attribution: str) -> None:
    if "{z}" not in tile_url or not tile_url.startswith(("http://", "https://", "/")):
        LOGGER.warning("TILE_URL %r is not a {z}/{x}/{y} tile URL; drawing without a base map",
                       tile_url)
        return
    folium.TileLayer(tiles=tile_url, attr=attribution or "底图", name="底图", overlay=False,
                     control=False, max_zoom=19).add_to(m)


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
    if view not in VIEW_SHOWN:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEW_SHOWN)}")
    feats = {name: _features(layers.get(name)) for name in LAYERS}
    names = _code_names(feats)
    feats["patrol_tracks"] = join_tracks(feats["patrol_tracks"])
    feats[SECTORS] = sector_features(feats["cameras"])
    if m is None:
        m = LocalMap(location=DEFAULT_CENTER, zoom_start=10, tiles=None, position="absolute",
                     assets=assets, maxZoom=19, zoomSnap=0.25)
    else:
        use_local_assets(m, assets)
    if tile_url:
        _add_tiles(m, tile_url, attribution)
    for name, z_index in PANES.items():
        folium.map.CustomPane(_pane(name), z_index=z_index, pointer_events=True).add_to(m)
    subtitles = subtitles or {}
    titles = {name: LAYERS[name].title if name in LAYERS else SECTOR_TITLE for name in ORDER}
    titles = {k: f"{t}（{subtitles[k]}）" if subtitles.get(k) else t for k, t in titles.items()}
    drawn = {}
    for name in ORDER:
        layer, geoms = _overlay(name, titles[name], feats[name], names, name in VIEW_SHOWN[view])
        layer.add_to(m)
        drawn[name] = geoms
    if townships is None:
        townships = township_list(feats["townships"])
    bounds = _bounds(drawn["townships"]) or _bounds([g for gs in drawn.values() for g in gs])
    if bounds:
        m.fit_bounds(bounds)
    ShellControls(legend_html(feats, titles, notes or {}), townships, bounds).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def figure_parts(m: folium.Map) -> dict:
    """{header, html, script} of the map's page, for templates/views/map_page.html."""
    root = m.get_root()
    root.render()
    return {"header": root.header.render(), "html": root.html.render(),
            "script": root.script.render()}


# --- reading the county -----------------------------------------------------------------

def _latest(conn, layer, county_code):
    from layers.features import extent

    interval = extent(conn, layer, county_code)["interval"]
    return interval[1] if interval else None


def read_layers(conn, county_code: str) -> tuple[dict, dict, dict]:
    """Features of every layer for the map; and per layer a subtitle and a legend note.

    Incidents: the 90 days up to the latest recorded incident, at most the latest
    INCIDENT_LIMIT. Patrol tracks: the latest recorded day (Asia/Shanghai).
    """
    from layers.features import query_features

    feats, subtitles, notes = {}, {}, {}
    for name, layer in LAYERS.items():
        interval = None
        latest = _latest(conn, layer, county_code) if name in ("incidents", "patrol_tracks") else None
        if latest is not None and name == "incidents":
            interval = (latest - timedelta(days=INCIDENT_DAYS), latest)
        elif latest is not None:
            local = pd.Timestamp(latest).tz_convert("Asia/Shanghai")
            interval = (local.normalize().to_pydatetime(), latest)
        feats[name], _ = query_features(conn, layer, county_code=county_code, interval=interval,
                                        limit=None, precision=PRECISION)
        if latest is not None and name == "incidents":
            subtitles[name] = f"近{INCIDENT_DAYS}天"
            notes[name] = _keep_latest_incidents(feats, interval)
        elif latest is not None:
            subtitles[name] = f"{interval[0]:%Y-%m-%d}"
            notes[name] = "每支巡防队当天的轨迹连成一条线"
    return feats, subtitles, notes


def _keep_latest_incidents(feats: dict, interval) -> str:
    rows = feats["incidents"]
    note = f"{interval[0]:%Y-%m-%d} 至 {interval[1]:%Y-%m-%d}，共 {len(rows):,} 起"
    if len(rows) > INCIDENT_LIMIT:
        rows.sort(key=lambda f: str(f["properties"].get("occurred_at")), reverse=True)
        del rows[INCIDENT_LIMIT:]
        note += f"，显示最近 {INCIDENT_LIMIT:,} 起"
    return note


def _asset_urls() -> dict:
    from flask import has_request_context, url_for

    if not has_request_context():
        return dict(ASSETS)
    return {"leaflet": url_for("vendor", filename="leaflet/dist/leaflet.js"),
            "leaflet_css": url_for("vendor", filename="leaflet/dist/leaflet.css"),
            "county_map": url_for("static", filename="map_shell.js"),
            "county_map_css": url_for("static", filename="map_shell.css")}


def render_shell(conn, config, view: str = "all") -> dict:
    """Read the county's layers (config COUNTY_CODE) and render the map: {header, html, script}."""
    feats, subtitles, notes = read_layers(conn, config["COUNTY_CODE"])
    m = build_map(feats, tile_url=config.get("TILE_URL") or "",
                  attribution=config.get("TILE_ATTRIBUTION") or "", view=view,
                  subtitles=subtitles, notes=notes, assets=_asset_urls())
    return figure_parts(m)


def page_map(config, townships: list[dict] | None = None) -> folium.Map:
    """The map of a page: local assets, metric scale, tiles only from TILE_URL, and the
    township borders (GeoJSON features with a ``name``) drawn for orientation."""
    m = LocalMap(location=list(DEFAULT_CENTER), zoom_start=10, tiles=None, control_scale=True)
    if config.get("TILE_URL"):
        folium.TileLayer(config["TILE_URL"], attr=config.get("TILE_ATTRIBUTION") or " ", name="底图").add_to(m)
    if townships:
        outlines = [{"type": "Feature", "geometry": f["geometry"],
                     "properties": {"name": safe_text(f["properties"].get("name", ""))}} for f in townships]
        folium.GeoJson({"type": "FeatureCollection", "features": outlines}, name="乡镇界",
                       style_function=lambda f: {"color": "#253494", "weight": 1.5, "fill": False},
                       tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False)).add_to(m)
    return m


def township_outlines(conn, county: str) -> list[dict]:
    """The county's townships as GeoJSON features (5 decimals), for ``page_map``."""
    from layers.features import query_features

    features, _ = query_features(conn, LAYERS["townships"], county_code=county, limit=10_000, precision=5)
    return features
