"""The folium shell every map page uses: local assets only, metric scale, page overlays.

Every script and style sheet is served by the app (``/vendor`` from npm, ``/static``):
nothing comes from a CDN. ``figure_parts`` hands a page template its header, html and
script; ``add_overlay`` is the one way page maps draw a set of GeoJSON features.
"""
from __future__ import annotations

import logging

import folium
import numpy as np
import shapely
from folium.elements import MacroElement
from folium.template import Template
from shapely.geometry import mapping, shape

from web.maps.text import safe_text

LOGGER = logging.getLogger(__name__)
DEFAULT_CENTER = (33.8, 111.6)
# Scripts and style sheets, all served by the app (web/pages/home.py: /vendor from npm).
ASSETS = {"leaflet": "/vendor/leaflet/dist/leaflet.js", "county_map": "/static/map_shell.js",
          "leaflet_css": "/vendor/leaflet/dist/leaflet.css",
          "county_map_css": "/static/map_shell.css",
          "vectorgrid": "/vendor/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js",
          "county_vector": "/static/vector_layers.js"}
TOWNSHIP_OUTLINE = {"color": "#253494", "weight": 1.5, "fill": False}


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


def use_vector_assets(m: folium.Map, assets: dict | None = None) -> None:
    """Add Leaflet.VectorGrid and static/vector_layers.js (tile overlays, overlays fetched
    after the page) to the map's scripts, from ``assets`` or the defaults."""
    urls = {**ASSETS, **(assets or {})}
    m.default_js += [(key, urls[key]) for key in ("vectorgrid", "county_vector")]


def add_tiles(m: folium.Map, tile_url: str, attribution: str) -> None:
    """The base map from TILE_URL ({z}/{x}/{y}); none when it is not such a URL."""
    if "{z}" not in tile_url or not tile_url.startswith(("http://", "https://", "/")):
        LOGGER.warning("TILE_URL %r is not a {z}/{x}/{y} tile URL; drawing without a base map",
                       tile_url)
        return
    folium.TileLayer(tiles=tile_url, attr=attribution or "底图", name="底图", overlay=False,
                     control=False, max_zoom=19).add_to(m)


def figure_parts(m: folium.Map, layer_control: bool = False, collapsed: bool = False) -> dict:
    """{header, html, script} of the map's page, for the page templates; with
    ``layer_control`` a layer control (expanded unless ``collapsed``) is added first."""
    if layer_control:
        folium.LayerControl(collapsed=collapsed).add_to(m)
    root = m.get_root()
    root.render()
    parts = {"header": root.header.render(), "html": root.html.render(), "script": root.script.render()}
    if getattr(m, "_deferred", None) is not None:
        parts["layers"] = m._deferred   # web.pages.common.light keeps them and names them
    return parts


def feature(geom, props: dict, precision: int | None = 6, fid=None) -> dict:
    """A GeoJSON feature of a shapely geometry, coordinates rounded to ``precision`` decimals."""
    if precision is not None:
        geom = shapely.transform(geom, lambda xy: np.round(xy, precision))
    out = {"type": "Feature", "geometry": mapping(geom), "properties": props}
    if fid is not None:
        out["id"] = fid
    return out


def fit_bounds(features) -> list | None:
    """[[south, west], [north, east]] of GeoJSON features, or None when there are none."""
    geoms = [shape(f["geometry"]) for f in features if f.get("geometry")]
    geoms = [g for g in geoms if not g.is_empty]
    if not geoms:
        return None
    west, south, east, north = shapely.total_bounds(geoms)
    return [[float(south), float(west)], [float(north), float(east)]]


def defer_layers(m: folium.Map) -> folium.Map:
    """From now on ``add_overlay`` keeps ``m``'s features out of the page: each overlay is
    fetched after the page from LAYERS_PATH/<n>.geojson (see ``figure_parts``'s 'layers')."""
    m._deferred = []
    use_vector_assets(m)
    return m


def _defer(m: folium.Map, title: str, features: list[dict], style_of, tooltip, popup, marker, show: bool):
    """The overlay as an ApiOverlay of LAYERS_PATH/<n>.geojson, each feature with its style."""
    from web.maps.tiled import ApiOverlay

    n = len(m._deferred)
    m._deferred.append({"type": "Feature" + "Collection", "features": [
        {**f, "properties": {**f["properties"], "_style": style_of(f["properties"])}} for f in features]})
    options = dict(getattr(marker, "options", None) or {})
    radius = options.pop("radius", None)
    return ApiOverlay(title, f"{LAYERS_PATH}/{n}.geojson", options, show=show, tooltip=tooltip, popup=popup, escaped=True,
                      style_property="_style", point_radius=radius).add_to(m)


LAYERS_PATH = "/tiles/page/__LAYERS__"


def add_overlay(m: folium.Map, title: str, features: list[dict], style, *, tooltip: str | None = None,
                popup: str | None = None, marker=None, show: bool = True, sticky: bool = True):
    """One overlay of GeoJSON features; returns the folium layer.

    style: Leaflet path options for every feature, or a function of a feature's
    properties. tooltip / popup: the property holding the (already escaped) text shown
    on hover / on click. With no features the overlay is an empty group titled
    "title（无）", so that the layer control still says what is missing. On a map made
    with ``defer_layers`` the features are fetched after the page.
    """
    if not features:
        return folium.FeatureGroup(name=f"{title}（无）", show=show).add_to(m)
    style_of = style if callable(style) else (lambda props: style)
    if getattr(m, "_deferred", None) is not None:
        return _defer(m, title, features, style_of, tooltip, popup, marker, show)
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name=title, show=show, marker=marker,
        style_function=lambda f: style_of(f["properties"]),
        tooltip=folium.GeoJsonTooltip(fields=[tooltip], labels=False, sticky=sticky) if tooltip else None,
        popup=folium.GeoJsonPopup(fields=[popup], labels=False) if popup else None)
    return layer.add_to(m)


def page_map(config, townships: list[dict] | None = None, deferred: bool = False) -> folium.Map:
    """The map of a page: local assets, metric scale, tiles only from TILE_URL, and the
    township borders (GeoJSON features with a ``name``) drawn for orientation; with
    ``deferred`` its overlays' features are fetched after the page (``defer_layers``)."""
    m = LocalMap(location=list(DEFAULT_CENTER), zoom_start=10, tiles=None, control_scale=True)
    if deferred:
        defer_layers(m)
    if config.get("TILE_URL"):
        folium.TileLayer(config["TILE_URL"], attr=config.get("TILE_ATTRIBUTION") or " ", name="底图").add_to(m)
    if townships:
        outlines = [{"type": "Feature", "geometry": f["geometry"],
                     "properties": {"name": safe_text(f["properties"].get("name", ""))}} for f in townships]
        add_overlay(m, "乡镇界", outlines, TOWNSHIP_OUTLINE, tooltip="name")
    return m
