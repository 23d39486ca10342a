"""The OGC API's documents, built without Flask: callers pass ``url(endpoint, **values)``.

As pygeoapi keeps its api/ apart from its web framework, these functions take plain
values (a layer, its extent, features) and return the JSON bodies; ``web.ogc.routes``
turns them into responses.
"""
from __future__ import annotations

import json
from datetime import datetime, time
from typing import Callable
from urllib.parse import urlencode

from geo.calendar import LOCAL
from layers.catalog import Column, Layer
from web.ogc.query import queryable_columns

Url = Callable[..., str]
CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
CONF3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
CONFORMANCE = [CONF + "core", CONF + "oas30", CONF + "html", CONF + "geojson",
               CONF3 + "queryables", CONF3 + "queryables-query-parameters",
               CONF3 + "filter", CONF3 + "features-filter",
               CQL2 + "cql2-text", CQL2 + "cql2-json", CQL2 + "basic-cql2",
               CQL2 + "advanced-comparison-operators", CQL2 + "case-insensitive-comparison",
               CQL2 + "basic-spatial-functions", CQL2 + "basic-spatial-functions-plus",
               CQL2 + "spatial-functions", CQL2 + "temporal-functions",
               "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
JSON_SCHEMA = "application/schema+json"

GEOMETRY_LABELS = {"Point": "点", "MultiLineString": "线", "MultiPolygon": "面",
                   "Geometry": "点或面", None: "无几何（属性表）"}


def link(href: str, rel: str, mediatype: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": mediatype, "title": title}


def self_and_alternate(url: Url, endpoint: str, html: bool, json_type: str = JSON, **values) -> list:
    """The page's own link and its other format's (self is the one asked for)."""
    as_json = link(url(endpoint, f="json", **values), "self", json_type, "本页（JSON）")
    as_html = link(url(endpoint, f="html", **values), "alternate", HTML, "本页（HTML）")
    if html:
        as_json["rel"], as_html["rel"] = "alternate", "self"
        return [as_html, as_json]
    return [as_json, as_html]


def landing(url: Url, county_name: str, html: bool) -> dict:
    """The landing page: what this service is and where its parts are."""
    return {
        "title": f"{county_name}平安建设一张图 数据服务",
        "description": f"{county_name}各图层的 OGC API - Features 服务（GeoJSON，WGS 84）",
        "links": self_and_alternate(url, "ogc.landing", html) + [
            link(url("ogc.openapi"), "service-desc", OPENAPI, "接口描述（OpenAPI 3.0）"),
            link(url("ogc.conformance", f="json"), "conformance", JSON, "符合的标准类"),
            link(url("ogc.collections", f="json"), "data", JSON, "图层列表（JSON）"),
            link(url("ogc.collections", f="html"), "data", HTML, "图层列表（HTML）"),
        ],
    }


def rfc3339(value, end: bool = False):
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=LOCAL)
        return value.isoformat()
    # a date: the whole local day
    moment = datetime.combine(value, time(23, 59, 59) if end else time(0), LOCAL)
    return moment.isoformat()


def collection(url: Url, layer: Layer, ext: dict, crs: list | None = None, storage: str = CRS84) -> dict:
    """A collection's description; ext: {'bbox', 'interval'} of layers.features.extent;
    crs: the CRS URIs offered (Part 2), storage: the one stored."""
    extent = {}
    if ext["bbox"] is not None:
        extent["spatial"] = {"bbox": [ext["bbox"]], "crs": CRS84}
    if layer.time:
        lo, hi = ext["interval"] or (None, None)
        extent["temporal"] = {"interval": [[rfc3339(lo), rfc3339(hi, end=True)]], "trs": TRS}
    description = f"{layer.title}（{GEOMETRY_LABELS.get(layer.geometry, layer.geometry)}）"
    if layer.time:
        column = layer.column(layer.time)
        description += f"，可按{column.label if column else layer.time}筛选"
    body = {
        "id": layer.name,
        "title": layer.title,
        "description": description,
        "itemType": "feature",
        "crs": crs or [CRS84],
        "storageCrs": storage,
        "links": [
            link(url("ogc.collection", name=layer.name, f="json"), "self", JSON,
                  f"{layer.title}（JSON）"),
            link(url("ogc.collection", name=layer.name, f="html"), "alternate", HTML,
                  f"{layer.title}（HTML）"),
            # no query string: GDAL appends "/{id}" to this link to fetch one feature
            link(url("ogc.items", name=layer.name), "items", GEOJSON,
                  f"{layer.title}要素（GeoJSON）"),
            link(url("ogc.items", name=layer.name, f="html"), "items", HTML,
                  f"{layer.title}要素（HTML）"),
            # the spelling GDAL looks for (relation types are case-insensitive)
            link(url("ogc.schema", name=layer.name), "describedBy", JSON_SCHEMA,
                  f"{layer.title}要素的结构（JSON Schema）"),
            link(url("ogc.queryables", name=layer.name), "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                 JSON_SCHEMA, f"{layer.title}可查询的属性（JSON Schema）"),
        ],
    }
    if extent:
        body["extent"] = extent
    return body


def items_page(url: Url, layer: Layer, found: list, matched: int, kept: dict, limit: int, offset: int,
               html: bool, now: datetime) -> dict:
    """A page of features with self/alternate/next/prev/collection links."""
    def asked(endpoint: str, **values) -> str:  # the filters kept (a filter may be called "name")
        return url(endpoint, **values) + ("&" + urlencode(kept) if kept else "")

    def page(start: int, fmt: str) -> str:
        return asked("ogc.items", name=layer.name, limit=limit, offset=start, f=fmt)

    links = self_and_alternate(asked, "ogc.items", html, GEOJSON, name=layer.name, limit=limit, offset=offset)
    more = offset + len(found) < matched
    for fmt, mediatype in (("json", GEOJSON), ("html", HTML)):
        if more:
            links.append(link(page(offset + limit, fmt), "next", mediatype, "下一页"))
        if offset > 0:
            links.append(link(page(max(offset - limit, 0), fmt), "prev", mediatype, "上一页"))
    links.append(link(url("ogc.collection", name=layer.name, f="json"), "collection", JSON, layer.title))
    return {"type": "FeatureCollection", "features": found, "numberMatched": matched,
            "numberReturned": len(found), "timeStamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "links": links,
            "pages": {"json": page(offset, "json"), "next": page(offset + limit, "html") if more else None,
                      "prev": page(max(offset - limit, 0), "html") if offset > 0 else None}}


KIND_SCHEMAS = {
    "text": {"type": "string"}, "enum": {"type": "string"}, "int": {"type": "integer"},
    "float": {"type": "number"}, "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "timestamp": {"type": "string", "format": "date-time"},
}
GEOMETRY_TYPES = {"Point": ["Point"], "MultiLineString": ["MultiLineString"],
                  "MultiPolygon": ["MultiPolygon"], "Geometry": ["Point", "Polygon", "MultiPolygon"]}


def _property_schema(col: Column) -> dict:
    entry = {"title": col.label, **KIND_SCHEMAS.get(col.kind, {"type": "string"})}
    if col.choices:
        entry["enum"] = list(col.choices)
    if col.minimum is not None:
        entry["minimum"] = col.minimum
    if col.maximum is not None:
        entry["maximum"] = col.maximum
    return entry


def queryables(url: Url, layer: Layer) -> dict:
    """The queryables (Part 3): the properties one may filter (?status=faulty, or in a CQL2
    filter) and sort on; the geometry (``geometry``) for the filter's spatial functions."""
    props = {col.name: _property_schema(col) for col in queryable_columns(layer)}
    if layer.geometry:
        props["geometry"] = {"title": "几何（只用于 filter 的空间运算）",
                             "format": "geometry-" + ("any" if layer.geometry == "Geometry"
                                                      else layer.geometry.lower()),
                             "x-ogc-role": "primary-geometry"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url("ogc.queryables", name=layer.name),
        "title": f"{layer.title}：可查询的属性",
        "description": "每个属性可作查询参数（等于，如 ?status=faulty），可用于 CQL2 的 filter，"
                       "也可用于 sortby 和 properties（geometry 只用于 filter 的空间运算）",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }


def feature_schema(url: Url, layer: Layer) -> dict:
    """JSON Schema of the layer's GeoJSON features: clients (GDAL) take field types from it.

    Without it GDAL guesses types from the first page, and reads 45.5 as 45 when the
    first page happens to hold only whole numbers. Each property has one type; a
    property that is not required may be null (unknown).
    """
    columns = [layer.column("code") or Column("code", "text", "编码")]
    columns += [c for c in layer.columns if c.name != "code"]
    props = {col.name: _property_schema(col) for col in columns}
    if layer.geometry:
        geometry = {"title": GEOMETRY_LABELS.get(layer.geometry), "type": "object",
                    "required": ["type", "coordinates"], "properties": {
                        "type": {"type": "string", "enum": GEOMETRY_TYPES[layer.geometry]},
                        "coordinates": {"type": "array"}}}
    else:
        geometry = {"title": GEOMETRY_LABELS[None], "type": "null"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url("ogc.schema", name=layer.name),
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


def _show(value, column: Column | None = None) -> str:
    if value is None:
        return ""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and column is not None and column.kind == "enum":
        return column.label_of(value)
    return str(value)


def table(url: Url, layer: Layer, found: list) -> dict:
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
            "url": url("ogc.item", name=layer.name, code=feature.get("id"), f="html"),
            "geometry": geometry["type"] if geometry else "无",
            "cells": [_show(props.get(n), layer.column(n)) for n in names],
        })
    return {"headers": [labels.get(n, n) for n in names], "rows": rows}


