"""Vector tile requests: the filters the map pages pass on to their tiles."""
from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from web.schemas import Code, Day, Input, Quarter

MAX_VALUES = 50


def _comma_list(value):
    """'a,b' (or a list) as a tuple of non-empty values."""
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
        if not all(value):
            raise ValueError("应为以逗号分隔的非空值")
    return value


Values = Annotated[tuple[Code, ...], BeforeValidator(_comma_list), Field(min_length=1, max_length=MAX_VALUES)]


class TileQuery(Input):
    """Filters of a tile (each only on the layers that have its column): since/until, local
    days (inclusive) of the layer's time (incidents: occurred_at); status (cameras, camera
    sectors, hotspots), quarter (hotspots), category and focus (incidents), one value or
    several separated by commas."""

    since: Day | None = None
    until: Day | None = None
    status: Values | None = None
    quarter: Quarter | None = None
    category: Values | None = None
    focus: Values | None = None
