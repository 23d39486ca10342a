"""Map pages drawn from the app's vector tiles (issue 14, item 2).

The page carries no features: each overlay is a Leaflet.VectorGrid layer over
``/tiles/<layer>/{z}/{x}/{y}.mvt`` (filtered like the page: time window, status …),
styled in the browser by the catalog's look (``static/vector_layers.js``), and a click
fetches the feature's OGC API item for its popup. What the page does carry is small and
bounded by the number of townships, villages and teams, not by the data: the legend with
counts the database made (``layers.features.grouped_counts``), the names shown beside
codes in popups, and the townships' boxes for 乡镇定位.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import folium
from folium.elements import MacroElement
from folium.map import Layer
from folium.template import Template

from geo.rules import TEAM_MINIMUM
from layers.catalog import Column, Look, overlays
from layers.tiles import SOURCES
from web.maps.legend import legend_html
from web.maps.overview import VIEWS, ShellControls, pane_name
from web.maps.shell import DEFAULT_CENTER, LocalMap, add_tiles, use_vector_assets



def script_json(value) -> str:
    """``value`` as JSON that is safe inside an inline script that folium renders again as
    a Jinja template: no '<', '>', '&' (no closing script tag) and no '{{', '{%', '{#'
    (structural JSON never has them: an object's brace is followed by a quote or a brace)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return re.sub(r"\{(?=[{%#])", r"\\u007b", text)


class VectorOverlay(Layer):
    """One overlay from vector tiles, in the layer control like any folium layer."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = CountyVector.layer({{ this._parent.get_name() }}, {{ this.json }});
        {% endmacro %}
    """)

    def __init__(self, options: dict, name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "VectorOverlay"
        self.json = script_json(options)


class VectorSetup(MacroElement):
    """Page-wide settings of the tile overlays (names beside codes, R7's team minimums),
    and the map fitted to ``bounds`` at once, before the overlays ask for their tiles."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        CountyVector.setup({{ this._parent.get_name() }}, {{ this.json }});
        {% endmacro %}
    """)

    def __init__(self, names: dict, bounds):
        super().__init__()
        self._name = "VectorSetup"
        self.json = script_json({"names": names, "teamMinimum": TEAM_MINIMUM, "bounds": bounds})


