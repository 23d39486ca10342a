"""Map builders (placeholder until the map shell lands)."""
from __future__ import annotations

import folium


def render_shell(conn, config, view="all") -> dict:
    m = folium.Map(location=[33.8, 111.6], zoom_start=10, tiles=None)
    root = m.get_root()
    root.render()
    return {"header": root.header.render(), "html": root.html.render(), "script": root.script.render()}
