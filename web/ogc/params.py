"""Query parameters of the OGC API, read from a mapping (the query string); no Flask.

Every refusal is an InvalidParameter (an InvalidInput: 400 with OGC's
InvalidParameterValue code).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Mapping

from geo.calendar import LOCAL
from layers.catalog import Layer
from layers.errors import InvalidInput


class InvalidParameter(InvalidInput):
    """A query parameter the API does not know or cannot read (answered with 400)."""


def check_params(args, allowed: tuple[str, ...]) -> None:
    """InvalidParameter on parameters the API does not declare, or on repeated ones."""
    for key in args:
        if key not in allowed:
            raise InvalidParameter(f"未知的查询参数 '{key}'（此处可用：{', '.join(allowed)}）", key)
        if len(args.getlist(key)) > 1:
            raise InvalidParameter(f"查询参数 '{key}' 只能出现一次", key)


def format_param(args: Mapping, formats: tuple[str, ...] = ("json", "html")) -> str | None:
    """The ``f`` asked for (None when absent); InvalidParameter when it is not one of ``formats``."""
    fmt = args.get("f")
    if fmt is not None and fmt not in formats:
        only = "只能是 json 或 html" if len(formats) > 1 else "只有 json 格式"
        raise InvalidParameter(f"参数 f 的值 '{fmt}' 无效：{only}", "f")
    return fmt


MAX_OFFSET = 2**53  # well inside PostgreSQL's bigint


def int_param(args: Mapping, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    """A whole number from the query string; InvalidParameter otherwise."""
    raw = args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\s*\+?\d{1,30}\s*", raw) or int(raw) < minimum:
        raise InvalidParameter(f"参数 {name} 的值 '{raw}' 无效：应为不小于 {minimum} 的整数")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise InvalidParameter(f"参数 {name} 的值 '{raw}' 无效：不能大于 {maximum}")
    return value


def bbox_param(args: Mapping):
    """(minx, miny, maxx, maxy) in CRS84 degrees, or None; 6 numbers drop the heights."""
    raw = args.get("bbox")
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
        start = datetime.combine(day, time(0), LOCAL)
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
        moment = moment.replace(tzinfo=LOCAL)
    return moment, moment


def datetime_param(args: Mapping, layer: Layer):
    """(start, end) aware datetimes (closed, None for open), or None when not asked."""
    raw = args.get("datetime")
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


