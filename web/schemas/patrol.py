"""Patrol requests: a period of visits, alerts, a route plan, a route to save, GPS points."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from geo.calendar import LOCAL, now, today
from web.schemas import Code, Day, Finite, Input, Moment, Name, Position, check_inside, geometry

STOP_KINDS = ("hotspots", "schools")
MAX_POINTS = 10_000  # GPS points in one upload


def _stops(value):
    return frozenset(s for s in value.split(",") if s) if isinstance(value, str) else value


class Period(Input):
    """[from, to) of visits; default the week up to now."""

    start: Moment | None = Field(None, alias="from")
    end: Moment | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _order(self):
        end = self.end or now()
        start = self.start or end - timedelta(days=7)
        if start >= end:
            raise ValueError("from 必须早于 to")
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "start", start)
        return self


class Alerts(Input):
    now: Moment | None = None
    hours: Annotated[Finite, Field(ge=0, le=24 * 31)] = 24.0


class Day_(Input):
    day: Day | None = None


class RouteArgs(Input):
    """What a route plan is asked for: stops ('hotspots,schools'), minutes per stop and per
    shift, and (pages) the clock time HH:MM the shift starts, today."""

    stops: Annotated[frozenset[Literal[STOP_KINDS]], BeforeValidator(_stops)] = frozenset(STOP_KINDS)
    stop_minutes: Annotated[Finite, Field(gt=0, le=10_000)] = 15.0
    shift_minutes: Annotated[Finite, Field(gt=0, le=10_000)] = 480.0
    start: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] | None = None

    @property
    def include(self) -> frozenset:
        return self.stops

    @property
    def start_time(self) -> pd.Timestamp | None:
        """The start as a local time of today, or None without a start."""
        if self.start is None:
            return None
        clock = datetime.strptime(self.start, "%H:%M").time()
        return pd.Timestamp(datetime.combine(today(), clock), tz=LOCAL)

    def query(self) -> dict:
        """The plan's parameters as a page's query string carries them."""
        return {"start": self.start or "08:00", "stops": ",".join(s for s in STOP_KINDS if s in self.stops),
                "stop_minutes": f"{self.stop_minutes:g}", "shift_minutes": f"{self.shift_minutes:g}"}


class PlanQuery(RouteArgs):
    team: Code


class Route(Input):
    """A route to save for a team and shift: a line inside the county."""

    code: Code
    name: Name
    team_code: Code
    shift: Name
    geometry: Any

    @field_validator("geometry")
    @classmethod
    def _line(cls, value, info: ValidationInfo):
        return geometry(value, info, ("LineString", "MultiLineString"))


class TrackPoint(Position):
    recorded_at: Moment

    @model_validator(mode="after")
    def _inside(self, info: ValidationInfo):
        check_inside([(self.lon, self.lat)], info, "定位点")
        return self


class Tracks(Input):
    """GPS points a device posts for its team."""

    team_code: Code
    points: Annotated[list[TrackPoint], Field(min_length=1, max_length=MAX_POINTS)]
