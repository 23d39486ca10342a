"""Alerts on patrol tracks: off the route, route travelled, places unvisited, schools on school days.

Routes and tracks in one projected CRS in metres; times tz-aware or naive UTC; local
days are the county's (``geo.calendar.TIMEZONE``, Asia/Shanghai).
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.calendar import TIMEZONE
from geo.crs import points_xy, require_metres, same_crs_if_given
from geo.patrol.times import aware


def _geometry(geom, crs, what: str):
    """One shapely geometry from a geometry or a GeoSeries/GeoDataFrame (unioned; CRS checked)."""
    if isinstance(geom, (gpd.GeoSeries, gpd.GeoDataFrame)):
        require_metres(geom.crs, what, "patrol")
        same_crs_if_given(geom.crs, what, crs=crs)
        geom = shapely.union_all(geom.geometry.values)
    elif crs is not None:
        require_metres(crs, "crs", "patrol")
    return geom


def _route_and_track(route_line, track_xy, crs):
    """(route as one geometry, track as (n, 2) x, y), their CRSs checked: metres, one CRS."""
    route = _geometry(route_line, crs, "route_line")
    xy = points_xy(track_xy, crs, "track_xy", needed_by="patrol")
    route_crs = getattr(route_line, "crs", None)
    if route_crs is not None:
        same_crs_if_given(route_crs, "route_line", track_xy=getattr(track_xy, "crs", None))
    return route, xy


def _route_samples(route, step_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ~step_m along each part of route (piece midpoints) and their lengths."""
    parts = shapely.get_parts(shapely.line_merge(route) if route.geom_type == "MultiLineString" else route)
    parts = parts[shapely.length(parts) > 0]
    lengths = shapely.length(parts)
    counts = np.maximum(np.ceil(lengths / step_m).astype(int), 1)
    part = np.repeat(np.arange(len(parts)), counts)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    i = np.arange(counts.sum()) - np.repeat(first, counts)
    piece = lengths[part] / counts[part]
    pts = shapely.line_interpolate_point(parts[part], (i + 0.5) * piece)
    return shapely.get_coordinates(pts), piece


def _track_parts(xy: np.ndarray, join_m: float) -> np.ndarray:
    """The track as geometries: its points, and straight legs no longer than join_m."""
    parts = shapely.points(xy)
    if len(xy) < 2 or join_m <= 0:
        return parts
    seg = np.stack([xy[:-1], xy[1:]], axis=1)
    length = np.hypot(*(xy[1:] - xy[:-1]).T)
    joined = (length <= join_m) & (length > 0)
    return np.concatenate([parts, shapely.linestrings(seg[joined])])


def route_share_travelled(route_line, track_xy, tolerance_m: float = 50.0, step_m: float = 10.0,
                          join_m: float = 500.0, *, crs=None) -> float:
    """The share of a planned route's length within ``tolerance_m`` of a team's track (R6).

    route_line: (Multi)LineString, or a GeoSeries/GeoDataFrame of them, metres.
    track_xy: one team's points in time order, (n, 2) metres or a point GeoSeries.
    The route is cut into pieces of at most ``step_m`` metres; a piece counts as
    travelled when the track passes within ``tolerance_m`` of its midpoint (STRtree
    ``dwithin`` query, exact distances).
    "The track" is its points joined by straight legs, except legs longer than
    ``join_m`` (a GPS gap: only their ends count); ``join_m=0`` uses the points alone.
    Exact to within ``step_m`` of route length. Returns a share 0-1 (0 for an empty route).
    """
    route, xy = _route_and_track(route_line, track_xy, crs)
    if route is None or route.is_empty or shapely.length(route) == 0:
        return 0.0
    samples, piece = _route_samples(route, step_m)
    if len(xy) == 0:
        return 0.0
    tree = shapely.STRtree(_track_parts(xy, join_m))
    hit, _ = tree.query(shapely.points(samples), predicate="dwithin", distance=tolerance_m)
    return round(float(piece[np.unique(hit)].sum() / piece.sum()), 4)


