"""A primary and a hot standby on this machine, for the replica tests and the bench.

Debian's PostgreSQL binaries (PG_BIN, or the newest under /usr/lib/postgresql), run as
the unprivileged ``postgres`` user when the tests run as root (like ``layers.embedded``),
each server listening on a Unix socket in its own folder under a short temporary folder.
The primary gets the app's schema (PostGIS included) before the base backup; the standby
is made by ``pg_basebackup -R`` and streams from the primary.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psycopg2

from layers.db import transaction
from layers.embedded import _cmd, _run_as, pg_bin_dir
from layers.errors import DatabaseUnavailable
from layers.migrate import migrate

USER, DB = "county", "county"


class Pair:
    """``start()`` makes and starts both servers; ``close()`` stops them and removes all."""

    def __init__(self):
        self.user = _run_as()
        self.home = Path(tempfile.mkdtemp(prefix="pgpair-", dir="/var/tmp"))
        if self.user:
            shutil.chown(self.home, self.user, self.user)
        self.primary_dir, self.standby_dir = self.home / "primary", self.home / "standby"

    @staticmethod
    def available() -> bool:
        try:
            return (pg_bin_dir() / "pg_basebackup").exists()
        except DatabaseUnavailable:
            return False

    def url(self, which: str) -> str:
        return f"postgresql:///{DB}?host={quote(str(self.home / ('run-' + which)))}&user={USER}"

    def _pg(self, tool: str, *args: str) -> None:
        proc = subprocess.run(_cmd([str(pg_bin_dir() / tool), *args], self.user), capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)
        if proc.returncode:
            raise RuntimeError(f"{tool} failed: {proc.stderr or proc.stdout}")

    def _run(self, which: str) -> None:
        run = self.home / f"run-{which}"
        run.mkdir(exist_ok=True)
        if self.user:
            shutil.chown(run, self.user, self.user)
        opts = f"-c listen_addresses='' -c unix_socket_directories='{run}' -c shared_buffers=64MB -c fsync=off"
        self._pg("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.home / which),
                 "-l", str(self.home / f"{which}.log"), "-o", opts)

    def start(self) -> Pair:
        self._pg("initdb", "-D", str(self.primary_dir), "-U", USER, "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8")
        self._run("primary")
        admin = psycopg2.connect(self.url("primary").replace(f"/{DB}?", "/postgres?"))
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DB}")
        admin.close()
        with transaction(self.url("primary")) as conn:  # PostGIS and the schema, before the copy
            migrate(conn)
        self._pg("pg_basebackup", "-D", str(self.standby_dir), "-R", "-X", "stream", "-c", "fast",
                 "-d", f"host={self.home / 'run-primary'} user={USER}")
        self._run("standby")
        return self

    def stop(self, which: str) -> None:
        self._pg("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.home / which))

    def restart_standby(self) -> None:
        self._run("standby")

    def close(self) -> None:
        for which in ("standby", "primary"):
            subprocess.run(_cmd([str(pg_bin_dir() / "pg_ctl"), "stop", "-m", "immediate", "-D",
                                 str(self.home / which)], self.user), capture_output=True)
        shutil.rmtree(self.home, ignore_errors=True)

    def query(self, which: str, sql: str, args=()):
        """Rows of one statement on one server (autocommit)."""
        conn = psycopg2.connect(self.url(which))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def wait_replayed(self, timeout: float = 5.0) -> float:
        """Seconds until the standby has replayed everything the primary wrote so far."""
        start = time.monotonic()
        (lsn,), = self.query("primary", "SELECT pg_current_wal_lsn()::text")
        while time.monotonic() - start < timeout:
            (done,), = self.query("standby", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,))
            if done:
                return time.monotonic() - start
            time.sleep(0.02)
        raise AssertionError(f"the standby did not replay {lsn} in {timeout} s")
