"""Video coverage as queries over the cameras' stored sectors (R2, R5, R8).

Only cameras whose status is 'working' cover anything. What-if: ``faulty`` names cameras
to treat as not working, ``proposed`` adds cameras that do not exist yet. Lengths and
areas are on the ellipsoid (geography), in metres and square metres.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import shapely

from geo.rules import SCHOOL_RADIUS_M
from layers.catalog import CAMERA_STATUSES
from layers.errors import FeatureNotFound, InvalidInput


@dataclass
class WhatIf:
    """Cameras to treat as faulty, and proposed cameras (dicts with lon, lat, kind, azimuth, fov, range_m)."""

    faulty: list[str] = field(default_factory=list)
    proposed: list[dict] = field(default_factory=list)

    def params(self) -> dict:
        p = self.proposed
        return {"faulty": list(self.faulty),
                "p_lon": [float(c["lon"]) for c in p], "p_lat": [float(c["lat"]) for c in p],
                "p_kind": [str(c.get("kind", "fixed")) for c in p],
                "p_az": [None if c.get("azimuth") is None else float(c["azimuth"]) for c in p],
                "p_fov": [float(c.get("fov", 90)) for c in p],
                "p_range": [float(c.get("range_m", 100)) for c in p]}


SECTORS = """
    sectors AS (
        SELECT c.sector AS g FROM cameras c
        WHERE c.county_code = %(county)s AND c.status = 'working'
          AND NOT (c.code = ANY(%(faulty)s::text[]))
        UNION ALL
        SELECT camera_sector(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326), p.kind, p.az, p.fov, p.rng)
        FROM unnest(%(p_lon)s::float8[], %(p_lat)s::float8[], %(p_kind)s::text[],
                    %(p_az)s::float8[], %(p_fov)s::float8[], %(p_range)s::float8[])
             AS p(lon, lat, kind, az, fov, rng)
    )"""

# The villages asked for (all when %(villages)s is NULL); written out at each join rather
# than as one CTE, so that every join can use the GiST index on villages (a CTE used
# several times is materialised).
VILLAGES_ASKED = """v.county_code = %(county)s
          AND (%(villages)s::text[] IS NULL OR v.code = ANY(%(villages)s::text[]))"""

HOTSPOT_AREAS = f"""
    WITH {SECTORS}
    SELECT h.code, h.name, h.quarter, h.township_code, ST_Area(h.geom::geography),
           coalesce((SELECT ST_Area(ST_Intersection(h.geom, ST_Union(s.g))::geography)
                     FROM sectors s WHERE ST_Intersects(s.g, h.geom)), 0)
    FROM hotspots h
    WHERE h.county_code = %(county)s AND (%(quarter)s::text IS NULL OR h.quarter = %(quarter)s)
    ORDER BY h.code"""

SCHOOLS = f"""
    WITH {SECTORS}
    SELECT sc.code, sc.name, sc.township_code, sc.village_code,
           EXISTS (SELECT 1 FROM sectors s WHERE ST_Intersects(s.g, sc.geom))
    FROM schools sc WHERE sc.county_code = %(county)s ORDER BY sc.code"""

CAMERA_COUNTS = """
    SELECT count(*), count(*) FILTER (WHERE status = 'working' AND NOT (code = ANY(%(faulty)s::text[]))),
           count(*) FILTER (WHERE networked),
           count(*) FILTER (WHERE status = 'faulty' OR code = ANY(%(faulty)s::text[])),
           count(*) FILTER (WHERE status = 'offline' AND NOT (code = ANY(%(faulty)s::text[])))
    FROM cameras WHERE county_code = %(county)s"""


def _params(county, what_if: WhatIf | None, **extra) -> dict:
    return {"county": county, **(what_if or WhatIf()).params(), **extra}


def village_coverage(conn, county: str, what_if: WhatIf | None = None, villages=None,
                     detail: bool = False) -> list[dict]:
    """Per village: what its cameras see (``layers.village_video.village_coverage``)."""
    from layers import village_video

    return village_video.village_coverage(conn, county, what_if, villages, detail)


def hotspot_coverage(conn, county: str, what_if: WhatIf | None = None, quarter=None) -> list[dict]:
    """Per hotspot: area_m2 and the covered part of it."""
    with conn.cursor() as cur:
        cur.execute(HOTSPOT_AREAS, _params(county, what_if, quarter=quarter))
        return [{"code": r[0], "name": r[1], "quarter": r[2], "township_code": r[3],
                 "area_m2": float(r[4]), "covered_m2": float(r[5])} for r in cur.fetchall()]


def school_coverage(conn, county: str, what_if: WhatIf | None = None) -> list[dict]:
    """Per school: whether its point (or any part of its polygon) is inside a working sector."""
    with conn.cursor() as cur:
        cur.execute(SCHOOLS, _params(county, what_if))
        return [{"code": r[0], "name": r[1], "township_code": r[2], "village_code": r[3],
                 "covered": r[4]} for r in cur.fetchall()]


def camera_counts(conn, county: str, what_if: WhatIf | None = None) -> dict:
    """Totals of cameras: all, working, networked, faulty, offline (what-if applied)."""
    with conn.cursor() as cur:
        cur.execute(CAMERA_COUNTS, _params(county, what_if))
        total, working, networked, faulty, offline = cur.fetchone()
    proposed = len((what_if or WhatIf()).proposed)  # proposed cameras count as working, networked
    return {"total": total + proposed, "working": working + proposed,
            "networked": networked + proposed, "faulty": faulty, "offline": offline,
            "proposed": proposed}


GAPS = f"""
    WITH {SECTORS},
    near AS MATERIALIZED (SELECT g FROM sectors),
    clipped AS MATERIALIZED (
        SELECT v.code, v.name, ST_Intersection(r.geom, v.geom) AS g
        FROM villages v JOIN roads r ON r.county_code = v.county_code AND ST_Intersects(r.geom, v.geom)
        WHERE v.county_code = %(county)s
    ),
    -- each stretch minus the sectors that touch it (a few, not the village's whole union)
    road_gaps AS (
        SELECT 'road' AS kind, c.code, c.name,
               coalesce(ST_Difference(c.g, (SELECT ST_Union(s.g) FROM near s WHERE ST_Intersects(s.g, c.g))),
                        c.g) AS g
        FROM clipped c
    ),
    hotspot_gaps AS (
        SELECT 'hotspot', h.code, h.name,
               ST_Difference(h.geom, coalesce((SELECT ST_Union(s.g) FROM near s WHERE ST_Intersects(s.g, h.geom)),
                                              'SRID=4326;POLYGON EMPTY'::geometry))
        FROM hotspots h
        WHERE h.county_code = %(county)s AND (%(quarter)s::text IS NULL OR h.quarter = %(quarter)s)
    ),
    school_places AS MATERIALIZED (
        SELECT sc.code, sc.name, ST_Buffer(sc.geom::geography, {SCHOOL_RADIUS_M:g})::geometry AS place
        FROM schools sc WHERE sc.county_code = %(county)s
    ),
    school_gaps AS (
        SELECT 'school', p.code, p.name,
               ST_Difference(p.place, coalesce((SELECT ST_Union(s.g) FROM near s WHERE ST_Intersects(s.g, p.place)),
                                               'SRID=4326;POLYGON EMPTY'::geometry))
        FROM school_places p
    ),
    everything AS (SELECT * FROM road_gaps UNION ALL SELECT * FROM hotspot_gaps UNION ALL SELECT * FROM school_gaps)
    SELECT kind, code, name,
           CASE WHEN kind = 'road' THEN ST_Length(g::geography) ELSE ST_Area(g::geography) END,
           ST_AsGeoJSON(g, 6)::json
    FROM everything WHERE NOT ST_IsEmpty(g)
    ORDER BY kind, code, ST_AsGeoJSON(g, 6)"""


def gaps(conn, county: str, what_if: WhatIf | None = None, quarter=None) -> list[dict]:
    """Uncovered road stretches (per village), hotspot parts and school surroundings as GeoJSON.

    Each feature's properties: kind ('road', 'hotspot', 'school'), code, name, and size
    (metres of road, or square metres of area). Road stretches under 1 m are left out.
    """
    with conn.cursor() as cur:
        cur.execute(GAPS, _params(county, what_if, quarter=quarter))
        rows = cur.fetchall()
    return [{"type": "Feature", "geometry": geom,
             "properties": {"kind": kind, "code": code, "name": name, "size": round(float(size), 1)}}
            for kind, code, name, size, geom in rows if not (kind == "road" and size < 1)]


def set_camera_status(conn, county: str, code: str, status: str, user: str, note: str = "") -> int:
    """Change one camera's status and record who, when, before and after. Does not commit."""
    if status not in CAMERA_STATUSES:
        raise InvalidInput(f"状态 '{status}' 无效（可用：{', '.join(CAMERA_STATUSES)}）", "status")
    with conn.cursor() as cur:
        cur.execute("SELECT status FROM cameras WHERE county_code = %s AND code = %s FOR UPDATE",
                    (county, code))
        row = cur.fetchone()
        if row is None:
            raise FeatureNotFound(f"没有编码为 '{code}' 的摄像机")
        cur.execute("UPDATE cameras SET status = %s, updated_at = now() WHERE county_code = %s AND code = %s",
                    (status, county, code))
        cur.execute("INSERT INTO camera_status_events (county_code, camera_code, user_name, before_status,"
                    " after_status, note) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                    (county, code, user, row[0], status, note or ""))
        return cur.fetchone()[0]


def camera_history(conn, county: str, code: str) -> list[dict]:
    """A camera's status changes, newest first."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, recorded_at, user_name, before_status, after_status, note"
                    " FROM camera_status_events WHERE county_code = %s AND camera_code = %s"
                    " ORDER BY id DESC", (county, code))
        return [{"id": i, "recorded_at": t.isoformat(), "user": u, "before": b, "after": a, "note": n}
                for i, t, u, b, a, n in cur.fetchall()]


def sector_frame(conn, county: str, what_if: WhatIf | None = None):
    """The working cameras' sectors (what-if applied) as a GeoDataFrame in EPSG:4326."""
    with conn.cursor() as cur:
        cur.execute(f"WITH {SECTORS} SELECT ST_AsBinary(g) FROM sectors", _params(county, what_if))
        geoms = shapely.from_wkb([bytes(r[0]) for r in cur.fetchall()])
    return gpd.GeoDataFrame({"status": ["working"] * len(geoms)},
                            geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))


def working_sectors(conn, county: str, bbox) -> list[dict]:
    """The working cameras' sectors that reach into ``bbox`` (minx, miny, maxx, maxy), as
    GeoJSON features with the camera's code and name."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, name, ST_AsGeoJSON(sector, 6)::json FROM cameras"
                    " WHERE county_code = %s AND status = 'working' AND sector IS NOT NULL"
                    " AND ST_Intersects(sector, ST_MakeEnvelope(%s, %s, %s, %s, 4326)) ORDER BY code",
                    (county, *bbox))
        return [{"type": "Feature", "geometry": g, "properties": {"code": c, "name": n}}
                for c, n, g in cur.fetchall()]
