"""What a patrol phone sends over the OsmAnd protocol, and the device forms.

Two shapes, as Traccar Client (and OsmAnd's online tracking) send them:

* query string or form: ``id``/``deviceid``, ``lat``, ``lon`` (or ``location=lat,lon``),
  ``timestamp`` (Unix seconds, milliseconds, or ISO 8601), ``speed`` (knots), ``bearing``
  (or ``heading``), ``altitude``, ``accuracy`` (metres), ``batt`` (percent);
* Traccar Client 9's JSON body: ``{"location": {"timestamp": ISO 8601, "coords":
  {"latitude", "longitude", "accuracy", "speed" (m/s), "heading", "altitude"},
  "battery": {"level": 0–1, "is_charging"}, …}, "device_id": "…"}``, or a batch with
  ``"location": [ … ]``.

Both become a list of ``Fix``. Negative speed, heading, accuracy or battery (the apps send
-1 for "unknown") are read as unknown.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Annotated

from pydantic import BeforeValidator, Field

from web.schemas import Code, Finite, Input, Moment, Name, parse

MAX_BATCH = 1000          # locations in one JSON body
KNOTS_TO_MS = 1852 / 3600
DEVICE_ID = r"^[A-Za-z0-9._:-]{1,64}$"


def _moment(value):
    """Unix seconds or milliseconds (number or digits) as an aware datetime; text as is."""
    if isinstance(value, bool):
        raise ValueError("应为时间，而不是 true/false")
    number = value
    if isinstance(value, str):
        try:
            number = float(value) if value.strip().lstrip("-").replace(".", "", 1).isdigit() else None
        except ValueError:
            number = None
        if number is None:
            return value
    if isinstance(number, (int, float)):
        if not math.isfinite(number):
            raise ValueError("应为有限的数")
        seconds = number / 1000 if abs(number) > 1e11 else number
        try:
            return datetime.fromtimestamp(seconds, timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"不是有效的 Unix 时间 '{value}'") from None
    return value


def _unknown_if_negative(value):
    if isinstance(value, str) and value.strip() == "":
        return None
    try:
        return None if float(value) < 0 else value
    except (TypeError, ValueError):
        return value


Stamp = Annotated[Moment, BeforeValidator(_moment)]
Extra = Annotated[Finite | None, BeforeValidator(_unknown_if_negative)]
Percent = Annotated[Annotated[Finite, Field(ge=0, le=100)] | None, BeforeValidator(_unknown_if_negative)]
DeviceId = Annotated[str, Field(pattern=DEVICE_ID)]


class Fix(Input):
    """One position: where, when, and what the phone said about it (speed in m/s)."""

    lat: Annotated[Finite, Field(ge=-90, le=90)]
    lon: Annotated[Finite, Field(ge=-180, le=180)]
    at: Stamp
    speed: Extra = None
    bearing: Annotated[Annotated[Finite, Field(le=360)] | None, BeforeValidator(_unknown_if_negative)] = None
    altitude: Finite | None = None
    accuracy: Annotated[Annotated[Finite, Field(le=1e6)] | None, BeforeValidator(_unknown_if_negative)] = None
    batt: Percent = None


class QueryFix(Input):
    """The OsmAnd protocol's parameters (query string or form)."""

    id: Annotated[str, Field(max_length=100)] | None = None
    deviceid: Annotated[str, Field(max_length=100)] | None = None
    lat: Annotated[Finite, Field(ge=-90, le=90)]
    lon: Annotated[Finite, Field(ge=-180, le=180)]
    timestamp: Stamp | None = None
    speed: Extra = None
    bearing: Annotated[Annotated[Finite, Field(le=360)] | None, BeforeValidator(_unknown_if_negative)] = None
    altitude: Finite | None = None
    accuracy: Annotated[Annotated[Finite, Field(le=1e6)] | None, BeforeValidator(_unknown_if_negative)] = None
    batt: Percent = None


class Coords(Input):
    latitude: Annotated[Finite, Field(ge=-90, le=90)]
    longitude: Annotated[Finite, Field(ge=-180, le=180)]
    accuracy: Extra = None
    speed: Extra = None
    heading: Extra = None
    altitude: Finite | None = None


class Battery(Input):
    level: Extra = None


class Location(Input):
    timestamp: Stamp
    coords: Coords
    battery: Battery | None = None


class JsonBody(Input):
    """Traccar Client 9's body: one location or a batch."""

    location: Location | Annotated[list[Location], Field(min_length=1, max_length=MAX_BATCH)]
    device_id: Annotated[str, Field(max_length=100)] | None = None


def _fix(**values) -> Fix:
    return Fix.model_validate(values)


def fixes_from_query(values: dict, now: datetime) -> tuple[str | None, list[Fix]]:
    """(the device id sent, [the fix]) from the protocol's parameters; ``location=lat,lon``
    stands for lat and lon, ``heading`` for bearing; no timestamp means ``now``."""
    values = dict(values)
    if "location" in values and ("lat" not in values or "lon" not in values):
        lat, _, lon = str(values.pop("location")).partition(",")
        values.update(lat=lat, lon=lon)
    if "bearing" not in values and "heading" in values:
        values["bearing"] = values["heading"]
    q = parse(QueryFix, values)
    speed = None if q.speed is None else q.speed * KNOTS_TO_MS
    if speed is not None and not math.isfinite(speed):
        speed = None
    fix = _fix(lat=q.lat, lon=q.lon, at=q.timestamp or now, speed=speed, bearing=q.bearing,
               altitude=q.altitude, accuracy=q.accuracy, batt=q.batt)
    return q.id or q.deviceid, [fix]


def fixes_from_json(body: dict) -> tuple[str | None, list[Fix]]:
    """(the device id sent, the fixes) from Traccar Client 9's JSON body."""
    b = parse(JsonBody, body, what="字段 ")
    locations = b.location if isinstance(b.location, list) else [b.location]
    out = []
    for loc in locations:
        level = loc.battery.level if loc.battery else None
        out.append(_fix(lat=loc.coords.latitude, lon=loc.coords.longitude, at=loc.timestamp,
                        speed=loc.coords.speed, bearing=loc.coords.heading if (loc.coords.heading or 0) <= 360 else None,
                        altitude=loc.coords.altitude, accuracy=loc.coords.accuracy,
                        batt=None if level is None else round(min(level, 1.0) * 100, 1)))
    return b.device_id, out


class DeviceNew(Input):
    """A device to register: its id as the app shows it, the team, an optional label."""

    device_id: DeviceId
    team_code: Code
    label: Annotated[Name, Field(max_length=200)] | None = None


class LiveQuery(Input):
    """The live map's poll: the previous answer's ``as_of``, for the new trail points only."""

    since: Moment | None = None
