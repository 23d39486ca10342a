"""The OGC API's routes: read the request, build the document, answer JSON or HTML."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

from flask import Response, current_app, render_template, request, url_for

from layers import features
from layers.catalog import LAYERS, get_layer
from web import context
from web.cache import built
from web.ogc import bp, cql, crs as crs_, params, query
from web.ogc.csvout import CSV, features_csv
from web.ogc import documents as doc
from web.ogc.openapi import DEFAULT_LIMIT, MAX_LIMIT, openapi_document

ITEMS_PARAMS = ("f", "bbox", "bbox-crs", "crs", "limit", "offset", "datetime", "sortby", "properties",
                "skipGeometry", "filter", "filter-lang", "filter-crs")


def _url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def _default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _json(body, mimetype: str = doc.JSON, status: int = 200) -> Response:
    resp = Response(json.dumps(body, ensure_ascii=False, default=_default), status=status, mimetype=mimetype)
    resp.vary.add("Accept")
    return resp


def _wants_html(allowed: tuple[str, ...] = ("f",)) -> bool:
    """Refuse parameters not in ``allowed``; then f=json|html wins; else the Accept header;
    JSON by default."""
    params.check_params(request.args, allowed)
    fmt = params.format_param(request.args)
    if fmt is not None:
        return fmt == "html"
    return request.accept_mimetypes.best_match([doc.GEOJSON, doc.JSON, doc.HTML]) == doc.HTML


def _json_only() -> None:
    """Refuse any parameter but f=json (documents that have only JSON)."""
    params.check_params(request.args, ("f",))
    params.format_param(request.args, ("json",))


def _answer(body, template: str, html: bool, mimetype: str = doc.JSON, **context) -> Response:
    if html:
        resp = Response(render_template(template, doc=body, **context), mimetype=doc.HTML)
        resp.vary.add("Accept")
        return resp
    return _json(body, mimetype)


@bp.route("/", strict_slashes=False)
def landing():
    """Show the landing page: what this service is and where its parts are."""
    html = _wants_html()
    return _answer(doc.landing(_url, context.county().name, html), "ogc/landing.html", html)


@bp.route("/conformance")
def conformance():
    """List the conformance classes this service implements."""
    html = _wants_html()
    return _answer({"conformsTo": doc.CONFORMANCE}, "ogc/conformance.html", html)


@bp.route("/api")
def openapi():
    """Return the OpenAPI 3.0 description of this service."""
    _json_only()
    return _json(openapi_document(context.county().name, _url("ogc.landing").rstrip("/"),
                                  crs_.uris(_centre_lon())), doc.OPENAPI)


def _centre_lon() -> float | None:
    """The county's centre longitude (its Gauss-Krüger zone), None without townships."""
    box = features.county_bounds(context.conn(), context.code())
    return None if box is None else round((box[0] + box[2]) / 2, 3)


def _centre_if_asked() -> float | None:
    """The centre when a crs, bbox-crs or filter-crs is asked (the zone is one of the CRSs
    offered); without any the answer is in CRS84 whatever the zone: no query."""
    asked = any(name in request.args for name in ("crs", "bbox-crs", "filter-crs"))
    return _centre_lon() if asked else None


def _with_crs(resp: Response, uri: str) -> Response:
    resp.headers["Content-Crs"] = f"<{uri}>"
    return resp


def _collection(layer) -> dict:
    extent = built(("ogc.extent", layer.name), lambda: features.extent(context.conn(), layer, context.code()),
                   heavy=False, per_role=False)  # a scan of the layer: kept until it changes
    return doc.collection(_url, layer, extent, crs_.uris(_centre_lon()), crs_.STORAGE)


@bp.route("/collections")
def collections():
    """List the collections: every layer of the county."""
    html = _wants_html()
    body = {"links": doc.self_and_alternate(_url, "ogc.collections", html),
            "collections": [_collection(layer) for layer in LAYERS.values()]}
    return _answer(body, "ogc/collections.html", html)


@bp.route("/collections/<name>")
def collection(name: str):
    """Describe one collection (layer)."""
    layer = get_layer(name)
    html = _wants_html()
    body = _collection(layer)
    body["links"] = doc.self_and_alternate(_url, "ogc.collection", html, name=name) + body["links"][2:] + [
        doc.link(_url("ogc.collections", f="json"), "parent", doc.JSON, "图层列表")]
    return _answer(body, "ogc/collection.html", html, layer=layer)


