"""Reads from a hot standby (DATABASE_READ_URL), writes to the primary, on two real servers.

A primary and a streaming standby are made on this machine (``tests.standby``). Pausing
the standby's replay makes the two hold different data, so what the app answers shows
which server it read: tiles and OGC items come from the standby, a write through the app
reaches it within a second, a lagging standby is skipped, and when it stops, reads fall
back to the primary without an error and return to the standby once it is back.
"""
from __future__ import annotations

import contextlib
import time

import mapbox_vector_tile
import psycopg2
import pytest

from layers.db import transaction
from tests.conftest import PASSWORD, ROLES, basic, password_hash
from tests.standby import Pair
from tests.web.test_maps import X0, Y0, load_small_county
from tests.web.test_tiles import tile_of

CAMERA, WHERE = "C3", (X0 + 0.22, Y0 + 0.02)   # offline in the small county


@pytest.fixture(scope="module")
def pair():
    if not Pair.available():
        pytest.skip("no PostgreSQL server binaries (initdb, pg_basebackup) on this machine")
    servers = Pair()
    try:
        servers.start()
        load_small_county(servers.url("primary"))
        with transaction(servers.url("primary")) as conn, conn.cursor() as cur:
            for role in ROLES:
                cur.execute("INSERT INTO users (name, password_hash, role) VALUES (%s, %s, %s)",
                            (role, password_hash(), role))
        servers.wait_replayed()
        yield servers
    finally:
        servers.close()


@pytest.fixture
def make_app(pair, tmp_path):
    from web import create_app

    made = []

    def make(**settings):
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "VAR_DIR": str(tmp_path / f"var{len(made)}"),
                          "WTF_CSRF_ENABLED": False, "DATABASE_URL": pair.url("primary"),
                          "DATABASE_READ_URL": pair.url("standby"), "DB_READ_CHECK_S": 0, **settings})
        made.append(app)
        return app
    yield make
    for app in made:
        app.extensions["countymap_db"].close()
        app.extensions["countymap_replicas"].close()


@contextlib.contextmanager
def paused(pair):
    """The standby receives WAL but does not apply it until the block ends."""
    pair.query("standby", "SELECT pg_wal_replay_pause()")
    try:
        yield pair
    finally:
        pair.query("standby", "SELECT pg_wal_replay_resume()")
        pair.wait_replayed()


def status_on(pair, which: str) -> str:
    (status,), = pair.query(which, "SELECT status FROM cameras WHERE code = %s", (CAMERA,))
    return status


def set_status(client, status: str) -> None:
    resp = client.post(f"/api/cameras/{CAMERA}/status", json={"status": status}, headers=basic("commander"))
    assert resp.status_code == 201, resp.get_data(as_text=True)


def ogc_status(client) -> str:
    resp = client.get(f"/ogc/collections/cameras/items/{CAMERA}?f=json", headers=basic("leader"))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["properties"]["status"]


def tile_codes(client, status: str) -> tuple[set[str], str]:
    """Codes of the cameras of ``status`` in the z14 tile of CAMERA, and the tile's ETag."""
    z, x, y = tile_of(*WHERE, 14)
    resp = client.get(f"/tiles/cameras/{z}/{x}/{y}.mvt?status={status}", headers=basic("leader"))
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)
    found = mapbox_vector_tile.decode(resp.data).get("cameras", {}).get("features", []) if resp.data else []
    return {f["properties"]["code"] for f in found}, resp.headers["ETag"]


