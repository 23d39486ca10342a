"""The hotspots layer as the quarter's list in force: lifecycle, history, R10 chains, evaluation.

Statuses change only through ``set_status``, which records an event (who, when, before,
after, note, the evaluation when the hotspot leaves the list). Publishing a list
(``layers.hotspot_lists.publish``) writes the layer.
"""
from __future__ import annotations

import json

from geo.calendar import previous_quarter, quarter_bounds
from layers.errors import FeatureNotFound, InvalidInput

LIFECYCLE = {"listed": ("remediating", "delisted", "carried_over"),
             "remediating": ("delisted", "carried_over"),
             "delisted": (), "carried_over": ()}


def latest_quarter(conn, county: str) -> str | None:
    """The newest quarter that has hotspots, or None."""
    with conn.cursor() as cur:
        cur.execute("SELECT max(quarter) FROM hotspots WHERE county_code = %s", (county,))
        return cur.fetchone()[0]


def set_status(conn, county: str, code: str, status: str, user: str, note: str = "",
               evaluation: dict | None = None) -> int:
    """Move a listed hotspot along its lifecycle; return the event id. Does not commit."""
    with conn.cursor() as cur:
        cur.execute("SELECT status FROM hotspots WHERE county_code = %s AND code = %s FOR UPDATE", (county, code))
        row = cur.fetchone()
        if row is None:
            raise FeatureNotFound(f"没有编码为 '{code}' 的乱点")
        if status not in LIFECYCLE.get(row[0], ()):
            allowed = "、".join(LIFECYCLE.get(row[0], ())) or "无"
            raise InvalidInput(f"乱点 {code} 当前状态为 {row[0]}，不能改为 '{status}'（可改为：{allowed}）",
                               "status")
        cur.execute("UPDATE hotspots SET status = %s, updated_at = now() WHERE county_code = %s AND code = %s",
                    (status, county, code))
        cur.execute("INSERT INTO hotspot_status_events (county_code, hotspot_code, user_name, before_status,"
                    " after_status, note, evaluation) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                    (county, code, user, row[0], status, note or "",
                     json.dumps(evaluation, ensure_ascii=False) if evaluation else None))
        return cur.fetchone()[0]


def status_history(conn, county: str, code: str) -> list[dict]:
    """A hotspot's status changes with their evaluations, newest first."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, recorded_at, user_name, before_status, after_status, note, evaluation"
                    " FROM hotspot_status_events WHERE county_code = %s AND hotspot_code = %s ORDER BY id DESC",
                    (county, code))
        return [{"id": i, "recorded_at": t.isoformat(), "user": u, "before": b, "after": a, "note": n,
                 "evaluation": e} for i, t, u, b, a, n, e in cur.fetchall()]


def listed(conn, county: str, quarter: str) -> list[dict]:
    """The quarter's hotspots in force, as GeoJSON features with township names."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT h.code, h.name, h.level, h.township_code, t.name, h.status, h.unit, h.deadline,
                   h.carried_from, ST_AsGeoJSON(h.geom, 6)::json
            FROM hotspots h LEFT JOIN townships t ON t.county_code = h.county_code AND t.code = h.township_code
            WHERE h.county_code = %s AND h.quarter = %s ORDER BY h.township_code, h.level, h.code""",
                    (county, quarter))
        out = []
        for code, name, level, tcode, tname, status, unit, deadline, carried, geom in cur.fetchall():
            out.append({"type": "Feature", "id": code, "geometry": geom, "properties": {
                "code": code, "name": name, "level": level, "township_code": tcode, "township_name": tname,
                "status": status, "unit": unit, "deadline": deadline.isoformat() if deadline else None,
                "carried_from": carried}})
        return out


def carried_chains(conn, county: str, quarter: str) -> list[dict]:
    """For each hotspot of the quarter, how many quarters in a row it has been on the list
    (following carried_from back), with its township: the input of the R10 flags."""
    with conn.cursor() as cur:
        cur.execute("""
            WITH RECURSIVE chain AS (
                SELECT h.code AS head, h.township_code, h.code, h.carried_from, 1 AS quarters
                FROM hotspots h WHERE h.county_code = %(county)s AND h.quarter = %(quarter)s
                UNION ALL
                SELECT c.head, c.township_code, p.code, p.carried_from, c.quarters + 1
                FROM chain c JOIN hotspots p ON p.county_code = %(county)s AND p.code = c.carried_from
                WHERE c.quarters < 40
            )
            SELECT head, township_code, max(quarters) FROM chain GROUP BY head, township_code ORDER BY head""",
                    {"county": county, "quarter": quarter})
        return [{"code": h, "township_code": t, "quarters": q} for h, t, q in cur.fetchall()]


EVALUATION = """
    WITH h AS (SELECT geom FROM hotspots WHERE county_code = %(county)s AND code = %(code)s),
    rings AS MATERIALIZED (
        SELECT h.geom AS r,
               ST_Difference(ST_Buffer(h.geom::geography, %(buffer)s)::geometry, h.geom) AS d,
               ST_Buffer(h.geom::geography, %(buffer)s)::geometry AS rd
        FROM h),
    inc AS (
        SELECT i.geom, i.occurred_at >= %(after_start)s::date AS after
        FROM incidents i
        WHERE i.county_code = %(county)s
          AND i.occurred_at >= %(before_start)s::date AND i.occurred_at < %(after_end)s::date
          AND (%(category)s::text IS NULL OR i.category = %(category)s))
    SELECT count(*) FILTER (WHERE NOT after AND ST_Intersects(rings.r, inc.geom)),
           count(*) FILTER (WHERE after AND ST_Intersects(rings.r, inc.geom)),
           count(*) FILTER (WHERE NOT after AND ST_Intersects(rings.d, inc.geom)),
           count(*) FILTER (WHERE after AND ST_Intersects(rings.d, inc.geom)),
           count(*) FILTER (WHERE NOT after AND NOT ST_Intersects(rings.rd, inc.geom)),
           count(*) FILTER (WHERE after AND NOT ST_Intersects(rings.rd, inc.geom))
    FROM rings, inc"""


def evaluation_counts(conn, county: str, code: str, buffer_m: float = 500, category=None) -> dict:
    """Incidents before and after listing in the hotspot (R), a ring of ``buffer_m`` around it
    (D) and the rest of the county (C, the control): before is the quarter before the
    hotspot's quarter, after is the hotspot's quarter (its remediation quarter)."""
    with conn.cursor() as cur:
        cur.execute("SELECT quarter FROM hotspots WHERE county_code = %s AND code = %s", (county, code))
        row = cur.fetchone()
        if row is None:
            raise FeatureNotFound(f"没有编码为 '{code}' 的乱点")
        quarter = row[0]
        before_start, _ = quarter_bounds(previous_quarter(quarter))
        after_start, after_end = quarter_bounds(quarter)
        cur.execute(EVALUATION, {"county": county, "code": code, "buffer": buffer_m, "category": category,
                                 "before_start": before_start, "after_start": after_start,
                                 "after_end": after_end})
        rb, ra, db, da, cb, ca = cur.fetchone()
    return {"quarter": quarter, "before_quarter": previous_quarter(quarter), "buffer_m": buffer_m,
            "R_before": rb, "R_after": ra, "D_before": db, "D_after": da, "C_before": cb, "C_after": ca}
