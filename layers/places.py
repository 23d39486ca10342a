"""Places a planner picks to make a hotspot of (issue 11): a village (its area, or a
buffer around it), a school (a buffer around it) or a road section (a buffer along the
part of the road near where the planner clicked), and a point with a radius. Areas are
buffered on the ellipsoid (geography), in metres, and returned as shapely geometries in
WGS 84.
"""
from __future__ import annotations

import shapely
from psycopg2 import sql

from layers.errors import FeatureNotFound, InvalidInput

PICKABLE = {"villages": "行政村", "schools": "学校", "roads": "道路"}
NEAR_M = {"villages": 0.0, "schools": 300.0, "roads": 200.0}   # how far a click may miss
DEFAULT_SECTION_M = 300.0   # a road section: the road within this distance of the click
DEFAULT_BUFFER_M = {"villages": 0.0, "schools": 200.0, "roads": 50.0}


def _table(layer: str) -> sql.Identifier:
    if layer not in PICKABLE:
        raise InvalidInput(f"只能选择 {'、'.join(PICKABLE.values())}，而不是 '{layer}'", "layer")
    return sql.Identifier(layer)


def nearest(conn, county: str, layer: str, lon: float, lat: float) -> dict | None:
    """The village holding the point, or the school or road nearest to it within NEAR_M:
    {layer, code, name, distance_m}; None when there is none."""
    query = sql.SQL("""
        SELECT code, coalesce(name, code), ST_Distance(geom::geography, p::geography)
        FROM {t}, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS p
        WHERE county_code = %(county)s AND ST_DWithin(geom::geography, p::geography, %(near)s)
        ORDER BY geom::geography <-> p::geography, code LIMIT 1""").format(t=_table(layer))
    with conn.cursor() as cur:
        cur.execute(query, {"lon": lon, "lat": lat, "county": county, "near": NEAR_M[layer]})
        row = cur.fetchone()
    if row is None:
        return None
    return {"layer": layer, "code": row[0], "name": row[1], "distance_m": round(float(row[2]), 1)}


AREA = sql.SQL("""
    WITH f AS (
        SELECT code, coalesce(name, code) AS name,
               CASE WHEN %(lon)s::float8 IS NULL OR %(section)s::float8 IS NULL THEN geom
                    ELSE ST_Intersection(geom, ST_Buffer(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,
                                                         %(section)s)::geometry) END AS g
        FROM {t} WHERE county_code = %(county)s AND code = %(code)s)
    SELECT code, name, ST_AsBinary(CASE WHEN %(buffer)s = 0 THEN g
                                        ELSE ST_Buffer(g::geography, %(buffer)s, 'quad_segs=8')::geometry END),
           ST_IsEmpty(g)
    FROM f""")


def area(conn, county: str, layer: str, code: str, buffer_m: float, at: tuple | None = None,
         section_m: float | None = None) -> tuple[str, object]:
    """(name, area) of a picked place: the village's area grown by ``buffer_m`` (0: as it
    is); a school or road buffered by ``buffer_m`` (> 0); a road only within ``section_m``
    of ``at`` (lon, lat) when given."""
    if layer != "villages" and buffer_m <= 0:
        raise InvalidInput(f"{PICKABLE.get(layer, layer)}须给出缓冲距离（米，大于 0）", "buffer_m")
    lon, lat = at if at else (None, None)
    section = (section_m or DEFAULT_SECTION_M) if (layer == "roads" and at) else None
    with conn.cursor() as cur:
        cur.execute(AREA.format(t=_table(layer)), {"county": county, "code": code, "buffer": buffer_m,
                                                   "lon": lon, "lat": lat, "section": section})
        row = cur.fetchone()
    if row is None:
        raise FeatureNotFound(f"{PICKABLE[layer]}图层中没有编码为 '{code}' 的要素")
    if row[3]:
        raise InvalidInput(f"{PICKABLE[layer]} {row[1]} 不经过所点位置附近 {section:g} 米内", "at")
    return row[1], shapely.from_wkb(bytes(row[2]))


def circle(conn, lon: float, lat: float, radius_m: float):
    """A circle of ``radius_m`` metres around (lon, lat) on the ellipsoid, as a polygon."""
    with conn.cursor() as cur:
        cur.execute("SELECT ST_AsBinary(ST_Buffer(ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s,"
                    " 'quad_segs=16')::geometry)", (lon, lat, radius_m))
        return shapely.from_wkb(bytes(cur.fetchone()[0]))


def township_at(conn, county: str, geom) -> str | None:
    """The township holding most of ``geom`` (WGS 84), or None outside every township."""
    with conn.cursor() as cur:
        cur.execute("SELECT t.code FROM townships t, ST_GeomFromText(%s, 4326) AS g"
                    " WHERE t.county_code = %s AND ST_Intersects(t.geom, g)"
                    " ORDER BY ST_Area(ST_Intersection(t.geom, g)) DESC, t.code LIMIT 1", (geom.wkt, county))
        row = cur.fetchone()
    return row[0] if row else None
