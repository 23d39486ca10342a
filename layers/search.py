"""The rows the header's search box finds (issue 12, item 5): townships, villages,
cameras, hotspots, schools, patrol teams and roads of one county, each with its township's
name, a point on it and its bounding box in WGS 84.

Roads are split into sections in the layer (many rows share one name, such as a national
road): they come back once per name, with every section's code and the box around them
all. A patrol team without a base point takes its township's area.
"""
from __future__ import annotations

KINDS = ("township", "village", "camera", "hotspot", "school", "team", "road")
TABLES = ("townships", "villages", "cameras", "hotspots", "schools", "patrol_teams", "roads")

ROWS = """
WITH found AS (
    SELECT 0 AS o, 'township' AS kind, code, name, code AS township_code, NULL::text AS extra,
           NULL::text AS codes, geom::geometry AS geom
    FROM townships WHERE county_code = %(county)s
    UNION ALL
    SELECT 1, 'village', code, name, township_code, CASE WHEN remote THEN 'remote' END, NULL, geom
    FROM villages WHERE county_code = %(county)s
    UNION ALL
    SELECT 2, 'camera', code, name, township_code, NULL, NULL, geom
    FROM cameras WHERE county_code = %(county)s
    UNION ALL
    SELECT 3, 'hotspot', code, name, township_code, quarter, NULL, geom
    FROM hotspots WHERE county_code = %(county)s
    UNION ALL
    SELECT 4, 'school', code, name, township_code, NULL, NULL, geom
    FROM schools WHERE county_code = %(county)s
    UNION ALL
    SELECT 5, 'team', code, name, township_code, NULL, NULL, geom
    FROM patrol_teams WHERE county_code = %(county)s
    UNION ALL
    SELECT 6, 'road', min(code), name, mode() WITHIN GROUP (ORDER BY township_code), min(class),
           string_agg(code, ' ' ORDER BY code), ST_Collect(geom)
    FROM roads WHERE county_code = %(county)s AND btrim(name) <> '' GROUP BY name
)
SELECT f.kind, f.code, f.name, f.township_code, t.name, f.extra, f.codes,
       ST_X(q.p), ST_Y(q.p), ST_XMin(q.b), ST_YMin(q.b), ST_XMax(q.b), ST_YMax(q.b)
FROM found f
LEFT JOIN townships t ON t.county_code = %(county)s AND t.code = f.township_code
CROSS JOIN LATERAL (SELECT coalesce(f.geom, t.geom::geometry) AS g) s
CROSS JOIN LATERAL (SELECT CASE WHEN GeometryType(s.g) = 'POINT' THEN s.g ELSE ST_PointOnSurface(s.g) END AS p,
                           Box2D(s.g) AS b) q
ORDER BY f.o, CASE WHEN f.kind = 'hotspot' THEN f.extra END DESC, f.code
"""


def searchable(conn, county: str) -> list[dict]:
    """Every searchable thing of ``county``: kind, code, name, township_code, township,
    extra (a village: 'remote' or None; a hotspot: its quarter; a road: its class), codes
    (a road: its sections' codes), point (lon, lat) and bbox (west, south, east, north),
    both None without geometry. Ordered by kind, hotspots of later quarters first."""
    with conn.cursor() as cur:
        cur.execute(ROWS, {"county": county})
        rows = cur.fetchall()
    out = []
    for kind, code, name, town_code, town, extra, codes, x, y, *box in rows:
        out.append({"kind": kind, "code": code, "name": name, "township_code": town_code, "township": town,
                    "extra": extra, "codes": codes.split(" ") if codes else [code],
                    "point": None if x is None else (float(x), float(y)),
                    "bbox": None if box[0] is None else tuple(float(v) for v in box)})
    return out
