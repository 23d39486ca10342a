"""The county's layers as the overview map draws them, with the time windows it shows."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from geo.calendar import TIMEZONE
from layers.catalog import LAYERS
from layers.features import extent, query_features

PRECISION = 6          # decimals of a degree (0.1 m)
INCIDENT_DAYS = 90     # incidents: the 90 days up to the latest recorded one …
INCIDENT_LIMIT = 5000  # … at most the latest 5,000
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


def _keep_latest_incidents(rows: list[dict], interval) -> str:
    note = f"{interval[0]:%Y-%m-%d} 至 {interval[1]:%Y-%m-%d}，共 {len(rows):,} 起"
    if len(rows) > INCIDENT_LIMIT:
        rows.sort(key=lambda f: str(f["properties"].get("occurred_at")), reverse=True)
        del rows[INCIDENT_LIMIT:]
        note += f"，显示最近 {INCIDENT_LIMIT:,} 起"
    return note


def read_layers(conn, county_code: str) -> tuple[dict, dict, dict]:
    """Features of every layer for the map; and per layer a subtitle and a legend note.

    Incidents: the 90 days up to the latest recorded incident, at most the latest
    INCIDENT_LIMIT. Patrol tracks: the latest recorded day (Asia/Shanghai).
    """
    feats, subtitles, notes = {}, {}, {}
    for name, layer in LAYERS.items():
        interval, subtitle = _window(conn, name, county_code) if name in WINDOWED else (None, None)
        feats[name], _ = query_features(conn, layer, county_code=county_code, interval=interval,
                                        limit=None, precision=PRECISION)
        if subtitle:
            subtitles[name] = subtitle
            notes[name] = (_keep_latest_incidents(feats[name], interval) if name == "incidents"
                           else "每支巡防队当天的轨迹连成一条线")
    return feats, subtitles, notes


def township_outlines(conn, county_code: str) -> list[dict]:
    """The county's townships as GeoJSON features (5 decimals), for a page map's borders."""
    features, _ = query_features(conn, LAYERS["townships"], county_code=county_code, limit=10_000, precision=5)
    return features
