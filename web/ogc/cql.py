"""OGC API - Features Part 3 filtering: ``filter`` in CQL2 text or JSON, read from a
mapping (the query string); no Flask.

``cql2`` (the Rust CQL2 parser) turns the text or JSON into CQL2 JSON; this module walks
that JSON once and returns a checked tree: every property is a queryable column of the
layer (or its geometry), every literal a Python value of that column's kind, every
geometry literal WKB in the filter's CRS. ``layers.cql`` compiles the tree into SQL with
parameters. Anything else is an InvalidParameter naming what is wrong (400).

Checked nodes (tuples): ("and"|"or", [nodes]), ("not", node), ("bool", value),
("cmp", op, a, b), ("like", a, b), ("in", a, [b]), ("between", a, lo, hi), ("null", a),
("spatial", op, a, b), ("time", op, a, b). Operands: ("col", name, kind),
("val", value, kind), ("casei", operand), ("geom",), ("geomlit", wkb_hex, srid),
("period", name, kind) and ("instant", start, end) (aware datetimes, None for open).
A timestamp value is (start, end): an instant, or a whole local day.
"""
from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Mapping

import cql2
import numpy as np
import shapely
from shapely.geometry import box, shape

from layers.catalog import Column, Layer
from web.ogc.crs import Crs, crs_param
from web.ogc.params import _DATE, _INSTANT, InvalidParameter, _instant
from web.ogc.query import queryable_columns

LANGS = ("cql2-text", "cql2-json", "cql-text")  # cql-text: the draft's name, which GDAL 3.6 sends
MAX_LENGTH = 4000  # characters of a filter
MAX_NESTING = 20  # parentheses (or JSON levels / 2) and NOTs: the parser recurses on them
MAX_NODES = 300  # operators and operands in one filter
MAX_PARENS = 200  # "(" anywhere, strings included: a bound on nesting the parser cannot be led past
GEOMETRY_NAMES = ("geometry", "geom")
COMPARISONS = ("=", "<>", "<", "<=", ">", ">=")
MIRROR = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
SPATIAL = ("s_intersects", "s_disjoint", "s_within", "s_contains", "s_equals", "s_touches",
           "s_overlaps", "s_crosses")
TEMPORAL = ("t_after", "t_before", "t_contains", "t_disjoint", "t_during", "t_equals", "t_finishedby",
            "t_finishes", "t_intersects", "t_meets", "t_metby", "t_overlappedby", "t_overlaps",
            "t_startedby", "t_starts")
FAMILY = {"text": "text", "enum": "text", "int": "number", "float": "number", "bool": "bool",
          "date": "date", "timestamp": "timestamp"}
WORDS = {"text": "文字", "number": "数", "bool": "true 或 false", "date": "日期（DATE('2026-11-20')）",
         "timestamp": "时间（TIMESTAMP('2026-11-20T08:00:00Z')）或日期"}
_DATE_RE = re.compile(_DATE)
_DATE_T_RE = re.compile(f"{_DATE}T?")  # GDAL writes a date as '2026-11-20T'
_INSTANT_RE = re.compile(_INSTANT)


def bad(what: str) -> InvalidParameter:
    return InvalidParameter(f"参数 filter 无效：{what}", "filter")


def _lang(args: Mapping) -> str:
    lang = args.get("filter-lang", "cql2-text")
    if lang not in LANGS:
        raise InvalidParameter(f"参数 filter-lang 的值 '{lang[:50]}' 无效：应为 cql2-text 或 cql2-json", "filter-lang")
    return "cql2-text" if lang == "cql-text" else lang


def _text_nesting(text: str) -> int:
    """The deepest parenthesis nesting plus the NOTs, outside quoted strings."""
    depth = deepest = 0
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted  # '' inside a string toggles twice
        elif not quoted and char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif not quoted and char == ")":
            depth -= 1
    nots = len(re.findall(r"(?i)\bnot\b", re.sub(r"'[^']*'", "''", text)))
    return deepest + nots


def _json_depth(value, level: int = 0) -> int:
    if level > 2 * MAX_NESTING + 10:
        return level
    if isinstance(value, dict):
        return max([_json_depth(v, level + 1) for v in value.values()] or [level + 1])
    if isinstance(value, list):
        return max([_json_depth(v, level + 1) for v in value] or [level + 1])
    return level


def _shallow(value):
    if _json_depth(value) > 2 * MAX_NESTING:
        raise bad(f"嵌套超过 {2 * MAX_NESTING} 层")
    return value


