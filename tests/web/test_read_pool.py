"""Declared reads (``layers.db.reads_only``) on a read pool: read-only connections for GET
and HEAD of a declared view or blueprint, the primary for the rest, and the primary when
no replica answers. The read pool here is the test database itself (as with
TEST_READ_REPLICA=1); tests/web/test_replica.py does the same on a real hot standby."""
from __future__ import annotations

import pytest

from layers.db import get_conn, reads_only
from layers.replicas import split_urls
from tests.conftest import basic


def _mode() -> str:
    with get_conn().cursor() as cur:
        cur.execute("SHOW transaction_read_only")
        return cur.fetchone()[0]


def _app(database_url, tmp_path, read_url):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                      "VAR_DIR": str(tmp_path / "var-read"), "WTF_CSRF_ENABLED": False,
                      "DATABASE_READ_URL": read_url, "DB_READ_CONNECT_TIMEOUT_S": 1})

    @reads_only
    def declared():
        return _mode()

    app.add_url_rule("/test-declared", "test_declared", declared, methods=["GET", "POST"])
    app.add_url_rule("/test-plain", "test_plain", _mode)
    return app


@pytest.fixture
def read_app(app, database_url, tmp_path):  # ``app``: the test users
    made = _app(database_url, tmp_path, database_url)
    yield made
    made.extensions["countymap_db"].close()
    made.extensions["countymap_replicas"].close()


def test_declared_reads_use_the_read_pool_read_only_and_the_rest_the_primary(read_app):
    client, (node,) = read_app.test_client(), read_app.extensions["countymap_replicas"].nodes
    assert client.get("/test-declared", headers=basic("leader")).get_data(as_text=True) == "on"
    assert node.pool is not None and node.skipped_until == 0
    assert client.post("/test-declared", headers=basic("leader")).get_data(as_text=True) == "off"
    assert client.get("/test-plain", headers=basic("leader")).get_data(as_text=True) == "off"


def test_tiles_ogc_and_pages_are_declared_and_the_api_is_not(read_app):
    client = read_app.test_client()
    for path in ("/ogc/collections?f=json", "/tiles/cameras.json", "/leader/"):
        assert client.get(path, headers=basic("leader")).status_code == 200, path
    declared = read_app.extensions["countymap_read_blueprints"]
    assert {"ogc", "tiles", "home", "commander", "planner", "leader"} <= declared
    assert not {"api", "admin", "auth"} & declared


def test_a_replica_that_is_down_is_skipped_for_the_primary(app, database_url, tmp_path):
    down = "postgresql:///county?host=/nonexistent-socket-dir&user=county"
    made = _app(database_url, tmp_path, down)
    try:
        client, (node,) = made.test_client(), made.extensions["countymap_replicas"].nodes
        for _ in range(2):
            resp = client.get("/test-declared", headers=basic("leader"))
            assert resp.status_code == 200 and resp.get_data(as_text=True) == "off"
        assert node.skipped_until > 0
    finally:
        made.extensions["countymap_db"].close()
        made.extensions["countymap_replicas"].close()


@pytest.mark.parametrize("given, urls", [
    ("postgresql:///a?host=/x, postgresql://u:p@h/b postgresql://h2/c,",
     ["postgresql:///a?host=/x", "postgresql://u:p@h/b", "postgresql://h2/c"]),
    ("postgres://h/a\npostgres://h/b", ["postgres://h/a", "postgres://h/b"]),
    ("user=county dbname=t host=/run/pg", ["user=county dbname=t host=/run/pg"]),
    (["postgresql://h/a ", ""], ["postgresql://h/a"]),
    ("", []), (None, []),
])
def test_replica_urls(given, urls):
    assert split_urls(given) == urls
