"""Text shown on maps: escaped for folium, values in Chinese."""
from __future__ import annotations

import html
from datetime import date, datetime

import numpy as np
import pandas as pd

from geo.calendar import TIMEZONE
from layers.catalog import Column, Look
from web.numbers import degrees, distance


def safe_text(text) -> str:
    """HTML-escape ``text`` and write braces as entities.

    folium (branca) compiles each element's rendered script as a Jinja template again,
    so "{{ … }}" in the data would be evaluated on the server: data never carries braces.
    Backticks and backslashes are written as entities too: folium puts tooltip text in a
    JavaScript template literal.
    """
    return (html.escape(str(text)).replace("{", "&#123;").replace("}", "&#125;")
            .replace("`", "&#96;").replace("\\", "&#92;"))


def format_time(value) -> str:
    """'2026-05-20 10:00' in local time (an aware value is converted)."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(TIMEZONE)
    return stamp.strftime("%Y-%m-%d %H:%M")


def _measure(column: Column, value) -> str:
    """A float for people: degrees whole (朝向 181°), metres as 850 m / 1.2 km."""
    if column.name == "azimuth":
        return degrees(value)
    if "(度)" in column.label:
        return degrees(value, bearing=False)
    if column.name.endswith("_m"):
        return distance(value)
    return f"{float(value):.6g}"


def _plain(column: Column, value, look: Look | None) -> str:
    kind = look.kind_of({column.name: value}) if look is not None and look.by == column.name else None
    if kind is not None and kind.key is not None:
        return kind.label
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "enum":
        return column.label_of(value)
    if column.kind == "timestamp":
        return format_time(value)
    if column.kind == "date":
        return value.isoformat() if isinstance(value, (date, datetime)) else str(value)[:10]
    if column.kind == "float":
        return _measure(column, value)
    return str(value)


def display_value(column: Column, value, names: dict | None = None, look: Look | None = None) -> str:
    """The Chinese text of one attribute value, HTML-escaped for the popup.

    look: the layer's look; a value of the property its kinds are picked by is shown as
    the kind's label (a road's class 'national' as 国道). names: {column: {code: name}}
    to show names beside codes.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = _plain(column, value, look)
    if names and column.name in names and value in names[column.name]:
        text = f"{names[column.name][value]}（{value}）"
    return safe_text(text)
