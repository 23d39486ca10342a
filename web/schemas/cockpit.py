"""Cockpit requests: the day its figures are for (default today)."""
from __future__ import annotations

from pydantic import Field

from web.schemas import Day, Input


class CockpitQuery(Input):
    """The day of the figures (YYYY-MM-DD, years bounded like every date); wall: the 综治中心's screen."""

    date: Day | None = None
    wall: bool = Field(False)
