"""Built pages and analyses are kept until the data changes (web.cache, layers.versions):
a change shows at the next request, an unchanged answer is not built twice, a kept answer
costs no heavy slot, and concurrent requests for the same thing build it once."""
from __future__ import annotations

import json
import re
import sys
import threading
import time

import pytest

from layers.versions import data_version
from tests.conftest import basic
from tests.helpers import put, small_county, square
from web.cache import Kept
from web.limits import heavy_slot

GRID = "/api/hotspots/grid?quarter=2026Q3&cell_m=500&band_m=1500"


@pytest.fixture
def county(app, conn):
    small_county(conn)
    put(conn, "incidents", [{"code": f"I{i}", "occurred_at": "2026-08-01 10:00", "category": "theft",
                             "geometry": square(111.01 + 0.001 * i, 33.01, 0).centroid} for i in range(30)])
    put(conn, "cameras", [{"code": "C1", "name": "甲镇路口", "kind": "fixed", "status": "working", "networked": True,
                           "azimuth": 90.0, "fov": 60.0, "range_m": 80.0,
                           "geometry": square(111.01, 33.01, 0).centroid}])
    return app


def count_calls(monkeypatch, module, name):
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, counted)
    return calls


def test_every_change_to_a_tracked_table_raises_the_data_version(county, conn):
    before = data_version(conn)
    with conn.cursor() as cur:
        cur.execute("UPDATE cameras SET status = 'faulty' WHERE code = 'C1'")
    conn.commit()
    after_update = data_version(conn)
    assert after_update != before
    with conn.cursor() as cur:
        cur.execute("UPDATE cameras SET status = 'normal' WHERE code = 'nobody'")  # no row: still a change
        cur.execute("DELETE FROM incidents WHERE code = 'I0'")
    conn.rollback()
    assert data_version(conn) == after_update  # what was rolled back changed nothing
    with conn.cursor() as cur:
        cur.execute("TRUNCATE patrol_tracks")
    conn.commit()
    assert data_version(conn) != after_update


def test_an_analysis_is_built_once_and_rebuilt_after_a_change(county, client, conn, monkeypatch):
    from web.services import hotspots

    calls = count_calls(monkeypatch, hotspots, "grid_document")
    first = client.get(GRID, headers=basic("planner"))
    again = client.get(GRID, headers=basic("planner"))
    assert first.status_code == again.status_code == 200 and first.get_json() == again.get_json()
    assert len(calls) == 1
    before = sum(f["properties"]["count"] for f in first.get_json()["features"])
    put(conn, "incidents", [{"code": "NEW", "occurred_at": "2026-08-02 10:00", "category": "theft",
                             "geometry": square(111.015, 33.01, 0).centroid}])
    changed = client.get(GRID, headers=basic("planner"))
    assert len(calls) == 2
    assert sum(f["properties"]["count"] for f in changed.get_json()["features"]) == before + 1


def test_other_arguments_and_other_roles_are_built_apart(county, client, monkeypatch):
    from web.services import hotspots

    calls = count_calls(monkeypatch, hotspots, "grid_document")
    client.get(GRID, headers=basic("planner"))
    client.get(GRID.replace("cell_m=500", "cell_m=400"), headers=basic("planner"))
    client.get(GRID, headers=basic("leader"))
    assert len(calls) == 3


def hold_slot(app, user):
    """Hold one of ``user``'s heavy slots in another thread until the returned event is set."""
    taken, release = threading.Event(), threading.Event()

    def hold():
        with app.app_context(), heavy_slot(user):
            taken.set()
            release.wait(30)
    threading.Thread(target=hold, daemon=True).start()
    assert taken.wait(10)
    return release


def test_a_kept_answer_needs_no_heavy_slot(county, client, app):
    assert client.get(GRID, headers=basic("planner")).status_code == 200
    app.config["HEAVY_PER_USER"] = 1
    release = hold_slot(app, "planner")  # the planner's only slot is taken
    try:
        assert client.get(GRID, headers=basic("planner")).status_code == 200
        other = client.get(GRID.replace("cell_m=500", "cell_m=400"), headers=basic("planner"))
        assert other.status_code == 429 and int(other.headers["Retry-After"]) > 0
    finally:
        release.set()


def test_a_refused_request_is_not_kept(county, client, monkeypatch):
    from web.services import hotspots

    calls = count_calls(monkeypatch, hotspots, "grid_document")
    for _ in range(2):
        resp = client.get(GRID.replace("cell_m=500", "cell_m=nan"), headers=basic("planner"))
        assert resp.status_code == 400 and resp.get_json()["field"] == "cell_m"
    assert calls == []


def test_a_camera_status_change_shows_on_the_next_page(county, client):
    page = client.get("/commander/cameras", headers=basic("commander")).get_data(as_text=True)
    first = client.get("/leader/coverage", headers=basic("leader")).get_data(as_text=True)
    resp = client.post("/api/cameras/C1/status", json={"status": "faulty"}, headers=basic("commander"))
    assert resp.status_code in (200, 201)
    after = client.get("/commander/cameras", headers=basic("commander")).get_data(as_text=True)
    assert after != page
    assert client.get("/leader/coverage", headers=basic("leader")).get_data(as_text=True) != first


