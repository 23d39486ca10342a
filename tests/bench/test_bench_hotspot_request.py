"""Benchmark: the whole /api/hotspots/grid request for a demo-county quarter (target < 300 ms),
against the plain way: read the quarter's incidents, grid them with geopandas, esda's Gi*."""
import time

import geopandas as gpd
import numpy as np
import psycopg2
import pytest
import shapely
from esda.getisord import G_Local
from libpysal.weights import DistanceBand

from data.loader import load_demo
from geo.hotspots import make_grid, metric_crs_for
from layers.catalog import LAYERS
from layers.frames import read_frame
from tests.bench.report import record
from tests.conftest import basic

pytestmark = pytest.mark.bench


def test_grid_request(app, client):
    url = app.config["RESOLVED_DATABASE_URL"]
    conn = psycopg2.connect(url)
    load_demo(conn, seed=0)
    conn.commit()
    path = "/api/hotspots/grid?quarter=2026Q3"
    assert client.get(path, headers=basic("planner")).status_code == 200  # warm
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        assert client.get(path, headers=basic("planner")).status_code == 200
        runs.append(time.perf_counter() - start)
    ours = sorted(runs)[3]

    start = time.perf_counter()
    towns = read_frame(conn, LAYERS["townships"], "410999", ["code"])
    crs = metric_crs_for(towns)
    incidents = gpd.read_postgis(
        "SELECT code, geom FROM incidents WHERE county_code = '410999'"
        " AND occurred_at >= '2026-07-01' AND occurred_at < '2026-10-01'", conn, geom_col="geom").to_crs(crs)
    grid = make_grid(towns.to_crs(crs), 500, crs)
    joined = gpd.sjoin(incidents, grid[["geometry"]], predicate="within")
    counts = np.bincount(joined["index_right"].to_numpy(), minlength=len(grid)).astype(float)
    w = DistanceBand(np.column_stack([grid["cx"], grid["cy"]]), threshold=1500, binary=True, silence_warnings=True)
    G_Local(counts, w, transform="B", star=True, permutations=0)
    shapely.to_geojson(grid.to_crs("EPSG:4326").geometry.values)
    plain = time.perf_counter() - start
    conn.close()
    record("/api/hotspots/grid request, demo county quarter", ours, plain,
           "geopandas read + sjoin + esda DistanceBand/G_Local", target="< 300 ms")
    assert ours < 0.3
