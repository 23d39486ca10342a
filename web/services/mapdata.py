"""What the overview map carries besides its tiles: the time windows it shows, the
legend's counts and the names beside codes; and the townships' outlines of page maps."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from geo.calendar import TIMEZONE
from layers.catalog import LAYERS, overlays
from layers.features import county_bounds, extent, grouped_counts, query_features

INCIDENT_DAYS = 90     # incidents: the 90 days up to the latest recorded one
WINDOWED = ("incidents", "patrol_tracks")


def _window(conn, name: str, county_code: str):
    """(interval, subtitle) of a windowed layer: incidents of 90 days, tracks of the latest day."""
    interval = extent(conn, LAYERS[name], county_code)["interval"]
    if not interval:
        return None, None
    latest = interval[1]
    if name == "incidents":
        return (latest - timedelta(days=INCIDENT_DAYS), latest), f"近{INCIDENT_DAYS}天"
    start = pd.Timestamp(latest).tz_convert(TIMEZONE).normalize().to_pydatetime()
    return (start, latest), f"{start:%Y-%m-%d}"


def township_outlines(conn, county_code: str) -> list[dict]:
    """The county's townships as GeoJSON features (5 decimals), for a page map's borders."""
    features, _ = query_features(conn, LAYERS["townships"], county_code=county_code, limit=10_000, precision=5)
    return features


# what a classifier reads (layers.catalog: village_kind, team_short), for the legend's counts
CLASSIFY_ON = {"village_kind": ("remote", "remediated_on"), "team_short": ("kind", "members")}
NAMED = {"township_code": "townships", "village_code": "villages", "team_code": "patrol_teams"}


def _days(conn, name: str, county_code: str):
    """(since, until) local dates of a windowed layer's window, or None without rows."""
    interval, _ = _window(conn, name, county_code)
    if interval is None:
        return None
    start, end = (pd.Timestamp(v).tz_convert(TIMEZONE) for v in interval)
    return start.date(), end.date()


def _local_interval(days):
    """The closed interval of whole local days ``days`` = (since, until), as the tiles take it."""
    start = pd.Timestamp(days[0]).tz_localize(TIMEZONE)
    end = pd.Timestamp(days[1]).tz_localize(TIMEZONE) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return start.to_pydatetime(), end.to_pydatetime()


def _names(conn, county_code: str) -> dict:
    """{column: {code: name}} of townships, villages and teams (popups show names beside codes)."""
    out = {}
    for column, name in NAMED.items():
        rows, _ = query_features(conn, LAYERS[name], county_code=county_code, limit=None,
                                 properties=["code", "name"], geometry=False)
        out[column] = {f["properties"]["code"]: f["properties"]["name"] for f in rows
                       if f["properties"].get("name")}
    return out


def map_summary(conn, county_code: str) -> dict:
    """What a map drawn from tiles carries: per overlay the tile filters (the windows of
    incidents and tracks as local dates), legend groups counted by the database, subtitles
    and notes; the names beside codes; and, for 乡镇定位, the townships (from their outlines)."""
    filters, subtitles, notes, intervals = {}, {}, {}, {}
    for name in WINDOWED:
        days = _days(conn, name, county_code)
        if days is None:
            continue
        filters[name] = {"since": days[0].isoformat(), "until": days[1].isoformat()}
        intervals[name] = _local_interval(days)
        subtitles[name] = f"近{INCIDENT_DAYS}天" if name == "incidents" else days[1].isoformat()
    groups = {}
    for name, _, look, layer in overlays():
        by = CLASSIFY_ON.get(look.classify.__name__, ()) if look.classify is not None else (
            (look.by,) if look.by else ())
        groups[name] = grouped_counts(conn, layer, by, county_code, intervals.get(layer.name))
    if "patrol_tracks" in intervals:  # the map draws one line per team and day
        teams = grouped_counts(conn, LAYERS["patrol_tracks"], ("team_code",), county_code, intervals["patrol_tracks"])
        groups["patrol_tracks"] = [({}, 1) for _ in teams]
    if "incidents" in filters:
        total = sum(n for _, n in groups["incidents"])
        notes["incidents"] = f"{filters['incidents']['since']} 至 {filters['incidents']['until']}，共 {total:,} 起"
    if "patrol_tracks" in filters:
        notes["patrol_tracks"] = "每支巡防队当天的轨迹连成一条线"
    filters["camera_sectors"] = {}
    return {"filters": filters, "groups": groups, "subtitles": subtitles, "notes": notes,
            "names": _names(conn, county_code)}


def page_county(conn, county_code: str) -> dict:
    """What a page's map from tiles carries of the county: {bounds: [[s, w], [n, e]] or None,
    names beside codes}."""
    box = county_bounds(conn, county_code)
    bounds = [[box[1], box[0]], [box[3], box[2]]] if box else None
    return {"bounds": bounds, "names": _names(conn, county_code)}
