"""What requests may carry, as pydantic models: the one typed layer at the edge.

Every query string, form and JSON body is parsed once into a model of this package
(``parse``) and the services take those models: numbers are finite and in range, days
fall in 2000–2100, quarters look like 2026Q3, coordinates lie inside the county's extent
plus a margin, lists and strings are bounded. A refusal is one InvalidInput naming the
field, in Chinese. No Flask here: ``web.params`` feeds requests in.

Why pydantic: typed models with constraints declared beside the fields, precise error
locations (``points[3].lat``), JSON Schema for documentation, and it is fast.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Any, Callable

import shapely
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo
from shapely.geometry import shape

from geo.calendar import FIRST_YEAR, LAST_YEAR, LOCAL, QUARTER_RE
from layers.errors import InvalidInput

CHINA = (73.5, 18.0, 135.1, 53.6)   # lon/lat box used when the county has no townships yet
MARGIN_DEG = 0.1                      # about 10 km around the county's extent
MAX_VERTICES = 20_000                 # of one geometry sent to the API


class Input(BaseModel):
    """Base of the services' input models: unknown fields are ignored, values are strict
    enough that a list never passes for a string or a number."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _years(value):
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"年份应在 {FIRST_YEAR} 与 {LAST_YEAR} 之间，而不是 {value.year}")
    return value


def _local(value: datetime) -> datetime:
    return _years(value if value.tzinfo else value.replace(tzinfo=LOCAL))


def _quarter(value: str) -> str:
    if not QUARTER_RE.match(value) or not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        raise ValueError(f"应形如 2026Q3，而不是 '{value}'")
    return value


def _no_bool(value):
    if isinstance(value, bool):
        raise ValueError("应为数字，而不是 true/false")
    return value


def _blank_is_none(value):
    return None if isinstance(value, str) and value.strip() in ("", "null") else value


Day = Annotated[date, AfterValidator(_years)]
Moment = Annotated[datetime, AfterValidator(_local)]
Quarter = Annotated[str, AfterValidator(_quarter)]
Finite = Annotated[float, BeforeValidator(_no_bool), Field(allow_inf_nan=False)]
Whole = Annotated[int, BeforeValidator(_no_bool)]
OptionalWhole = Annotated[Whole | None, BeforeValidator(_blank_is_none)]
Code = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
Text = Annotated[str, Field(max_length=2000, pattern=r"^[^\x00]*$")]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


def bounds_from(info: ValidationInfo) -> tuple[float, float, float, float]:
    """The county's lon/lat extent plus the margin (the context's ``bounds`` callable)."""
    getter = (info.context or {}).get("bounds")
    box = getter() if getter else None
    if box is None:
        return CHINA
    minx, miny, maxx, maxy = box
    return minx - MARGIN_DEG, miny - MARGIN_DEG, maxx + MARGIN_DEG, maxy + MARGIN_DEG


def check_inside(xy, info: ValidationInfo, what: str) -> None:
    """InvalidInput-worthy ValueError when any lon/lat of ``xy`` lies outside the county."""
    minx, miny, maxx, maxy = bounds_from(info)
    for x, y in xy:
        if not (minx <= x <= maxx and miny <= y <= maxy):
            raise ValueError(f"{what}坐标 ({x:g}, {y:g}) 不在本县范围内（经度 {minx:.2f}–{maxx:.2f}，"
                             f"纬度 {miny:.2f}–{maxy:.2f}）")


class Position(Input):
    """A point in WGS 84 inside the county (lon, lat in degrees)."""

    lon: Annotated[Finite, Field(ge=-180, le=180)]
    lat: Annotated[Finite, Field(ge=-90, le=90)]


def _coordinates(value) -> list:
    """Every [x, y] pair of a GeoJSON coordinates array (depth checked, numbers finite)."""
    out: list = []

    def walk(node, depth):
        if depth > 4 or not isinstance(node, list):
            raise ValueError("coordinates 应为数字数组")
        if node and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in node):
            if len(node) < 2 or not all(math.isfinite(v) for v in node):
                raise ValueError("坐标应为两个有限的数 [经度, 纬度]")
            out.append((float(node[0]), float(node[1])))
            return
        for child in node:
            walk(child, depth + 1)
            if len(out) > MAX_VERTICES:
                raise ValueError(f"几何的顶点最多 {MAX_VERTICES:,} 个")

    walk(value, 0)
    return out


SHAPES = {"Point": "点", "LineString": "线", "MultiLineString": "线", "Polygon": "面", "MultiPolygon": "面"}


def geometry(value: Any, info: ValidationInfo, types: tuple[str, ...]):
    """A shapely geometry from a GeoJSON geometry object: one of ``types``, finite, inside
    the county, valid (polygons); ValueError with the reason otherwise."""
    if not isinstance(value, dict) or value.get("type") not in types:
        raise ValueError(f"应为 GeoJSON {SHAPES[types[0]]}（{'、'.join(types)}）")
    xy = _coordinates(value.get("coordinates"))
    check_inside(xy, info, "")
    try:
        geom = shape(value)
    except (ValueError, TypeError, shapely.errors.ShapelyError) as err:
        raise ValueError(f"不是有效的 GeoJSON 几何：{str(err).strip()}") from None
    if geom.is_empty:
        raise ValueError("几何为空")
    if geom.geom_type.endswith("LineString") and geom.length == 0:
        raise ValueError("线至少要有两个不同的点")
    return geom


