"""The OpenAPI 3.0 description of the OGC API (no Flask): every path, parameter,
response and schema, one collection per catalog layer."""
from __future__ import annotations

from layers.catalog import LAYERS
from web.ogc.cql import MAX_LENGTH as FILTER_MAX
from web.ogc.documents import CRS84, GEOJSON, HTML, JSON, JSON_SCHEMA, OPENAPI, TRS
from web.ogc.params import DATETIME_PATTERN, MAX_OFFSET
from web.ogc.query import SORT_LIMIT, names_pattern, queryable_columns, value_schema

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
# every error an operation can answer, by status: each is OGC's exception (JSON)
ERRORS = {"400": "InvalidParameter", "401": "Unauthorized", "404": "NotFound", "429": "TooManyRequests",
          "500": "ServerError", "503": "ServiceUnavailable"}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _responses(ok, by_code: bool = False) -> dict:
    """200 (a response's name, or the response itself), then the errors the operation can
    answer: a bad or unknown parameter, no sign-in, sign-in throttled, a server error, no
    database; 404 where a feature is looked up by its code."""
    out = {"200": _ref("responses", ok) if isinstance(ok, str) else ok}
    for code, name in ERRORS.items():
        if code != "404" or by_code:
            out[code] = _ref("responses", name)
    return out


def _service_paths() -> dict:
    return {
        "/": {"get": {
            "tags": ["服务"], "summary": "服务首页", "operationId": "getLandingPage",
            "parameters": [_ref("parameters", "f")],
            "responses": _responses("LandingPage")}},
        "/conformance": {"get": {
            "tags": ["服务"], "summary": "符合的标准类", "operationId": "getConformanceDeclaration",
            "parameters": [_ref("parameters", "f")],
            "responses": _responses("ConformanceDeclaration")}},
        "/api": {"get": {
            "tags": ["服务"], "summary": "接口描述（本文档）", "operationId": "getAPIDescription",
            "parameters": [_ref("parameters", "fJson")],
            "responses": _responses({"description": "OpenAPI 3.0 文档",
                                     "content": {OPENAPI: {"schema": {"type": "object"}}}})}},
        "/collections": {"get": {
            "tags": ["服务"], "summary": "图层列表", "operationId": "getCollections",
            "parameters": [_ref("parameters", "f")],
            "responses": _responses("Collections")}},
    }


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": description, "schema": schema}


def _layer_query_parameters(layer) -> list:
    """sortby, properties and one equality filter per queryable column (Part 3)."""
    names = "、".join(c.name for c in queryable_columns(layer))
    out = [
        _query("sortby", f"排序：逗号分隔的可查询属性（{names}），前加 - 为降序；最多 {SORT_LIMIT} 个；"
                         "最后按编码排序，分页稳定",
               {"type": "string", "pattern": names_pattern(layer, True)}),
        _query("properties", f"每个要素只保留这些属性（逗号分隔：{names}）",
               {"type": "string", "pattern": names_pattern(layer, False)}),
        _ref("parameters", "skipGeometry")]
    for col in queryable_columns(layer):
        out.append(_query(col.name, f"只返回{col.label}等于此值的要素", value_schema(col)))
    return out


def _layer_paths(layer) -> dict:
    """The five paths of one collection."""
    tag = [f"{layer.title} {layer.name}"]
    params = [_ref("parameters", p) for p in ("fItems", "bbox", "bbox-crs", "crs", "limit", "offset",
                                              "filter", "filter-lang", "filter-crs")]
    if layer.time:
        params.append(_ref("parameters", "datetime"))
    params += _layer_query_parameters(layer)
    paths = {}
    paths[f"/collections/{layer.name}"] = {"get": {
        "tags": tag, "summary": f"{layer.title}：图层说明",
        "operationId": f"describe_{layer.name}",
        "parameters": [_ref("parameters", "f")],
        "responses": _responses("Collection")}}
    paths[f"/collections/{layer.name}/schema"] = {"get": {
        "tags": tag, "summary": f"{layer.title}：要素结构（JSON Schema）",
        "operationId": f"get_{layer.name}_schema",
        "parameters": [_ref("parameters", "fJson")],
        "responses": _responses({"description": "要素的 JSON Schema",
                                 "content": {JSON_SCHEMA: {"schema": {"type": "object"}}}})}}
    paths[f"/collections/{layer.name}/queryables"] = {"get": {
        "tags": tag, "summary": f"{layer.title}：可查询的属性（JSON Schema）",
        "operationId": f"get_{layer.name}_queryables",
        "parameters": [_ref("parameters", "fJson")],
        "responses": _responses({"description": "可查询属性的 JSON Schema",
                                 "content": {JSON_SCHEMA: {"schema": {"type": "object"}}}})}}
    paths[f"/collections/{layer.name}/items"] = {"get": {
        "tags": tag, "summary": f"{layer.title}：要素",
        "description": "按编码排序分页；bbox 取与之相交的要素" +
                       ("；datetime 按" + layer.column(layer.time).label + "筛选"
                        if layer.time else ""),
        "operationId": f"get_{layer.name}_features",
        "parameters": params,
        "responses": _responses("Features")}}
    paths[f"/collections/{layer.name}/items/{{featureId}}"] = {"get": {
        "tags": tag, "summary": f"{layer.title}：按编码取一个要素",
        "operationId": f"get_{layer.name}_feature",
        "parameters": [_ref("parameters", "featureId"), _ref("parameters", "f"), _ref("parameters", "crs")],
        "responses": _responses("Feature", by_code=True)}}
    return paths