class OffRoute(NamedTuple):
    distance_m: np.ndarray   # each point's distance from the route, metres
    off: np.ndarray          # distance_m > tolerance_m
    share_off: float         # share of all points off the route
    recent_off: float        # share of the latest ``recent`` points off the route
    alert: bool              # every one of the latest ``recent`` points is off


def off_route(track_xy, route_line, tolerance_m: float = 50.0, recent: int = 5, *, crs=None) -> OffRoute:
    """How far a team's track strays from its route ("teams off their route" alert).

    track_xy: one team's points in time order, (n, 2) metres or a point GeoSeries;
    route_line: its route, (Multi)LineString or GeoSeries, same metric CRS.
    A point is off when farther than ``tolerance_m`` (50 m, the R6 "travelled"
    distance) from the route. ``alert`` needs all of the latest ``recent`` points
    (5: 2.5 minutes at one point per 30 s) off, so that one stray GPS fix does not raise it.
    """
    route, xy = _route_and_track(route_line, track_xy, crs)
    if len(xy) == 0:
        return OffRoute(np.zeros(0), np.zeros(0, dtype=bool), 0.0, 0.0, False)
    dist = shapely.distance(route, shapely.points(xy))
    off = dist > tolerance_m
    tail = off[-recent:] if recent > 0 else off[:0]
    alert = recent > 0 and len(off) >= recent and bool(tail.all())
    return OffRoute(dist, off, round(float(off.mean()), 4),
                    round(float(tail.mean()), 4) if len(tail) else 0.0, alert)


def unvisited_since(summary: pd.DataFrame, now, hours: float = 24.0) -> pd.DataFrame:
    """Places of a ``visits`` summary with no visit starting in the last ``hours`` hours.

    now: a timestamp (naive is UTC). Returns those rows with ``hours_since`` (NaN when
    never visited in the tracks given), most overdue first.
    """
    now = aware(pd.Timestamp(now))
    last = aware(pd.DatetimeIndex(summary["last_visit"]))
    since = (now - last).total_seconds() / 3600
    out = summary.assign(hours_since=np.round(since.to_numpy(dtype=float), 2))
    out = out[np.isnan(out["hours_since"]) | (out["hours_since"] > hours)]
    return out.sort_values("hours_since", ascending=False, na_position="first")


def school_day(day, holidays=(), workdays=()) -> bool:
    """Whether ``day`` is a school day: Monday to Friday and not a holiday.

    holidays: dates off (public holidays, school breaks); workdays: weekend days made
    school days by the holiday schedule (调休). Dates as ``datetime.date`` or ISO strings.
    """
    day = pd.Timestamp(day).date()
    if day in {pd.Timestamp(d).date() for d in workdays}:
        return True
    return day.weekday() < 5 and day not in {pd.Timestamp(d).date() for d in holidays}


def schools_not_visited(visits_df: pd.DataFrame, school_codes, day, holidays=(), workdays=(),
                        tz: str = TIMEZONE) -> list:
    """The schools with no visit during local ``day`` (Asia/Shanghai), on a school day.

    visits_df: the ``visits`` table of ``visits()`` run on school places. A visit counts
    when it overlaps the day. Returns [] when ``day`` is not a school day.
    """
    if not school_day(day, holidays, workdays):
        return []
    d0 = pd.Timestamp(pd.Timestamp(day).date(), tz=tz)
    d1 = d0 + pd.Timedelta(days=1)
    start, end = (aware(pd.DatetimeIndex(visits_df[c])) for c in ("start", "end"))
    seen = set(visits_df.loc[(start < d1) & (end >= d0), "place"])
    return [c for c in school_codes if c not in seen]


def local_day(ts, tz: str = TIMEZONE) -> dt.date:
    """The local calendar day (Asia/Shanghai) of a timestamp (naive is UTC)."""
    return aware(pd.Timestamp(ts)).tz_convert(tz).date()
