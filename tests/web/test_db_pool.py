"""The connection pool: connections kept and reused under concurrent reads, broken ones replaced."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
import requests
from psycopg2.extensions import parse_dsn
from shapely.geometry import Point

from tests.conftest import PASSWORD, serve
from tests.helpers import put

THREADS, READS = 8, 50


def _sessions(url: str) -> set[int]:
    """Backend pids of the app's sessions on the test database."""
    with psycopg2.connect(url) as admin, admin.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = 'countymap'",
                    (parse_dsn(url)["dbname"],))
        pids = {r[0] for r in cur.fetchall()}
    admin.close()
    return pids


def _signed_in(base: str) -> requests.Session:
    http = requests.Session()
    answer = http.post(base + "/login", data={"name": "leader", "password": PASSWORD}, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    return http


@pytest.fixture
def cameras(app):
    import psycopg2 as pg

    url = app.config["RESOLVED_DATABASE_URL"]
    with pg.connect(url) as conn:
        put(conn, "cameras", [{"code": f"C{i}", "name": f"摄像机{i}", "kind": "dome", "azimuth": 90.0, "fov": 60.0,
                               "range_m": 100.0, "status": "working", "networked": True, "installed_on": None,
                               "geometry": Point(113.0 + i / 1000, 34.0)} for i in range(20)])
    conn.close()
    return url


def test_concurrent_reads_reuse_at_most_pool_max_sessions(app, cameras):
    url, pool = cameras, app.extensions["countymap_db"]
    seen: set[int] = set()
    opened = []
    original = pool.pool._connect

    def counting(*args, **kwargs):
        opened.append(1)
        return original(*args, **kwargs)

    pool.pool._connect = counting
    with serve(app) as base:
        sessions = [_signed_in(base) for _ in range(THREADS)]

        def reads(n: int) -> list[int]:
            codes = []
            for i in range(READS):
                answer = sessions[n].get(f"{base}/ogc/collections/cameras/items/C{(n + i) % 20}?f=json")
                codes.append(answer.status_code)
                if i % 10 == 0:
                    seen.update(_sessions(url))
            return codes

        with ThreadPoolExecutor(THREADS) as workers:
            codes = [c for chunk in workers.map(reads, range(THREADS)) for c in chunk]
    assert codes == [200] * THREADS * READS
    assert len(opened) <= pool.maxconn, f"{len(opened)} connections opened for {len(codes)} requests"
    assert len(seen) <= pool.maxconn


def test_a_terminated_connection_is_replaced_without_an_error(app, cameras):
    url = cameras
    with serve(app) as base:
        http = _signed_in(base)
        assert http.get(f"{base}/ogc/collections/cameras/items/C1?f=json").status_code == 200
        killed = _sessions(url)
        assert killed
        with psycopg2.connect(url) as admin, admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s) pid", (list(killed),))
        admin.close()
        for _ in range(3):
            answer = http.get(f"{base}/ogc/collections/cameras/items/C2?f=json")
            assert answer.status_code == 200, answer.text[:300]
        assert _sessions(url).isdisjoint(killed)


def test_a_lent_connection_is_reset_and_the_pool_is_sized_from_config(database_url, tmp_path):
    from layers.db import Database
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                      "VAR_DIR": str(tmp_path / "var"), "DB_POOL_MIN": 1, "DB_POOL_MAX": 3})
    pool = app.extensions["countymap_db"]
    assert (pool.maxconn, pool.pool.minconn, pool.pool.maxconn) == (3, 3, 3)
    pool.close()
    pool = Database(database_url, minconn=1, maxconn=1)
    try:
        conn = pool.get()
        with conn.cursor() as cur:
            cur.execute("SET statement_timeout = 5")
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        conn.commit()
        pool.put(conn)
        conn = pool.get()
        with conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid(), current_setting('statement_timeout'), "
                        "current_setting('TimeZone'), current_setting('jit')")
            assert cur.fetchone() == (pid, "0", "Asia/Shanghai", "off")  # the same session, reset
        conn.close()  # broken while lent: dropped on return, a new one lent next
        pool.put(conn)
        conn = pool.get()
        with conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            assert cur.fetchone()[0] != pid
        pool.put(conn)
    finally:
        pool.close()