def _schemas() -> dict:
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
    return {
        "link": link,
        "exception": {"type": "object", "required": ["code", "description"], "properties": {
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


def _content(schema: str, mediatype: str = JSON) -> dict:
    return {mediatype: {"schema": _ref("schemas", schema)}, HTML: {"schema": {"type": "string"}}}


def _responses_section() -> dict:
    error = {JSON: {"schema": _ref("schemas", "exception")}}
    retry = {"Retry-After": {"description": "多少秒后再试", "schema": {"type": "integer", "minimum": 0}}}
    return {
        "LandingPage": {"description": "服务首页：指向接口描述、标准类和图层的链接",
                        "content": _content("landingPage")},
        "ConformanceDeclaration": {"description": "本服务符合的标准类",
                                   "content": _content("confClasses")},
        "Collections": {"description": "全部图层", "content": _content("collections")},
        "Collection": {"description": "一个图层的说明", "content": _content("collectionInfo")},
        "Features": {"description": "图层的要素（GeoJSON 要素集合，WGS 84 经纬度；f=csv 时为 CSV）",
                     "headers": {"OGC-NumberMatched": {"description": "f=csv 时：匹配的要素总数",
                                                        "schema": {"type": "integer", "minimum": 0}}},
                     "content": {**_content("featureCollectionGeoJSON", GEOJSON),
                                 "text/csv": {"schema": {"type": "string"}}}},
        "Feature": {"description": "一个要素（GeoJSON）",
                    "content": _content("featureGeoJSON", GEOJSON)},
        "InvalidParameter": {"description": "查询参数无效、未知或重复（code 为 InvalidParameterValue）",
                             "content": error},
        "Unauthorized": {"description": "需要登录（HTTP Basic）", "content": error},
        "NotFound": {"description": "没有这个要素", "content": error},
        "ServerError": {"description": "服务器错误", "content": error},
        "TooManyRequests": {"description": "登录失败次数过多，稍后再试", "headers": retry,
                            "content": error},
        "ServiceUnavailable": {"description": "数据库暂时无法连接，稍后再试", "headers": retry,
                               "content": error},
    }


def _filter_parameters(crs_uris: list) -> dict:
    """filter, filter-lang and filter-crs (Part 3 filtering, CQL2)."""
    return {
        "filter": {"name": "filter", "in": "query", "required": False, "style": "form", "explode": False,
                   "description": "CQL2 筛选条件（OGC API - Features 第 3 部分），属性见图层的 queryables；"
                                  "比较 = <> < <= > >=、AND/OR/NOT、LIKE、IN、BETWEEN、IS NULL、CASEI；"
                                  "时间 DATE('2026-11-20')（当地整日）、TIMESTAMP('2026-11-20T08:00:00Z')、"
                                  "INTERVAL(开始, 结束) 与 T_AFTER、T_BEFORE、T_INTERSECTS、T_DURING 等；"
                                  "空间 S_INTERSECTS、S_WITHIN、S_CONTAINS、S_DISJOINT 等，几何用 WKT、GeoJSON 或 "
                                  "BBOX(…)，属性名 geometry。例：status = 'faulty' AND range_m > 100。"
                                  f"最多 {FILTER_MAX} 字，括号与 NOT 至多 20 层；与 bbox、datetime、按属性筛选同时成立",
                   "schema": {"type": "string", "minLength": 1, "maxLength": FILTER_MAX}},
        "filter-lang": {"name": "filter-lang", "in": "query", "required": False, "style": "form", "explode": False,
                        "description": "filter 的语言：cql2-text（默认）或 cql2-json；cql-text 同 cql2-text（草案的名字，GDAL 3.6 用它）",
                        "schema": {"type": "string", "enum": ["cql2-text", "cql2-json", "cql-text"],
                                   "default": "cql2-text"}},
        "filter-crs": {"name": "filter-crs", "in": "query", "required": False, "style": "form", "explode": False,
                       "description": "filter 中几何的坐标系（值同 crs，默认 CRS84），按该坐标系的轴序",
                       "schema": {"type": "string", "enum": crs_uris}},
    }


def _parameters(crs_uris: list) -> dict:
    return {
        "f": {"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
              "description": "返回格式：json（默认）或 html；不给时按 Accept 头",
              "schema": {"type": "string", "enum": ["json", "html"]}},
        "fItems": {"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
                   "description": "返回格式：json（默认）、html 或 csv（UTF-8 带 BOM，Excel 可直接打开；"
                                  "点图层给经纬度 lon、lat，其他给 WKT；匹配总数在 OGC-NumberMatched 头）；"
                                  "不给时按 Accept 头",
                   "schema": {"type": "string", "enum": ["json", "html", "csv"]}},
        "fJson": {"name": "f", "in": "query", "required": False, "style": "form",
                  "explode": False, "description": "返回格式：只有 json",
                  "schema": {"type": "string", "enum": ["json"]}},
        "bbox": {"name": "bbox", "in": "query", "required": False, "style": "form",
                 "explode": False,
                 "description": "只返回与此范围相交的要素：最小经度,最小纬度,最大经度,最大纬度"
                                "（WGS 84，CRS84）；6 个数时第 3、6 个为高程，忽略。"
                                "超出 ±180、±90 的经纬度按边界算；最小经度大于最大经度时跨越 180° 经线；"
                                "最小纬度大于最大纬度的范围不含任何要素",
                 "schema": {"type": "array", "items": {"type": "number"},
                            "oneOf": [{"minItems": 4, "maxItems": 4},
                                      {"minItems": 6, "maxItems": 6}]}},
        "crs": {"name": "crs", "in": "query", "required": False, "style": "form", "explode": False,
                "description": "返回几何的坐标系（OGC API - Features 第 2 部分）：默认 CRS84（经度,纬度）；"
                               "EPSG 4326、4490（CGCS2000）按纬度,经度；3857；本县 CGCS2000 3 度带高斯-克吕格"
                               "（无带号，北坐标,东坐标）。可用的值见图层说明的 crs；回答的 Content-Crs 头给出所用坐标系",
                "schema": {"type": "string", "enum": crs_uris}},
        "bbox-crs": {"name": "bbox-crs", "in": "query", "required": False, "style": "form", "explode": False,
                     "description": "bbox 的坐标系（值同 crs，默认 CRS84）；bbox 按该坐标系的轴序给出",
                     "schema": {"type": "string", "enum": crs_uris}},
        "limit": {"name": "limit", "in": "query", "required": False, "style": "form",
                  "explode": False,
                  "description": f"每页最多返回的要素数：1 到 {MAX_LIMIT}，默认 {DEFAULT_LIMIT}；"
                                 f"大于 {MAX_LIMIT} 时答 400",
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                             "default": DEFAULT_LIMIT}},
        "offset": {"name": "offset", "in": "query", "required": False, "style": "form",
                   "explode": False, "description": "跳过前多少个要素（按编码排序）",
                   "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}},
        "datetime": {"name": "datetime", "in": "query", "required": False, "style": "form",
                     "explode": False,
                     "description": "时间或时间段（RFC 3339）：2026-11-20T08:00:00+08:00、"
                                    "2026-11-20（当地整日）、开始/结束，开放端用 .. 或留空；"
                                    "无时区时按北京时间，时区偏移在 ±15:59 以内；结束早于开始的时间段不含任何要素",
                     "schema": {"type": "string", "pattern": DATETIME_PATTERN}},
        **_filter_parameters(crs_uris),
        "skipGeometry": {"name": "skipGeometry", "in": "query", "required": False, "style": "form",
                         "explode": False, "description": "true：不返回几何（geometry 为 null）",
                         "schema": {"type": "boolean", "default": False}},
        "featureId": {"name": "featureId", "in": "path", "required": True,
                      "description": "要素编码（不含 NUL 字符）",
                      "schema": {"type": "string", "pattern": "^[^\\x00]+$"}},
    }


def openapi_document(county_name: str, server: str, crs_uris: list | None = None) -> dict:
    """The API description: every path, parameter, response and schema.

    server: the service's base URL (the landing page without its trailing slash);
    crs_uris: the values of crs and bbox-crs (Part 2)."""
    paths = _service_paths()
    for layer in LAYERS.values():
        paths.update(_layer_paths(layer))
    return {
        "openapi": "3.0.3",
        "info": {"title": f"{county_name}平安建设一张图 数据服务", "version": "1.0.0",
                 "description": "OGC API - Features 第 1 部分（核心，只读）及第 3 部分的可查询属性与筛选"
                                "（queryables、按属性筛选、CQL2 文本与 JSON 的 filter、sortby、properties、skipGeometry），"
                                "第 2 部分的坐标系（crs、bbox-crs）。所有请求需登录：HTTP Basic。"
                                "未声明的查询参数答 400；只读：GET（HEAD、OPTIONS 亦可），其他方法答 405；"
                                "错误都是 JSON（OGC 异常：code、description）。"},
        "servers": [{"url": server}],
        "security": [{"basicAuth": []}],
        "tags": [{"name": "服务"}] + [{"name": f"{layer.title} {layer.name}",
                                       "description": layer.title} for layer in LAYERS.values()],
        "paths": paths,
        "components": {
            "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}},
            "parameters": _parameters(crs_uris or ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]),
            "responses": _responses_section(),
            "schemas": _schemas(),
        },
    }
