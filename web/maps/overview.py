"""What every overview map shares: the views, the shell's controls (legend, 乡镇定位,
scale bar), the overlays' panes and the townships' boxes. The map itself is drawn from
vector tiles (``web.maps.tiled``).
"""
from __future__ import annotations

import shapely
from folium.elements import MacroElement
from folium.template import Template
from shapely.geometry import shape

from layers.catalog import overlays
from web.maps.text import safe_text

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


def _bounds(geoms) -> list | None:
    """[[south, west], [north, east]] of non-empty geometries, or None."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    west, south, east, north = shapely.total_bounds(geoms)
    return [[float(south), float(west)], [float(north), float(east)]]


def pane_name(name: str) -> str:
    """The Leaflet pane of an overlay (its drawing order: the look's pane number)."""
    return f"cm-{name.replace('_', '-')}"


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
