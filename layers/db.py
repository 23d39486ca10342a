"""The connection: one pool per app, one connection per request on ``g``.

Like flaskr's db.py. Reads may go to streaming replicas (DATABASE_READ_URL, see
``layers.replicas``): a route declares itself read-only once (``reads_only`` on the view
or on its blueprint) and ``get_conn()`` then lends it a replica's connection; every other
request, and sign-in's session check, uses the primary. Repository functions elsewhere in ``layers/`` take the
connection as their first argument and never commit: the caller owns the
transaction.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import psycopg2.extensions
import psycopg2.extras
import psycopg2.sql
from psycopg2.pool import ThreadedConnectionPool

from geo.calendar import TIMEZONE
from layers.embedded import EmbeddedCluster
from layers.errors import DatabaseUnavailable
from layers.migrate import migrate
from layers.replicas import READ_APPLICATION, Replicas, split_urls

LOGGER = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
# Local time for timestamps; no JIT: its compile time (about a second) dwarfs the
# spatial queries here, whose cost estimates wrongly look expensive to the planner.
SESSION_OPTIONS = f"-c timezone={TIMEZONE} -c jit=off"


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
        if not conn.closed:  # a lost connection has nothing to roll back; keep the first error
            conn.rollback()
        raise
    finally:
        conn.close()


@contextmanager
def savepoint(conn, name: str = "work"):
    """Run a block inside a savepoint: an error rolls back to it (and is raised again),
    leaving the rest of the caller's transaction as it was. A connection in autocommit
    mode has no transaction: the block then simply runs."""
    if getattr(conn, "autocommit", False):
        yield conn
        return
    ident = psycopg2.sql.Identifier(name)
    with conn.cursor() as cur:
        cur.execute(psycopg2.sql.SQL("SAVEPOINT {}").format(ident))
    try:
        yield conn
    except BaseException:
        with conn.cursor() as cur:
            cur.execute(psycopg2.sql.SQL("ROLLBACK TO SAVEPOINT {}").format(ident))
        raise
    with conn.cursor() as cur:
        cur.execute(psycopg2.sql.SQL("RELEASE SAVEPOINT {}").format(ident))


class Database:
    """The app's pool: up to ``maxconn`` connections, ``minconn`` opened at start, the
    others as needed, and every one kept open for the next request.

    psycopg2's pool closes a returned connection whenever it already holds ``minconn``
    idle ones: with its ``(1, 10)`` a busy server reconnected on almost every request
    (377 sessions in 5 s at 8 clients). Here it keeps ``keep`` idle connections (all of
    them by default; ``keep=1`` is psycopg2's behaviour, for measuring). A request waits
    up to ``timeout`` seconds for a free connection (DatabaseUnavailable, 503, after
    that). Each connection lent is first reset (``RESET ALL``, which also proves it
    alive in one round trip); one that broke (the server restarted, the backend was
    terminated) is closed and replaced by a new one.
    """

    def __init__(self, url: str, minconn: int = 2, maxconn: int = 10, timeout: float = 10.0,
                 keep: int | None = None, application_name: str = "countymap", **connect):
        self.url, self.timeout, self.maxconn = url, timeout, maxconn
        self.pool = ThreadedConnectionPool(max(0, min(minconn, maxconn)), maxconn, url, options=SESSION_OPTIONS,
                                           application_name=application_name, **connect)
        self.pool.minconn = maxconn if keep is None else keep
        self._free = threading.BoundedSemaphore(maxconn)

    def get(self):
        """A connection of the pool, reset and alive (waiting for one when all are lent)."""
        if not self._free.acquire(timeout=self.timeout):
            raise DatabaseUnavailable("数据库连接已全部占用，请稍后再试")
        try:
            return self._live()
        except BaseException:
            self._free.release()
            raise

    def _live(self):
        """A pooled connection that answers; those that died are closed and replaced."""
        for _ in range(self.maxconn + 1):
            conn = self.pool.getconn()
            if _reset(conn):
                return conn
            self.pool.putconn(conn, close=True)
        raise DatabaseUnavailable("数据库暂时无法连接，请稍后再试")

    def put(self, conn) -> None:
        """Give a connection back (closed and dropped when it broke)."""
        try:
            self.pool.putconn(conn, close=bool(conn.closed))
        finally:
            self._free.release()

    def close(self):
        self.pool.closeall()


def _reset(conn) -> bool:
    """End whatever a request left open and reset the session's settings to the
    connection's own (time zone, no JIT); False when the connection is broken."""
    if conn.closed:
        return False
    try:
        if conn.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
            conn.rollback()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("RESET ALL")
        conn.autocommit = False
        return True
    except psycopg2.Error:
        return False


def _pool_settings(config) -> dict:
    """DB_POOL_MIN (2), DB_POOL_MAX (10: gunicorn's 8 threads a worker, and room to
    spare), DB_POOL_TIMEOUT_S (10) and DB_POOL_KEEP (all) from the app's config."""
    maxconn = int(config.get("DB_POOL_MAX") or 10)
    keep = config.get("DB_POOL_KEEP")
    return {"minconn": int(config.get("DB_POOL_MIN", 2)), "maxconn": maxconn,
            "timeout": float(config.get("DB_POOL_TIMEOUT_S") or 10.0),
            "keep": None if keep in (None, "") else int(keep)}


def _number(config, key: str, default: float) -> float:
    value = config.get(key)
    return default if value in (None, "") else float(value)


def _replicas(config) -> Replicas:
    """The read replicas of DATABASE_READ_URL (one or more URLs, separated by commas or
    spaces; FLASK_DATABASE_READ_URL works too): pools as large as the primary's, none
    opened before the first read. DB_READ_RETRY_S (30): how long a replica that is down or
    lagging is skipped; DB_READ_MAX_LAG_S (5): the replay lag that counts as lagging;
    DB_READ_CHECK_S (1): how often each replica's lag is checked; DB_READ_CONNECT_TIMEOUT_S (3)."""
    urls = split_urls(config.get("DATABASE_READ_URL") or os.environ.get("DATABASE_READ_URL"))
    settings = {**_pool_settings(config), "minconn": 0}
    timeout = max(1, int(_number(config, "DB_READ_CONNECT_TIMEOUT_S", 3)))

    def make_pool(url: str) -> Database:
        return Database(url, application_name=READ_APPLICATION, connect_timeout=timeout, **settings)
    return Replicas(urls, make_pool, retry_s=_number(config, "DB_READ_RETRY_S", 30.0),
                    max_lag_s=_number(config, "DB_READ_MAX_LAG_S", 5.0),
                    check_s=_number(config, "DB_READ_CHECK_S", 1.0))


def init_app(app) -> None:
    """Resolve the URL, migrate (on the primary only), create the pools; end each request's
    transaction.

    A request's work is committed when it answers below 400 and rolled back when it
    answers 400 or more or fails: a refused request changes nothing.
    """
    from flask import g

    url = resolve_url(app.config)
    app.config["RESOLVED_DATABASE_URL"] = url
    with transaction(url) as conn:
        applied = migrate(conn)
        if applied:
            LOGGER.info("applied migrations: %s", ", ".join(applied))
    app.extensions["countymap_db"] = Database(url, **_pool_settings(app.config))
    app.extensions["countymap_replicas"] = _replicas(app.config)
    app.config["DB_READ_STICKY_S"] = _number(app.config, "DB_READ_STICKY_S", 5.0)

    @app.after_request
    def _refused(response):
        if response.status_code >= 400:
            g.db_refused = True
        else:
            _remember_write()
        return response

    @app.teardown_appcontext
    def _release(exc):
        _release_read()
        conn = g.pop("db_conn", None)
        refused = g.pop("db_refused", False)
        if conn is None:
            return
        try:
            if exc is None and not refused and not conn.closed:
                conn.commit()
            elif not conn.closed:
                conn.rollback()
        except psycopg2.Error:
            LOGGER.warning("the connection broke at the end of a request; it is dropped")
        finally:
            app.extensions["countymap_db"].put(conn)


WRITES = ("POST", "PUT", "PATCH", "DELETE")


def reads_only(target):
    """Declare that a view, or every route of a blueprint, only reads when asked with GET or
    HEAD: its ``get_conn()`` (and sign-in's session check) is then a read replica's
    read-only connection when DATABASE_READ_URL names one that can serve, the primary's
    otherwise. Use it on a view function (as a decorator) or call it with a blueprint."""
    from flask import Blueprint

    if isinstance(target, Blueprint):
        target.record_once(lambda state: state.app.extensions.setdefault(
            "countymap_read_blueprints", set()).add(target.name))
    else:
        target.reads_only = True
    return target


def _reads() -> bool:
    """Whether this request was declared read-only (``reads_only``); known once routed."""
    from flask import current_app, g, has_request_context, request

    if not has_request_context() or request.endpoint is None:
        return False
    if "db_reads" not in g:
        view = current_app.view_functions.get(request.endpoint)
        declared = current_app.extensions.get("countymap_read_blueprints", ())
        g.db_reads = request.method in ("GET", "HEAD") and (
            request.blueprint in declared or getattr(view, "reads_only", False))
    return g.db_reads


def _remember_write() -> None:
    """After a browser user's change, their reads go to the primary for DB_READ_STICKY_S
    seconds, so the page they are sent to shows what they just did."""
    from flask import current_app, g, request, session

    if (g.get("db_conn") is not None and request.method in WRITES and "_user_id" in session
            and current_app.extensions["countymap_replicas"]):  # a browser's session (sign-in included)
        session["db_wrote_at"] = time.time()


def _wrote_lately() -> bool:
    from flask import current_app, session

    wrote = session.get("db_wrote_at")
    return isinstance(wrote, (int, float)) and time.time() - wrote < current_app.config["DB_READ_STICKY_S"]


def write_conn():
    """This request's connection to the primary (whatever the route declared)."""
    from flask import current_app, g

    if "db_conn" not in g:
        g.db_conn = current_app.extensions["countymap_db"].get()
    return g.db_conn


def get_conn():
    """Return this request's connection, committed when the request ends without error: a
    read replica's for a route declared with ``reads_only`` (while one can serve, and not
    right after the user's own change), the primary's otherwise."""
    from flask import current_app, g

    if not _reads():
        return write_conn()
    if "db_read" not in g:
        replicas = current_app.extensions["countymap_replicas"]
        g.db_read = replicas.get() if replicas and not _wrote_lately() else (None, None)
    conn = g.db_read[0]
    return conn if conn is not None else write_conn()


def on_replica() -> bool:
    """Whether this request's reads went to a replica."""
    from flask import g

    return g.get("db_read", (None, None))[0] is not None


def _release_read() -> None:
    from flask import g

    conn, node = g.pop("db_read", (None, None))
    if conn is not None:
        broke = conn.closed
        node.give_back(conn)
        if broke:  # the standby went away during the request: the next ones read the primary
            node.skip("its connection broke during a request")


def dict_cursor(conn):
    """A cursor returning rows as dicts."""
    return conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
