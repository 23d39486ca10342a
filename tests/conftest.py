"""Fixtures: a real PostGIS database per test session, the app, clients per role.

With DATABASE_URL set the tests create their own database on that server;
otherwise they use the embedded cluster under var/ (started when needed and
stopped again if the tests started it).
"""
from __future__ import annotations

import base64
import contextlib
import functools
import os
import threading
import uuid
from pathlib import Path

import psycopg2
import pytest
from psycopg2.extensions import make_dsn

from layers.embedded import EmbeddedCluster

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "test-password-1"
ROLES = ("commander", "planner", "leader", "admin")


@functools.lru_cache(maxsize=None)
def password_hash() -> str:
    from layers.passwords import hash_password

    return hash_password(PASSWORD)


@pytest.fixture(scope="session")
def database_url():
    """A fresh database with PostGIS and the schema; dropped at the end."""
    server_url = os.environ.get("DATABASE_URL")
    cluster = None
    started_here = False
    if not server_url:
        cluster = EmbeddedCluster(ROOT / "var")
        started_here = not cluster.running()
        server_url = cluster.start()
    name = f"test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = make_dsn(server_url, dbname=name)
    from layers.db import transaction
    from layers.migrate import migrate

    with transaction(url) as conn:
        migrate(conn)
    yield url
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()
    if cluster is not None and started_here and not os.environ.get("KEEP_DB"):
        cluster.stop()


def truncate_all(url: str) -> None:
    """Empty every table the migrations made (all but the migration log and PostGIS's own)."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename NOT IN ('schema_migrations', 'spatial_ref_sys')")
        tables = ", ".join(f'"{r[0]}"' for r in cur.fetchall())
        cur.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    conn.close()


@pytest.fixture
def app(database_url, tmp_path):
    """The app on an emptied database, with one user per role (password PASSWORD)."""
    from layers.db import transaction
    from web import create_app

    truncate_all(database_url)
    with transaction(database_url) as conn, conn.cursor() as cur:
        for role in ROLES:  # one real (argon2) hash per session, shared by the test users
            cur.execute("INSERT INTO users (name, password_hash, role) VALUES (%s, %s, %s)",
                        (role, password_hash(), role))
    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
              "VAR_DIR": str(tmp_path / "var"), "WTF_CSRF_ENABLED": False}
    if os.environ.get("TEST_READ_REPLICA"):  # read-only routes through a (read-only) replica pool on the same database
        config.update(DATABASE_READ_URL=database_url, DB_READ_STICKY_S=0)
    app = create_app(config)
    yield app
    app.extensions["countymap_db"].close()
    app.extensions["countymap_replicas"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def basic(role: str, password: str = PASSWORD) -> dict:
    """HTTP Basic headers for the test user of ``role``."""
    token = base64.b64encode(f"{role}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def conn(app):
    """A connection to the test database, rolled back at the end."""
    c = psycopg2.connect(app.config["RESOLVED_DATABASE_URL"])
    yield c
    c.rollback()
    c.close()


@contextlib.contextmanager
def serve(app):
    """Serve ``app`` on a free loopback port in a thread; yield its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
