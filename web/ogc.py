"""OGC API - Features, Part 1 Core (read), under /ogc.

Every layer of the catalog is a collection; items are GeoJSON in WGS 84 (CRS84),
filtered to the app's county. Formats: JSON (GeoJSON for features) for clients,
HTML for people (``f=json|html`` or the Accept header). The API description is an
OpenAPI 3.0 document at ``/ogc/api``. Sign-in is enforced for the whole app by
``web.auth``; nothing here opens it.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from flask import Blueprint, Response, current_app, render_template, request, url_for

from layers import features
from layers.catalog import LAYERS, VALUE_LABELS, Column, Layer, get_layer
from layers.db import get_conn
from layers.errors import FeatureNotFound, LayerNotFound

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
CONFORMANCE = [CONF + "core", CONF + "oas30", CONF + "html", CONF + "geojson"]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
JSON_SCHEMA = "application/schema+json"

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
# Dates without an offset are the county's local time (China keeps +08:00 all year).
LOCAL_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

GEOMETRY_LABELS = {"Point": "点", "MultiLineString": "线", "MultiPolygon": "面",
                   "Geometry": "点或面", None: "无几何（属性表）"}


class InvalidParameter(Exception):
    """A query parameter the API does not know or cannot read (answered with 400)."""


# ---------------------------------------------------------------------------
# errors


def _error(status: int, error: str, code: str, message: str) -> Response:
    # "error"/"message" as in the rest of the app; "code"/"description" as in OGC's
    # exception schema.
    body = {"error": error, "message": message, "code": code, "description": message}
    return _json_response(body, JSON, status)


@bp.errorhandler(InvalidParameter)
def _invalid(err):
    return _error(400, "bad_request", "InvalidParameterValue", str(err))


@bp.errorhandler(LayerNotFound)
@bp.errorhandler(FeatureNotFound)
def _not_found(err):
    return _error(404, "not_found", "NotFound", str(err))


# ---------------------------------------------------------------------------
# formats and links


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _json_response(body, mimetype: str, status: int = 200) -> Response:
    resp = Response(json.dumps(body, ensure_ascii=False, default=_default), status=status,
                    mimetype=mimetype)
    resp.vary.add("Accept")
    return resp


def _wants_html() -> bool:
    """f=json|html wins; else the Accept header; JSON by default."""
    fmt = request.args.get("f")
    if fmt is not None:
        if fmt not in ("json", "html"):
            raise InvalidParameter(f"参数 f 的值 '{fmt}' 无效：只能是 json 或 html")
        return fmt == "html"
    best = request.accept_mimetypes.best_match([GEOJSON, JSON, HTML])
    return best == HTML


def _html(template: str, **context) -> Response:
    resp = Response(render_template(template, **context), mimetype=HTML)
    resp.vary.add("Accept")
    return resp


def _check_params(allowed: tuple[str, ...]) -> None:
    """400 on parameters the API does not declare, or on repeated ones."""
    for key in request.args:
        if key not in allowed:
            raise InvalidParameter(
                f"未知的查询参数 '{key}'（此处可用：{', '.join(allowed)}）")
        if len(request.args.getlist(key)) > 1:
            raise InvalidParameter(f"查询参数 '{key}' 只能出现一次")


def _url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def _link(href: str, rel: str, mediatype: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": mediatype, "title": title}


def _self_and_alternate(endpoint: str, html: bool, json_type: str = JSON, **values) -> list:
    as_json = _link(_url(endpoint, f="json", **values), "self", json_type, "本页（JSON）")
    as_html = _link(_url(endpoint, f="html", **values), "alternate", HTML, "本页（HTML）")
    if html:
        as_json["rel"], as_html["rel"] = "alternate", "self"
        return [as_html, as_json]
    return [as_json, as_html]


# ---------------------------------------------------------------------------
# parameters of items


MAX_OFFSET = 2**53  # well inside PostgreSQL's bigint


def _int_param(name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\s*\+?\d{1,30}\s*", raw) or int(raw) < minimum:
        raise InvalidParameter(f"参数 {name} 的值 '{raw}' 无效：应为不小于 {minimum} 的整数")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise InvalidParameter(f"参数 {name} 的值 '{raw}' 无效：不能大于 {maximum}")
    return value


def _bbox_param():
    """(minx, miny, maxx, maxy) in CRS84 degrees, or None; 6 numbers drop the heights."""
    raw = request.args.get("bbox")
    if raw is None:
        return None
    parts = raw.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = None
    if numbers is None or len(numbers) not in (4, 6) or not all(map(_finite, numbers)):
        raise InvalidParameter(
            f"参数 bbox 的值 '{raw}' 无效：应为用逗号分隔的 4 个数 "
            "最小经度,最小纬度,最大经度,最大纬度（WGS 84）")
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    minx, miny, maxx, maxy = numbers
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180):
        raise InvalidParameter(f"参数 bbox 的值 '{raw}' 无效：经度应在 -180 到 180 之间")
    if not (-90 <= miny <= 90 and -90 <= maxy <= 90):
        raise InvalidParameter(f"参数 bbox 的值 '{raw}' 无效：纬度应在 -90 到 90 之间")
    if miny > maxy:
        raise InvalidParameter(f"参数 bbox 的值 '{raw}' 无效：最小纬度大于最大纬度")
    return minx, miny, maxx, maxy


def _finite(x: float) -> bool:
    return x == x and abs(x) != float("inf")


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?")


def _instant(text: str) -> tuple[datetime, datetime]:
    """The first and last moment of an RFC 3339 date-time (the same) or date (a local day)."""
    text = text.strip()
    if text[-1:] in ("T", "t"):
        text = text[:-1]  # GDAL sends a date from a filter as "2026-11-20T"
    if _DATE_RE.fullmatch(text):
        day = date.fromisoformat(text)
        start = datetime.combine(day, time(0), LOCAL_TZ)
        return start, start + timedelta(days=1) - timedelta(microseconds=1)
    # a '+' left unencoded in a query string arrives as a space
    text = re.sub(r"(:\d{2}(?:\.\d+)?) (\d{2}:\d{2})$", r"\1+\2", text)
    match = _DATETIME_RE.fullmatch(text)
    if not match:
        raise ValueError(text)
    day, clock, fraction, offset = match.groups()
    fraction = (fraction or "")[:7]  # Python reads at most microseconds
    offset = "+00:00" if offset in ("Z", "z") else (offset or "")
    moment = datetime.fromisoformat(f"{day}T{clock}{fraction}{offset}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment, moment


def _datetime_param(layer: Layer):
    """(start, end) aware datetimes (closed, None for open), or None when not asked."""
    raw = request.args.get("datetime")
    if raw is None:
        return None
    if not layer.time:
        raise InvalidParameter(
            f"图层 {layer.name}（{layer.title}）没有时间字段，不支持参数 datetime")
    hint = ("应为 RFC 3339 时间（如 2026-11-20T08:00:00+08:00 或 2026-11-20）"
            "或时间段 开始/结束（开放端用 ..）")
    try:
        if "/" in raw:
            first, _, second = raw.partition("/")
            if "/" in second:
                raise ValueError(raw)
            start = None if first.strip() in ("", "..") else _instant(first)[0]
            end = None if second.strip() in ("", "..") else _instant(second)[1]
        else:
            if raw.strip() in ("", ".."):
                raise ValueError(raw)
            start, end = _instant(raw)
    except (ValueError, OverflowError):
        raise InvalidParameter(f"参数 datetime 的值 '{raw}' 无效：{hint}") from None
    if start is not None and end is not None and start > end:
        raise InvalidParameter(f"参数 datetime 的值 '{raw}' 无效：开始晚于结束")
    return start, end


# ---------------------------------------------------------------------------
# documents


def _rfc3339(value, end: bool = False):
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=LOCAL_TZ)
        return value.isoformat()
    # a date: the whole local day
    moment = datetime.combine(value, time(23, 59, 59) if end else time(0), LOCAL_TZ)
    return moment.isoformat()


def _collection(conn, layer: Layer, county: str) -> dict:
    ext = features.extent(conn, layer, county)
    extent = {}
    if ext["bbox"] is not None:
        extent["spatial"] = {"bbox": [ext["bbox"]], "crs": CRS84}
    if layer.time:
        lo, hi = ext["interval"] or (None, None)
        extent["temporal"] = {"interval": [[_rfc3339(lo), _rfc3339(hi, end=True)]], "trs": TRS}
    description = f"{layer.title}（{GEOMETRY_LABELS.get(layer.geometry, layer.geometry)}）"
    if layer.time:
        column = layer.column(layer.time)
        description += f"，可按{column.label if column else layer.time}筛选"
    body = {
        "id": layer.name,
        "title": layer.title,
        "description": description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            _link(_url("ogc.collection", name=layer.name, f="json"), "self", JSON,
                  f"{layer.title}（JSON）"),
            _link(_url("ogc.collection", name=layer.name, f="html"), "alternate", HTML,
                  f"{layer.title}（HTML）"),
            # no query string: GDAL appends "/{id}" to this link to fetch one feature
            _link(_url("ogc.items", name=layer.name), "items", GEOJSON,
                  f"{layer.title}要素（GeoJSON）"),
            _link(_url("ogc.items", name=layer.name, f="html"), "items", HTML,
                  f"{layer.title}要素（HTML）"),
            # the spelling GDAL looks for (relation types are case-insensitive)
            _link(_url("ogc.schema", name=layer.name), "describedBy", JSON_SCHEMA,
                  f"{layer.title}要素的结构（JSON Schema）"),
        ],
    }
    if extent:
        body["extent"] = extent
    return body


@bp.route("/", strict_slashes=False)
def landing():
    """Show the landing page: what this service is and where its parts are."""
    html = _wants_html()
    county = current_app.config["COUNTY_NAME"]
    body = {
        "title": f"{county}平安建设一张图 数据服务",
        "description": f"{county}各图层的 OGC API - Features 服务（GeoJSON，WGS 84）",
        "links": _self_and_alternate("ogc.landing", html) + [
            _link(_url("ogc.openapi"), "service-desc", OPENAPI, "接口描述（OpenAPI 3.0）"),
            _link(_url("ogc.conformance", f="json"), "conformance", JSON, "符合的标准类"),
            _link(_url("ogc.collections", f="json"), "data", JSON, "图层列表（JSON）"),
            _link(_url("ogc.collections", f="html"), "data", HTML, "图层列表（HTML）"),
        ],
    }
    if html:
        return _html("ogc/landing.html", doc=body)
    return _json_response(body, JSON)


@bp.route("/conformance")
def conformance():
    """List the conformance classes this service implements."""
    html = _wants_html()
    body = {"conformsTo": CONFORMANCE}
    if html:
        return _html("ogc/conformance.html", doc=body)
    return _json_response(body, JSON)


@bp.route("/api")
def openapi():
    """Return the OpenAPI 3.0 description of this service."""
    fmt = request.args.get("f")
    if fmt not in (None, "json"):
        raise InvalidParameter(f"参数 f 的值 '{fmt}' 无效：接口描述只有 json 格式")
    return _json_response(openapi_document(), OPENAPI)


@bp.route("/collections")
def collections():
    """List the collections: every layer of the county."""
    html = _wants_html()
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    body = {
        "links": _self_and_alternate("ogc.collections", html),
        "collections": [_collection(conn, layer, county) for layer in LAYERS.values()],
    }
    if html:
        return _html("ogc/collections.html", doc=body)
    return _json_response(body, JSON)


@bp.route("/collections/<name>")
def collection(name: str):
    """Describe one collection (layer)."""
    layer = get_layer(name)
    html = _wants_html()
    body = _collection(get_conn(), layer, current_app.config["COUNTY_CODE"])
    body["links"] = _self_and_alternate("ogc.collection", html, name=name) + body["links"][2:] + [
        _link(_url("ogc.collections", f="json"), "parent", JSON, "图层列表")]
    if html:
        return _html("ogc/collection.html", doc=body, layer=layer)
    return _json_response(body, JSON)


KIND_SCHEMAS = {
    "text": {"type": "string"}, "enum": {"type": "string"}, "int": {"type": "integer"},
    "float": {"type": "number"}, "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "timestamp": {"type": "string", "format": "date-time"},
}
GEOMETRY_TYPES = {"Point": ["Point"], "MultiLineString": ["MultiLineString"],
                  "MultiPolygon": ["MultiPolygon"], "Geometry": ["Point", "Polygon", "MultiPolygon"]}


def feature_schema(layer: Layer) -> dict:
    """JSON Schema of the layer's GeoJSON features: clients (GDAL) take field types from it.

    Without it GDAL guesses types from the first page, and reads 45.5 as 45 when the
    first page happens to hold only whole numbers. Each property has one type; a
    property that is not required may be null (unknown).
    """
    columns = [layer.column("code") or Column("code", "text", "编码")]
    columns += [c for c in layer.columns if c.name != "code"]
    props = {}
    for col in columns:
        entry = {"title": col.label, **KIND_SCHEMAS.get(col.kind, {"type": "string"})}
        if col.choices:
            entry["enum"] = list(col.choices)
        if col.minimum is not None:
            entry["minimum"] = col.minimum
        if col.maximum is not None:
            entry["maximum"] = col.maximum
        props[col.name] = entry
    if layer.geometry:
        geometry = {"title": GEOMETRY_LABELS.get(layer.geometry), "type": "object",
                    "required": ["type", "coordinates"], "properties": {
                        "type": {"type": "string", "enum": GEOMETRY_TYPES[layer.geometry]},
                        "coordinates": {"type": "array"}}}
    else:
        geometry = {"title": GEOMETRY_LABELS[None], "type": "null"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _url("ogc.schema", name=layer.name),
        "title": layer.title,
        "description": "GeoJSON 要素（WGS 84）；非必填属性的值可为 null",
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "title": "编码"},
            "geometry": geometry,
            "properties": {
                "type": "object",
                "required": ["code"] + [c.name for c in columns if c.required and c.name != "code"],
                "properties": props,
            },
        },
    }


@bp.route("/collections/<name>/schema")
def schema(name: str):
    """Return the JSON Schema of a layer's features."""
    layer = get_layer(name)
    fmt = request.args.get("f")
    if fmt not in (None, "json"):
        raise InvalidParameter(f"参数 f 的值 '{fmt}' 无效：要素结构只有 json 格式")
    return _json_response(feature_schema(layer), JSON_SCHEMA)


