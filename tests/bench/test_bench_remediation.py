"""Benchmark: /api/remediation/progress for a county and a province, against pandas.

The plain alternative is what an analyst would do: read the events table into pandas
and compute each village's last state on the day with groupby.
"""
import time

import pandas as pd
import psycopg2
import pytest

from tests.bench.report import record
from tests.conftest import basic

pytestmark = pytest.mark.bench

FILL = """
INSERT INTO townships (county_code, code, name, geom)
SELECT '410999', 't' || t, '镇' || t,
       ST_Multi(ST_MakeEnvelope(110 + t * 0.01, 33, 110 + t * 0.01 + 0.01, 33.01, 4326))
FROM generate_series(1, %(townships)s) t;
INSERT INTO villages (county_code, code, name, township_code, remote, population, geom)
SELECT '410999', 'v' || v, '村' || v, 't' || (1 + v %% %(townships)s), true, 500,
       ST_Multi(ST_MakeEnvelope(110, 33, 110.001, 33.001, 4326))
FROM generate_series(1, %(villages)s) v;
INSERT INTO remediation_events (county_code, village_code, effective_on, user_name, kind, status,
                                orderly, services, video, confirmed_on)
SELECT '410999', 'v' || (1 + (e::bigint * 7919) %% %(villages)s), DATE '2026-01-01' + (e %% 330), 'bench',
       'change', s.status, true, true, true,
       CASE WHEN s.status = 'remediated' THEN DATE '2026-01-01' + (e %% 330) END
FROM generate_series(1, %(events)s) e
CROSS JOIN LATERAL (SELECT (ARRAY['not_started', 'in_progress', 'remediated'])[1 + e %% 3] AS status) s;
"""


def _pandas_progress(url, as_of):
    conn = psycopg2.connect(url)
    events = pd.read_sql("SELECT village_code, effective_on, id, status FROM remediation_events"
                         " WHERE reverted_by IS NULL AND kind <> 'revert'", conn)
    villages = pd.read_sql("SELECT code, township_code FROM villages WHERE remote", conn)
    conn.close()
    out = {}
    for day in (as_of, as_of - pd.Timedelta(days=60)):
        e = events[events.effective_on <= day.date()].sort_values(["village_code", "effective_on", "id"])
        last = e.groupby("village_code").tail(1).set_index("village_code")["status"]
        v = villages.assign(done=villages.code.map(last).eq("remediated"))
        out[day] = v.groupby("township_code").done.agg(["size", "sum"])
    return out


@pytest.mark.parametrize("scale,townships,villages,events,target", [
    ("county", 15, 300, 3_000, 0.050), ("province", 1_000, 30_000, 300_000, 0.500)])
def test_progress_speed(app, client, scale, townships, villages, events, target):
    url = app.config["RESOLVED_DATABASE_URL"]
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(FILL, {"townships": townships, "villages": villages, "events": events})
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE remediation_events")  # what autovacuum does on a live server
    conn.close()
    path = "/api/remediation/progress?as_of=2026-09-30"
    assert client.get(path, headers=basic("leader")).status_code == 200  # warm
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        resp = client.get(path, headers=basic("leader"))
        runs.append(time.perf_counter() - start)
        assert resp.status_code == 200
    ours = sorted(runs)[len(runs) // 2]
    doc = resp.get_json()
    assert doc["county"]["remote"] == villages
    start = time.perf_counter()
    _pandas_progress(url, pd.Timestamp("2026-09-30"))
    plain = time.perf_counter() - start
    record(f"remediation progress, {scale} ({villages:,} villages, {events:,} events)", ours, plain,
           "pandas groupby over the events table", target=f"< {target * 1000:.0f} ms")
    assert ours < target
