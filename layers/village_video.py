"""The village video rule (R2 视频覆盖): what each village's cameras see, and each county's rule.

Per village, in one PostGIS query over the cameras' stored sectors (``layers.coverage``):
its 村口 — points where a road crosses the village's boundary — and whether a working
camera sees each (its sector holds the road within ENTRANCE_DEPTH_M of the crossing,
inside the village); its schools; its junctions, and those of main roads; its working
cameras; and, as information, its road length and the part of it seen. The rule that
turns these into met / not met is ``geo.coverage.VideoRule``; a county's own rule is kept
in ``village_video_rules`` (the defaults of geo.rules where a county has none).
"""
from __future__ import annotations

from geo.coverage import VideoRule, video_failures, video_reasons
from geo.rules import DEFAULT_VIDEO_RULE, ENTRANCE_DEPTH_M, MAIN_ROAD_CLASSES, MAX_MIN_WORKING_CAMERAS
from layers import audit
from layers.catalog import ROAD_KINDS
from layers.coverage import SECTORS, VILLAGES_ASKED, WhatIf, _params
from layers.errors import InvalidInput

# the class values of main roads, in English or as the data writes them in Chinese
MAIN_CLASSES = sorted({c for k in ROAD_KINDS if k.key in MAIN_ROAD_CLASSES for c in (k.key, *k.aliases)})

DETAIL = "CASE WHEN %(detail)s THEN {} END"