def _where(loc: tuple) -> str:
    """points[0].lat: where a value is, for programs."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def _said(loc: tuple) -> str:
    """points 第 1 项的 lat: where a value is, for people."""
    out = ""
    for part in loc:
        out += f" 第 {part + 1} 项" if isinstance(part, int) else (f"的 {part}" if out else str(part))
    return out or "请求体"


MESSAGES: dict[str, Callable[[str, dict], str]] = {
    "missing": lambda f, e: f"缺少 {f}",
    "finite_number": lambda f, e: f"{f} 应为有限的数，而不是 '{e['input']}'",
    "float_parsing": lambda f, e: f"{f} 应为数字，而不是 '{e['input']}'",
    "float_type": lambda f, e: f"{f} 应为数字",
    "int_parsing": lambda f, e: f"{f} 应为整数，而不是 '{e['input']}'",
    "int_type": lambda f, e: f"{f} 应为整数",
    "int_from_float": lambda f, e: f"{f} 应为整数，而不是 '{e['input']}'",
    "greater_than_equal": lambda f, e: f"{f} 应不小于 {e['ctx']['ge']:g}，而不是 {e['input']}",
    "less_than_equal": lambda f, e: f"{f} 应不大于 {e['ctx']['le']:g}，而不是 {e['input']}",
    "greater_than": lambda f, e: f"{f} 应大于 {e['ctx']['gt']:g}，而不是 {e['input']}",
    "less_than": lambda f, e: f"{f} 应小于 {e['ctx']['lt']:g}，而不是 {e['input']}",
    "string_type": lambda f, e: f"{f} 应为文字",
    "string_too_long": lambda f, e: f"{f} 过长（最多 {e['ctx']['max_length']} 个字符）",
    "string_too_short": lambda f, e: f"{f} 不能为空",
    "string_pattern_mismatch": lambda f, e: f"{f} 含有不允许的字符",
    "literal_error": lambda f, e: f"{f} 应为 {e['ctx']['expected'].replace(' or ', ', ')} 之一，而不是 '{e['input']}'",
    "bool_parsing": lambda f, e: f"{f} 应为 true 或 false，而不是 '{e['input']}'",
    "bool_type": lambda f, e: f"{f} 应为 true 或 false",
    "date_from_datetime_parsing": lambda f, e: f"{f} 不是有效日期 '{e['input']}'（应为 YYYY-MM-DD）",
    "date_parsing": lambda f, e: f"{f} 不是有效日期 '{e['input']}'（应为 YYYY-MM-DD）",
    "date_type": lambda f, e: f"{f} 不是有效日期（应为 YYYY-MM-DD）",
    "datetime_from_date_parsing": lambda f, e: f"{f} 不是 ISO 8601 时间 '{e['input']}'（如 2026-11-20T08:00:00+08:00）",
    "datetime_parsing": lambda f, e: f"{f} 不是 ISO 8601 时间 '{e['input']}'（如 2026-11-20T08:00:00+08:00）",
    "datetime_type": lambda f, e: f"{f} 不是 ISO 8601 时间（如 2026-11-20T08:00:00+08:00）",
    "list_type": lambda f, e: f"{f} 应为列表",
    "too_long": lambda f, e: f"{f} 最多 {e['ctx']['max_length']:,} 项（收到 {e['ctx']['actual_length']:,} 项）",
    "too_short": lambda f, e: f"{f} 至少 {e['ctx']['min_length']} 项",
    "dict_type": lambda f, e: f"{f} 应为对象（{{…}}）",
    "model_type": lambda f, e: f"{f} 应为对象（{{…}}）",
    "model_attributes_type": lambda f, e: f"{f} 应为对象（{{…}}）",
}


def message(error: dict) -> tuple[str, str]:
    """(where the value is, a Chinese sentence naming it) for one pydantic error."""
    said = _said(error["loc"])
    make = MESSAGES.get(error["type"])
    if make is not None:
        return _where(error["loc"]), make(said, error)
    reason = str(error.get("ctx", {}).get("error") or error["msg"]).removeprefix("Value error, ")
    return _where(error["loc"]), f"{said} {reason}"


def parse(model: type[BaseModel], data, context: dict | None = None, what: str = "参数 "):
    """``data`` (a mapping: query string, form or JSON object) as ``model``; InvalidInput
    naming the first wrong field otherwise."""
    try:
        return model.model_validate(data, context=context or {})
    except ValidationError as err:
        field, text = message(err.errors(include_url=False)[0])
        raise InvalidInput(f"{what}{text}", field) from None
