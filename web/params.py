"""Request values parsed once, at the edge, into typed values.

Each function reads one value from a mapping (query string, form or JSON object) and
returns it typed, or raises InvalidInput naming the field, which ``web.errors`` answers
with 400. Services never see a raw string they must check again.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Mapping

from flask import request

from geo.calendar import FIRST_YEAR, LAST_YEAR, LOCAL, QUARTER_RE
from layers.errors import InvalidInput

TRUE_WORDS = ("true", "1", "on", "yes", "是")
FALSE_WORDS = ("false", "0", "off", "no", "否")


def json_body() -> dict:
    """The request's JSON object ({} when there is no body); 400 when it is not an object."""
    if not request.get_data(cache=True):
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("请求体应为 JSON 对象（{…}）", "body")
    return body


def body_or_form() -> Mapping:
    """A JSON object when the request sends JSON, else the form fields."""
    return json_body() if request.is_json else request.form


def number(source: Mapping, name: str, default: float, low: float, high: float) -> float:
    """A finite number within [low, high]; ``default`` when absent or empty."""
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"参数 {name} 应为数字，而不是 '{raw}'", name) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidInput(f"参数 {name} 应在 {low:g} 与 {high:g} 之间，而不是 {raw}", name)
    return value


def number_arg(name: str, default: float, low: float, high: float) -> float:
    """``number`` from the query string."""
    return number(request.args, name, default, low, high)


def integer(source: Mapping, name: str, default: int | None = None, low: int = -2**53,
            high: int = 2**53) -> int | None:
    """An integer within [low, high]; ``default`` when absent, empty or null."""
    raw = source.get(name)
    if raw is None or raw in ("", "null"):
        return default
    if isinstance(raw, bool) or not re.fullmatch(r"\s*[+-]?\d{1,18}\s*", str(raw)):
        raise InvalidInput(f"{name} 应为整数，而不是 '{raw}'", name)
    if not low <= int(raw) <= high:
        raise InvalidInput(f"{name} 应在 {low} 与 {high} 之间，而不是 {raw}", name)
    return int(raw)


def boolean(source: Mapping, name: str) -> bool:
    """true/false (also 1/0, on/off, 是/否); absent or empty is false."""
    value = source.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in TRUE_WORDS:
        return True
    if value in (None, "") or (isinstance(value, str) and value.lower() in FALSE_WORDS):
        return False
    raise InvalidInput(f"字段 {name} 应为 true 或 false，而不是 '{value}'", name)


def text(source: Mapping, name: str, default: str = "") -> str:
    """A string field ('' when absent); 400 when it is a list, object or number."""
    value = source.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"字段 {name} 应为文字", name)
    return value


def _in_years(value: date, name: str) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidInput(f"{name} 的年份应在 {FIRST_YEAR} 与 {LAST_YEAR} 之间，而不是 {value.year}", name)
    return value


def day(source: Mapping, name: str, default: date | None = None) -> date:
    """A date YYYY-MM-DD (years 2000–2100); ``default`` when absent (400 when there is none)."""
    raw = source.get(name)
    if not raw:
        if default is None:
            raise InvalidInput(f"缺少参数 {name}（YYYY-MM-DD）", name)
        return default
    try:
        return _in_years(date.fromisoformat(str(raw)), name)
    except ValueError:
        raise InvalidInput(f"参数 {name} 不是有效日期 '{raw}'（应为 YYYY-MM-DD）", name) from None


def moment(source: Mapping, name: str, default: datetime) -> datetime:
    """An ISO 8601 time (local time when it has no offset; years 2000–2100)."""
    raw = source.get(name)
    if not raw:
        return default
    try:
        ts = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"参数 {name} 不是 ISO 8601 时间 '{raw}'（如 2026-11-20T08:00:00+08:00）", name) from None
    _in_years(ts, name)
    return ts if ts.tzinfo else ts.replace(tzinfo=LOCAL)


def quarter(value) -> str:
    """A quarter like 2026Q3 (years 2000–2100)."""
    if not isinstance(value, str) or not QUARTER_RE.match(value) \
            or not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        raise InvalidInput(f"参数 quarter 应形如 2026Q3，而不是 '{value}'", "quarter")
    return value


def quarter_arg() -> str:
    """``quarter`` from the query string."""
    return quarter(request.args.get("quarter", ""))


def choice(source: Mapping, name: str, allowed, default=None):
    """One of ``allowed``; ``default`` when absent or empty."""
    value = source.get(name) or default
    if value not in allowed:
        raise InvalidInput(f"参数 {name} 应为 {', '.join(map(str, allowed))} 之一，而不是 '{value}'", name)
    return value
