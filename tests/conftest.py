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
DEMO_PATROL_TEAM = "T410999001"  # the demo county's first township team


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
    with new_database(server_url) as url:
        from layers.db import transaction
        from layers.migrate import migrate

        with transaction(url) as conn:
            migrate(conn)
        yield url
    if cluster is not None and started_here and not os.environ.get("KEEP_DB"):
        cluster.stop()


@contextlib.contextmanager
def new_database(url: str, template: str | None = None):
    """A new database on ``url``'s server (a copy of the database ``template`` when given:
    the server copies its files, well under a second for the demo county); yield its URL,
    then drop it with whatever is still connected to it."""
    name = f"test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield make_dsn(url, dbname=name)
    finally:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def create_test_users(conn) -> None:
    """One user per role and a patrol member of the demo's first team, as an admin would
    add them (password PASSWORD)."""
    from layers import users

    for role in ROLES:
        users.create_user(conn, role, PASSWORD, role)
    users.create_user(conn, "patrol", PASSWORD, "patrol", DEMO_PATROL_TEAM)


class DemoCounty:
    """The demo county (seed 0) with the test users, loaded once per session into a
    database that is never opened again but copied: ``copy()`` gives a fresh database
    holding it, for a module or a test to change as it likes."""

    def __init__(self, url: str, counts: dict):
        self.url, self.counts = url, counts
        self.name = psycopg2.extensions.parse_dsn(url)["dbname"]

    def copy(self):
        return new_database(self.url, template=self.name)


@pytest.fixture(scope="session")
def demo_county(database_url):
    from data.demo.constants import COUNTY_CODE
    from data.loader import load_demo
    from layers.db import transaction
    from layers.migrate import migrate

    with new_database(database_url) as url:
        with transaction(url) as conn:
            migrate(conn)
            create_test_users(conn)
            counts = load_demo(conn, seed=0, county_code=COUNTY_CODE)
        yield DemoCounty(url, counts)


def make_app(url: str, var_dir: Path, **config):
    """The app of the tests on database ``url`` (CSRF off unless ``config`` says otherwise);
    close its pools after with close_app."""
    from web import create_app

    config = {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test",
              "VAR_DIR": str(var_dir), "WTF_CSRF_ENABLED": False, **config}
    if os.environ.get("TEST_READ_REPLICA"):  # read-only routes through a (read-only) replica pool on the same database
        config.update(DATABASE_READ_URL=url, DB_READ_STICKY_S=0)
    return create_app(config)


@contextlib.contextmanager
def app_on_demo_copy(demo_county: DemoCounty, var_dir: Path, **config):
    """The app (make_app) on a fresh copy of the demo county; dropped after."""
    with demo_county.copy() as url:
        app = make_app(url, var_dir, **config)
        app.config["LOADED_COUNTY"] = "demo"
        yield app
        close_app(app)


def close_app(app) -> None:
    app.extensions["countymap_db"].close()
    app.extensions["countymap_replicas"].close()


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

    truncate_all(database_url)
    with transaction(database_url) as conn, conn.cursor() as cur:
        for role in ROLES:  # one real (argon2) hash per session, shared by the test users
            cur.execute("INSERT INTO users (name, password_hash, role) VALUES (%s, %s, %s)",
                        (role, password_hash(), role))
    app = make_app(database_url, tmp_path / "var")
    yield app
    close_app(app)


@pytest.fixture
def demo_app(demo_county, tmp_path):
    """The app on a fresh copy of the demo county (with the test users)."""
    with app_on_demo_copy(demo_county, tmp_path / "var") as app:
        yield app


@pytest.fixture
def demo_conn(demo_county):
    """A connection to a fresh copy of the demo county, rolled back at the end."""
    with demo_county.copy() as url:
        c = psycopg2.connect(url)
        yield c
        c.rollback()
        c.close()


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
