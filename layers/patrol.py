"""Patrol data: teams, GPS tracks, the places patrols must visit (R5, R6, R7)."""
from __future__ import annotations

from datetime import datetime

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.calendar import TIMEZONE
from layers import store
from layers.catalog import LAYERS


def teams(conn, county: str) -> pd.DataFrame:
    """Every team: code, name, kind, township_code, village_code, members, lon, lat (base, may be NaN)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT code, name, kind, township_code, village_code, members, ST_X(geom), ST_Y(geom)
                       FROM patrol_teams WHERE county_code = %s ORDER BY code""", (county,))
        return pd.DataFrame(cur.fetchall(), columns=["code", "name", "kind", "township_code", "village_code",
                                                      "members", "lon", "lat"])


def unit_codes(conn, county: str) -> tuple[list[str], list[str]]:
    """All township codes and village codes of the county."""
    with conn.cursor() as cur:
        cur.execute("SELECT code FROM townships WHERE county_code = %s ORDER BY code", (county,))
        towns = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT code FROM villages WHERE county_code = %s ORDER BY code", (county,))
        return towns, [r[0] for r in cur.fetchall()]


def tracks(conn, county: str, start: datetime, end: datetime, team: str | None = None):
    """GPS points in [start, end) (not those flagged as inaccurate): arrays team, time (tz-aware), lon, lat, ordered by team and time."""
    with conn.cursor() as cur:
        cur.execute("""SELECT team_code, recorded_at, ST_X(geom), ST_Y(geom) FROM patrol_tracks
                       WHERE county_code = %s AND recorded_at >= %s AND recorded_at < %s
                         AND (%s::text IS NULL OR team_code = %s) AND NOT props ? 'flagged'
                       ORDER BY team_code, recorded_at""", (county, start, end, team, team))
        return _arrays(cur.fetchall())


# The points of a period inside (or near) any of the boxes, in (team, time) order. The
# period prunes the month partitions and is read by time; the boxes' union (one prepared
# geometry, PostGIS keeps it across rows) keeps the points near a place. Fixes flagged by their
# sender (props.flagged, e.g. a poor accuracy) are left out. Times as epoch seconds:
# cheaper to read than timestamps.
NEAR = """
    WITH near AS MATERIALIZED (
        SELECT ST_Union(ST_MakeEnvelope(x0, y0, x1, y1, 4326)) AS area
        FROM unnest(%(x0)s::float8[], %(y0)s::float8[], %(x1)s::float8[], %(y1)s::float8[]) AS b(x0, y0, x1, y1))
    , kept AS MATERIALIZED (      -- filtered first, then sorted (not the other way round)
        SELECT p.id, p.team_code, p.recorded_at, p.geom FROM near, (
            -- OFFSET 0: the period is read by time (index or whole partition), not through the
            -- GiST index with the union's box, which is the whole county
            SELECT t.id, t.team_code, t.recorded_at, t.geom FROM patrol_tracks t
            WHERE t.county_code = %(county)s AND t.recorded_at >= %(start)s AND t.recorded_at < %(end)s
              AND NOT (t.props ? 'flagged')
              AND (%(starts)s::timestamptz[] IS NULL OR EXISTS (
                   SELECT 1 FROM unnest(%(starts)s::timestamptz[], %(ends)s::timestamptz[]) AS r(s, e)
                   WHERE t.recorded_at >= r.s AND t.recorded_at < r.e)) OFFSET 0) p
        WHERE ST_Intersects(p.geom, near.area))
    SELECT team_code, extract(epoch FROM recorded_at)::float8, ST_X(geom), ST_Y(geom) FROM kept
    ORDER BY team_code, recorded_at, id
    LIMIT %(limit)s"""


def _arrays(rows):
    if not rows:
        return np.array([], dtype=object), pd.DatetimeIndex([], tz=TIMEZONE), np.array([]), np.array([])
    team_codes, times, lon, lat = zip(*rows)
    return (np.array(team_codes, dtype=object), pd.DatetimeIndex(times).tz_convert(TIMEZONE),
            np.array(lon, dtype=float), np.array(lat, dtype=float))


