"""Vector tiles and their TileJSON documents: which source, which tile, which filters.

The adapter (``web.tiles``) keeps built tiles; this module checks what was asked against
the source (a filter that does not apply, a status the layer does not know: InvalidInput
naming the field), names the version a tile is built from, and builds tiles and TileJSON.
"""
from __future__ import annotations

import hashlib

from layers import tiles
from layers.errors import InvalidInput, LayerNotFound
from layers.features import county_bounds
from layers.versions import data_version
from web.schemas.tiles import TileQuery

TILEJSON_VERSION = "3.0.0"


def source(name: str) -> tiles.Source:
    """The tile source ``name``; LayerNotFound (404) otherwise."""
    try:
        return tiles.SOURCES[name]
    except KeyError:
        raise LayerNotFound(f"没有名为 '{name}' 的瓦片图层（可用：{', '.join(tiles.SOURCES)}）") from None


def check_tile(z: str, x: str, y: str) -> tuple[int, int, int]:
    """z/x/y of a tile as integers: z in 0–MAX_ZOOM, x and y in 0–2^z−1; InvalidInput otherwise."""
    values = {}
    for field, text in (("z", z), ("x", x), ("y", y)):
        if not text.isdigit() or len(text) > 9:
            raise InvalidInput(f"瓦片坐标 {field} 应为非负整数，而不是 '{text}'", field)
        values[field] = int(text)
    if values["z"] > tiles.MAX_ZOOM:
        raise InvalidInput(f"缩放级别 z 应在 0 与 {tiles.MAX_ZOOM} 之间，而不是 {values['z']}", "z")
    top = 2 ** values["z"] - 1
    for field in ("x", "y"):
        if values[field] > top:
            raise InvalidInput(f"瓦片坐标 {field} 在缩放级别 {values['z']} 应在 0 与 {top} 之间，"
                               f"而不是 {values[field]}", field)
    return values["z"], values["x"], values["y"]


def filters(src: tiles.Source, query: TileQuery) -> dict:
    """The filters given, checked against the source: {name: value}, in FILTERS order."""
    given = {name: getattr(query, name) for name in tiles.FILTERS if getattr(query, name) is not None}
    allowed = src.filters()
    for name, value in given.items():
        if name not in allowed:
            what = "、".join(allowed) or "无"
            raise InvalidInput(f"参数 {name} 不适用于图层 {src.name}（可用的筛选：{what}）", name)
        choices = src.choices(name)
        if choices and not set(value) <= set(choices):
            wrong = next(v for v in value if v not in choices)
            raise InvalidInput(f"参数 {name} 应为 {', '.join(choices)} 之一，而不是 '{wrong}'", name)
    if query.since and query.until and query.since > query.until:
        raise InvalidInput(f"参数 since（{query.since}）不能晚于 until（{query.until}）", "since")
    return given


def version(conn, src: tiles.Source) -> tuple[int, ...]:
    """The versions of the tables the source reads: a change of any makes new tiles."""
    return data_version(conn, src.tables)


def etag(src: tiles.Source, county_code: str, zxy: tuple, given: dict, versions: tuple) -> str:
    """A strong validator of one tile: source, county, tile, filters and data versions."""
    said = repr((src.name, county_code, zxy, sorted((k, tiles.as_text(v) if not isinstance(v, tuple) else v)
                                                    for k, v in given.items()), versions))
    return hashlib.sha256(said.encode("utf-8")).hexdigest()[:32]


def render(conn, src: tiles.Source, county_code: str, zxy: tuple, given: dict) -> bytes:
    return tiles.render(conn, src, county_code, *zxy, given)


def _fields(src: tiles.Source) -> dict:
    return {c.name: c.label for c in src.columns}


def tilejson(conn, src: tiles.Source, county_code: str, tile_url: str, title: str) -> dict:
    """The TileJSON 3.0 document of a source; ``tile_url``: the template with {z}/{x}/{y}."""
    bounds = county_bounds(conn, county_code) or (-180.0, -85.0511, 180.0, 85.0511)
    center = [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 10]
    layer = {"id": src.name, "description": title, "minzoom": src.minzoom, "maxzoom": tiles.MAX_ZOOM,
             "fields": _fields(src)}
    doc = {"tilejson": TILEJSON_VERSION, "name": src.name, "description": title, "scheme": "xyz",
           "tiles": [tile_url], "minzoom": src.minzoom, "maxzoom": tiles.MAX_ZOOM,
           "bounds": list(bounds), "center": center, "vector_layers": [layer]}
    if src.aggregate_below is not None:
        doc["description"] = (f"{title}：缩放级别 {src.aggregate_below} 以下按网格聚合为带 count 的点，"
                              f"{src.aggregate_below} 级起为单个要素")
        layer["fields"] = {**layer["fields"], tiles.COUNT.name: tiles.COUNT.label}
    return doc
