"""Benchmark: vector tile latency (GET /tiles/<layer>/<z>/<x>/<y>.mvt, tile cache emptied
before each request so every tile is built by PostGIS) at z8/z12/z14 on the demo county,
incidents and cameras, p50 and p95 over tiles of the county, against the plain
alternative in the same run: geopandas reads the tile's box (plus buffer) from PostGIS and
mapbox_vector_tile.encode makes the tile in Python (no aggregation)."""
import math
import random
import statistics
import time

import geopandas as gpd
import mapbox_vector_tile
import psycopg2
import pytest

from layers.tiles import BUFFER, EXTENT, SOURCES
from tests.bench.report import record
from tests.conftest import app_on_demo_copy
from tests.web.test_planner_pages import login
from tests.web.test_tiles import HALF, bounds_of, tile_of

pytestmark = pytest.mark.bench
SAMPLES = 40


@pytest.fixture(scope="module")
def demo(demo_county, tmp_path_factory):
    with app_on_demo_copy(demo_county, tmp_path_factory.mktemp("var")) as app:
        yield app


def county_tiles(box, z, n, rng):
    _, x0, y1 = tile_of(box[0], box[1], z)
    _, x1, y0 = tile_of(box[2], box[3], z)
    every = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return [rng.choice(every) for _ in range(n)]


def plain_tile(conn, name, z, x, y):
    source = SOURCES[name]
    cols = ", ".join(f'"{c.name}"' for c in source.columns)
    west, south, east, north = bounds_of(z, x, y, pad=BUFFER)
    frame = gpd.read_postgis(
        f"SELECT {cols}, ST_Transform(geom, 3857) AS geom FROM {source.layer.table}"
        " WHERE county_code = %s AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
        conn, params=("410999", west, south, east, north), geom_col="geom")
    size = 2 * HALF / 2 ** z
    minx, maxy = -HALF + x * size, HALF - y * size
    feats = [{"geometry": geom, "properties": {k: (v if isinstance(v, (int, float, bool)) else str(v))
                                               for k, v in row.items() if k != "geom" and v is not None}}
             for geom, row in zip(frame.geometry, frame.drop(columns="geom").to_dict("records"))]
    return mapbox_vector_tile.encode([{"name": name, "features": feats}], default_options={
        "quantize_bounds": (minx, maxy - size, minx + size, maxy), "extents": EXTENT})


def percentile(times, p):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, math.ceil(len(ordered) * p) - 1)]


@pytest.mark.parametrize("name", ["incidents", "cameras"])
def test_tile_latency(demo, name):
    client, kept = demo.test_client(), demo.extensions["countymap_tiles"]
    login(client, "leader")  # a session, as the map pages have (Basic would verify a password each time)
    box = client.get(f"/tiles/{name}.json").get_json()["bounds"]
    conn = psycopg2.connect(demo.config["RESOLVED_DATABASE_URL"])
    rng = random.Random(0)
    for z in (8, 12, 14):
        ours, plain, sizes = [], [], []
        for zxy in county_tiles(box, z, SAMPLES, rng):
            kept.clear()
            start = time.perf_counter()
            resp = client.get("/tiles/{}/{}/{}/{}.mvt".format(name, *zxy))
            ours.append(time.perf_counter() - start)
            assert resp.status_code in (200, 204)
            sizes.append(len(resp.data))
            start = time.perf_counter()
            plain_tile(conn, name, *zxy)
            plain.append(time.perf_counter() - start)
        print(f"\n{name} z{z}: ours p50 {statistics.median(ours) * 1000:.1f} ms, plain p50 "
              f"{statistics.median(plain) * 1000:.1f} ms, largest tile {max(sizes) / 1024:.1f} KB")
        for label, p in (("p50", 0.5), ("p95", 0.95)):
            record(f"tiles {name} z{z} {label}", percentile(ours, p), percentile(plain, p),
                   "geopandas bbox + mapbox_vector_tile.encode", "p95 < 50 ms at z12")
    conn.close()
