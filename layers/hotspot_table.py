"""The hotspots as a list (issue 12): every quarter's hotspots filtered by quarter,
township, level, lifecycle status and source (how it came onto the list), sorted, a page
at a time or all of them for an export; with township name, area and a point inside."""
from __future__ import annotations

from psycopg2 import sql

SORTS = {"quarter": "h.quarter", "code": "h.code", "name": "h.name", "level": "h.level", "township": "t.name",
         "status": "status_rank", "source": "src.source", "deadline": "h.deadline", "area": "area_m2"}
STATUS_RANK = "CASE h.status WHEN 'listed' THEN 0 WHEN 'remediating' THEN 1 WHEN 'carried_over' THEN 2 ELSE 3 END"
SOURCE = """
    LEFT JOIN LATERAL (SELECT i.source FROM hotspot_list_items i JOIN hotspot_lists l ON l.id = i.list_id
                       WHERE l.county_code = h.county_code AND l.quarter = h.quarter AND l.state = 'published'
                         AND i.code = h.code ORDER BY l.version DESC LIMIT 1) src ON true"""
WHERE = """
    WHERE h.county_code = %(county)s
      AND (%(quarter)s::text IS NULL OR h.quarter = %(quarter)s)
      AND (%(township)s::text IS NULL OR h.township_code = %(township)s)
      AND (%(level)s::text IS NULL OR h.level = %(level)s)
      AND (%(statuses)s::text[] IS NULL OR h.status = ANY(%(statuses)s::text[]))
      AND (%(source)s::text IS NULL OR src.source = %(source)s)"""
ROWS = """
    SELECT h.code, h.name, h.quarter, h.level, h.status, h.unit, h.deadline, h.carried_from, h.township_code,
           t.name AS township_name, src.source, ST_Area(h.geom::geography) AS area_m2,
           (h.props->>'incident_count')::int AS incident_count,
           ST_X(ST_PointOnSurface(h.geom)) AS lon, ST_Y(ST_PointOnSurface(h.geom)) AS lat, {rank} AS status_rank
    FROM hotspots h
    LEFT JOIN townships t ON t.county_code = h.county_code AND t.code = h.township_code
    {source}
    {where}
    ORDER BY {sort} {order} NULLS LAST, h.quarter DESC, h.code
    LIMIT %(limit)s OFFSET %(offset)s"""
COLUMNS = ("code", "name", "quarter", "level", "status", "unit", "deadline", "carried_from", "township_code",
           "township_name", "source", "area_m2", "incident_count", "lon", "lat")


def hotspots(conn, county: str, filters: dict, sort: str = "status", descending: bool = False,
             limit: int = 100, offset: int = 0) -> tuple[int, list[dict]]:
    """(how many match, the rows of one page). filters: quarter, township, level,
    statuses (list or None), source (each None for any)."""
    args = {"county": county, "quarter": filters.get("quarter"), "township": filters.get("township"),
            "level": filters.get("level"), "statuses": filters.get("statuses"), "source": filters.get("source"),
            "limit": limit, "offset": offset}
    query = sql.SQL(ROWS.format(rank=STATUS_RANK, source=SOURCE, where=WHERE, sort=SORTS[sort],
                                order="DESC" if descending else "ASC"))
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT count(*) FROM hotspots h" + SOURCE + WHERE), args)
        total = cur.fetchone()[0]
        cur.execute(query, args)
        rows = [dict(zip(COLUMNS, row)) for row in cur.fetchall()]
    for r in rows:
        r["deadline"] = r["deadline"].isoformat() if r["deadline"] else None
    return total, rows


def quarters(conn, county: str) -> list[str]:
    """The quarters that have hotspots, newest first."""
    with conn.cursor() as cur:
        cur.execute("SELECT DISTINCT quarter FROM hotspots WHERE county_code = %s ORDER BY quarter DESC", (county,))
        return [r[0] for r in cur.fetchall()]