def tracks_near(conn, county: str, start: datetime, end: datetime, boxes, limit: int | None = None,
                ranges: list | None = None):
    """GPS points in [start, end) inside any of ``boxes`` ((n, 4) lon/lat min x, min y, max x,
    max y: the places' bounds, a little wider), flagged fixes left out; arrays team, time
    (tz-aware), lon, lat as ``tracks``, ordered by team and time. At most ``limit`` points.
    ranges: only the points in one of these [s, e) time ranges (inside [start, end))."""
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    if not len(boxes):
        return _arrays([])
    with conn.cursor() as cur:
        cur.execute("SET LOCAL jit = off")   # compiling costs more than it saves here
        cur.execute("SET LOCAL work_mem = '64MB'")   # the sort of a month's points in memory
        cur.execute(NEAR, {"x0": boxes[:, 0].tolist(), "y0": boxes[:, 1].tolist(), "x1": boxes[:, 2].tolist(),
                           "y1": boxes[:, 3].tolist(), "county": county, "start": start, "end": end,
                           "limit": limit, "starts": None if ranges is None else [r[0] for r in ranges],
                           "ends": None if ranges is None else [r[1] for r in ranges]})
        rows = cur.fetchall()
    if not rows:
        return _arrays([])
    team_codes, epoch, lon, lat = zip(*rows)
    times = pd.DatetimeIndex(pd.to_datetime(np.array(epoch) * 1e9, utc=True)).tz_convert(TIMEZONE)
    return np.array(team_codes, dtype=object), times, np.array(lon, dtype=float), np.array(lat, dtype=float)


def count_tracks(conn, county: str, start: datetime, end: datetime) -> int:
    """How many GPS points lie in [start, end), fixes flagged as inaccurate left out (as visits)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT count(*) FROM patrol_tracks
                       WHERE county_code = %s AND recorded_at >= %s AND recorded_at < %s
                         AND NOT props ? 'flagged'""", (county, start, end))
        return cur.fetchone()[0]


def last_positions(conn, county: str) -> list[dict]:
    """Each team's latest GPS point."""
    with conn.cursor() as cur:
        cur.execute("""SELECT DISTINCT ON (team_code) team_code, recorded_at, ST_X(geom), ST_Y(geom)
                       FROM patrol_tracks WHERE county_code = %s ORDER BY team_code, recorded_at DESC""", (county,))
        return [{"team": t, "recorded_at": r, "lon": x, "lat": y} for t, r, x, y in cur.fetchall()]


def add_track_points(conn, county: str, frame) -> tuple[int, int]:
    """Store GPS points (a GeoDataFrame with team_code, recorded_at, code, props) posted by a
    device, township and village by location. Returns (added, updated). Does not commit."""
    result = store.upsert_layer(conn, LAYERS["patrol_tracks"], frame, county)
    store.locate(conn, county)
    return result


def routes(conn, county: str) -> list[dict]:
    """Planned routes: code, name, team_code, shift, GeoJSON geometry, length_m."""
    with conn.cursor() as cur:
        cur.execute("""SELECT code, name, team_code, shift, ST_AsGeoJSON(geom, 6)::json, ST_Length(geom::geography)
                       FROM patrol_routes WHERE county_code = %s ORDER BY code""", (county,))
        return [{"code": c, "name": n, "team_code": t, "shift": s, "geometry": g, "length_m": round(l, 1)}
                for c, n, t, s, g, l in cur.fetchall()]


def save_route(conn, county: str, code: str, name: str, team_code: str, shift: str, geometry,
               props: dict | None = None) -> tuple[int, int]:
    """Store one route (a shapely line in EPSG:4326) for a team and shift, matched on code;
    township by location. Returns (added, updated). Does not commit."""
    frame = gpd.GeoDataFrame([{"code": code, "name": name, "team_code": team_code, "shift": shift,
                               "township_code": None, "props": props or {}}],
                             geometry=[geometry], crs="EPSG:4326")
    result = store.upsert_layer(conn, LAYERS["patrol_routes"], frame, county)
    store.locate(conn, county)
    return result

