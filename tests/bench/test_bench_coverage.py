"""Benchmark: coverage metrics in PostGIS against the same metrics in plain geopandas/shapely.

County: the demo county (about 2,000 cameras), target under 1 s. Province: the demo county
copied side by side until there are over 100,000 cameras, target under 30 s; the plain
computation is run on the county and on a tenth of the province, and its province time is
scaled from that tenth (said in the result's name).
"""
import time

import geopandas as gpd
import psycopg2
import pytest
import shapely

from data.loader import load_demo
from geo.sectors import camera_sectors
from layers import coverage
from layers.catalog import LAYERS
from tests.bench.report import record

pytestmark = pytest.mark.bench
COUNTY = "410999"


def ours(conn) -> float:
    start = time.perf_counter()
    coverage.village_coverage(conn, COUNTY)
    coverage.hotspot_coverage(conn, COUNTY)
    coverage.school_coverage(conn, COUNTY)
    return time.perf_counter() - start


def read(conn, table: str, columns: str, where: str) -> gpd.GeoDataFrame:
    """geopandas.read_postgis, as a user would read a table."""
    sql = f"SELECT {columns}, geom FROM {table} t WHERE t.county_code = %(county)s AND {where}"
    return gpd.read_postgis(sql, conn, geom_col="geom", params={"county": COUNTY}).rename_geometry("geometry")


def plain(conn, where="true") -> float:
    """What a user would write: sectors with geopandas, union per village, clip roads, measure."""
    start = time.perf_counter()
    cams = read(conn, "cameras", "code, kind, azimuth, fov, range_m, status", where)
    villages = read(conn, "villages", "code", where)
    roads = read(conn, "roads", "code", where)
    hot = read(conn, "hotspots", "code", where)
    utm = villages.estimate_utm_crs()
    sectors = camera_sectors(cams[cams.status == "working"]).to_crs(utm)
    villages, roads, hot = villages.to_crs(utm), roads.to_crs(utm), hot.to_crs(utm)
    joined = gpd.sjoin(sectors[["geometry"]], villages[["code", "geometry"]], predicate="intersects")
    cover = joined.groupby("code").geometry.apply(lambda g: shapely.union_all(g.values))
    pieces = gpd.overlay(roads[["geometry"]], villages[["code", "geometry"]], how="intersection", keep_geom_type=True)
    covered = 0.0
    for code, part in pieces.groupby("code"):
        if code in cover.index:
            covered += shapely.length(shapely.intersection(part.geometry.values, cover[code])).sum()
    union = shapely.union_all(sectors.geometry.values)
    shapely.area(shapely.intersection(hot.geometry.values, union))
    return time.perf_counter() - start


def test_county_coverage(app):
    url = app.config["RESOLVED_DATABASE_URL"]
    conn = psycopg2.connect(url, options="-c jit=off")
    load_demo(conn, seed=0)
    conn.commit()
    ours(conn)  # warm the cache
    t_ours = min(ours(conn) for _ in range(3))
    t_plain = plain(conn)
    conn.close()
    record("coverage, demo county (1,915 cameras)", t_ours, t_plain, "geopandas/shapely (sectors, sjoin, union, overlay)",
           target="< 1 s")
    assert t_ours < 1.0


COPY = """
INSERT INTO {table} ({cols}, geom)
SELECT {shifted_cols}, ST_Translate(geom, %(dx)s, %(dy)s) FROM {table} WHERE county_code = %(county)s AND code NOT LIKE 'P%%'
"""


def test_province_coverage(app):
    url = app.config["RESOLVED_DATABASE_URL"]
    conn = psycopg2.connect(url, options="-c jit=off")
    load_demo(conn, seed=0)
    copies = [(i, j) for i in range(8) for j in range(7) if (i, j) != (0, 0)]  # 56 counties in all
    with conn.cursor() as cur:
        for name in ("townships", "villages", "cameras", "roads", "schools", "hotspots"):
            layer = LAYERS[name]
            cols = ["county_code", "code"] + [c.name for c in layer.columns if c.name != "code"]
            for n, (i, j) in enumerate(copies, 1):
                shifted = ", ".join(
                    f"'P{n:02d}' || {c}" if c in ("code", "township_code", "village_code") else c
                    for c in cols)
                cur.execute(COPY.format(table=name, cols=", ".join(cols), shifted_cols=shifted),
                            {"dx": 0.75 * i, "dy": 0.6 * j, "county": COUNTY})
        cur.execute("ANALYZE")
        cur.execute("SELECT count(*) FROM cameras")
        n_cams = cur.fetchone()[0]
    conn.commit()
    assert n_cams > 100_000
    t_ours = ours(conn)
    # the plain way on about a tenth of the province, scaled
    t_tenth = plain(conn, "(t.code LIKE 'P0%%' OR t.code NOT LIKE 'P%%')")
    conn.close()  # pandas' reads keep the connection in a reference cycle: close it, or the
    # next test's TRUNCATE waits for this transaction
    record(f"coverage, province ({n_cams:,} cameras)", t_ours, t_tenth * 56 / 10,
           "geopandas/shapely on 10 of 56 counties, scaled", target="< 30 s")
    assert t_ours < 30
