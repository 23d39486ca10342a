"""Stored visit runs (migration 0019): each past local day's runs of teams inside places.

A day's runs are computed once from its GPS points (``geo.patrol.day_runs``) and kept in
``patrol_visit_runs``, with the day's point count in ``patrol_visit_days``, per
``places_digest`` (the places they were computed for). Triggers on ``patrol_tracks``
forget a (county, local day) as soon as one of its points is inserted, updated or deleted
(and everything on TRUNCATE); ``forget`` does it by hand (bulk loads, dropped months).
Times go both ways as epoch seconds (float8), as ``layers.patrol.tracks_near`` reads them,
so that runs read back equal runs computed from the points.
"""
from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from geo.calendar import TIMEZONE

RUN_COLUMNS = ["kind", "place", "team", "day", "start", "end", "points"]

# The days kept and their runs in one statement (one snapshot: a day forgotten meanwhile takes
# its runs with it, ON DELETE CASCADE); two plain scans, no join for the planner to get wrong,
# the days' range an index condition (a year of runs is not read for a month).
SETTLED = """
    SELECT day, points, NULL, NULL, NULL, NULL::float8, NULL::float8, NULL::int
    FROM patrol_visit_days
    WHERE county_code = %(county)s AND places_digest = %(digest)s AND day BETWEEN %(first)s AND %(last)s
      AND day = ANY(%(days)s::date[])
    UNION ALL
    SELECT day, NULL, place_kind, place_code, team_code,
           extract(epoch FROM start_at)::float8, extract(epoch FROM end_at)::float8, points
    FROM patrol_visit_runs
    WHERE county_code = %(county)s AND places_digest = %(digest)s AND day BETWEEN %(first)s AND %(last)s
      AND day = ANY(%(days)s::date[])"""


def _times(epoch) -> pd.DatetimeIndex:
    ns = pd.to_datetime(np.asarray(epoch, dtype=float) * 1e9, utc=True)
    return pd.DatetimeIndex(ns).tz_convert(TIMEZONE)


def settled(conn, county: str, digest: str, days: list[date]) -> tuple[dict, pd.DataFrame]:
    """The stored days among ``days`` for these places: ({day: points}, their runs with
    ``RUN_COLUMNS``; start and end tz-aware). One statement: days and runs agree."""
    if not days:
        return {}, pd.DataFrame({c: [] for c in RUN_COLUMNS})
    with conn.cursor() as cur:
        cur.execute(SETTLED, {"county": county, "digest": digest, "days": list(days),
                              "first": min(days), "last": max(days)})
        rows = cur.fetchall()
    points = {r[0]: int(r[1]) for r in rows if r[1] is not None}
    rows = [r for r in rows if r[2] is not None]
    if not rows:
        return points, pd.DataFrame({c: [] for c in RUN_COLUMNS})
    day, _n, kind, place, team, start, end, npts = zip(*rows)
    return points, pd.DataFrame({"kind": kind, "place": place, "team": team, "day": day,
                                 "start": _times(start), "end": _times(end), "points": npts})


def day_points(conn, county: str, ranges: list[tuple[datetime, datetime]]) -> dict:
    """{local day: points} of the county's points in the [s, e) ranges, fixes flagged as
    inaccurate left out (as ``patrol.count_tracks``)."""
    if not ranges:
        return {}
    with conn.cursor() as cur:
        cur.execute("""SELECT (t.recorded_at AT TIME ZONE 'Asia/Shanghai')::date, count(*)
                       FROM patrol_tracks t
                       WHERE t.county_code = %s AND t.recorded_at >= %s AND t.recorded_at < %s
                         AND NOT t.props ? 'flagged'
                         AND EXISTS (SELECT 1 FROM unnest(%s::timestamptz[], %s::timestamptz[]) AS r(s, e)
                                     WHERE t.recorded_at >= r.s AND t.recorded_at < r.e)
                       GROUP BY 1""",
                    (county, min(r[0] for r in ranges), max(r[1] for r in ranges),
                     [r[0] for r in ranges], [r[1] for r in ranges]))
        return {d: int(n) for d, n in cur.fetchall()}


