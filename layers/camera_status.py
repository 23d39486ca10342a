"""Camera status as it stood at a past moment (the cockpit's trend): each camera's status
then is the ``before_status`` of its first change after that moment, else its status now.
Networked is not kept in history: a camera's networked flag is taken as it is now."""
from __future__ import annotations

from datetime import datetime

COUNTS_AT = """
    WITH s AS (
        SELECT c.township_code, c.networked,
               coalesce((SELECT e.before_status FROM camera_status_events e
                         WHERE e.county_code = c.county_code AND e.camera_code = c.code
                           AND e.recorded_at > %(at)s
                         ORDER BY e.id LIMIT 1), c.status) AS status
        FROM cameras c WHERE c.county_code = %(county)s
    )
    SELECT township_code, count(*), count(*) FILTER (WHERE status = 'working'),
           count(*) FILTER (WHERE networked), count(*) FILTER (WHERE status = 'faulty'),
           count(*) FILTER (WHERE status = 'offline')
    FROM s GROUP BY township_code ORDER BY township_code"""

KEYS = ("total", "working", "networked", "faulty", "offline")


def counts_at(conn, county: str, at: datetime) -> dict[str | None, dict]:
    """{township code: {total, working, networked, faulty, offline}} of the cameras as their
    status stood at ``at`` (cameras outside every township under None)."""
    with conn.cursor() as cur:
        cur.execute(COUNTS_AT, {"county": county, "at": at})
        return {row[0]: dict(zip(KEYS, row[1:])) for row in cur.fetchall()}
