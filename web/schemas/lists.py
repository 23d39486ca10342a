"""The hotspot and team lists' requests (issue 12, lists beside maps): filters, sort,
page, format; blank fields are "any"."""
from __future__ import annotations

from typing import Literal


from layers.catalog import HOTSPOT_LEVELS, HOTSPOT_STATUSES, TEAM_KINDS
from layers.hotspot_lists import SOURCES
from layers.hotspot_table import SORTS as HOTSPOT_SORTS
from web.schemas import Code, Day, Quarter
from web.schemas.cameras import ListQuery

TEAM_SORTS = ("code", "name", "kind", "township", "members", "staffing", "distance", "visits", "last_seen",
              "off_route")


class HotspotListQuery(ListQuery):
    """Which hotspots (quarter, township, level, lifecycle status, source), in what order,
    which page, as what (csv and xlsx hold every matching hotspot). status=active: listed,
    remediating or carried over."""

    quarter: Quarter | None = None
    township: Code | None = None
    level: Literal[HOTSPOT_LEVELS] | None = None
    status: Literal[HOTSPOT_STATUSES + ("active",)] | None = None
    source: Literal[SOURCES] | None = None
    sort: Literal[tuple(HOTSPOT_SORTS)] = "status"

    def filters(self) -> dict:
        statuses = {"active": ["listed", "remediating", "carried_over"], None: None}.get(self.status, [self.status])
        return {"quarter": self.quarter, "township": self.township, "level": self.level, "statuses": statuses,
                "source": self.source}


class TeamListQuery(ListQuery):
    """Which teams (township, kind, staffing met or short, off route), in what order, which
    page, as what; ``day``: whose distance and visits (default the latest day with tracks)."""

    township: Code | None = None
    kind: Literal[TEAM_KINDS] | None = None
    staffing: Literal["met", "short"] | None = None
    off_route: Literal["0", "1"] | None = None
    day: Day | None = None
    sort: Literal[TEAM_SORTS] = "township"
