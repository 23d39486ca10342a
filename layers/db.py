"""The connection: one pool per app, one connection per request on ``g``.

Like flaskr's db.py. Repository functions elsewhere in ``layers/`` take the
connection as their first argument and never commit: the caller owns the
transaction.
"""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import psycopg2.extras
from psycopg2.pool import ThreadedConnectionPool

from layers.embedded import EmbeddedCluster
from layers.migrate import migrate

LOGGER = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
# Local time for timestamps; no JIT: its compile time (about a second) dwarfs the
# spatial queries here, whose cost estimates wrongly look expensive to the planner.
SESSION_OPTIONS = "-c timezone=Asia/Shanghai -c jit=off"


def resolve_url(config: dict) -> str:
    """Return the database URL: DATABASE_URL, or the embedded cluster's (started if need be)."""
    url = config.get("DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    var_dir = config.get("VAR_DIR") or ROOT / "var"
    return EmbeddedCluster(var_dir).start()


def connect(url: str):
    """Open one connection (Asia/Shanghai session time zone)."""
    return psycopg2.connect(url, options=SESSION_OPTIONS,
                            application_name="countymap")


@contextmanager
def transaction(url: str):
    """Yield a connection outside any request; commit on success, roll back on error."""
    conn = connect(url)
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


class Database:
    """The app's pool. Created by ``init_app``; ``get()`` lends the request's connection."""

    def __init__(self, url: str, maxconn: int = 10):
        self.url = url
        self.pool = ThreadedConnectionPool(1, maxconn, url, options=SESSION_OPTIONS,
                                           application_name="countymap")

    def close(self):
        self.pool.closeall()


def init_app(app) -> None:
    """Resolve the URL, migrate, create the pool and release connections on teardown."""
    from flask import g

    url = resolve_url(app.config)
    app.config["RESOLVED_DATABASE_URL"] = url
    with transaction(url) as conn:
        applied = migrate(conn)
        if applied:
            LOGGER.info("applied migrations: %s", ", ".join(applied))
    app.extensions["countymap_db"] = Database(url)

    @app.teardown_appcontext
    def _release(exc):
        conn = g.pop("db_conn", None)
        if conn is not None:
            if exc is None:
                conn.commit()
            else:
                conn.rollback()
            app.extensions["countymap_db"].pool.putconn(conn)


def get_conn():
    """Return this request's connection; committed when the request ends without error."""
    from flask import current_app, g

    if "db_conn" not in g:
        g.db_conn = current_app.extensions["countymap_db"].pool.getconn()
    return g.db_conn


def dict_cursor(conn):
    """A cursor returning rows as dicts."""
    return conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