def parse(raw: str, lang: str):
    """CQL2 JSON (Python values) of a filter in ``lang``; InvalidParameter when it cannot be read."""
    if len(raw) > MAX_LENGTH:
        raise bad(f"长 {len(raw)} 字，最多 {MAX_LENGTH} 字")
    if "\x00" in raw or not raw.strip():
        raise bad("为空或含 NUL 字符")
    try:
        if lang == "cql2-text":
            if raw.count("(") > MAX_PARENS or _text_nesting(raw) > MAX_NESTING:
                raise bad(f"括号与 NOT 嵌套超过 {MAX_NESTING} 层（或左括号多于 {MAX_PARENS} 个）")
            return _shallow(cql2.parse_text(raw).to_json())
        try:
            loaded = json.loads(raw, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
        except (ValueError, RecursionError) as exc:
            raise bad(f"不是有效的 cql2-json（JSON 有误：{str(exc)[:100]}）") from None
        expr = cql2.parse_json(json.dumps(_shallow(loaded)))
        expr.validate()
        return expr.to_json()
    except RecursionError:  # arithmetic chains nest without parentheses
        raise bad(f"嵌套超过 {2 * MAX_NESTING} 层") from None
    except (cql2.ParseError, cql2.ValidationError, ValueError) as exc:
        if isinstance(exc, InvalidParameter):
            raise
        message = " ".join(str(exc).split())
        raise bad(f"不是有效的 {lang}：{message[:300]}") from None


class Checker:
    """Walks CQL2 JSON against one layer's queryables, in the filter's CRS."""

    def __init__(self, layer: Layer, crs: Crs):
        self.layer = layer
        self.crs = crs
        self.columns = {c.name: c for c in queryable_columns(layer)}
        self.nodes = 0

    def _count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise bad(f"条件过多（最多 {MAX_NODES} 个运算符和值）")

    def predicate(self, node):
        """A checked node of a boolean expression."""
        self._count()
        if isinstance(node, bool):
            return ("bool", node)
        if not isinstance(node, dict) or "op" not in node:
            raise bad(f"'{_show(node)}' 不是条件")
        op, args = str(node["op"]).lower(), node.get("args") or []
        if op in ("and", "or") and isinstance(args, list) and args:
            return (op, [self.predicate(a) for a in args])
        if op == "not" and len(args) == 1:
            return ("not", self.predicate(args[0]))
        if op in COMPARISONS and len(args) == 2:
            return self._comparison(op, args)
        if op == "like" and len(args) == 2:
            return self._like(args)
        if op == "in" and len(args) == 2 and isinstance(args[1], list):
            return self._in(args)
        if op == "between" and len(args) == 3:
            return self._between(args)
        if op == "isnull" and len(args) == 1:
            return ("null", self._operand(args[0], None, allow_geometry=True))
        if op in SPATIAL and len(args) == 2:
            return ("spatial", op, self._spatial(args[0]), self._spatial(args[1]))
        if op in TEMPORAL and len(args) == 2:
            return ("time", op, self._temporal(args[0]), self._temporal(args[1]))
        raise bad(f"不支持运算符 '{_show(node.get('op'))}'（或其参数个数不对）")

    def _column(self, name) -> Column:
        if name not in self.columns:
            known = ", ".join(list(self.columns) + ([GEOMETRY_NAMES[0]] if self.layer.geometry else []))
            raise bad(f"属性 '{_show(name)}' 不可查询（{self.layer.name} 可用：{known}）")
        return self.columns[name]

    def _operand(self, node, like: Column | None, allow_geometry: bool = False):
        """A property, casei(...) or a literal read as ``like``'s kind (None: a property)."""
        self._count()
        if isinstance(node, dict) and "property" in node:
            if allow_geometry and node["property"] in GEOMETRY_NAMES and self.layer.geometry:
                return ("geom",)
            col = self._column(node["property"])
            return ("col", col.name, col.kind)
        if isinstance(node, dict) and str(node.get("op", "")).lower() == "casei" and len(node.get("args") or []) == 1:
            inner = self._operand(node["args"][0], like)
            if _kind(inner) not in ("text", "enum"):
                raise bad("CASEI 只用于文字")
            return ("casei", inner)
        if like is None:
            raise bad(f"'{_show(node)}' 处应为可查询的属性")
        return ("val", self.literal(node, like), like.kind)

    def _pair(self, a, b):
        """Two operands, at least one a property; a literal is read as the other's kind."""
        for node in (a, b):
            if isinstance(node, dict) and "op" in node and str(node["op"]).lower() != "casei":
                raise bad(f"不支持函数或运算 '{_show(node['op'])}'（可用 CASEI）")
        first = self._operand(a, None) if _refers(a) else None
        second = self._operand(b, _column_of(first, self.columns)) if first else self._operand(b, None)
        if first is None:
            first = self._operand(a, _column_of(second, self.columns))
        if FAMILY.get(_kind(first)) != FAMILY.get(_kind(second)):
            raise bad(f"'{_show(a)}' 与 '{_show(b)}' 类型不同，不能比较")
        return first, second

    def _comparison(self, op: str, args):
        first, second = self._pair(*args)
        if first[0] == "val":  # a literal first: the property on the left
            first, second, op = second, first, MIRROR[op]
        if _kind(first) == "bool" and op not in ("=", "<>"):
            raise bad("true/false 只能用 = 或 <> 比较")
        return ("cmp", op, first, second)

    def _like(self, args):
        if _is_property(args[0]) and self._column(args[0]["property"]).kind not in ("text", "enum"):
            raise bad(f"LIKE 只用于文字属性，{_show(args[0]['property'])} 不是")
        first, second = self._pair(*args)
        if _kind(first) not in ("text", "enum") or first[0] == "val":
            raise bad("LIKE 的左边应为文字属性")
        pattern = second[1] if second[0] == "casei" else second
        if pattern[0] != "val":
            raise bad("LIKE 的右边应为文字（模式，可用 % 和 _）")
        if (len(pattern[1]) - len(pattern[1].rstrip("\\"))) % 2:
            raise bad(f"LIKE 的模式 '{_show(pattern[1])}' 以转义符 \\ 结尾")
        return ("like", first, second)

    def _in(self, args):
        if not 0 < len(args[1]) <= MAX_NODES:
            raise bad(f"IN 列表应有 1 到 {MAX_NODES} 个值")
        target = self._operand(args[0], None)
        col = _column_of(target, self.columns)
        return ("in", target, [self._same(target, self._operand(v, col)) for v in args[1]])

    def _same(self, target, operand):
        """``operand``, when it is of ``target``'s kind (a property may be another's)."""
        if FAMILY.get(_kind(target)) != FAMILY.get(_kind(operand)):
            raise bad(f"属性 {target[1]} 不能与不同类型的属性比较")
        return operand

    def _between(self, args):
        target = self._operand(args[0], None)
        if _kind(target) not in ("int", "float", "date", "timestamp"):
            raise bad("BETWEEN 只用于数、日期或时间属性")
        col = _column_of(target, self.columns)
        return ("between", target, self._same(target, self._operand(args[1], col)),
                self._same(target, self._operand(args[2], col)))

    def literal(self, node, col: Column):
        """The literal ``node`` as a value of ``col``'s kind; InvalidParameter naming both."""
        wrong = bad(f"属性 {col.name}（{col.label}）应与{WORDS[FAMILY[col.kind]]}比较，而不是 '{_show(node)}'")
        kind = col.kind
        if kind in ("text", "enum"):
            if not isinstance(node, str) or "\x00" in node:
                raise wrong
            return node
        if kind in ("int", "float"):
            if isinstance(node, bool) or not isinstance(node, (int, float)):
                raise wrong
            if not math.isfinite(node) or abs(node) > 1e15:
                raise bad(f"属性 {col.name} 的比较值 '{_show(node)}' 超出范围")
            return int(node) if kind == "int" and float(node).is_integer() else float(node)
        if kind == "bool":  # GDAL writes its boolean fields' values as 1 and 0
            if not isinstance(node, bool) and node not in (0, 1):
                raise wrong
            return bool(node)
        text = _date_text(node)
        if kind == "date":
            if text is None or not _DATE_T_RE.fullmatch(text):
                raise wrong
            return date.fromisoformat(text[:10])
        if text is None or not (_INSTANT_RE.fullmatch(text) or _DATE_T_RE.fullmatch(text)):
            raise wrong
        return _instant(text)

    def _spatial(self, node):
        if _is_property(node):
            operand = self._operand(node, None, allow_geometry=True)
            if operand != ("geom",):
                raise bad(f"空间运算的属性应为 {GEOMETRY_NAMES[0]}（{self.layer.name} 的几何）")
            return operand
        self._count()
        return ("geomlit", *self._geometry(node))

    def _geometry(self, node) -> tuple[str, int]:
        """(WKB hex, srid) of a GeoJSON geometry, BBOX or ENVELOPE literal in the filter's CRS."""
        try:
            if isinstance(node, dict) and "bbox" in node:
                geom = _box(node["bbox"])
            elif isinstance(node, dict) and str(node.get("op", "")).lower() == "envelope":
                geom = _box(node.get("args") or [])
            elif isinstance(node, dict) and "type" in node:
                geom = shape(node)
            else:
                raise ValueError("不是几何")
        except InvalidParameter:
            raise
        except Exception:  # shapely refuses many shapes of bad input, in many ways
            raise bad(f"'{_show(node)}' 不是几何（WKT、GeoJSON 或 BBOX）") from None
        coords = shapely.get_coordinates(geom)
        if geom.is_empty or not np.isfinite(coords).all():
            raise bad(f"几何 '{_show(node)}' 为空或坐标不是有限的数")
        if not geom.is_valid:
            raise bad(f"几何 '{_show(node)}' 无效（{shapely.is_valid_reason(geom)}）")
        if self.crs.flip:
            geom = shapely.transform(geom, lambda xy: xy[:, ::-1])
            coords = shapely.get_coordinates(geom)
        west, south, east, north = self.crs.bounds or (-180, -90, 180, 90)
        if not ((coords[:, 0] >= west) & (coords[:, 0] <= east) & (coords[:, 1] >= south)
                & (coords[:, 1] <= north)).all():
            raise bad(f"几何 '{_show(node)}' 超出坐标系 {self.crs.uri} 的范围")
        return shapely.to_wkb(geom, hex=True), self.crs.srid

    def _temporal(self, node):
        if _is_property(node):
            col = self._column(node["property"])
            if col.kind not in ("date", "timestamp"):
                raise bad(f"属性 {col.name}（{col.label}）不是日期或时间，不能用于时间运算")
            return ("period", col.name, col.kind)
        self._count()
        if isinstance(node, dict) and "interval" in node and isinstance(node["interval"], list) \
                and len(node["interval"]) == 2:
            return ("instant", _end(node["interval"][0], 0), _end(node["interval"][1], 1))
        text = _date_text(node)
        if text is None or not _INSTANT_RE.fullmatch(text):
            raise bad(f"'{_show(node)}' 不是时间、日期或时间段（INTERVAL）")
        return ("instant", *_instant(text))


def _end(node, which: int):
    """One end of an INTERVAL: its first (0) or last (1) moment, None for '..'."""
    if node == "..":
        return None
    text = _date_text(node)
    if text is None or not _INSTANT_RE.fullmatch(text):
        raise bad(f"时间段的端点 '{_show(node)}' 不是时间或日期")
    return _instant(text)[which]


def _box(numbers):
    if len(numbers) not in (4, 6) or not all(isinstance(n, (int, float)) and not isinstance(n, bool)
                                             for n in numbers):
        raise bad("BBOX 应为 4 个（或含高程的 6 个）数")
    minx, miny, maxx, maxy = numbers if len(numbers) == 4 else (numbers[0], numbers[1], numbers[3], numbers[4])
    if minx > maxx or miny > maxy:
        raise bad("BBOX 的最小值大于最大值")
    return box(minx, miny, maxx, maxy)


def _date_text(node) -> str | None:
    if isinstance(node, dict) and len(node) == 1 and ("date" in node or "timestamp" in node):
        node = next(iter(node.values()))
    return node if isinstance(node, str) else None


def _is_property(node) -> bool:
    return isinstance(node, dict) and "property" in node


def _refers(node) -> bool:
    """A property, or CASEI of one."""
    if isinstance(node, dict) and str(node.get("op", "")).lower() == "casei":
        return any(_refers(a) for a in node.get("args") or [])
    return _is_property(node)


def _kind(operand) -> str | None:
    if operand[0] == "casei":
        return _kind(operand[1])
    return operand[2] if operand[0] in ("col", "val") else None


def _column_of(operand, columns: dict) -> Column | None:
    if operand[0] == "casei":
        return _column_of(operand[1], columns)
    return columns.get(operand[1]) if operand[0] == "col" else None


def _show(node) -> str:
    text = node if isinstance(node, str) else json.dumps(node, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def filter_param(args: Mapping, layer: Layer, centre_lon: float | None):
    """The checked tree of ``filter`` (filter-lang, filter-crs), or None when not asked."""
    raw = args.get("filter")
    lang = _lang(args)
    crs = crs_param(args, "filter-crs", centre_lon)
    if raw is None:  # filter-lang and filter-crs alone: checked, and nothing to apply them to
        return None
    return Checker(layer, crs).predicate(parse(raw, lang))
