"""Beyond Core (OGC API - Features Part 3 in part): queryables, property filters, sortby,
properties and skipGeometry, read from a mapping (the query string); no Flask.

The queryable columns are the layer's catalog columns (and its code): every name that
reaches SQL comes from the catalog, never from the request. The OpenAPI schema of each
parameter is built here too, from the same rules that read it, so the description and the
server cannot disagree.
"""
from __future__ import annotations

import math
import re
from datetime import date
from typing import Mapping

from layers.catalog import Column, Layer
from web.ogc.params import _DATE, _INSTANT, InvalidParameter, _instant

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL integer
_INT = re.compile(r"[+-]?[0-9]{1,12}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_DATE_RE = re.compile(_DATE)
_INSTANT_RE = re.compile(_INSTANT)
_TEXT = "^[^\\x00]*$"
SORT_LIMIT = 10  # keys in one sortby


def queryable_columns(layer: Layer) -> list[Column]:
    """The columns one may filter and sort on: the code first, then the catalog's."""
    code = layer.column("code") or Column("code", "text", "编码")
    return [code] + [c for c in layer.columns if c.name != "code"]


def _bounds(col: Column) -> tuple[int, int]:
    low = INT_MIN if col.minimum is None else max(INT_MIN, math.ceil(col.minimum))
    high = INT_MAX if col.maximum is None else min(INT_MAX, math.floor(col.maximum))
    return low, high


def value_schema(col: Column) -> dict:
    """The OpenAPI (3.0) schema of a property filter's value on ``col``."""
    if col.kind == "enum":
        return {"type": "string", "enum": list(col.choices)}
    if col.kind == "int":
        low, high = _bounds(col)
        return {"type": "integer", "minimum": low, "maximum": high}
    if col.kind == "float":
        return {"type": "number"}
    if col.kind == "bool":
        return {"type": "boolean"}
    if col.kind == "date":
        return {"type": "string", "pattern": f"^{_DATE}$"}
    if col.kind == "timestamp":
        return {"type": "string", "pattern": f"^{_INSTANT}$"}
    schema = {"type": "string", "pattern": _TEXT}
    if col.max_length:
        schema["maxLength"] = col.max_length
    return schema


def _bad(col: Column, raw: str, what: str) -> InvalidParameter:
    return InvalidParameter(f"参数 {col.name}（{col.label}）的值 '{raw}' 无效：{what}", col.name)


def _value(col: Column, raw: str):
    """The value of a filter on ``col``: a str, int, float, bool, date, or (start, end)
    for a timestamp (an instant, or a whole local day)."""
    if col.kind == "enum":
        if raw not in col.choices:
            raise _bad(col, raw, f"应为 {', '.join(col.choices)} 之一")
        return raw
    if col.kind == "int":
        low, high = _bounds(col)
        if not _INT.fullmatch(raw) or not low <= int(raw) <= high:
            raise _bad(col, raw, f"应为 {low} 到 {high} 的整数")
        return int(raw)
    if col.kind == "float":
        if not _NUMBER.fullmatch(raw) or not math.isfinite(float(raw)):
            raise _bad(col, raw, "应为数")
        return float(raw)
    if col.kind == "bool":
        if raw not in ("true", "false"):
            raise _bad(col, raw, "应为 true 或 false")
        return raw == "true"
    if col.kind == "date":
        if not _DATE_RE.fullmatch(raw):
            raise _bad(col, raw, "应为日期，如 2026-11-20")
        return date.fromisoformat(raw)
    if col.kind == "timestamp":
        if not _INSTANT_RE.fullmatch(raw):
            raise _bad(col, raw, "应为 RFC 3339 时间（如 2026-11-20T08:00:00+08:00）或日期")
        return _instant(raw)
    if "\x00" in raw or (col.max_length and len(raw) > col.max_length):
        raise _bad(col, raw[:50], f"应为不含 NUL 字符、不超过 {col.max_length or '任意'} 字的文字")
    return raw


def property_filters(args: Mapping, layer: Layer) -> dict:
    """{column name: value} for each queryable column named in the query string."""
    return {col.name: _value(col, args[col.name]) for col in queryable_columns(layer) if col.name in args}


def _names(layer: Layer) -> list[str]:
    return [c.name for c in queryable_columns(layer)]


def names_pattern(layer: Layer, signed: bool) -> str:
    """A comma-separated list of queryable names (sortby: at most SORT_LIMIT, each with an
    optional sign)."""
    one = ("[+-]?" if signed else "") + "(?:" + "|".join(map(re.escape, _names(layer))) + ")"
    return f"^{one}(?:,{one}){{0,{SORT_LIMIT - 1}}}$" if signed else f"^{one}(?:,{one})*$"


def _list(args: Mapping, name: str, layer: Layer) -> list[str] | None:
    raw = args.get(name)
    if raw is None:
        return None
    items = raw.split(",")
    known = _names(layer)
    for item in items:
        if item.lstrip("+-" if name == "sortby" else "") not in known or item[:2] in ("++", "--", "+-", "-+"):
            raise InvalidParameter(
                f"参数 {name} 的值 '{raw[:100]}' 无效：'{item[:50]}' 不是可用的属性（可用：{', '.join(known)}）", name)
    return items


def sortby_param(args: Mapping, layer: Layer) -> list[tuple[str, bool]] | None:
    """[(column, descending)] of ``sortby=-occurred_at,code``, or None when not asked."""
    items = _list(args, "sortby", layer)
    if items is None:
        return None
    if len(items) > SORT_LIMIT:
        raise InvalidParameter(f"参数 sortby 最多 {SORT_LIMIT} 个属性", "sortby")
    return [(item.lstrip("+-"), item.startswith("-")) for item in items]


def properties_param(args: Mapping, layer: Layer) -> list[str] | None:
    """The properties each feature keeps (``properties=code,name``), or None for all."""
    items = _list(args, "properties", layer)
    return None if items is None else list(dict.fromkeys(items))


def skip_geometry_param(args: Mapping) -> bool:
    raw = args.get("skipGeometry")
    if raw not in (None, "true", "false"):
        raise InvalidParameter(f"参数 skipGeometry 的值 '{raw[:50]}' 无效：应为 true 或 false", "skipGeometry")
    return raw == "true"
