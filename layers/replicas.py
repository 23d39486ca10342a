"""Read-only connections on PostgreSQL streaming replicas (DATABASE_READ_URL).

Each replica has its own pool (``layers.db.Database``, none opened at start: a standby
that is down must not stop the app). ``Replicas.get()`` lends a connection of the next
replica in turn that is up and keeping up; one that refuses connections, breaks, or lags
more than ``max_lag_s`` behind the primary is skipped for ``retry_s`` seconds, and when no
replica can serve the caller reads from the primary instead. Every connection lent is
read-only (``BEGIN READ ONLY``, what a hot standby allows anyway), so a read declared
wrongly fails the same way on the primary as on a standby.

Lag is checked on the connection lent, at most every ``check_s`` seconds per replica: a
standby whose WAL receiver is not running (cut off from the primary) or whose replay is
behind what it received by more than ``max_lag_s`` seconds is lagging. A server that is
not in recovery (a primary, a promoted standby, a pooler in front of one) is used as is.
Migrations never run here: they run on the primary (``layers.db.init_app``) and reach
the standbys by streaming replication.
"""
from __future__ import annotations

import itertools
import logging
import re
import threading
import time

import psycopg2
import psycopg2.extensions

from layers.errors import DatabaseUnavailable

LOGGER = logging.getLogger(__name__)
READ_APPLICATION = "countymap-read"
LAG_SQL = ("SELECT pg_is_in_recovery(),"
           " CASE WHEN NOT pg_is_in_recovery() THEN 0"
           "  WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
           "  ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END,"
           " NOT pg_is_in_recovery() OR EXISTS (SELECT 1 FROM pg_stat_wal_receiver)")


def split_urls(value) -> list[str]:
    """URLs given as a list, or as one text: ``postgresql://`` URLs separated by commas,
    spaces or new lines, or a single ``key=value`` connection string (whose spaces and
    commas are its own)."""
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    parts = re.split(r"[,\s]+(?=postgres(?:ql)?://)", str(value).strip())
    return [part.strip().rstrip(",") for part in parts if part.strip().rstrip(",")]


def lag(conn) -> tuple[bool, float, bool]:
    """(in recovery, replay lag in seconds, receiving WAL) of the server behind ``conn``."""
    with conn.cursor() as cur:
        cur.execute(LAG_SQL)
        recovering, behind, streaming = cur.fetchone()
    return bool(recovering), float(behind), bool(streaming)


class Replica:
    """One replica: its pool (made at first use), when it may be tried again, its last check."""

    def __init__(self, url: str, make_pool, retry_s: float, max_lag_s: float, check_s: float):
        self.url, self._make_pool = url, make_pool
        self.retry_s, self.max_lag_s, self.check_s = retry_s, max_lag_s, check_s
        self.pool = None
        self.skipped_until = 0.0
        self.checked_at = float("-inf")
        self._lock = threading.Lock()

    def usable(self, now: float) -> bool:
        return now >= self.skipped_until

    def skip(self, why: str) -> None:
        with self._lock:
            self.skipped_until = time.monotonic() + self.retry_s
            self.checked_at = float("-inf")
        LOGGER.warning("read replica %s skipped for %.0f s: %s", _shown(self.url), self.retry_s, why)

    def lend(self):
        """A live read-only connection, or None (and the replica skipped) when it cannot serve."""
        try:
            if self.pool is None:
                with self._lock:
                    self.pool = self.pool or self._make_pool(self.url)
            conn = self.pool.get()
        except (psycopg2.Error, DatabaseUnavailable) as exc:
            self.skip(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
            return None
        why = self._behind(conn)
        if why:
            self.give_back(conn)
            self.skip(why)
            return None
        conn.readonly = True
        return conn

    def _behind(self, conn) -> str | None:
        """Why the replica should not serve now (lagging, cut off), or None; checked every check_s."""
        now = time.monotonic()
        if now - self.checked_at < self.check_s:
            return None
        try:
            recovering, behind, streaming = lag(conn)
            conn.rollback()
        except psycopg2.Error as exc:
            return f"lag check failed: {exc}".strip()
        self.checked_at = now
        if not streaming:
            return "its WAL receiver is not running (cut off from the primary)"
        if behind > self.max_lag_s:
            return f"replay is {behind:.1f} s behind (DB_READ_MAX_LAG_S {self.max_lag_s:g})"
        return None

    def give_back(self, conn) -> None:
        """Return a connection to the pool, back to the server's default access mode."""
        if not conn.closed:
            try:
                if conn.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                    conn.rollback()
                conn.readonly = None
            except psycopg2.Error:
                pass  # a broken connection: the pool drops it
        self.pool.put(conn)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


def _shown(url: str) -> str:
    """A URL for the log, without its password."""
    return re.sub(r"(password=)[^&\s]+|(://[^:/@]+:)[^@]+@", lambda m: (m.group(1) or m.group(2)) + "***"
                  + ("" if m.group(1) else "@"), url)


class Replicas:
    """The read replicas, taken in turn (round robin) among those that may serve."""

    def __init__(self, urls: list[str], make_pool, retry_s: float = 30.0, max_lag_s: float = 5.0,
                 check_s: float = 1.0):
        self.nodes = [Replica(url, make_pool, retry_s, max_lag_s, check_s) for url in urls]
        self._turn = itertools.count()

    def __bool__(self) -> bool:
        return bool(self.nodes)

    def get(self):
        """(connection, replica) of the next replica that can serve, or (None, None)."""
        if not self.nodes:
            return None, None
        start, now = next(self._turn), time.monotonic()
        for i in range(len(self.nodes)):
            node = self.nodes[(start + i) % len(self.nodes)]
            if node.usable(now):
                conn = node.lend()
                if conn is not None:
                    return conn, node
        return None, None

    def close(self) -> None:
        for node in self.nodes:
            node.close()
