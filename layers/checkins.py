"""Patrol members' check-ins at the day's stops, and their photos (issue 15, item 5).

A check-in names its stop (kind and code, with the stop's name as it was), where the
browser said the member was (when they allowed it) and how far that was from the stop; a
photo is stored re-encoded (``web.services.members``), with a thumbnail, in the database.
"""
from __future__ import annotations

from datetime import datetime

from psycopg2 import Binary

COLUMNS = ("id", "team_code", "user_name", "stop_kind", "stop_code", "stop_name", "at", "lon", "lat",
           "accuracy_m", "distance_m", "note", "has_photo")
_SELECT = """SELECT c.id, c.team_code, c.user_name, c.stop_kind, c.stop_code, c.stop_name, c.at,
                    ST_X(c.geom), ST_Y(c.geom), c.accuracy_m, c.distance_m, c.note, p.checkin_id IS NOT NULL
             FROM patrol_checkins c LEFT JOIN patrol_checkin_photos p ON p.checkin_id = c.id"""


def team_exists(conn, county: str, team_code: str) -> bool:
    """Whether the county has a patrol team of this code."""
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM patrol_teams WHERE county_code = %s AND code = %s", (county, team_code))
        return cur.fetchone() is not None


def team(conn, county: str, team_code: str) -> dict | None:
    """The team's code, name, kind, township_code, village_code, lon, lat (base), or None."""
    with conn.cursor() as cur:
        cur.execute("""SELECT code, name, kind, township_code, village_code, ST_X(geom), ST_Y(geom)
                       FROM patrol_teams WHERE county_code = %s AND code = %s""", (county, team_code))
        row = cur.fetchone()
    keys = ("code", "name", "kind", "township_code", "village_code", "lon", "lat")
    return dict(zip(keys, row)) if row else None


def add(conn, county: str, user: tuple[int, str], team_code: str, stop: dict, at: datetime,
        where: tuple[float, float] | None, accuracy_m: float | None, distance_m: float | None, note: str) -> int:
    """Store one check-in; ``user`` is (id, name), ``stop`` {kind, code, name}. Returns its id."""
    lon, lat = where if where else (None, None)
    with conn.cursor() as cur:
        cur.execute("""INSERT INTO patrol_checkins (county_code, team_code, user_id, user_name, stop_kind, stop_code,
                                                    stop_name, at, geom, accuracy_m, distance_m, note)
                       VALUES (%s, %s, %s, %s, %s, %s, %s, %s,
                               CASE WHEN %s::float8 IS NULL THEN NULL
                                    ELSE ST_SetSRID(ST_MakePoint(%s, %s), 4326) END, %s, %s, %s)
                       RETURNING id""",
                    (county, team_code, user[0], user[1], stop["kind"], stop["code"], stop["name"], at,
                     lon, lon, lat, accuracy_m, distance_m, note))
        return cur.fetchone()[0]


def add_photo(conn, checkin_id: int, photo: dict) -> None:
    """Store a check-in's photo: {content_type, bytes, thumb, width, height, original_bytes}."""
    with conn.cursor() as cur:
        cur.execute("""INSERT INTO patrol_checkin_photos (checkin_id, content_type, bytes, thumb, width, height,
                                                          original_bytes) VALUES (%s, %s, %s, %s, %s, %s, %s)""",
                    (checkin_id, photo["content_type"], Binary(photo["bytes"]), Binary(photo["thumb"]),
                     photo["width"], photo["height"], photo["original_bytes"]))


def _rows(cur) -> list[dict]:
    return [dict(zip(COLUMNS, row)) for row in cur.fetchall()]


def of_period(conn, county: str, start: datetime, end: datetime, team_code: str | None = None) -> list[dict]:
    """Check-ins in [start, end), of one team when given, in time order."""
    with conn.cursor() as cur:
        cur.execute(f"""{_SELECT} WHERE c.county_code = %s AND c.at >= %s AND c.at < %s
                          AND (%s::text IS NULL OR c.team_code = %s) ORDER BY c.at, c.id""",
                    (county, start, end, team_code, team_code))
        return _rows(cur)


def photo(conn, checkin_id: int, thumb: bool = False) -> dict | None:
    """A check-in's photo with whose it is: {county_code, team_code, user_id, content_type, bytes}."""
    with conn.cursor() as cur:
        cur.execute(f"""SELECT c.county_code, c.team_code, c.user_id, p.content_type,
                               {'p.thumb' if thumb else 'p.bytes'}
                        FROM patrol_checkin_photos p JOIN patrol_checkins c ON c.id = p.checkin_id
                        WHERE p.checkin_id = %s""", (checkin_id,))
        row = cur.fetchone()
    keys = ("county_code", "team_code", "user_id", "content_type", "bytes")
    return dict(zip(keys, (*row[:4], bytes(row[4])))) if row else None


def count(conn) -> tuple[int, int]:
    """(check-ins, photos) stored: for tests that a refusal stored nothing."""
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM patrol_checkins), (SELECT count(*) FROM patrol_checkin_photos)")
        return cur.fetchone()


def team_points(conn, county: str, team_code: str, start: datetime, end: datetime) -> list[tuple[float, float]]:
    """The team's GPS points (lon, lat) in [start, end); fixes flagged as inaccurate left out."""
    with conn.cursor() as cur:
        cur.execute("""SELECT ST_X(geom), ST_Y(geom) FROM patrol_tracks
                       WHERE county_code = %s AND team_code = %s AND recorded_at >= %s AND recorded_at < %s
                         AND NOT props ? 'flagged'
                       ORDER BY recorded_at""", (county, team_code, start, end))
        return cur.fetchall()


def route_stops(conn, county: str, team_code: str) -> list[dict]:
    """The stops the team's saved routes name (``props.stops``: a list of {code, name, lon,
    lat}); [{name (the route's), stops: [...]}]. Routes saved from a plan name none."""
    with conn.cursor() as cur:
        cur.execute("""SELECT name, props->'stops' FROM patrol_routes
                       WHERE county_code = %s AND team_code = %s AND jsonb_typeof(props->'stops') = 'array'
                       ORDER BY code""", (county, team_code))
        rows = cur.fetchall()
    out = []
    for name, stops in rows:
        good = [s for s in stops if isinstance(s, dict) and s.get("code") and isinstance(s.get("lon"), (int, float))
                and isinstance(s.get("lat"), (int, float))]
        out.append({"name": name, "stops": [{"code": str(s["code"]), "name": str(s.get("name") or s["code"]),
                                             "lon": float(s["lon"]), "lat": float(s["lat"])} for s in good]})
    return out
