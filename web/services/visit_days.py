"""Visits of a period from stored day runs and the points of the days not stored (R5, R6).

The local days (Asia/Shanghai) wholly inside the period and before today are read from
``patrol_visit_runs`` when stored for these places (``layers.visit_runs``); the days not
stored yet are computed from their points (one query for all of them, near the places
only) and stored, unless the connection is read-only (a replica). The partial days at the
period's ends and today always come from their points. The runs of all of them are joined
into visits by ``geo.patrol.visits_from_runs``: the same answer as from every point.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
import shapely

from geo import patrol as pg
from geo.calendar import LOCAL, now
from layers import visit_runs as stored_runs
from web.services import budget

KINDS = (("hotspots", "hotspot"), ("schools", "school"))
SETTLE_AFTER = timedelta(minutes=10)   # a day is stored once it has been over this long


def settle_before() -> date:
    """Days before this one may be stored: over for SETTLE_AFTER (a change to them waits
    for the report storing them, see migration 0019)."""
    return (now() - SETTLE_AFTER).date()


def places_digest(hot, schools) -> str:
    """A hash of the places runs are computed for: kind, code and geometry (WKB, in the
    metric CRS) of each, and the visit gap."""
    h = hashlib.sha256(f"visit-runs v1 gap={pg.MAX_GAP_S}".encode())
    for (_key, kind), frame in zip(KINDS, (hot, schools)):
        for code, geom in zip(frame["code"], frame.geometry.values):
            wkb = b"" if geom is None else shapely.to_wkb(geom)
            h.update(b"\x1e%s\x1f%s\x1f%s" % (kind.encode(), str(code).encode(), wkb))
    return h.hexdigest()[:40]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL)


def whole_days(start: datetime, end: datetime, before: date) -> list[date]:
    """The local days wholly inside [start, end) and before ``before``."""
    first = start.astimezone(LOCAL).date()
    if midnight(first) < start:
        first += timedelta(days=1)
    days = []
    while midnight(first + timedelta(days=1)) <= end and first < before:
        days.append(first)
        first += timedelta(days=1)
    return days


def gaps(start: datetime, end: datetime, days: list[date]) -> list[tuple[datetime, datetime]]:
    """[start, end) less the given whole days (sorted), as [s, e) ranges."""
    out, at = [], start
    for day in days:
        if midnight(day) > at:
            out.append((at, midnight(day)))
        at = max(at, midnight(day + timedelta(days=1)))
    if at < end:
        out.append((at, end))
    return out


def _fresh_runs(points, xy, frames) -> pd.DataFrame:
    team, times, _lon, _lat = points
    parts = [pg.day_runs(team, times, xy, frame).assign(kind=kind)
             for (_key, kind), frame in zip(KINDS, frames) if len(frame)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: [] for c in stored_runs.RUN_COLUMNS})
    return pd.concat(parts, ignore_index=True)[stored_runs.RUN_COLUMNS]


def visit_results(conn, county_code: str, start: datetime, end: datetime, where: tuple, boxes,
                  to_xy) -> tuple[dict, int]:
    """({"hotspots": Visits, "schools": Visits} (the non-empty kinds), points in the period)
    for the places ``where`` = (hotspots, schools, metric CRS); ``boxes`` their lon/lat boxes,
    ``to_xy(lon, lat, crs)`` the projection of points."""
    hot, schools, crs = where
    digest = places_digest(hot, schools)
    days = whole_days(start, end, settle_before())
    kept, old = stored_runs.settled(conn, county_code, digest, days)
    missing = [d for d in days if d not in kept]
    store = bool(missing) and not stored_runs.read_only(conn)
    if store:
        stored_runs.claim(conn, county_code, missing)
    ranges = gaps(start, end, sorted(kept))
    counts = stored_runs.day_points(conn, county_code, ranges)
    if ranges:
        points = budget.near_points(conn, county_code, start, end, boxes, ranges=ranges)
    else:
        points = (np.array([], dtype=object), pd.DatetimeIndex([], tz=LOCAL), np.array([]), np.array([]))
    fresh = _fresh_runs(points, to_xy(points[2], points[3], crs), (hot, schools))
    if store:
        stored_runs.store(conn, county_code, digest, {d: counts.get(d, 0) for d in missing},
                          fresh[fresh["day"].isin(set(missing))])
    runs = pd.concat([r for r in (old, fresh) if len(r)], ignore_index=True) if len(old) or len(fresh) else fresh
    period = (pd.Timestamp(start), pd.Timestamp(end))
    results = {key: pg.visits_from_runs(runs[runs["kind"] == kind], frame, period)
               for (key, kind), frame in zip(KINDS, (hot, schools)) if len(frame)}
    return results, sum(kept.values()) + sum(counts.values())


WARM_CHUNK_DAYS = 7   # days computed in one transaction by ``warm``


def _chunks(days: list[date]) -> list[list[date]]:
    """Consecutive days in groups of at most WARM_CHUNK_DAYS."""
    out: list[list[date]] = []
    for day in sorted(days):
        if out and out[-1][-1] + timedelta(days=1) == day and len(out[-1]) < WARM_CHUNK_DAYS:
            out[-1].append(day)
        else:
            out.append([day])
    return out


def warm(conn, county_code: str, first: date, last: date, where: tuple, boxes, to_xy) -> dict:
    """Compute and store the runs of the days ``first``..``last`` (those settled) not kept
    yet for the places ``where``, a week at a time, committing each: later reports of these
    days read their runs. {"computed": days computed, "kept": days already kept}."""
    hot, schools, _crs = where
    last = min(last, settle_before() - timedelta(days=1))
    if last < first:
        return {"computed": 0, "kept": 0}
    kept = stored_runs.kept_days(conn, county_code, places_digest(hot, schools), first, last)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    missing = [d for d in days if d not in kept]
    for chunk in _chunks(missing):
        visit_results(conn, county_code, midnight(chunk[0]), midnight(chunk[-1] + timedelta(days=1)),
                      where, boxes, to_xy)
        conn.commit()
    return {"computed": len(missing), "kept": len(kept)}
