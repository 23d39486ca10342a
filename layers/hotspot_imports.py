"""Hotspot lists decided outside the system (issue 11): importing the ``hotspots`` layer
for a quarter records that quarter's list as a published version marked 'imported', so
the quota, the lifecycle, R10 and the next quarter's carried-over hotspots see it.

Idempotent: a quarter whose newest published version already holds exactly the imported
hotspots (codes, names, levels, townships, units, deadlines and areas) gets no new
version; a changed file gives the next version.
"""
from __future__ import annotations

SAME_AS_NEWEST = """
    WITH newest AS (
        SELECT id FROM hotspot_lists WHERE county_code = %(county)s AND quarter = %(quarter)s
          AND state = 'published' ORDER BY version DESC LIMIT 1),
    layer AS (
        SELECT code, name, level, township_code, unit, deadline, ST_AsBinary(geom) AS g
        FROM hotspots WHERE county_code = %(county)s AND quarter = %(quarter)s),
    listed AS (
        SELECT code, name, level, township_code, unit, deadline, ST_AsBinary(geom) AS g
        FROM hotspot_list_items WHERE list_id = (SELECT id FROM newest))
    SELECT EXISTS (SELECT 1 FROM newest)
       AND NOT EXISTS (SELECT * FROM layer EXCEPT SELECT * FROM listed)
       AND NOT EXISTS (SELECT * FROM listed EXCEPT SELECT * FROM layer)"""

NEW_VERSION = """
    INSERT INTO hotspot_lists (county_code, quarter, version, state, based_on, created_by,
                               published_at, published_by, origin)
    SELECT %(county)s, %(quarter)s, coalesce(max(version), 0) + 1, 'published',
           (SELECT id FROM hotspot_lists WHERE county_code = %(county)s AND quarter = %(quarter)s
              AND state = 'published' ORDER BY version DESC LIMIT 1),
           %(user)s, now(), %(user)s, 'imported'
    FROM hotspot_lists WHERE county_code = %(county)s AND quarter = %(quarter)s
    RETURNING id, version"""

ITEMS = """
    INSERT INTO hotspot_list_items (list_id, code, name, level, township_code, unit, deadline,
                                    source, carried_from, geom)
    SELECT %(list)s, code, name, level, township_code, unit, deadline, 'imported', carried_from, geom
    FROM hotspots WHERE county_code = %(county)s AND quarter = %(quarter)s"""

MARK = """
    UPDATE hotspots SET props = props || jsonb_build_object('list_version', %(version)s, 'imported', true)
    WHERE county_code = %(county)s AND quarter = %(quarter)s"""

FIRST_STATUS = """
    INSERT INTO hotspot_status_events (county_code, hotspot_code, user_name, before_status, after_status, note)
    SELECT h.county_code, h.code, %(user)s, NULL, h.status, %(note)s
    FROM hotspots h
    WHERE h.county_code = %(county)s AND h.quarter = %(quarter)s
      AND NOT EXISTS (SELECT 1 FROM hotspot_status_events e
                      WHERE e.county_code = h.county_code AND e.hotspot_code = h.code)"""


def record_imported(conn, county: str, user: str = "import") -> list[dict]:
    """Record each quarter of the hotspots layer whose list differs from its newest
    published version as a new published version marked 'imported'; returns
    [{quarter, version, hotspots}] of the versions recorded. Does not commit."""
    recorded = []
    with conn.cursor() as cur:
        cur.execute("SELECT quarter, count(*) FROM hotspots WHERE county_code = %s GROUP BY quarter"
                    " ORDER BY quarter", (county,))
        for quarter, n in cur.fetchall():
            args = {"county": county, "quarter": quarter, "user": user}
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"hotspot-list/{county}/{quarter}",))
            cur.execute(SAME_AS_NEWEST, args)
            if cur.fetchone()[0]:
                continue
            cur.execute(NEW_VERSION, args)
            list_id, version = cur.fetchone()
            args.update(list=list_id, version=version, note=f"导入 {quarter} 第 {version} 版清单")
            for statement in (ITEMS, MARK, FIRST_STATUS):
                cur.execute(statement, args)
            recorded.append({"quarter": quarter, "version": version, "hotspots": n})
    return recorded
