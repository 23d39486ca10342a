"""A private PostgreSQL + PostGIS cluster under ``var/``.

Used when DATABASE_URL is unset. The cluster listens on a Unix socket only
(``listen_addresses=''``); when the app runs as root the cluster runs as the
unprivileged ``postgres`` system user, since PostgreSQL refuses root.
"""
from __future__ import annotations

import fcntl
import glob
import hashlib
import logging
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

from geo.calendar import TIMEZONE
from layers.errors import DatabaseUnavailable

LOGGER = logging.getLogger(__name__)
DB_NAME = "county"
DB_USER = "county"


def pg_bin_dir() -> Path:
    """Return the newest PostgreSQL server binary folder on this machine."""
    env = os.environ.get("PG_BIN")
    if env:
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not found:
        raise DatabaseUnavailable(
            "PostgreSQL server binaries not found under /usr/lib/postgresql; run `make install`")
    return Path(found[-1]).parent


def _run_as() -> str | None:
    """Return the user the cluster runs as, or None for the current user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise DatabaseUnavailable(
            "running as root needs the 'postgres' system user (apt-get install postgresql)") from None
    return "postgres"


def _cmd(args: list[str], user: str | None) -> list[str]:
    if user is None:
        return args
    return ["runuser", "-u", user, "--"] + args


def _reachable_by(user: str | None, path: Path) -> bool:
    if user is None:
        return True
    probe = _cmd(["test", "-w", str(path), "-a", "-x", str(path)], user)
    return subprocess.run(probe, capture_output=True).returncode == 0


class EmbeddedCluster:
    """The cluster kept in ``var_dir``; ``start()`` is idempotent and safe to race."""

    def __init__(self, var_dir: str | os.PathLike):
        self.var_dir = Path(var_dir).resolve()
        self.user = _run_as()
        self.home = self._home()
        self.data_dir = self.home / "pgdata"
        self.socket_dir = self.home / "run"
        self.log_file = self.home / "postgres.log"

    def _home(self) -> Path:
        """The folder holding the cluster: var/pg, or a /var/tmp folder linked from it.

        The unprivileged user must reach the folder; when a parent of var/ is closed
        to it (a checkout under /root), the cluster lives in /var/tmp with var/pg a link.
        """
        home = self.var_dir / "pg"
        if home.is_symlink():
            return home.resolve()
        if self.user is None:
            return home
        home.mkdir(parents=True, exist_ok=True)
        shutil.chown(home, self.user, self.user)
        if _reachable_by(self.user, home):
            return home
        digest = hashlib.sha1(str(self.var_dir).encode()).hexdigest()[:10]
        alt = Path("/var/tmp") / f"countymap-pg-{digest}"
        alt.mkdir(parents=True, exist_ok=True)
        shutil.chown(alt, self.user, self.user)
        home.rmdir()
        home.symlink_to(alt)
        LOGGER.info("cluster folder %s is linked from %s", alt, home)
        return alt

    @property
    def url(self) -> str:
        return f"postgresql:///{DB_NAME}?host={quote(str(self.socket_dir))}&user={DB_USER}"

    def _pg(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = _cmd([str(pg_bin_dir() / tool), *args], self.user)
        proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if check and proc.returncode != 0:
            raise DatabaseUnavailable(
                f"{tool} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"
                f"; see {self.log_file}")
        return proc

    def _owned_dir(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(path, self.user, self.user)

    def running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        return self._pg("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def start(self) -> str:
        """Create (first time) and start the cluster; return its URL."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        with open(self.var_dir / "embedded.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (self.data_dir / "PG_VERSION").exists():
                self._init()
            if not self.running():
                self._owned_dir(self.socket_dir)
                opts = f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}'"
                LOGGER.info("starting embedded PostgreSQL in %s", self.data_dir)
                self._pg("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data_dir),
                         "-l", str(self.log_file), "-o", opts)
            self._ensure_database()
        return self.url

    def _init(self) -> None:
        LOGGER.info("creating embedded PostgreSQL cluster in %s", self.data_dir)
        self._owned_dir(self.home)
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        self._pg("initdb", "-D", str(self.data_dir), "-U", DB_USER, "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8")
        conf = self.data_dir / "postgresql.conf"
        with open(conf, "a") as fh:
            fh.write("\n# embedded county map cluster\nshared_buffers = 256MB\n"
                     f"max_connections = 100\ntimezone = '{TIMEZONE}'\n")

    def _ensure_database(self) -> None:
        for _ in range(50):
            proc = self._pg("psql", "-h", str(self.socket_dir), "-U", DB_USER, "-d", "postgres",
                            "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'",
                            check=False)
            if proc.returncode == 0:
                break
            time.sleep(0.2)
        else:
            raise DatabaseUnavailable(f"embedded PostgreSQL does not answer: {proc.stderr.strip()}")
        if proc.stdout.strip() != "1":
            self._pg("createdb", "-h", str(self.socket_dir), "-U", DB_USER, DB_NAME)

    def stop(self) -> None:
        if self.running():
            self._pg("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.data_dir))