def readers(pair, which: str) -> int:
    (n,), = pair.query(which, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'countymap-read'")
    return n


def test_tiles_and_ogc_read_the_standby_and_a_write_reaches_it_within_a_second(make_app, pair):
    client = make_app(DB_READ_MAX_LAG_S=600).test_client()
    first = status_on(pair, "primary")
    new = "working" if first != "working" else "faulty"
    with paused(pair):
        set_status(client, new)                               # the write goes to the primary
        assert status_on(pair, "primary") == new and status_on(pair, "standby") == first
        assert ogc_status(client) == first                    # read on the (paused) standby
        codes, stale_tag = tile_codes(client, new)
        assert CAMERA not in codes
        assert readers(pair, "standby") >= 1 and readers(pair, "primary") == 0
    started = time.monotonic()
    while status_on(pair, "standby") != new:
        assert time.monotonic() - started < 1.0, "the write did not reach the standby within 1 s"
        time.sleep(0.01)
    assert ogc_status(client) == new
    codes, tag = tile_codes(client, new)                      # the versions changed with the data
    assert CAMERA in codes and tag != stale_tag


def test_a_lagging_standby_is_skipped_for_the_primary(make_app, pair):
    client = make_app(DB_READ_MAX_LAG_S=0.2, DB_READ_RETRY_S=600).test_client()
    first = status_on(pair, "primary")
    new = "offline" if first != "offline" else "faulty"
    with paused(pair):
        set_status(client, new)
        time.sleep(0.3)                                       # the standby now lags 0.3 s or more
        assert status_on(pair, "standby") == first
        assert ogc_status(client) == new                      # read on the primary instead
        assert CAMERA in tile_codes(client, new)[0]


def test_a_browser_user_reads_their_own_change_at_once(make_app, pair):
    app = make_app(DB_READ_MAX_LAG_S=600)
    browser, api = app.test_client(), app.test_client()
    resp = browser.post("/login", data={"name": "commander", "password": PASSWORD})
    assert resp.status_code == 302
    first = status_on(pair, "primary")
    new = "working" if first != "working" else "faulty"
    with paused(pair):
        resp = browser.post(f"/api/cameras/{CAMERA}/status", json={"status": new})
        assert resp.status_code == 201, resp.get_data(as_text=True)
        assert ogc_status(api) == first                       # others: the standby, a moment behind
        resp = browser.get(f"/ogc/collections/cameras/items/{CAMERA}?f=json")
        assert resp.get_json()["properties"]["status"] == new  # the writer: the primary (DB_READ_STICKY_S)


def test_a_session_opened_a_moment_ago_is_found_on_the_primary(make_app, pair):
    browser = make_app(DB_READ_STICKY_S=0, DB_READ_MAX_LAG_S=600).test_client()
    with paused(pair):
        resp = browser.post("/login", data={"name": "leader", "password": PASSWORD})
        assert resp.status_code == 302                        # the session is on the primary only
        resp = browser.get(f"/ogc/collections/cameras/items/{CAMERA}?f=json")
        assert resp.status_code == 200, resp.status_code


def test_reads_fall_back_to_the_primary_while_the_standby_is_down(make_app, pair):
    app = make_app(DB_READ_RETRY_S=1)
    client = app.test_client()
    assert ogc_status(client) == status_on(pair, "standby")
    pair.stop("standby")
    try:
        for _ in range(3):
            assert client.get("/ogc/collections/cameras/items?f=json", headers=basic("leader")).status_code == 200
            assert ogc_status(client) == status_on(pair, "primary")
            tile_codes(client, "working")
            assert client.get("/leader/", headers=basic("leader")).status_code == 200
        set_status(client, "faulty")                          # writes never needed the standby
        assert ogc_status(client) == "faulty"
    finally:
        pair.restart_standby()
    pair.wait_replayed()
    time.sleep(1.1)                                           # DB_READ_RETRY_S: the standby is tried again
    assert ogc_status(client) == "faulty"
    assert readers(pair, "standby") >= 1


def test_migrations_run_on_the_primary_only(pair, make_app):
    make_app()
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        pair.query("standby", "CREATE TABLE nope (id int)")
    (applied,), = pair.query("standby", "SELECT count(*) FROM schema_migrations")
    (on_primary,), = pair.query("primary", "SELECT count(*) FROM schema_migrations")
    assert applied == on_primary > 0
