"""Benchmark: the province-scale demo (`flask --app web demo --scale province`).

About 100 counties (~30,000 villages, ~200,000 cameras, ~3 million incidents, a week of
GPS tracks from 1,000 teams) generated in worker processes and written with COPY, run as
a user runs it (the CLI, in a subprocess, against the test database). Goal (issue 14):
under 15 minutes on this machine. The plain alternative is the county demo's own path,
the row-by-row upsert (``flask demo``, ``data.loader.load_demo``): one county timed here
and scaled to the province's rows. The table sizes on disk are printed.
"""
import os
import subprocess
import time
from pathlib import Path

import psycopg2
import pytest

from layers.bulk import rows_by_county, table_sizes
from layers.catalog import LAYERS
from tests.bench.report import record
from tests.conftest import truncate_all

pytestmark = pytest.mark.bench
ROOT = Path(__file__).resolve().parents[2]
FLASK = ROOT / ".venv" / "bin" / "flask"
GOAL_S = 15 * 60


def _demo(url: str, *args: str) -> float:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_SECRET_KEY": "bench"}
    t0 = time.perf_counter()
    subprocess.run([str(FLASK), "--app", "web", "demo", *args], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - t0


def _rows(url: str) -> dict[str, dict[str, int]]:
    with psycopg2.connect(url) as conn:
        return {name: rows_by_county(conn, layer) for name, layer in LAYERS.items()}


def test_province_loads_in_under_15_minutes(database_url):
    truncate_all(database_url)
    county_s = _demo(database_url)
    county_rows = sum(sum(per.values()) for per in _rows(database_url).values())
    truncate_all(database_url)
    province_s = _demo(database_url, "--scale", "province")
    rows = _rows(database_url)
    total = sum(sum(per.values()) for per in rows.values())
    assert all(len(per) == 100 for per in rows.values())
    assert sum(rows["incidents"].values()) > 2_500_000 and sum(rows["cameras"].values()) > 150_000
    with psycopg2.connect(database_url) as conn:
        sizes = table_sizes(conn)
    for name, per in rows.items():
        print(f"  {name}: {sum(per.values()):,} rows, {sizes[LAYERS[name].table] / 2**20:,.0f} MB")
    print(f"  province: {total:,} rows in {province_s:.0f} s ({total / province_s:,.0f} rows/s)")
    record("province demo: 100 counties with COPY (CLI)", province_s, county_s * total / county_rows,
           "county demo's upsert, scaled to the rows", target=f"< {GOAL_S} s")
    assert province_s < GOAL_S