@bp.route("/collections/<name>/schema")
def schema(name: str):
    """Return the JSON Schema of a layer's features."""
    layer = get_layer(name)
    _json_only()
    return _json(doc.feature_schema(_url, layer), doc.JSON_SCHEMA)


@bp.route("/collections/<name>/queryables")
def queryables(name: str):
    """Return the JSON Schema of the properties one may filter and sort on."""
    layer = get_layer(name)
    _json_only()
    return _json(doc.queryables(_url, layer), doc.JSON_SCHEMA)


@bp.route("/collections/<name>/items")
def items(name: str):
    """Return the features of a layer: bbox, datetime, property filters, CQL2 filter, sortby,
    properties, skipGeometry, limit, offset; paged with links."""
    layer = get_layer(name)
    args = request.args
    params.check_params(args, ITEMS_PARAMS + tuple(c.name for c in query.queryable_columns(layer)))
    as_csv = params.format_param(args, ("json", "html", "csv")) == "csv"
    html = not as_csv and _wants_html(ITEMS_PARAMS + tuple(c.name for c in query.queryable_columns(layer)))
    limit = params.int_param(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = params.int_param(args, "offset", 0, 0, params.MAX_OFFSET)
    centre = _centre_if_asked()
    out = crs_.crs_param(args, "crs", centre)  # checked always; HTML and CSV stay in CRS84
    out = crs_.supported(centre)[0] if html or as_csv else out
    bbox, bbox_srid = crs_.bbox_in(args, crs_.crs_param(args, "bbox-crs", centre)) or (None, 4326)
    interval = params.datetime_param(args, layer)
    asked = {"equal": query.property_filters(args, layer), "sortby": query.sortby_param(args, layer),
             "properties": query.properties_param(args, layer), "geometry": not query.skip_geometry_param(args),
             "cql": cql.filter_param(args, layer, centre)}
    found, matched = ([], 0) if params.holds_nothing(bbox, interval) else features.query_features(
        context.conn(), layer, county_code=context.code(), bbox=bbox, interval=interval,
        limit=limit, offset=offset, bbox_srid=bbox_srid, srid=out.srid, flip=out.flip, **asked)
    if as_csv:
        return _with_crs(_csv(layer, found, matched, asked), out.uri)
    kept = {k: v for k, v in args.items() if k not in ("f", "limit", "offset", "county")}  # county: web.scope
    body = doc.items_page(_url, layer, found, matched, kept, limit, offset, html, datetime.now(timezone.utc))
    pages = body.pop("pages")
    return _with_crs(_answer(body, "ogc/items.html", html, doc.GEOJSON, layer=layer,
                             table=doc.table(_url, layer, found) if html else None, offset=offset, limit=limit,
                             json_url=pages["json"], next_url=pages["next"], prev_url=pages["prev"]), out.uri)


def _csv(layer, found: list, matched: int, asked: dict) -> Response:
    """The page as CSV for Excel; how many matched in all travels in OGC-NumberMatched."""
    body = features_csv(layer, found, asked["properties"], asked["geometry"])
    resp = Response(body, mimetype=CSV)
    resp.headers["Content-Disposition"] = f'inline; filename="{layer.name}.csv"'
    resp.headers["OGC-NumberMatched"] = str(matched)
    resp.vary.add("Accept")
    return resp


@bp.route("/collections/<name>/items/<path:code>")
def item(name: str, code: str):
    """Return one feature by its code (codes may hold '@', ':', '+' or '/')."""
    layer = get_layer(name)
    html = _wants_html(("f", "crs"))
    centre = _centre_if_asked()
    out = crs_.crs_param(request.args, "crs", centre)  # checked always; HTML stays in CRS84
    out = crs_.supported(centre)[0] if html else out
    feature = features.get_feature(context.conn(), layer, code, context.code(), out.srid, out.flip)
    feature["links"] = doc.self_and_alternate(_url, "ogc.item", html, doc.GEOJSON, name=name, code=code) + [
        doc.link(_url("ogc.collection", name=name, f="json"), "collection", doc.JSON, layer.title)]
    return _with_crs(_answer(feature, "ogc/item.html", html, doc.GEOJSON, layer=layer,
                             table=doc.table(_url, layer, [feature]) if html else None), out.uri)