ITEMS_PARAMS = ("f", "bbox", "limit", "offset", "datetime")


@bp.route("/collections/<name>/items")
def items(name: str):
    """Return the features of a layer: bbox, datetime, limit, offset; paged with links."""
    layer = get_layer(name)
    _check_params(ITEMS_PARAMS)
    html = _wants_html()
    limit = min(_int_param("limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _int_param("offset", 0, 0, MAX_OFFSET)
    bbox = _bbox_param()
    interval = _datetime_param(layer)
    found, matched = features.query_features(
        get_conn(), layer, county_code=current_app.config["COUNTY_CODE"], bbox=bbox,
        interval=interval, limit=limit, offset=offset)

    kept = {k: request.args[k] for k in ("bbox", "datetime") if k in request.args}

    def page(start: int, fmt: str) -> str:
        return _url("ogc.items", name=name, **kept, limit=limit, offset=start, f=fmt)

    links = _self_and_alternate("ogc.items", html, GEOJSON, name=name, **kept,
                                limit=limit, offset=offset)
    more = offset + len(found) < matched
    for fmt, mediatype in (("json", GEOJSON), ("html", HTML)):
        if more:
            links.append(_link(page(offset + limit, fmt), "next", mediatype, "下一页"))
        if offset > 0:
            links.append(_link(page(max(offset - limit, 0), fmt), "prev", mediatype, "上一页"))
    links.append(_link(_url("ogc.collection", name=name, f="json"), "collection", JSON,
                       layer.title))
    body = {
        "type": "FeatureCollection",
        "features": found,
        "numberMatched": matched,
        "numberReturned": len(found),
        "timeStamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }
    if html:
        return _html("ogc/items.html", doc=body, layer=layer, table=_table(layer, found),
                     offset=offset, limit=limit, json_url=page(offset, "json"),
                     next_url=page(offset + limit, "html") if more else None,
                     prev_url=page(max(offset - limit, 0), "html") if offset > 0 else None)
    return _json_response(body, GEOJSON)


@bp.route("/collections/<name>/items/<path:code>")
def item(name: str, code: str):
    """Return one feature by its code (codes may hold '@', ':', '+' or '/')."""
    layer = get_layer(name)
    _check_params(("f",))
    html = _wants_html()
    feature = features.get_feature(get_conn(), layer, code, current_app.config["COUNTY_CODE"])
    feature["links"] = _self_and_alternate("ogc.item", html, GEOJSON, name=name, code=code) + [
        _link(_url("ogc.collection", name=name, f="json"), "collection", JSON, layer.title)]
    if html:
        return _html("ogc/item.html", doc=feature, layer=layer, table=_table(layer, [feature]))
    return _json_response(feature, GEOJSON)


# ---------------------------------------------------------------------------
# HTML tables


def _show(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(VALUE_LABELS.get(value, value)) if isinstance(value, str) else str(value)


def _table(layer: Layer, found: list) -> dict:
    """Headers (declared columns by their Chinese labels, then extra ones) and rows."""
    names = ["code"] + [c.name for c in layer.columns if c.name != "code"]
    labels = {c.name: c.label for c in layer.columns}
    labels.setdefault("code", "编码")
    extra = sorted({k for f in found for k in (f.get("properties") or {}) if k not in names})
    names += extra
    rows = []
    for feature in found:
        props = feature.get("properties") or {}
        geometry = feature.get("geometry")
        rows.append({
            "code": feature.get("id"),
            "url": _url("ogc.item", name=layer.name, code=feature.get("id"), f="html"),
            "geometry": geometry["type"] if geometry else "无",
            "cells": [_show(props.get(n)) for n in names],
        })
    return {"headers": [labels.get(n, n) for n in names], "rows": rows}


# ---------------------------------------------------------------------------
# OpenAPI 3.0


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _responses(ok: str, *errors: str) -> dict:
    out = {"200": _ref("responses", ok)}
    for code in errors:
        out[code] = _ref("responses", {"400": "InvalidParameter", "401": "Unauthorized",
                                       "404": "NotFound", "500": "ServerError"}[code])
    return out


def openapi_document() -> dict:
    """The API description: every path, parameter, response and schema."""
    county = current_app.config["COUNTY_NAME"]
    server = _url("ogc.landing").rstrip("/")
    paths = {
        "/": {"get": {
            "tags": ["服务"], "summary": "服务首页", "operationId": "getLandingPage",
            "parameters": [_ref("parameters", "f")],
            "responses": _responses("LandingPage", "400", "401", "500")}},
        "/conformance": {"get": {
            "tags": ["服务"], "summary": "符合的标准类", "operationId": "getConformanceDeclaration",
            "parameters": [_ref("parameters", "f")],
            "responses": _responses("ConformanceDeclaration", "400", "401", "500")}},
        "/api": {"get": {
            "tags": ["服务"], "summary": "接口描述（本文档）", "operationId": "getAPIDescription",
            "parameters": [_ref("parameters", "fJson")],
            "responses": {"200": {"description": "OpenAPI 3.0 文档",
                                  "content": {OPENAPI: {"schema": {"type": "object"}}}},
                          "400": _ref("responses", "InvalidParameter"),
                          "401": _ref("responses", "Unauthorized")}}},
        "/collections": {"get": {
            "tags": ["服务"], "summary": "图层列表", "operationId": "getCollections",
            "parameters": [_ref("parameters", "f")],
            "responses": _responses("Collections", "400", "401", "500")}},
    }
    for layer in LAYERS.values():
        tag = [f"{layer.title} {layer.name}"]
        params = [_ref("parameters", p) for p in ("f", "bbox", "limit", "offset")]
        if layer.time:
            params.append(_ref("parameters", "datetime"))
        paths[f"/collections/{layer.name}"] = {"get": {
            "tags": tag, "summary": f"{layer.title}：图层说明",
            "operationId": f"describe_{layer.name}",
            "parameters": [_ref("parameters", "f")],
            "responses": _responses("Collection", "400", "401", "404", "500")}}
        paths[f"/collections/{layer.name}/schema"] = {"get": {
            "tags": tag, "summary": f"{layer.title}：要素结构（JSON Schema）",
            "operationId": f"get_{layer.name}_schema",
            "parameters": [_ref("parameters", "fJson")],
            "responses": {"200": {"description": "要素的 JSON Schema",
                                  "content": {JSON_SCHEMA: {"schema": {"type": "object"}}}},
                          "400": _ref("responses", "InvalidParameter"),
                          "401": _ref("responses", "Unauthorized"),
                          "404": _ref("responses", "NotFound")}}}
        paths[f"/collections/{layer.name}/items"] = {"get": {
            "tags": tag, "summary": f"{layer.title}：要素",
            "description": "按编码排序分页；bbox 取与之相交的要素" +
                           ("；datetime 按" + layer.column(layer.time).label + "筛选"
                            if layer.time else ""),
            "operationId": f"get_{layer.name}_features",
            "parameters": params,
            "responses": _responses("Features", "400", "401", "404", "500")}}
        paths[f"/collections/{layer.name}/items/{{featureId}}"] = {"get": {
            "tags": tag, "summary": f"{layer.title}：按编码取一个要素",
            "operationId": f"get_{layer.name}_feature",
            "parameters": [_ref("parameters", "featureId"), _ref("parameters", "f")],
            "responses": _responses("Feature", "400", "401", "404", "500")}}

    link = {"type": "object", "required": ["href"], "properties": {
        "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
        "hreflang": {"type": "string"}, "title": {"type": "string"},
        "length": {"type": "integer"}}}
    links = {"type": "array", "items": _ref("schemas", "link")}
    geometry = {"type": "object", "nullable": True, "required": ["type"], "properties": {
        "type": {"type": "string", "enum": [
            "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
            "MultiPolygon", "GeometryCollection"]},
        "coordinates": {"type": "array", "items": {}},
        "geometries": {"type": "array", "items": {"type": "object"}}}}
    schemas = {
        "link": link,
        "exception": {"type": "object", "required": ["code"], "properties": {
            "code": {"type": "string"}, "description": {"type": "string"},
            "error": {"type": "string"}, "message": {"type": "string"}}},
        "landingPage": {"type": "object", "required": ["links"], "properties": {
            "title": {"type": "string"}, "description": {"type": "string"}, "links": links}},
        "confClasses": {"type": "object", "required": ["conformsTo"], "properties": {
            "conformsTo": {"type": "array", "items": {"type": "string"}}}},
        "extent": {"type": "object", "properties": {
            "spatial": {"type": "object", "properties": {
                "bbox": {"type": "array", "minItems": 1, "items": {
                    "type": "array", "minItems": 4, "maxItems": 6,
                    "items": {"type": "number"}}},
                "crs": {"type": "string", "enum": [CRS84], "default": CRS84}}},
            "temporal": {"type": "object", "properties": {
                "interval": {"type": "array", "minItems": 1, "items": {
                    "type": "array", "minItems": 2, "maxItems": 2, "items": {
                        "type": "string", "format": "date-time", "nullable": True}}},
                "trs": {"type": "string", "enum": [TRS], "default": TRS}}}}},
        "collectionInfo": {"type": "object", "required": ["id", "links"], "properties": {
            "id": {"type": "string"}, "title": {"type": "string"},
            "description": {"type": "string"}, "links": links,
            "extent": _ref("schemas", "extent"),
            "itemType": {"type": "string", "default": "feature"},
            "crs": {"type": "array", "items": {"type": "string"}, "default": [CRS84]}}},
        "collections": {"type": "object", "required": ["links", "collections"], "properties": {
            "links": links,
            "collections": {"type": "array", "items": _ref("schemas", "collectionInfo")}}},
        "geometryGeoJSON": geometry,
        "featureGeoJSON": {"type": "object", "required": ["type", "geometry", "properties"],
                           "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": _ref("schemas", "geometryGeoJSON"),
            "properties": {"type": "object", "nullable": True},
            "links": links}},
        "featureCollectionGeoJSON": {"type": "object", "required": ["type", "features"],
                                     "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": _ref("schemas", "featureGeoJSON")},
            "links": links,
            "timeStamp": {"type": "string", "format": "date-time"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0}}},
    }

    def content(schema: str, mediatype: str = JSON) -> dict:
        return {mediatype: {"schema": _ref("schemas", schema)}, HTML: {"schema": {"type": "string"}}}

    error = {JSON: {"schema": _ref("schemas", "exception")}}
    responses = {
        "LandingPage": {"description": "服务首页：指向接口描述、标准类和图层的链接",
                        "content": content("landingPage")},
        "ConformanceDeclaration": {"description": "本服务符合的标准类",
                                   "content": content("confClasses")},
        "Collections": {"description": "全部图层", "content": content("collections")},
        "Collection": {"description": "一个图层的说明", "content": content("collectionInfo")},
        "Features": {"description": "图层的要素（GeoJSON 要素集合，WGS 84 经纬度）",
                     "content": content("featureCollectionGeoJSON", GEOJSON)},
        "Feature": {"description": "一个要素（GeoJSON）",
                    "content": content("featureGeoJSON", GEOJSON)},
        "InvalidParameter": {"description": "查询参数无效或未知", "content": error},
        "Unauthorized": {"description": "需要登录（HTTP Basic）", "content": error},
        "NotFound": {"description": "没有这个图层或要素", "content": error},
        "ServerError": {"description": "服务器错误", "content": error},
    }
    parameters = {
        "f": {"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
              "description": "返回格式：json（默认）或 html；不给时按 Accept 头",
              "schema": {"type": "string", "enum": ["json", "html"]}},
        "fJson": {"name": "f", "in": "query", "required": False, "style": "form",
                  "explode": False, "description": "返回格式：只有 json",
                  "schema": {"type": "string", "enum": ["json"]}},
        "bbox": {"name": "bbox", "in": "query", "required": False, "style": "form",
                 "explode": False,
                 "description": "只返回与此范围相交的要素：最小经度,最小纬度,最大经度,最大纬度"
                                "（WGS 84，CRS84）；6 个数时第 3、6 个为高程，忽略",
                 "schema": {"type": "array", "minItems": 4, "maxItems": 6,
                            "items": {"type": "number"}}},
        "limit": {"name": "limit", "in": "query", "required": False, "style": "form",
                  "explode": False,
                  "description": f"每页最多返回的要素数；默认 {DEFAULT_LIMIT}，"
                                 f"大于 {MAX_LIMIT} 时按 {MAX_LIMIT} 处理",
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                             "default": DEFAULT_LIMIT}},
        "offset": {"name": "offset", "in": "query", "required": False, "style": "form",
                   "explode": False, "description": "跳过前多少个要素（按编码排序）",
                   "schema": {"type": "integer", "minimum": 0, "default": 0}},
        "datetime": {"name": "datetime", "in": "query", "required": False, "style": "form",
                     "explode": False,
                     "description": "时间或时间段（RFC 3339）：2026-11-20T08:00:00+08:00、"
                                    "2026-11-20（当地整日）、开始/结束，开放端用 ..；"
                                    "无时区时按北京时间",
                     "schema": {"type": "string"}},
        "featureId": {"name": "featureId", "in": "path", "required": True,
                      "description": "要素编码", "schema": {"type": "string"}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": f"{county}平安建设一张图 数据服务", "version": "1.0.0",
                 "description": "OGC API - Features 第 1 部分（核心，只读）。所有请求需登录：HTTP Basic。"},
        "servers": [{"url": server}],
        "security": [{"basicAuth": []}],
        "tags": [{"name": "服务"}] + [{"name": f"{layer.title} {layer.name}",
                                       "description": layer.title} for layer in LAYERS.values()],
        "paths": paths,
        "components": {
            "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}},
            "parameters": parameters,
            "responses": responses,
            "schemas": schemas,
        },
    }