VILLAGE_VIDEO = f"""
    WITH {SECTORS},
    cover AS MATERIALIZED (
        SELECT v.code, ST_Union(s.g) AS g
        FROM sectors s JOIN villages v ON ST_Intersects(s.g, v.geom) AND {VILLAGES_ASKED}
        GROUP BY v.code
    ),
    -- roads clipped at village borders, and where each crosses the border (村口)
    clipped AS MATERIALIZED (
        SELECT v.code, r.name AS road, ST_Intersection(r.geom, v.geom) AS g,
               ST_Intersection(r.geom, ST_Boundary(v.geom)) AS cross_at
        FROM roads r JOIN villages v ON ST_Intersects(r.geom, v.geom) AND {VILLAGES_ASKED}
        WHERE r.county_code = %(county)s
    ),
    lengths AS (
        SELECT c.code, sum(ST_Length(c.g::geography)) AS road_m,
               sum(CASE WHEN cv.g IS NULL THEN 0
                        ELSE ST_Length(ST_Intersection(c.g, cv.g)::geography) END) AS covered_m
        FROM clipped c LEFT JOIN cover cv ON cv.code = c.code
        GROUP BY c.code
    ),
    crossings AS (
        SELECT c.code, c.road, c.g, (ST_Dump(ST_CollectionExtract(c.cross_at, 1))).geom AS p
        FROM clipped c WHERE NOT ST_IsEmpty(c.cross_at)
    ),
    -- one 村口 per point (roads meeting on the border make one); seen when a working sector
    -- holds the road inside the village within the depth of the crossing
    entrances AS (
        SELECT x.code, ST_SnapToGrid(x.p, 1e-7) AS p, array_agg(DISTINCT x.road) AS roads,
               bool_or(cv.g IS NOT NULL AND ST_Intersects(cv.g, ST_Intersection(
                   x.g, ST_Buffer(x.p::geography, %(depth)s)::geometry))) AS seen
        FROM crossings x LEFT JOIN cover cv ON cv.code = x.code
        GROUP BY x.code, ST_SnapToGrid(x.p, 1e-7)
    ),
    ventrances AS (
        SELECT e.code, count(*) AS n, count(*) FILTER (WHERE e.seen) AS seen,
               {DETAIL.format('''jsonb_agg(jsonb_build_object(
                   'roads', e.roads, 'lon', round(ST_X(e.p)::numeric, 6), 'lat', round(ST_Y(e.p)::numeric, 6),
                   'seen', e.seen, 'bearing', round(degrees(ST_Azimuth(ST_PointOnSurface(v.geom)::geography,
                                                                     e.p::geography))::numeric, 1))
                   ORDER BY e.seen, ST_X(e.p), ST_Y(e.p))''')} AS detail
        FROM entrances e JOIN villages v ON v.county_code = %(county)s AND v.code = e.code
        GROUP BY e.code
    ),
    -- the ends of the roads that reach the villages asked for (every road through a
    -- junction in a village reaches it)
    near_roads AS MATERIALIZED (
        SELECT r.geom FROM roads r
        WHERE r.county_code = %(county)s
          AND EXISTS (SELECT 1 FROM villages v WHERE ST_Intersects(r.geom, v.geom) AND {VILLAGES_ASKED})
    ),
    ends AS (
        SELECT ST_SnapToGrid(ST_StartPoint(d.geom), 1e-7) AS p FROM near_roads r, ST_Dump(r.geom) d
        UNION ALL
        SELECT ST_SnapToGrid(ST_EndPoint(d.geom), 1e-7) FROM near_roads r, ST_Dump(r.geom) d
    ),
    ends_at AS (SELECT p, count(*) AS n FROM ends GROUP BY p),
    -- a junction: three or more road ends meet, counting a road that runs on through the
    -- point (none of its parts ends there: two parts of one road meeting are its ends, not
    -- a junction) as two ends; crossings where no road ends are taken for overpasses; a
    -- main one when a main road is among them
    junctions AS MATERIALIZED (
        SELECT e.p, bool_or(r.class = ANY(%(main)s::text[])) AS main
        FROM ends_at e JOIN roads r ON r.county_code = %(county)s AND ST_DWithin(r.geom, e.p, 1e-7)
        GROUP BY e.p, e.n
        HAVING e.n + 2 * count(*) FILTER (WHERE NOT EXISTS (
            SELECT 1 FROM ST_Dump(r.geom) d
            WHERE ST_DWithin(ST_StartPoint(d.geom), e.p, 1e-7) OR ST_DWithin(ST_EndPoint(d.geom), e.p, 1e-7))) >= 3
    ),
    vjunctions AS (
        SELECT v.code, count(*) AS n, count(*) FILTER (WHERE seen) AS covered,
               count(*) FILTER (WHERE j.main) AS main, count(*) FILTER (WHERE j.main AND seen) AS main_covered,
               {DETAIL.format('''jsonb_agg(jsonb_build_object('lon', round(ST_X(j.p)::numeric, 6),
                   'lat', round(ST_Y(j.p)::numeric, 6), 'seen', seen) ORDER BY seen, ST_X(j.p))
                   FILTER (WHERE j.main)''')} AS detail
        FROM junctions j JOIN villages v ON ST_Intersects(v.geom, j.p) AND {VILLAGES_ASKED}
        LEFT JOIN cover cv ON cv.code = v.code,
        LATERAL (SELECT cv.g IS NOT NULL AND ST_Intersects(cv.g, j.p) AS seen) s
        GROUP BY v.code
    ),
    vschools AS (
        SELECT v.code, count(*) AS n, count(*) FILTER (WHERE seen) AS covered,
               {DETAIL.format('''jsonb_agg(jsonb_build_object('code', sc.code, 'name', sc.name, 'seen', seen,
                   'lon', round(ST_X(ST_PointOnSurface(sc.geom))::numeric, 6),
                   'lat', round(ST_Y(ST_PointOnSurface(sc.geom))::numeric, 6))
                                           ORDER BY seen, sc.code)''')} AS detail
        FROM schools sc JOIN villages v ON ST_Intersects(v.geom, ST_PointOnSurface(sc.geom)) AND {VILLAGES_ASKED}
        LEFT JOIN cover cv ON cv.code = v.code,
        LATERAL (SELECT cv.g IS NOT NULL AND ST_Intersects(cv.g, sc.geom) AS seen) s
        WHERE sc.county_code = %(county)s
        GROUP BY v.code
    ),
    working AS (
        SELECT c.geom FROM cameras c
        WHERE c.county_code = %(county)s AND c.status = 'working' AND NOT (c.code = ANY(%(faulty)s::text[]))
        UNION ALL
        SELECT ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)
        FROM unnest(%(p_lon)s::float8[], %(p_lat)s::float8[]) AS p(lon, lat)
    ),
    vcameras AS (
        SELECT v.code, count(*) AS n
        FROM working w JOIN villages v ON ST_Intersects(v.geom, w.geom) AND {VILLAGES_ASKED}
        GROUP BY v.code
    )
    SELECT v.code, v.name, v.township_code, v.remote,
           coalesce(l.road_m, 0), coalesce(l.covered_m, 0),
           coalesce(j.n, 0), coalesce(j.covered, 0), coalesce(j.main, 0), coalesce(j.main_covered, 0),
           coalesce(s.n, 0), coalesce(s.covered, 0), coalesce(e.n, 0), coalesce(e.seen, 0),
           coalesce(c.n, 0), e.detail, s.detail, j.detail,
           {DETAIL.format("ARRAY[ST_X(ST_PointOnSurface(v.geom)), ST_Y(ST_PointOnSurface(v.geom))]")}
    FROM villages v LEFT JOIN lengths l ON l.code = v.code
         LEFT JOIN vjunctions j ON j.code = v.code LEFT JOIN vschools s ON s.code = v.code
         LEFT JOIN ventrances e ON e.code = v.code LEFT JOIN vcameras c ON c.code = v.code
    WHERE {VILLAGES_ASKED}
    ORDER BY v.code"""

