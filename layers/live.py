"""What the commander's live map reads every few seconds (issue 15, item 2): each team's
latest fix of the day, the recent trail (or the points received since the last poll), the
arrive/leave events. Flagged (inaccurate) fixes are left out. Each query reads one day of
one county through the (team, time) and (county, time) indexes."""
from __future__ import annotations

from datetime import datetime

LATEST = """
    SELECT t.code, t.name, p.recorded_at, ST_X(p.geom), ST_Y(p.geom), (p.props->>'batt')::float,
           (p.props->>'accuracy')::float, p.props->>'device'
    FROM patrol_teams t
    CROSS JOIN LATERAL (SELECT recorded_at, geom, props FROM patrol_tracks
                        WHERE county_code = %(county)s AND team_code = t.code
                          AND recorded_at >= %(start)s AND recorded_at < %(end)s AND NOT props ? 'flagged'
                        ORDER BY recorded_at DESC LIMIT 1) p
    WHERE t.county_code = %(county)s
    ORDER BY t.code"""

# Each point carries its time (Unix seconds) so that the page can merge a poll's points
# into what it holds, in time order, each once.
TRAILS = """
    SELECT team_code, json_agg(json_build_array(round(ST_X(geom)::numeric, 6), round(ST_Y(geom)::numeric, 6),
                                                extract(epoch FROM recorded_at)::bigint) ORDER BY recorded_at)
    FROM patrol_tracks
    WHERE county_code = %(county)s AND recorded_at >= %(start)s AND recorded_at < %(end)s
      AND NOT props ? 'flagged'
      AND (%(since)s::timestamptz IS NULL OR updated_at > %(since)s::timestamptz - %(overlap)s * interval '1 second')
    GROUP BY team_code"""

EVENTS = """
    SELECT e.id, e.at, e.team_code, t.name, e.kind, e.place_kind, e.place_code, e.place_name,
           ST_X(e.geom), ST_Y(e.geom)
    FROM patrol_events e LEFT JOIN patrol_teams t ON t.county_code = e.county_code AND t.code = e.team_code
    WHERE e.county_code = %(county)s AND e.at >= %(start)s AND e.at < %(end)s
    ORDER BY e.at DESC, e.id DESC LIMIT %(limit)s"""


def latest_fixes(conn, county: str, start: datetime, end: datetime) -> list[dict]:
    """Each team's latest unflagged fix in [start, end): team, name, at, lon, lat, battery, accuracy, device."""
    keys = ("team", "name", "at", "lon", "lat", "battery", "accuracy", "device")
    with conn.cursor() as cur:
        cur.execute(LATEST, {"county": county, "start": start, "end": end})
        return [dict(zip(keys, row)) for row in cur.fetchall()]


def trails(conn, county: str, start: datetime, end: datetime, since: datetime | None = None,
           overlap_s: float = 60) -> dict[str, list]:
    """{team: [[lon, lat, unix seconds], …]} of the unflagged fixes recorded in [start,
    end), in time order; with ``since``, only those received from ``overlap_s`` before it
    (a fix committed late is not missed; the page merges by time)."""
    with conn.cursor() as cur:
        cur.execute(TRAILS, {"county": county, "start": start, "end": end, "since": since, "overlap": overlap_s})
        return {team: points for team, points in cur.fetchall() if points}


def events(conn, county: str, start: datetime, end: datetime, limit: int = 50) -> list[dict]:
    """The newest arrive/leave events in [start, end), newest first."""
    keys = ("id", "at", "team", "team_name", "kind", "place_kind", "place_code", "place_name", "lon", "lat")
    with conn.cursor() as cur:
        cur.execute(EVENTS, {"county": county, "start": start, "end": end, "limit": limit})
        return [dict(zip(keys, row)) for row in cur.fetchall()]
