"""Query parameters of the OGC API, read from a mapping (the query string); no Flask.

Every refusal is an InvalidParameter (an InvalidInput: 400 with OGC's
InvalidParameterValue code).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Mapping

from geo.calendar import LOCAL
from layers.catalog import Layer
from layers.errors import InvalidInput


class InvalidParameter(InvalidInput):
    """A query parameter the API does not know or cannot read (answered with 400)."""


def check_params(args, allowed: tuple[str, ...]) -> None:
    """InvalidParameter on parameters the API does not declare, or on repeated ones."""
    for key in args:
        if key not in allowed and key != "county":  # ?county= is checked by web.scope
            raise InvalidParameter(f"未知的查询参数 '{key}'（此处可用：{', '.join(allowed)}）", key)
        if len(args.getlist(key)) > 1:
            raise InvalidParameter(f"查询参数 '{key}' 只能出现一次", key)


def format_param(args: Mapping, formats: tuple[str, ...] = ("json", "html")) -> str | None:
    """The ``f`` asked for (None when absent); InvalidParameter when it is not one of ``formats``."""
    fmt = args.get("f")
    if fmt is not None and fmt not in formats:
        only = f"只能是 {' 或 '.join(formats)}" if len(formats) > 1 else "只有 json 格式"
        raise InvalidParameter(f"参数 f 的值 '{fmt}' 无效：{only}", "f")
    return fmt


MAX_OFFSET = 2**53  # well inside PostgreSQL's bigint
_WHOLE = re.compile(r"[0-9]{1,30}")


def int_param(args: Mapping, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    """A whole number (decimal digits) from the query string; InvalidParameter outside
    ``minimum``..``maximum`` or when it is not one."""
    raw = args.get(name)
    if raw is None:
        return default
    if not _WHOLE.fullmatch(raw) or int(raw) < minimum:
        raise InvalidParameter(f"参数 {name} 的值 '{raw}' 无效：应为不小于 {minimum} 的整数", name)
    value = int(raw)
    if maximum is not None and value > maximum:
        raise InvalidParameter(f"参数 {name} 的值 '{raw}' 无效：不能大于 {maximum}", name)
    return value


# a number as JSON writes it (a leading '+' and '.5' or '5.' forgiven); out-of-range values
# are cut to the world below, so any finite-looking number is read
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _clamp(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))


def bbox_numbers(args: Mapping):
    """The bbox's (minx, miny, maxx, maxy) as given (heights dropped), or None when not asked."""
    raw = args.get("bbox")
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) not in (4, 6) or not all(_NUMBER.fullmatch(p) for p in parts):
        raise InvalidParameter(
            f"参数 bbox 的值 '{raw}' 无效：应为用逗号分隔的 4 个数 "
            "最小经度,最小纬度,最大经度,最大纬度（WGS 84），或含高程的 6 个数", "bbox")
    numbers = [float(p) for p in parts]
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    return tuple(numbers)


def bbox_param(args: Mapping):
    """(minx, miny, maxx, maxy) in CRS84 degrees, or None when not asked.

    Four numbers, or six whose 3rd and 6th (heights) are ignored. Longitudes and
    latitudes beyond the world are read as its edge (±180, ±90); minx > maxx crosses the
    antimeridian; miny > maxy is a box that holds nothing (``holds_nothing``).
    """
    numbers = bbox_numbers(args)
    if numbers is None:
        return None
    minx, miny, maxx, maxy = numbers
    return _clamp(minx, 180), _clamp(miny, 90), _clamp(maxx, 180), _clamp(maxy, 90)


def holds_nothing(bbox, interval) -> bool:
    """Whether a bbox's south edge lies north of its north edge, or an interval ends before
    it starts: no feature is inside."""
    if bbox is not None and bbox[1] > bbox[3]:
        return True
    return interval is not None and None not in interval and interval[0] > interval[1]


# RFC 3339 as the datetime parameter takes it (the OpenAPI document states this very pattern):
# a real calendar day (years 0001-9999, 29 February of leap years only), "T" alone after a
# date (GDAL), "T", "t" or a space before the time, an offset (to ±15:59) whose "+" may
# arrive as a space
_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_MONTH_DAY = ("(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
              "|(?:0[13578]|1[02])-31)")
_LEAP_DAY = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)-02-29"
_DATE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})"
_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?"
_OFFSET = "(?:[Zz]|[+ -](?:0[0-9]|1[0-5]):[0-5][0-9])"  # PostgreSQL takes offsets to ±15:59
_INSTANT = f"{_DATE}(?:[Tt](?:{_TIME}{_OFFSET}?)?| {_TIME}{_OFFSET}?)?"
_END = f"(?:{_INSTANT}|\\.\\.)?"
DATETIME_PATTERN = f"^(?:{_INSTANT}|{_END}/{_END})$"
_DATETIME = re.compile(DATETIME_PATTERN)


def _instant(text: str) -> tuple[datetime, datetime]:
    """The first and last moment of a date-time matching DATETIME_PATTERN (the same moment)
    or of a date (its local day); no time zone is Beijing time."""
    day, clock = date.fromisoformat(text[:10]), text[11:]
    if not clock:  # a date, or a date and the "T" GDAL sends after it
        return datetime.combine(day, time(0), LOCAL), datetime.combine(day, time.max, LOCAL)
    clock = re.sub(r"[Zz]$", "+00:00", clock)
    clock = re.sub(r" (\d{2}:\d{2})$", r"+\1", clock)  # a '+' left unencoded arrives as a space
    moment = datetime.fromisoformat(f"{text[:10]}T{clock}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment, moment


def datetime_param(args: Mapping, layer: Layer):
    """(start, end) aware datetimes (closed, None for open), or None when not asked.

    An instant, a date (the whole local day) or an interval start/end with ".." or nothing
    for an open end; an interval that ends before it starts holds nothing (no feature).
    """
    raw = args.get("datetime")
    if raw is None:
        return None
    if not layer.time:
        raise InvalidParameter(
            f"图层 {layer.name}（{layer.title}）没有时间字段，不支持参数 datetime", "datetime")
    if not _DATETIME.fullmatch(raw):
        raise InvalidParameter(
            f"参数 datetime 的值 '{raw}' 无效：应为 RFC 3339 时间（如 2026-11-20T08:00:00+08:00 "
            "或 2026-11-20）或时间段 开始/结束（开放端用 ..）", "datetime")
    if "/" not in raw:
        return _instant(raw)
    first, _, second = raw.partition("/")
    return (None if first in ("", "..") else _instant(first)[0],
            None if second in ("", "..") else _instant(second)[1])