COLUMNS = ("code", "name", "township_code", "remote", "road_m", "covered_road_m", "junctions",
           "covered_junctions", "main_junctions", "covered_main_junctions", "schools", "covered_schools",
           "entrances", "seen_entrances", "working_cameras")


def village_coverage(conn, county: str, what_if: WhatIf | None = None, villages=None,
                     detail: bool = False) -> list[dict]:
    """Per village (all, or the codes in ``villages``): road_m and covered_road_m, junctions
    and main_junctions (and covered), schools (and covered), entrances and seen_entrances,
    working_cameras. With ``detail``, also entrances_detail (roads, lon, lat, seen, bearing
    from the village's centre), schools_detail (code, name, seen) and main_junctions_detail
    (lon, lat, seen), unseen first, and centre (lon, lat of a point inside the village)."""
    params = _params(county, what_if, villages=list(villages) if villages is not None else None,
                     detail=detail, depth=ENTRANCE_DEPTH_M, main=MAIN_CLASSES)
    with conn.cursor() as cur:
        cur.execute(VILLAGE_VIDEO, params)
        rows = cur.fetchall()
    out = []
    for r in rows:
        row = dict(zip(COLUMNS, r))
        row["road_m"], row["covered_road_m"] = float(row["road_m"]), float(row["covered_road_m"])
        if detail:
            row.update(entrances_detail=r[15] or [], schools_detail=r[16] or [], main_junctions_detail=r[17] or [],
                       centre=[round(float(c), 6) for c in r[18]])
        out.append(row)
    return out


# --- each county's rule ---------------------------------------------------------------------

RULE_FIELDS = tuple(DEFAULT_VIDEO_RULE)


def get_rule(conn, county: str) -> dict:
    """The county's rule: its four parts, and who set it when (None, None for the defaults)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(RULE_FIELDS)}, updated_by, updated_at FROM village_video_rules"
                    " WHERE county_code = %s", (county,))
        row = cur.fetchone()
    if row is None:
        return {**DEFAULT_VIDEO_RULE, "updated_by": None, "updated_at": None}
    rule = dict(zip(RULE_FIELDS, row[:4]))
    return {**rule, "updated_by": row[4], "updated_at": row[5].isoformat()}


def _check(rule: dict) -> dict:
    out = {}
    for name in RULE_FIELDS:
        value = rule.get(name)
        if name == "min_working_cameras":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MIN_WORKING_CAMERAS:
                raise InvalidInput(f"{name} 必须是 0 到 {MAX_MIN_WORKING_CAMERAS} 的整数", name)
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise InvalidInput(f"{name} 必须是 0 到 1 之间的比例", name)
        out[name] = value
    return out


def set_rule(conn, county: str, rule: dict, user: str, address: str | None = None) -> dict:
    """Replace the county's rule (all four parts), recorded in the audit log with before and
    after; return the rule as get_rule gives it. Does not commit."""
    new = _check(rule)
    before = get_rule(conn, county)
    with conn.cursor() as cur:
        cur.execute(f"""
            INSERT INTO village_video_rules (county_code, {', '.join(RULE_FIELDS)}, updated_by)
            VALUES (%(county)s, {', '.join(f'%({n})s' for n in RULE_FIELDS)}, %(user)s)
            ON CONFLICT (county_code) DO UPDATE SET
                {', '.join(f'{n} = EXCLUDED.{n}' for n in RULE_FIELDS)},
                updated_by = EXCLUDED.updated_by, updated_at = now()""",
                    {"county": county, "user": user, **new})
    audit.record(conn, "video_rule_changed", actor=user, target=county,
                 before={k: before[k] for k in RULE_FIELDS}, after=new, address=address)
    return get_rule(conn, county)


# --- the criterion of villages, for remediation -------------------------------------------

def has_cameras(conn, county: str) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM cameras WHERE county_code = %s)", (county,))
        return cur.fetchone()[0]


def video_checks(conn, county: str, villages) -> dict[str, dict] | None:
    """{village code: {"met", "failed", "reasons"}} under the county's rule as its cameras
    are now; None while the county has no cameras (the recorded criterion stands then)."""
    if not has_cameras(conn, county):
        return None
    villages = list(villages)
    if not villages:
        return {}
    rule = VideoRule.of(get_rule(conn, county))
    out = {}
    for row in village_coverage(conn, county, villages=villages, detail=True):
        failed = video_failures(row, rule)
        out[row["code"]] = {"met": not failed, "failed": failed, "reasons": video_reasons(row, rule)}
    return out
