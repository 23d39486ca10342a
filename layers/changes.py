"""What changed in the county since a moment (issue 12: the planner's first screen says
what changed since their last visit): remediation records, hotspot lists published,
hotspots' status changes and cameras' status changes, by other users."""
from __future__ import annotations

from datetime import datetime

CHANGES = """
    SELECT * FROM (
        SELECT e.recorded_at AS at, 'remediation' AS kind, e.village_code AS code,
               coalesce(v.name, e.village_code) AS name, e.status AS value, e.user_name AS who
        FROM remediation_events e LEFT JOIN villages v ON v.county_code = e.county_code AND v.code = e.village_code
        WHERE e.county_code = %(county)s AND e.recorded_at > %(since)s AND e.user_name <> %(user)s
        UNION ALL
        SELECT l.published_at, 'list', l.quarter, l.quarter, l.version::text || ':' || l.origin, l.published_by
        FROM hotspot_lists l
        WHERE l.county_code = %(county)s AND l.state = 'published' AND l.published_at > %(since)s
          AND l.published_by <> %(user)s
        UNION ALL
        SELECT s.recorded_at, 'hotspot', s.hotspot_code, coalesce(h.name, s.hotspot_code), s.after_status, s.user_name
        FROM hotspot_status_events s LEFT JOIN hotspots h ON h.county_code = s.county_code AND h.code = s.hotspot_code
        WHERE s.county_code = %(county)s AND s.recorded_at > %(since)s AND s.user_name <> %(user)s
        UNION ALL
        SELECT c.recorded_at, 'camera', c.camera_code, coalesce(k.name, c.camera_code), c.after_status, c.user_name
        FROM camera_status_events c LEFT JOIN cameras k ON k.county_code = c.county_code AND k.code = c.camera_code
        WHERE c.county_code = %(county)s AND c.recorded_at > %(since)s AND c.user_name <> %(user)s
    ) AS changes
    ORDER BY at DESC, kind, code
    LIMIT %(limit)s"""

COUNTS = """
    SELECT 'remediation', count(*) FROM remediation_events
     WHERE county_code = %(county)s AND recorded_at > %(since)s AND user_name <> %(user)s
    UNION ALL SELECT 'list', count(*) FROM hotspot_lists
     WHERE county_code = %(county)s AND state = 'published' AND published_at > %(since)s AND published_by <> %(user)s
    UNION ALL SELECT 'hotspot', count(*) FROM hotspot_status_events
     WHERE county_code = %(county)s AND recorded_at > %(since)s AND user_name <> %(user)s
    UNION ALL SELECT 'camera', count(*) FROM camera_status_events
     WHERE county_code = %(county)s AND recorded_at > %(since)s AND user_name <> %(user)s"""


def since(conn, county: str, moment: datetime, user: str, limit: int = 50) -> tuple[dict, list[dict]]:
    """({kind: how many}, the newest ``limit`` changes by users other than ``user`` after
    ``moment``): each {at, kind, code, name, value, who}."""
    args = {"county": county, "since": moment, "user": user, "limit": limit}
    with conn.cursor() as cur:
        cur.execute(COUNTS, args)
        counts = dict(cur.fetchall())
        cur.execute(CHANGES, args)
        keys = ("at", "kind", "code", "name", "value", "who")
        rows = [dict(zip(keys, r)) for r in cur.fetchall()]
    for r in rows:
        r["at"] = r["at"].isoformat()
    return counts, rows


def previous_sign_in(conn, user: str) -> datetime | None:
    """When ``user`` signed in before the current visit (the newest sign-in but one)."""
    with conn.cursor() as cur:
        cur.execute("SELECT at FROM audit_log WHERE action = 'signed_in' AND actor = %s ORDER BY id DESC"
                    " OFFSET 1 LIMIT 1", (user,))
        row = cur.fetchone()
    return row[0] if row else None
