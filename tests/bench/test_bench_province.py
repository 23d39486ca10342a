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


def test_province_tiles_and_map_page(database_url, tmp_path):
    """On the province loaded by the test above: the demo county's tiles at z8/z12/z14
    (p50/p95, built afresh each time; the largest z8 tile) and its /map page in Chromium,
    with 99 other counties in the same tables. Plain alternative for tiles: geopandas
    reads the tile's box and mapbox_vector_tile encodes it (tests/bench/test_bench_tiles)."""
    import random
    import statistics

    from layers import users
    from layers.db import transaction
    from tests.bench.test_bench_pages import drawn_time
    from tests.bench.test_bench_tiles import county_tiles, percentile, plain_tile
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in
    from tests.conftest import PASSWORD, serve
    from tests.web.test_planner_pages import login
    from web import create_app

    with transaction(database_url) as conn:
        if users.find_user(conn, "benchleader") is None:
            users.create_user(conn, "benchleader", PASSWORD, "leader")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "bench",
                      "VAR_DIR": str(tmp_path), "WTF_CSRF_ENABLED": False})
    client, kept = app.test_client(), app.extensions["countymap_tiles"]
    login(client, "benchleader")
    conn, rng = psycopg2.connect(database_url), random.Random(0)
    for name in ("incidents", "cameras"):
        box = client.get(f"/tiles/{name}.json").get_json()["bounds"]
        for z in (8, 12, 14):
            ours, plain, sizes = [], [], []
            for zxy in county_tiles(box, z, 30, rng):
                kept.clear()
                t0 = time.perf_counter()
                resp = client.get("/tiles/{}/{}/{}/{}.mvt".format(name, *zxy))
                ours.append(time.perf_counter() - t0)
                sizes.append(len(resp.data))
                t0 = time.perf_counter()
                plain_tile(conn, name, *zxy)
                plain.append(time.perf_counter() - t0)
            p50, p95 = statistics.median(ours), percentile(ours, 0.95)
            record(f"province: {name} tile z{z} p95 (one county of 100)", p95, percentile(plain, 0.95),
                   "geopandas + mapbox_vector_tile", "< 50 ms at z12" if z == 12 else "",
                   f"p50 {p50 * 1000:.0f} ms / p95 {p95 * 1000:.0f} ms, largest {max(sizes) / 1e3:.0f} KB",
                   f"p95 {percentile(plain, 0.95) * 1000:.0f} ms")
            if z == 8:
                assert max(sizes) < 500_000
    from playwright.sync_api import sync_playwright

    with serve(app) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=base).new_page()
        sign_in(page, "benchleader", then="/account/password")
        runs = [drawn_time(page, "/map", ".folium-map[data-county-map=ready]") for _ in range(3)]
        browser.close()
    answers, drawn, size = min(r[0] for r in runs), min(r[1] for r in runs), runs[0][2]
    record("province: /map of one county of 100, until the map answers", answers, drawn,
           "until every overlay is drawn", "< 2 s", f"{answers:.2f} s ({size / 1e3:.0f} KB HTML)", f"{drawn:.2f} s")
    assert size < 150_000
