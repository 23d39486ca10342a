"""OGC items paging (layers/features.py): a deep offset gives the same features as the
straightforward query and costs about what the first page costs."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import psycopg2
import pytest
from psycopg2 import sql

from layers.catalog import LAYERS
from layers.db import connect
from layers.features import _properties, query_features

COUNTY, OTHER = "410999", "410998"
ROWS = 60_000
LAYER = LAYERS["incidents"]
CST = timezone(timedelta(hours=8))
# what query_features answered before: JSON built for every row, the skipped ones too
PLAIN = sql.SQL(
    "SELECT json_build_object('type', 'Feature', 'id', t.code, 'geometry', ST_AsGeoJSON(t.geom, 7)::json,"
    " 'properties', {props}) FROM incidents t WHERE t.county_code = %s {extra} ORDER BY t.code LIMIT %s OFFSET %s")


@pytest.fixture(scope="module")
def incidents(database_url):
    from tests.conftest import truncate_all

    truncate_all(database_url)
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("""
            INSERT INTO incidents (county_code, code, occurred_at, category, township_code, props, geom)
            SELECT CASE WHEN i %% 50 = 0 THEN %s ELSE %s END, 'I' || lpad((i * 7919 %% 1000003)::text, 7, '0'),
                   timestamptz '2026-01-01 00:00+08' + i * interval '7 minutes',
                   (ARRAY['theft', 'dispute', 'fraud'])[1 + i %% 3], 'T' || (i %% 9),
                   CASE WHEN i %% 4 = 0 THEN jsonb_build_object('note', 'n' || i) ELSE '{}' END,
                   ST_SetSRID(ST_MakePoint(113 + (i %% 300) * 0.001, 34 + (i / 300) * 0.0005), 4326)
            FROM generate_series(1, %s) i""", (OTHER, COUNTY, ROWS + ROWS // 49))
    conn.close()
    vacuum = psycopg2.connect(database_url)
    vacuum.autocommit = True
    with vacuum.cursor() as cur:
        cur.execute("VACUUM ANALYZE incidents")
    vacuum.close()
    conn = connect(database_url)
    yield conn
    conn.close()
    truncate_all(database_url)


def _plain(conn, offset: int, limit: int = 100, extra: str = "", params=()) -> list[dict]:
    with conn.cursor() as cur:
        cur.execute(PLAIN.format(props=_properties(LAYER), extra=sql.SQL(extra)), (COUNTY, *params, limit, offset))
        return [row[0] for row in cur.fetchall()]


def test_pages_hold_the_same_features_in_the_same_order_as_the_plain_query(incidents):
    conn = incidents
    for offset in (0, 1, 99, 1000, 20_000, ROWS - 50, ROWS, ROWS + 10):
        found, matched = query_features(conn, LAYER, county_code=COUNTY, limit=100, offset=offset)
        assert matched >= ROWS
        assert found == _plain(conn, offset), offset
    assert len(query_features(conn, LAYER, county_code=COUNTY, limit=100, offset=ROWS - 50)[0]) == 50
    start, end = datetime(2026, 2, 1, tzinfo=CST), datetime(2026, 4, 1, tzinfo=CST)
    found, matched = query_features(conn, LAYER, county_code=COUNTY, bbox=(113.0, 34.0, 113.1, 36.0),
                                    interval=(start, end), limit=50, offset=300)
    expected = _plain(conn, 300, 50, "AND ST_Intersects(t.geom, ST_MakeEnvelope(113.0, 34.0, 113.1, 36.0, 4326))"
                      " AND t.occurred_at >= %s AND t.occurred_at <= %s", (start, end))
    assert found == expected and len(found) == 50 and 300 < matched < ROWS


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _fastest(conn, offset: int, runs: int = 7) -> float:
    return min(_timed(lambda: query_features(conn, LAYER, county_code=COUNTY, limit=100, offset=offset))
               for _ in range(runs))


def test_a_deep_page_costs_about_what_the_first_page_costs(incidents):
    conn = incidents
    first, deep = _fastest(conn, 0), _fastest(conn, 20_000)
    plain = min(_timed(lambda: _plain(conn, 20_000)) for _ in range(3))
    print(f"first page {first * 1000:.1f} ms, offset 20,000 {deep * 1000:.1f} ms (plain query {plain * 1000:.1f} ms)")
    assert deep < 3 * first, f"offset 20,000: {deep * 1000:.1f} ms, first page {first * 1000:.1f} ms"
