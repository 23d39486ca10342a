"""Benchmark: 100,000 incidents from a GeoPackage, checked and imported, against ogr2ogr.

ogr2ogr -f PostgreSQL is what a user would otherwise run: it copies the rows without
checking anything. The target of the issue is under a minute for our import.
"""
import subprocess
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg2
import pytest
from psycopg2.extensions import parse_dsn
from shapely import points

from data.importer import import_file
from layers.catalog import INCIDENT_CATEGORIES
from tests.bench.report import record

N = 100_000
pytestmark = pytest.mark.bench


def _incidents_gpkg(path):
    rng = np.random.default_rng(1)
    lon = 111.6 + rng.normal(0, 0.15, N)
    lat = 33.8 + rng.normal(0, 0.12, N)
    t0 = pd.Timestamp("2025-01-01")
    frame = gpd.GeoDataFrame({
        "code": [f"I{i:07d}" for i in range(N)],
        "occurred_at": (t0 + pd.to_timedelta(rng.integers(0, 700 * 86400, N), unit="s")).strftime("%Y-%m-%d %H:%M:%S"),
        "category": rng.choice(INCIDENT_CATEGORIES, N),
    }, geometry=points(lon, lat), crs="EPSG:4326")
    frame.to_file(path, driver="GPKG", layer="incidents")
    return path


def test_import_100k_incidents(app, tmp_path):
    path = _incidents_gpkg(tmp_path / "incidents.gpkg")
    url = app.config["RESOLVED_DATABASE_URL"]
    conn = psycopg2.connect(url)
    start = time.perf_counter()
    result = import_file(conn, "incidents", str(path), county_code="410999")
    conn.commit()
    ours = time.perf_counter() - start
    assert result.added == N
    conn.close()

    dsn = parse_dsn(url)
    pg = " ".join(f"{k}={v}" for k, v in dsn.items() if k in ("dbname", "host", "user", "port", "password"))
    start = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:{pg}", str(path), "-nln", "bench_ogr2ogr",
                    "-overwrite", "-lco", "SPATIAL_INDEX=GIST", "--config", "PG_USE_COPY", "YES"],
                   check=True)
    plain = time.perf_counter() - start
    record("import 100,000 incidents (GPKG)", ours, plain, "ogr2ogr -f PostgreSQL (no checks)",
           target="< 60 s")
    assert ours < 60
