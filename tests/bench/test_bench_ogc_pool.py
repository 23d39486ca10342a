"""Benchmark: OGC single-feature reads at 1 and 8 clients with the kept pool against
psycopg2's own pool behaviour, and a deep items page against the first one.

Both servers are ``make run``'s gunicorn (gunicorn.conf.py: two workers with eight threads)
on the same 60,000 incidents; "before" is the same app with FLASK_DB_POOL_KEEP=1, i.e.
psycopg2's ThreadedConnectionPool(1, 10) closing every returned connection beyond the first.
Sessions PostgreSQL opened are read from pg_stat_database.sessions. Clients sign in once
(a session cookie: no argon2 per request) and fetch with keep-alive, as QGIS does.
"""
from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import psycopg2
import pytest
import requests
from psycopg2.extensions import parse_dsn

from layers.catalog import LAYERS
from layers.db import connect, transaction
from layers.features import query_features
from layers.users import create_user
from tests.bench.sessions import signed_in
from tests.bench.report import record
from tests.bench.test_bench_load import serve
from tests.layers.test_feature_paging import COUNTY, ROWS, _plain, incidents  # noqa: F401  (the fixture)
from tests.web.test_attack_server import free_port

pytestmark = pytest.mark.bench
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Bench-ogc-pool-2026!"
READS = 200          # single-feature reads per client
ROUNDS = 3
DEEP = 20_000


def _sessions(url: str) -> int:
    """Sessions PostgreSQL has opened on the database so far (this one's included)."""
    with psycopg2.connect(url) as admin, admin.cursor() as cur:
        cur.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", (parse_dsn(url)["dbname"],))
        n = cur.fetchone()[0]
    admin.close()
    return n


def _client(base: str) -> requests.Session:
    return signed_in(base, "bench_ogc", PASSWORD)


def _codes(url: str) -> list[str]:
    with transaction(url) as conn:
        found, _ = query_features(conn, LAYERS["incidents"], county_code=COUNTY, limit=500, offset=5000)
    return [f["id"] for f in found]


def _reads(base: str, clients: int, codes: list[str]) -> tuple[float, float, int]:
    """(mean seconds per request, requests per second, failures) of ``clients`` threads
    each reading READS single features."""
    sessions = [_client(base) for _ in range(clients)]

    def run(n: int) -> list[tuple[int, float]]:
        out = []
        for i in range(READS):
            started = time.perf_counter()
            status = sessions[n].get(f"{base}/ogc/collections/incidents/items/{codes[(n * 37 + i) % len(codes)]}"
                                     "?f=json").status_code
            out.append((status, time.perf_counter() - started))
        return out

    run(0)  # warm: the workers' pools, the session cache
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = [r for chunk in pool.map(run, range(clients)) for r in chunk]
    wall = time.perf_counter() - started
    return (statistics.mean(t for _, t in results), len(results) / wall,
            sum(1 for status, _ in results if status != 200))


def _page(http: requests.Session, base: str, offset: int, runs: int = 15) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        answer = http.get(f"{base}/ogc/collections/incidents/items?f=json&limit=100&offset={offset}")
        best = min(best, time.perf_counter() - started)
        assert answer.status_code == 200 and len(answer.json()["features"]) == 100
    return best


def _start(url: str, tmp: Path, kind: str, extra: dict):
    var = tmp / kind
    var.mkdir()
    port = free_port()
    env_extra = {"FLASK_RATELIMIT_ENABLED": "false", **extra}
    saved = {k: os.environ.get(k) for k in env_extra}
    os.environ.update(env_extra)
    try:
        return serve(url, [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "web:create_app()"],
                     var, port)
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


def _stop(proc) -> None:
    for child in psutil.Process(proc.pid).children(recursive=True):
        child.terminate()
    proc.terminate()
    proc.wait(30)


def _round(url: str, base: str, kind: str, codes: list[str], out: dict) -> None:
    """One round of 1 then 8 clients; the best figures of the rounds are kept (the machine is shared)."""
    for clients in (1, 8):
        before = _sessions(url)
        mean, rps, failed = _reads(base, clients, codes)
        opened = _sessions(url) - before - 1  # not the counting one
        print(f"\n{kind}, {clients} clients: {mean * 1000:.1f} ms a read, {rps:.0f}/s, {failed} failed, "
              f"{opened} sessions opened")
        best = out.setdefault(clients, {"mean": mean, "rps": rps, "failed": 0, "sessions": 0})
        best.update(mean=min(best["mean"], mean), rps=max(best["rps"], rps), failed=best["failed"] + failed,
                    sessions=max(best["sessions"], opened))


def _measure(url: str, tmp: Path, servers: dict, codes: list[str]) -> dict:
    """Both servers up at once (an idle one costs nothing), measured in turn, ROUNDS times."""
    started = {kind: _start(url, tmp, kind.split(" ")[0], extra) for kind, extra in servers.items()}
    try:
        results: dict = {kind: {} for kind in servers}
        for _ in range(ROUNDS):
            for kind, (_, base) in started.items():
                _round(url, base, kind, codes, results[kind])
        for kind, (_, base) in started.items():
            http = _client(base)
            results[kind]["first"], results[kind]["deep"] = _page(http, base, 0), _page(http, base, DEEP)
            print(f"{kind}: items page at offset 0 {results[kind]['first'] * 1000:.1f} ms, "
                  f"at {DEEP:,} {results[kind]['deep'] * 1000:.1f} ms")
        return results
    finally:
        for proc, _ in started.values():
            _stop(proc)


def test_ogc_pool_and_deep_pages(incidents, database_url, tmp_path):  # noqa: F811
    with transaction(database_url) as conn:
        create_user(conn, "bench_ogc", PASSWORD, "leader")
    codes = _codes(database_url)
    results = _measure(database_url, tmp_path, {"kept pool": {}, "psycopg2 pool (keeps 1)": {
        "FLASK_DB_POOL_MIN": "1", "FLASK_DB_POOL_KEEP": "1"}}, codes)
    kept, old = results["kept pool"], results["psycopg2 pool (keeps 1)"]
    for clients in (1, 8):
        record(f"OGC single feature, {clients} client(s), {READS} reads each, best of {ROUNDS}: mean latency "
               f"({kept[clients]['rps']:.0f}/s vs {old[clients]['rps']:.0f}/s; sessions opened "
               f"{kept[clients]['sessions']} vs {old[clients]['sessions']})", kept[clients]["mean"],
               old[clients]["mean"], "psycopg2 pool keeping 1", target="8 clients: throughput >= 1 client's")
    record(f"OGC items page at offset {DEEP:,} (60,000 incidents), min of 15", kept["deep"], kept["first"],
           "first page (offset 0)", target="deep < 3x first")
    conn = connect(database_url)
    try:
        timed = {}
        for name, work in (("ours", lambda: query_features(conn, LAYERS["incidents"], county_code=COUNTY,
                                                           limit=100, offset=DEEP)),
                           ("plain", lambda: _plain(conn, DEEP))):
            best = float("inf")
            for _ in range(7):
                started = time.perf_counter()
                work()
                best = min(best, time.perf_counter() - started)
            timed[name] = best
    finally:
        conn.close()
    record(f"items query at offset {DEEP:,} (count and page, in the database)", timed["ours"], timed["plain"],
           "JSON built for every skipped row (before)", target="as fast as the first page")
    assert kept[8]["failed"] == 0 and kept[1]["failed"] == 0
    assert kept[8]["sessions"] <= 2 * 10
    assert kept[8]["rps"] >= kept[1]["rps"]
    assert kept["deep"] < 3 * kept["first"]
