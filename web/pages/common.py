"""What the pages share: map assets, the overview map, the one way a form's change is tried."""
from __future__ import annotations

from flask import current_app, render_template, url_for

from layers.db import savepoint
from layers.errors import Conflict, CountyMapError, FeatureNotFound, InvalidInput, QuotaShort
from web import context
from web.cache import built
from web.maps import overview_parts
from web.services import mapdata

REFUSED = (InvalidInput, Conflict, FeatureNotFound, QuotaShort)


def asset_urls() -> dict:
    """The map shell's scripts and style sheets, served by the app."""
    return {"leaflet": url_for("vendor", filename="leaflet/dist/leaflet.js"),
            "leaflet_css": url_for("vendor", filename="leaflet/dist/leaflet.css"),
            "county_map": url_for("static", filename="map_shell.js"),
            "county_map_css": url_for("static", filename="map_shell.css")}


def overview_page(title: str, view: str, presets: dict | None = None):
    """A page holding the overview map of every layer, with ``view``'s layers switched on
    (and links to the other ``presets``, {view: label})."""
    def layers():  # the same for every view and role: read once per data version
        return built("overview.layers", lambda: mapdata.read_layers(context.conn(), context.code()),
                     heavy=False, per_role=False)
    parts = built(("overview", view), lambda: overview_parts(layers(), current_app.config, view, asset_urls()))
    return render_template("home/map.html", title=title, view=view, map=parts, presets=presets or {})


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
