"""Vector tiles (/tiles): Mapbox vector tiles of every map layer and a TileJSON per layer.

``/tiles/<layer>/<z>/<x>/<y>.mvt`` answers ``application/vnd.mapbox-vector-tile``, or 204
No Content when nothing falls in the tile; ``/tiles/<layer>.json`` its TileJSON 3.0, whose
tile URL carries the same query string (the filters). Every signed-in role may read them
(sign-in is enforced for the whole app by ``web.auth``). Each tile carries an ETag made
of the layer, the county, the tile, the filters and the versions of the tables it is
built from (``layers.versions``), and ``Cache-Control: private, no-cache``: the browser
asks again each time and gets 304 until the data changes. Built tiles are kept in the
process (``web.cache.Kept``, least recently used first, TILE_CACHE_MB, default 64) under
the same key, so a change of the layer makes the next request build afresh.
"""
from __future__ import annotations

import hashlib
import json
import re

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from layers.db import reads_only
from layers.errors import LayerNotFound
from web import context, params
from web.cache import Kept
from web.maps.shell import LAYERS_PATH
from web.schemas.tiles import TileQuery
from web.services import tiles as service

MIMETYPE = "application/vnd.mapbox-vector-tile"
TOKEN = re.compile(r"[0-9a-f]{32}")
CACHE_CONTROL = "private, no-cache"
DEFAULT_MB = 64

bp = reads_only(Blueprint("tiles", __name__, url_prefix="/tiles"))  # its GETs may read a replica (layers.db)


@bp.record_once
def _keep(state) -> None:
    size = int(state.app.config.get("TILE_CACHE_MB", DEFAULT_MB)) * 1024 * 1024
    state.app.extensions["countymap_tiles"] = Kept(size, float(state.app.config.get("HEAVY_WAIT_S", 10.0)))


def store() -> Kept:
    return current_app.extensions["countymap_tiles"]


@bp.route("/<layer>/<z>/<x>/<y>.mvt")
def tile(layer: str, z: str, x: str, y: str):
    """One vector tile of ``layer``, filtered by the query string."""
    src = service.source(layer)
    zxy = service.check_tile(z, x, y)
    given = service.filters(src, params.query(TileQuery))
    conn, county = context.conn(), context.code()
    versions = service.version(conn, src)
    tag = service.etag(src, county, zxy, given, versions)
    if tag in request.if_none_match:
        resp = Response(status=304)
    else:
        key = (src.name, county, zxy, tuple(given.items()), versions)
        body = store().get(key, lambda: service.render(conn, src, county, zxy, given))
        resp = Response(body, status=200 if body else 204, mimetype=MIMETYPE)
    resp.set_etag(tag)
    resp.headers["Cache-Control"] = CACHE_CONTROL
    return resp


def keep_page_layers(parts: dict) -> dict:
    """A page map's parts whose overlays are fetched after the page (``web.maps.shell.
    defer_layers``): their features are kept on the app's shelf (shared by the workers)
    under a digest of their content, which names them in the page's script."""
    layers = parts.pop("layers", None)
    if layers is None:
        return parts
    body = current_app.json.dumps(layers).encode("utf-8")
    token = hashlib.sha256(body).hexdigest()[:32]
    current_app.extensions["countymap_shelf"].get(("page-layers", context.code(), token), lambda: body)
    prefix = url_for("tiles.page_layer", token=token, n=0).rsplit("/", 1)[0]
    return {**parts, "script": parts["script"].replace(LAYERS_PATH, prefix)}


@bp.route("/page/<token>/<int:n>.geojson")
def page_layer(token: str, n: int):
    """One overlay of a page's map (its features, each with its style), kept when the page
    was built; 404 once the data has changed and the page been built again."""
    if not TOKEN.fullmatch(token):
        raise LayerNotFound("地图数据的编号不对")

    def missing():
        raise LayerNotFound("地图数据已更新，请刷新页面")
    shelf = current_app.extensions["countymap_shelf"]  # kept per county: another county's token is not found
    layers = json.loads(shelf.get(("page-layers", context.code(), token), missing))
    if n >= len(layers):
        raise LayerNotFound(f"此页地图只有 {len(layers)} 个图层")
    resp = jsonify(layers[n])
    resp.headers["Cache-Control"] = "private, max-age=3600"
    return resp


@bp.route("/<layer>.json")
def tilejson(layer: str):
    """The TileJSON 3.0 document of ``layer``; its tile URL keeps the query string."""
    src = service.source(layer)
    service.filters(src, params.query(TileQuery))
    url = url_for("tiles.tile", layer=src.name, z=0, x=0, y=0, _external=True)
    url = url.replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    if request.query_string:
        url += "?" + request.query_string.decode("utf-8", "replace")
    title = src.layer.title if src.name == src.layer.name else src.layer.look.companion.title
    resp = jsonify(service.tilejson(context.conn(), src, context.code(), url, title))
    resp.headers["Cache-Control"] = CACHE_CONTROL
    return resp
