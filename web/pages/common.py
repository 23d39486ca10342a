"""What the pages share: map assets, the overview map, the one way a form's change is tried."""
from __future__ import annotations

from flask import current_app, render_template, url_for

from layers.db import savepoint
from layers.errors import Conflict, CountyMapError, FeatureNotFound, InvalidInput, QuotaShort
from web import context
from web.cache import built
from web.maps import figure_parts, tiled_map, township_list
from web.services import mapdata

REFUSED = (InvalidInput, Conflict, FeatureNotFound, QuotaShort)


def asset_urls() -> dict:
    """The map shell's scripts and style sheets, served by the app."""
    return {"leaflet": url_for("vendor", filename="leaflet/dist/leaflet.js"),
            "leaflet_css": url_for("vendor", filename="leaflet/dist/leaflet.css"),
            "county_map": url_for("static", filename="map_shell.js"),
            "county_map_css": url_for("static", filename="map_shell.css")}


def vector_assets() -> dict:
    """The map shell's files and those of the maps drawn from vector tiles."""
    return {**asset_urls(),
            "vectorgrid": url_for("vendor", filename="leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js"),
            "county_vector": url_for("static", filename="vector_layers.js")}


def map_urls():
    """(tiles(source) → tile URL template, item(layer) → OGC item URL with __CODE__)."""
    def tiles_of(name: str) -> str:
        return url_for("tiles.tile", layer=name, z=0, x=0, y=0).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")

    def item_of(name: str) -> str:
        return url_for("ogc.item", name=name, code="__CODE__", f="json")
    return tiles_of, item_of


def overview_page(title: str, view: str, presets: dict | None = None):
    """A page holding the overview map of every layer drawn from vector tiles, with
    ``view``'s layers switched on (and links to the other ``presets``, {view: label})."""
    def summary():  # the same for every view and role: read once per data version
        def read():
            out = mapdata.map_summary(context.conn(), context.code())
            out["townships"] = township_list(townships())
            out["bounds"] = county_box([t["bounds"] for t in out["townships"]])
            return out
        return built("overview.summary", read, heavy=False, per_role=False)

    def parts():
        config = current_app.config
        return figure_parts(tiled_map(summary(), map_urls(), tile_base=config.get("TILE_URL") or "",
                                      attribution=config.get("TILE_ATTRIBUTION") or "", view=view,
                                      assets=vector_assets()))
    return render_template("home/map.html", title=title, view=view, map=built(("overview", view), parts),
                           presets=presets or {})


def county_box(boxes: list) -> list | None:
    """[[south, west], [north, east]] around boxes of the same form; None without any."""
    if not boxes:
        return None
    return [[min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)],
            [max(b[1][0] for b in boxes), max(b[1][1] for b in boxes)]]


def townships() -> list[dict]:
    """The county's township outlines, for a page map's borders."""
    return mapdata.township_outlines(context.conn(), context.code())


def attempt(fn, *args, **kwargs) -> tuple[object, CountyMapError | None]:
    """Try a change inside a savepoint: (result, None), or (None, the refusal) with the
    change rolled back (the rest of the request's transaction stays)."""
    try:
        with savepoint(context.conn(), "page_change"):
            return fn(*args, **kwargs), None
    except REFUSED as err:
        return None, err


def refusal(action: str, err: CountyMapError) -> str:
    """Why a change was refused, for the flash: '修改未保存：…', '未发布：…'."""
    if isinstance(err, QuotaShort):
        return f"未发布：{err}"
    if isinstance(err, Conflict):
        return f"{action}未保存：{err}"
    return f"{action}未成功：{err}"
