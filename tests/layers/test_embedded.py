"""The embedded cluster: under var/, socket only, unprivileged, idempotent; DATABASE_URL wins."""
import os
import subprocess
from pathlib import Path

import psycopg2
import pytest

from layers.db import resolve_url
from layers.embedded import EmbeddedCluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A second, throwaway cluster in its own var/ folder."""
    var = tmp_path_factory.mktemp("embedded") / "var"
    c = EmbeddedCluster(var)
    yield c
    c.stop()


def test_start_creates_cluster_and_is_idempotent(cluster):
    url = cluster.start()
    assert cluster.running()
    assert cluster.start() == url  # second start reuses it
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SHOW listen_addresses")
        assert cur.fetchone()[0] == ""  # no TCP listener
        cur.execute("SELECT setting FROM pg_settings WHERE name = 'unix_socket_directories'")
        assert cur.fetchone()[0] == str(cluster.socket_dir)
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        cur.execute("SELECT postgis_version()")
        assert cur.fetchone()[0]
    conn.close()


def test_cluster_lives_under_var_and_runs_unprivileged(cluster):
    cluster.start()
    assert (cluster.var_dir / "pg").exists()
    assert (cluster.var_dir / "pg" / "pgdata" / "PG_VERSION").exists()
    pid = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
    owner = subprocess.run(["ps", "-o", "user=", "-p", str(pid)], capture_output=True,
                           text=True).stdout.strip()
    if os.geteuid() == 0:
        assert owner == "postgres"
    else:
        assert owner == os.environ.get("USER", owner)


def test_stop_and_restart_keeps_data(cluster):
    url = cluster.start()
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS kept (x int)")
        cur.execute("INSERT INTO kept VALUES (42)")
    conn.close()
    cluster.stop()
    assert not cluster.running()
    url = cluster.start()
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT x FROM kept")
        assert cur.fetchone()[0] == 42
    conn.close()


def test_database_url_is_used_and_nothing_started(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = resolve_url({"DATABASE_URL": "postgresql://somebody@db.example/county",
                       "VAR_DIR": str(tmp_path / "var")})
    assert url == "postgresql://somebody@db.example/county"
    assert not (tmp_path / "var").exists()
