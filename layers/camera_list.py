"""The cameras as a list (issue 12): filtered by status, kind, township and networked,
sorted, one page at a time or all of them for an export; each with its township and
village names and when its status last changed."""
from __future__ import annotations

from psycopg2 import sql

SORTS = {"code": "c.code", "name": "c.name", "status": "status_rank", "kind": "c.kind",
         "township": "t.name", "changed": "changed_at", "installed": "c.installed_on"}
STATUS_RANK = "CASE c.status WHEN 'offline' THEN 0 WHEN 'faulty' THEN 1 ELSE 2 END"

WHERE = """
    WHERE c.county_code = %(county)s
      AND (%(statuses)s::text[] IS NULL OR c.status = ANY(%(statuses)s::text[]))
      AND (%(kind)s::text IS NULL OR c.kind = %(kind)s)
      AND (%(township)s::text IS NULL OR c.township_code = %(township)s)
      AND (%(networked)s::boolean IS NULL OR c.networked = %(networked)s)"""

ROWS = """
    SELECT c.code, c.name, c.kind, c.status, c.networked, c.azimuth, c.fov, c.range_m, c.installed_on,
           c.township_code, t.name AS township_name, v.name AS village_name,
           ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, e.changed_at, {rank} AS status_rank
    FROM cameras c
    LEFT JOIN townships t ON t.county_code = c.county_code AND t.code = c.township_code
    LEFT JOIN villages v ON v.county_code = c.county_code AND v.code = c.village_code
    LEFT JOIN LATERAL (SELECT max(recorded_at) AS changed_at FROM camera_status_events s
                       WHERE s.county_code = c.county_code AND s.camera_code = c.code) e ON true
    {where}
    ORDER BY {sort} {order} NULLS LAST, c.code
    LIMIT %(limit)s OFFSET %(offset)s"""

COLUMNS = ("code", "name", "kind", "status", "networked", "azimuth", "fov", "range_m", "installed_on",
           "township_code", "township_name", "village_name", "lon", "lat", "changed_at")


def cameras(conn, county: str, filters: dict, sort: str = "status", descending: bool = False,
            limit: int = 100, offset: int = 0) -> tuple[int, list[dict]]:
    """(how many match, the rows of one page). filters: statuses (list or None), kind,
    township, networked (each None for any)."""
    args = {"county": county, "statuses": filters.get("statuses"), "kind": filters.get("kind"),
            "township": filters.get("township"), "networked": filters.get("networked"),
            "limit": limit, "offset": offset}
    query = sql.SQL(ROWS.format(rank=STATUS_RANK, where=WHERE, sort=SORTS[sort], order="DESC" if descending else "ASC"))
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT count(*) FROM cameras c" + WHERE), args)
        total = cur.fetchone()[0]
        cur.execute(query, args)
        rows = [dict(zip(COLUMNS, row)) for row in cur.fetchall()]
    for r in rows:
        r["installed_on"] = r["installed_on"].isoformat() if r["installed_on"] else None
        r["changed_at"] = r["changed_at"].isoformat() if r["changed_at"] else None
    return total, rows


RECENT_PROBLEMS = """
    SELECT DISTINCT ON (c.code) c.code, c.name, c.kind, c.status, e.before_status, e.after_status, e.recorded_at,
           e.user_name, e.note, t.name AS township_name, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat
    FROM camera_status_events e
    JOIN cameras c ON c.county_code = e.county_code AND c.code = e.camera_code
    LEFT JOIN townships t ON t.county_code = c.county_code AND t.code = c.township_code
    WHERE e.county_code = %(county)s AND e.recorded_at >= %(since)s
      AND e.after_status IN ('faulty', 'offline') AND c.status IN ('faulty', 'offline')
    ORDER BY c.code, e.recorded_at DESC, e.id DESC"""
RECENT_COLUMNS = ("code", "name", "kind", "status", "before_status", "after_status", "recorded_at", "user_name",
                  "note", "township_name", "lon", "lat")


def recent_problems(conn, county: str, since) -> tuple[int, list[dict]]:
    """(how many cameras are faulty or offline now, those that changed to faulty or offline
    since ``since`` and still are, each with its latest such change, newest first)."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM cameras WHERE county_code = %s AND status IN ('faulty', 'offline')",
                    (county,))
        total = cur.fetchone()[0]
        cur.execute(RECENT_PROBLEMS, {"county": county, "since": since})
        rows = [dict(zip(RECENT_COLUMNS, row)) for row in cur.fetchall()]
    rows.sort(key=lambda r: r["recorded_at"], reverse=True)
    for r in rows:
        r["recorded_at"] = r["recorded_at"].isoformat()
    return total, rows
