"""Patrol members' check-ins and the commander's list of them (issue 15, item 5)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from web.schemas import Day, Finite, Input, _blank_is_none, check_inside

Note = Annotated[str, Field(max_length=500, pattern=r"^[^\x00]*$")]
Lon = Annotated[Annotated[Finite, Field(ge=-180, le=180)] | None, BeforeValidator(_blank_is_none)]
Lat = Annotated[Annotated[Finite, Field(ge=-90, le=90)] | None, BeforeValidator(_blank_is_none)]
Metres = Annotated[Annotated[Finite, Field(ge=0, le=100_000)] | None, BeforeValidator(_blank_is_none)]


class Checkin(Input):
    """A check-in form: the stop ('hotspot:CODE', 'school:CODE', 'route:CODE'), an optional
    note, and where the browser said the member was (both or neither of lon, lat; inside the
    county) with its accuracy in metres."""

    stop: Annotated[str, Field(min_length=3, max_length=200, pattern=r"^(hotspot|school|route):[^\x00-\x1f\x7f]+$")]
    note: Note | None = None
    lon: Lon = None
    lat: Lat = Field(default=None, validate_default=True)
    accuracy: Metres = None

    @field_validator("lat")
    @classmethod
    def _where(cls, lat, info: ValidationInfo):
        lon = info.data.get("lon")
        if (lon is None) != (lat is None):
            raise ValueError("应与 lon 同时给出或同时不给")
        if lon is not None:
            check_inside([(lon, lat)], info, "定位")
        return lat


class CheckinDay(Input):
    """The day whose check-ins to list (default today)."""

    day: Day | None = None


class PhotoSize(Input):
    """A check-in photo as taken (full) or its thumbnail."""

    size: Literal["full", "thumb"] = "full"
