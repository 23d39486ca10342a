"""Numbers for people (issue 12, item 6): 朝向 181°, 62.4%, 850 m / 1.2 km, 1,915.

Every function takes what the data holds (int, float, numpy scalar, Decimal, None, NaN)
and returns text; a missing value (None, NaN, ±inf) is shown as "—". They are registered
as Jinja filters (``web.pages.register``) and used by the map popups.

Decisions:
- A bearing is rounded to a whole degree and then taken modulo 360, so 359.6° reads 0°
  (north) and 360° reads 0°; an angle that is not a bearing (a dome's 360° field of view)
  is kept as it is: ``degrees(360, bearing=False)`` is "360°".
- A share is a fraction (0.624 → "62.4%"), one decimal; 1 is "100.0%".
- A distance under 1 km is in whole metres; from 1 km on it is in km with one decimal.
  The switch is on the rounded metres: 999.4 m is "999 m", 999.6 m is "1.0 km".
"""
from __future__ import annotations

import math

MISSING = "—"


def _number(value) -> float | None:
    """``value`` as a finite float, else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def degrees(value, bearing: bool = True) -> str:
    """181° for a bearing (359.6 and 360 are 0°); an angle as it is (a dome's 360°)."""
    number = _number(value)
    if number is None:
        return MISSING
    whole = round(number)
    return f"{whole % 360 if bearing else whole}°"


def share(value, digits: int = 1) -> str:
    """A fraction as a percentage with one decimal: 0.624 → 62.4%."""
    number = _number(value)
    if number is None:
        return MISSING
    return f"{number * 100:.{digits}f}%"


def distance(metres) -> str:
    """850 m under a kilometre, 1.2 km from there on."""
    number = _number(metres)
    if number is None:
        return MISSING
    whole = round(number)
    return f"{whole / 1000:.1f} km" if abs(whole) >= 1000 else f"{whole} m"


def count(value) -> str:
    """A whole number with a thousands separator: 1915 → 1,915."""
    number = _number(value)
    if number is None:
        return MISSING
    return f"{round(number):,}"


def decimal(value, digits: int = 1) -> str:
    """A measure with a fixed number of decimals (minutes, hours): 12.345 → 12.3."""
    number = _number(value)
    if number is None:
        return MISSING
    return f"{number:.{digits}f}"


FILTERS = {"degrees": degrees, "share": share, "distance": distance, "count": count, "decimal": decimal}


def register(app) -> None:
    """The functions as Jinja filters: {{ c.azimuth|degrees }}, {{ x|share }}, ..."""
    app.jinja_env.filters.update(FILTERS)