def _key(value) -> str:
    """A value as the browser's String() writes it (the popup's label lookup)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def column_spec(column: Column, look: Look | None) -> list:
    """[name, label, how, labels] of a popup row: how the browser writes the value
    (web.maps.text.display_value's rules) and the Chinese label of each coded value."""
    labels = None
    if look is not None and look.by == column.name and look.kinds:
        labels = {}
        for kind in look.kinds:
            for key in (kind.key, *kind.aliases):
                labels[_key(key)] = kind.label
    elif column.kind == "enum":
        labels = {choice: column.label_of(choice) for choice in column.choices}
    how = {"bool": "bool", "timestamp": "time", "date": "date"}.get(column.kind, "text")
    if column.kind == "float":
        how = ("bearing" if column.name == "azimuth" else "angle" if "(度)" in column.label
               else "distance" if column.name.endswith("_m") else "float")
    return [column.name, column.label, how, labels]


def _cell(look: Look) -> dict:
    """The style of a counted cell of points (low zooms): the layer's first colour, white edge."""
    first = {**look.style, **(look.kinds[0].style if look.kinds else {})}
    colour = first.get("fillColor") or first.get("color") or "#3388ff"
    return {"color": "#ffffff", "weight": 1, "fillColor": colour, "fillOpacity": 0.6, "fill": True}


def look_spec(look: Look) -> dict:
    """What the browser styles a feature by: the look's style, kinds and classifier."""
    return {"style": look.style, "by": look.by, "radius": look.radius, "cell": _cell(look),
            "classify": look.classify.__name__ if look.classify is not None else None,
            "kinds": [{"key": k.key, "aliases": list(k.aliases), "style": k.style} for k in look.kinds],
            "other": {"key": None, "style": look.other.style} if look.other is not None else None}


def _popup(name: str, look: Look, source, item_of) -> tuple:
    """(columns, OGC item URL or None) of an overlay's popup: the layer's popup columns (a
    companion's own), fetched by code; tracks (keyed by team and time) show the tile's."""
    columns = source.popup if name == source.name else look.popup or ()
    fetched = source.column("code") is not None and name != "patrol_tracks"
    return columns, item_of(source.name) if fetched else None


def overlay_options(name: str, title: str, look: Look, columns, item_url: str | None, tile_url: str,
                    style_by: dict | None = None) -> dict:
    """The options of one tile overlay (``static/vector_layers.js``)."""
    source = SOURCES[name]
    return {"name": name, "title": title, "url": tile_url, "pane": pane_name(name), "look": look_spec(look),
            "point": look.swatch == "dot", "aggregateBelow": source.aggregate_below,
            "minZoom": source.minzoom, "columns": [column_spec(c, look) for c in columns],
            "item": item_url, "styleBy": style_by}


def tile_url(template: str, filters: dict) -> str:
    """The tile URL template with the filters (values as text; lists comma-joined)."""
    given = {k: ",".join(v) if isinstance(v, (list, tuple)) else str(v) for k, v in filters.items() if v}
    return template + ("?" + urlencode(given) if given else "")


PROBLEM_FROM_INCIDENT = "/problems/new?source=incident&source_ref=__CODE__"


def tiled_map(summary: dict, urls, *, tile_base: str = "", attribution: str = "", view: str = "all",
              assets: dict | None = None) -> folium.Map:
    """The overview map of ``view`` from tiles.

    summary: web.services.mapdata.map_summary's {filters, groups, subtitles, notes,
    townships, bounds, names}; urls: (tiles(name) → URL template with {z}/{x}/{y},
    item(layer) → OGC item URL with __CODE__).
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    tiles_of, item_of = urls
    m = LocalMap(location=DEFAULT_CENTER, zoom_start=10, tiles=None, position="absolute",
                 assets=assets, maxZoom=19, zoomSnap=0.25)
    use_vector_assets(m, assets)
    if tile_base:
        add_tiles(m, tile_base, attribution)
    listed = overlays()
    for name, _, look, _ in sorted(listed, key=lambda o: o[2].pane):
        folium.map.CustomPane(pane_name(name), z_index=look.pane, pointer_events=True).add_to(m)
    VectorSetup(summary["names"], summary["bounds"]).add_to(m)
    sections = []
    for name, title, look, source in listed:
        subtitle = summary["subtitles"].get(name)
        heading = f"{title}（{subtitle}）" if subtitle else title
        groups = summary["groups"].get(name, [])
        options = overlay_options(name, heading, look, *_popup(name, look, source, item_of),
                                  tile_url(tiles_of(name), summary["filters"].get(name, {})))
        if name == "incidents" and view != "leader":  # issue 16: list a problem from an incident
            options["link"] = {"url": PROBLEM_FROM_INCIDENT, "text": "转为问题"}
        shown = view == "all" or view in look.views
        empty = not sum(n for _, n in groups)
        VectorOverlay(options, f"{heading}（无数据）" if empty else heading, show=shown and not empty).add_to(m)
        sections.append((name, heading, title, look, groups))
    ShellControls(legend_html(sections, summary["notes"]), summary["townships"], summary["bounds"]).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


class ApiOverlay(Layer):
    """GeoJSON features fetched from one of the app's APIs after the page has loaded
    (analysis results: coverage gaps, hotspot cells …), in the layer control like any
    folium layer. ``key``: the answer's member holding the FeatureCollection; ``where``:
    {property: value} the features must have (several overlays may share one URL: it is
    fetched once); ``escaped``: tooltip and popup properties are HTML the server wrote and
    escaped (``web.maps.text.safe_text``), else text; ``colour``: the property holding each
    feature's colour; ``style_property``: the property holding each feature's style."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = CountyVector.geojson({{ this._parent.get_name() }}, {{ this.json }});
        {% endmacro %}
    """)

    def __init__(self, name: str, url: str, style: dict, *, key: str | None = None, where: dict | None = None,
                 show: bool = True, tooltip: str | None = None, popup: str | None = None, escaped: bool = False,
                 colour: str | None = None, style_by: dict | None = None, point_radius: int | None = None,
                 style_property: str | None = None):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ApiOverlay"
        self.json = script_json({"url": url, "key": key, "style": style, "where": where or {}, "tooltip": tooltip,
                                 "popup": popup, "escaped": escaped, "colour": colour, "styleBy": style_by,
                                 "styleProperty": style_property,
                                 "radius": point_radius, "title": name})


def page_tile_map(county: dict, config, assets: dict) -> folium.Map:
    """A page's map whose layers come from tiles and APIs: local assets, metric scale, the
    base map of TILE_URL, fitted to ``county['bounds']`` at once; ``county['names']`` are
    shown beside codes in popups."""
    m = LocalMap(location=DEFAULT_CENTER, zoom_start=10, tiles=None, control_scale=True, maxZoom=19, zoomSnap=0.25)
    use_vector_assets(m, assets)
    if config.get("TILE_URL"):
        add_tiles(m, config["TILE_URL"], config.get("TILE_ATTRIBUTION") or "")
    VectorSetup(county.get("names") or {}, county.get("bounds")).add_to(m)
    return m


def add_tile_overlay(m: folium.Map, name: str, urls, *, title: str | None = None, filters: dict | None = None,
                     show: bool = True, link: dict | None = None, style_by: dict | None = None):
    """The catalog overlay ``name`` (a tile source) on a page's map, from its tiles.

    urls: as ``tiled_map`` takes them; link: {url: with __CODE__, text} shown under the
    popup; style_by: {column, styles: {value: Leaflet style}} the page's own colours."""
    own_title, look, source = next(o[1:] for o in overlays() if o[0] == name)
    tiles_of, item_of = urls
    folium.map.CustomPane(pane_name(name), z_index=look.pane, pointer_events=True).add_to(m)
    heading = title or own_title
    columns, item = _popup(name, look, source, item_of)
    options = overlay_options(name, heading, look, columns, item, tile_url(tiles_of(name), filters or {}), style_by)
    options["link"] = link
    return VectorOverlay(options, heading, show=show).add_to(m)