def claim(conn, county: str, days: list[date]) -> None:
    """Lock these days against changes to their points until this transaction ends (call it
    before reading the points of days to store: a change waits, then forgets them)."""
    with conn.cursor() as cur:
        cur.execute("""INSERT INTO patrol_visit_changes AS c (county_code, day)
                       SELECT %s, d FROM unnest(%s::date[]) AS x(d) ORDER BY d
                       ON CONFLICT (county_code, day) DO UPDATE SET changed_at = c.changed_at""",
                    (county, sorted(days)))


def read_only(conn) -> bool:
    """Whether this transaction may not write (a replica's, or declared READ ONLY)."""
    with conn.cursor() as cur:
        cur.execute("SELECT current_setting('transaction_read_only') = 'on'")
        return bool(cur.fetchone()[0])


STORE_DAYS = """
    INSERT INTO patrol_visit_days (county_code, day, places_digest, points)
    SELECT %s, d, %s, n FROM unnest(%s::date[], %s::bigint[]) AS x(d, n)
    ON CONFLICT DO NOTHING RETURNING day"""

STORE_RUNS = """
    INSERT INTO patrol_visit_runs (county_code, day, places_digest, place_kind, place_code, team_code,
                                   start_at, end_at, points)
    SELECT %s, d, %s, k, p, t, s, e, n
    FROM unnest(%s::date[], %s::text[], %s::text[], %s::text[], %s::timestamptz[], %s::timestamptz[],
                %s::int[]) AS x(d, k, p, t, s, e, n)
    WHERE d = ANY(%s::date[])"""


def _instants(values) -> list[datetime]:
    """Times to the microsecond (timestamptz's precision), rounded, as datetimes."""
    us = np.round(pd.DatetimeIndex(values).as_unit("ns").asi8 / 1000).astype(np.int64)
    return list(pd.to_datetime(us, unit="us", utc=True).to_pydatetime())


def store(conn, county: str, digest: str, points: dict, runs: pd.DataFrame) -> list[date]:
    """Keep these days ({day: points}) and their runs (``RUN_COLUMNS``) unless already kept
    (a concurrent report); returns the days stored. Does not commit."""
    if not points:
        return []
    days = sorted(points)
    with conn.cursor() as cur:
        cur.execute(STORE_DAYS, (county, digest, days, [points[d] for d in days]))
        stored = [r[0] for r in cur.fetchall()]
        if stored and len(runs):
            cur.execute(STORE_RUNS, (county, digest, list(runs["day"]), list(runs["kind"]),
                                     [str(p) for p in runs["place"]], [str(t) for t in runs["team"]],
                                     _instants(runs["start"]), _instants(runs["end"]),
                                     [int(n) for n in runs["points"]], stored))
    return stored


def forget(conn, county: str | None = None, before: date | None = None) -> int:
    """Forget the stored days of a county (every county when None), only those before
    ``before`` when given; returns how many (county, day, places) were forgotten."""
    where = "(%s::text IS NULL OR county_code = %s) AND (%s::date IS NULL OR day < %s)"
    with conn.cursor() as cur:
        cur.execute("DELETE FROM patrol_visit_changes WHERE " + where, (county, county, before, before))
        cur.execute("DELETE FROM patrol_visit_days WHERE " + where, (county, county, before, before))
        return cur.rowcount


def kept_days(conn, county: str, digest: str, first: date, last: date) -> set:
    """The days from ``first`` to ``last`` kept for these places (their runs not read)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT day FROM patrol_visit_days
                       WHERE county_code = %s AND places_digest = %s AND day BETWEEN %s AND %s""",
                    (county, digest, first, last))
        return {r[0] for r in cur.fetchall()}


def counties_with_teams(conn) -> list[str]:
    """The counties that have patrol teams (whose visits a warm-up computes)."""
    with conn.cursor() as cur:
        cur.execute("SELECT DISTINCT county_code FROM patrol_teams ORDER BY 1")
        return [r[0] for r in cur.fetchall()]


WARMUP_LOCK = 0x7669_7369_7473   # pg advisory lock key: one warm-up at a time across processes


def try_warmup_lock(conn) -> bool:
    """Take the session's warm-up lock unless another session holds it."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", (WARMUP_LOCK,))
        return bool(cur.fetchone()[0])


def release_warmup_lock(conn) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_unlock(%s)", (WARMUP_LOCK,))