def test_the_overview_map_shows_a_new_incident_at_once(county, client, conn):
    import mapbox_vector_tile

    from tests.web.test_maps import tile_overlays
    from tests.web.test_tiles import tile_of

    def incidents():
        page = client.get("/map", headers=basic("leader")).get_data(as_text=True)
        legend = json.loads(re.search(r"CountyMap\.shell\(\w+, (\{.*\})\);", page).group(1))["legend"]
        said = re.search(r"共 ([\d,]+) 起", legend)
        return tile_overlays(page)["incidents"]["url"], int(said.group(1).replace(",", "")) if said else 0
    url, count = incidents()
    put(conn, "incidents", [{"code": "LATE1", "occurred_at": "2026-08-03 10:00", "category": "theft",
                             "geometry": square(111.02, 33.02, 0).centroid}])
    after, count_after = incidents()   # the window reaches the new incident, the legend counts it
    assert after.endswith("until=2026-08-03") and after != url and count_after == count + 1
    z, x, y = tile_of(111.02, 33.02, 16)
    tile = client.get(after.replace("{z}/{x}/{y}", f"{z}/{x}/{y}"), headers=basic("leader"))
    codes = [f["properties"]["code"] for f in mapbox_vector_tile.decode(tile.data)["incidents"]["features"]]
    assert "LATE1" in codes


def test_concurrent_requests_build_once():
    kept, built, start = Kept(10_000), [], threading.Event()

    def build():
        built.append(1)
        time.sleep(0.2)
        return "value"

    def ask():
        start.wait()
        results.append(kept.get("key", build))
    results: list = []
    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    start.set()
    for t in threads:
        t.join()
    assert built == [1] and results == ["value"] * 8 and kept.hits >= 1


def test_the_store_stays_within_its_size():
    kept = Kept(1000)
    for i in range(20):
        kept.get(i, lambda: "x" * 200)
    assert kept._total <= 1000 and len(kept._entries) == 1000 // (200 + sys.getsizeof(0))  # value + key
    assert kept.get(19, lambda: "rebuilt") == "x" * 200  # the newest are kept
    assert kept.get(0, lambda: "rebuilt") == "rebuilt"   # the oldest went first
    kept.get("big", lambda: "y" * 600)                   # over a quarter of the store: not kept
    assert "big" not in kept._entries


def test_processes_share_what_one_of_them_built(tmp_path):
    """Two workers (two memory stores) on one folder: the second reads, does not build."""
    from web.cache import Shelf

    built_by = []
    first, second = (Shelf(tmp_path / "cache", 10_000_000, 5) for _ in range(2))
    assert Kept(10_000).get("k", lambda: first.get("k", lambda: built_by.append(1) or {"parts": "x" * 100})) \
        == {"parts": "x" * 100}
    assert Kept(10_000).get("k", lambda: second.get("k", lambda: built_by.append(2) or "other")) \
        == {"parts": "x" * 100}
    assert built_by == [1]
    for path in (tmp_path / "cache").iterdir():  # a torn file is built again, not served
        if "." not in path.name:
            path.write_bytes(b"\x80\x05torn")
    assert second.get("k", lambda: "rebuilt") == "rebuilt"


def test_the_shared_folder_stays_within_its_size(tmp_path):
    from web.cache import Shelf

    shelf = Shelf(tmp_path / "cache", 50_000, 5)
    for i in range(20):
        shelf.get(i, lambda: "y" * 10_000)
    kept = [p for p in (tmp_path / "cache").iterdir() if "." not in p.name]
    assert 3 <= len(kept) <= 5 and sum(p.stat().st_size for p in kept) <= 50_000


def test_a_request_waits_heavy_wait_s_in_all_not_once_per_lock(app):
    """A page waits on another's build of the same value, then on the shelf's lock, then on
    a heavy slot: together within HEAVY_WAIT_S (web.limits.wait_left)."""
    from web.limits import wait_left

    with app.test_request_context("/"):
        first = wait_left(2.0)
        time.sleep(0.3)
        second = wait_left(2.0)
        assert first == pytest.approx(2.0, abs=0.05) and second == pytest.approx(1.7, abs=0.1)
        assert wait_left(0.2) <= 0.2          # a shorter wait asked is never lengthened
    with app.test_request_context("/"):
        assert wait_left(2.0) == pytest.approx(2.0, abs=0.05)   # another request, its own budget


def test_waiting_requests_leave_threads_for_light_ones(app):
    """One request builds an answer; HEAVY_QUEUE others wait for it; the next is refused at
    once (429) instead of holding one more of the worker's threads for HEAVY_WAIT_S."""
    from layers.errors import Busy

    app.config.update(HEAVY_QUEUE=2, HEAVY_WAIT_S=5.0)
    kept, building, release = Kept(10_000, 5.0), threading.Event(), threading.Event()
    outcomes: list = []

    def build():
        building.set()
        release.wait(5)
        return "value"

    def ask():
        with app.test_request_context("/"):
            start = time.monotonic()
            try:
                outcomes.append((kept.get("key", build), time.monotonic() - start))
            except Busy as refused:
                outcomes.append((refused.retry_after, time.monotonic() - start))

    builder = threading.Thread(target=ask)
    builder.start()
    building.wait(5)
    waiters = [threading.Thread(target=ask) for _ in range(2)]
    for t in waiters:
        t.start()
    time.sleep(0.3)
    ask()                                   # the fourth: refused at once
    assert outcomes[0][0] == 10 and outcomes[0][1] < 0.2
    release.set()
    for t in (builder, *waiters):
        t.join()
    assert sorted(str(v) for v, _ in outcomes) == ["10", "value", "value", "value"]
    with app.test_request_context("/"):     # the queue is empty again
        assert kept.get("key", lambda: "rebuilt") == "value"
