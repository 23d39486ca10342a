"""Benchmark: one month at full scale, visits from stored runs (migration 0019).

238 teams (the demo county's) every 30 s for 8 h through October 2026: ~7.1 million points,
written with COPY as ``test_bench_track_year`` writes a year (same synthetic teams), only
that month (the warm report reads no point: the other months of a year do not enter it).
Then ``/api/patrol/visits`` for the month (``web.services.patrol.visit_report``): cold (its
31 days' runs computed from the points and stored) and warm (the stored runs read), the
answers equal. Opt-in, it takes minutes: ``VISIT_RUNS_FULL_MONTH=1``.
"""
import os
import time
from datetime import date, datetime, timedelta

import numpy as np
import psycopg2
import pytest

from geo.calendar import LOCAL
from layers import bulk, track_partitions
from layers.catalog import LAYERS
from tests.bench import test_bench_track_year as year
from tests.bench.report import record
from tests.conftest import truncate_all

pytestmark = [pytest.mark.bench, pytest.mark.skipif(not os.environ.get("VISIT_RUNS_FULL_MONTH"),
                                                    reason="VISIT_RUNS_FULL_MONTH not set (minutes)")]
MONTH = (date(2026, 10, 1), date(2026, 11, 1))


def _load_month(url: str) -> int:
    teams = [f"Y{i:03d}" for i in range(year.TEAMS)]
    days = [MONTH[0] + timedelta(days=i) for i in range((MONTH[1] - MONTH[0]).days)]
    rng = np.random.default_rng(15)
    with psycopg2.connect(url) as conn:
        places = year._places(conn)
        box = (*places.min(axis=0), *places.max(axis=0))
        track_partitions.ensure_months(conn, days[0], days[-1])
        with bulk.plain_indexes_set_aside(conn, LAYERS["patrol_tracks"]):
            for day in days:
                bulk.copy_csv(conn, LAYERS["patrol_tracks"], ["county_code", "code", "team_code", "recorded_at", "geom"],
                              year._chunk_csv(rng, teams, [day], places, box))
        conn.commit()
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) patrol_tracks")
    conn.close()
    return len(teams) * year.SHIFT_POINTS * len(days)


def test_a_full_scale_month_warm(database_url):
    from data.loader import load_demo
    from layers.db import transaction
    from web.services import budget
    from web.services import patrol as service

    truncate_all(database_url)
    track_partitions.forget()
    with transaction(database_url) as conn:
        load_demo(conn)
    points = _load_month(database_url)
    start, end = (datetime.combine(d, datetime.min.time(), LOCAL) for d in MONTH)
    old, budget.LIMITS = budget.LIMITS, budget.Budget(max_visit_points=50_000_000)
    try:
        with psycopg2.connect(database_url) as conn:
            t0 = time.perf_counter()
            cold = service.visit_report(conn, year.COUNTY, start, end)
            cold_s = time.perf_counter() - t0
            conn.commit()
            warm_s, warm = year._timed(lambda: service.visit_report(conn, year.COUNTY, start, end))
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM patrol_visit_runs")
                runs = cur.fetchone()[0]
    finally:
        budget.LIMITS = old
    assert warm == cold and warm["points"] == points
    print(f"\nfull-scale month: {points:,} points, {runs:,} runs; cold {cold_s:.1f} s, warm {warm_s * 1000:.0f} ms")
    record(f"visits for a month at full scale ({points:,} points in the month, {runs:,} runs), warm", warm_s, cold_s,
           "cold: the month's runs computed from its points and stored", target="< 1 s")
    assert warm_s < 1.0
