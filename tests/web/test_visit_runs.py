"""Stored visit runs (migration 0019): /api/patrol/visits reads past whole days from
patrol_visit_runs, computed from their points the first time; the answers equal those made
from every point, and any change to a day's points forgets that day at once."""
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geo import patrol as pg
from layers import devices
from layers import patrol as records
from tests.conftest import basic
from tests.helpers import put, square
from tests.web.test_patrol_api import HOT, county  # noqa: F401  (the fixture)
from tests.web.test_visits_near_places import full_scan, tracked  # noqa: F401  (the fixture)
from web.services import patrol as service
from web.services import visit_days

INSIDE = HOT.centroid


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def minute_points(team, first: str, n: int, where=INSIDE, tag=""):
    t0 = pd.Timestamp(first)
    return [{"code": f"{team}{tag}@{(t0 + pd.Timedelta(minutes=i)).isoformat()}", "team_code": team,
             "recorded_at": t0 + pd.Timedelta(minutes=i), "geometry": Point(where.x, where.y)} for i in range(n)]


@pytest.fixture
def night(tracked, conn):  # noqa: F811
    """T2 at the hotspot from 23:50 on the 24th to 00:10 on the 25th: one visit across midnight."""
    put(conn, "patrol_tracks", minute_points("T2", "2026-11-24T23:50:00+08:00", 21, tag="n"))
    return tracked


def stored_days(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT day, count(*) FROM patrol_visit_days GROUP BY day ORDER BY day")
        return dict(cur.fetchall())


def same(doc, want):
    assert doc["points"] == want["points"] and doc["days"] == want["days"]
    assert doc["school_days"] == want["school_days"]
    assert doc["hotspots"] == want["hotspots"] and doc["schools"] == want["schools"]


PERIODS = [("2026-11-23T00:00:00+08:00", "2026-11-26T00:00:00+08:00"),   # whole days
           ("2026-11-23T09:30:00+08:00", "2026-11-25T10:15:00+08:00"),   # partial edge days
           ("2026-11-24T00:00:00+08:00", "2026-11-25T00:00:00+08:00"),   # one day, the night visit cut
           ("2026-11-24T12:00:00+08:00", "2026-11-25T12:00:00+08:00"),   # no whole day
           ("2026-11-22T00:00:00+08:00", "2026-11-27T00:00:00+08:00")]   # empty days around


@pytest.mark.parametrize("start, end", PERIODS)
def test_stored_runs_equal_every_point(night, conn, start, end):
    want = full_scan(conn, at(start), at(end))
    cold = service.visit_report(conn, "410999", at(start), at(end))
    warm = service.visit_report(conn, "410999", at(start), at(end))
    same(cold, want)
    same(warm, want)
    assert set(stored_days(conn)) == set(visit_days.whole_days(at(start), at(end), date(2026, 12, 31)))


def test_a_visit_across_midnight_is_one(night, conn):
    start, end = at("2026-11-24T00:00:00+08:00"), at("2026-11-26T00:00:00+08:00")
    service.visit_report(conn, "410999", start, end)           # stores both days
    hot, schools, _crs = service.places(conn, "410999")
    digest = visit_days.places_digest(hot, schools)
    from layers import visit_runs
    kept, runs = visit_runs.settled(conn, "410999", digest, [date(2026, 11, 24), date(2026, 11, 25)])
    assert set(kept) == {date(2026, 11, 24), date(2026, 11, 25)}
    halves = runs[(runs["team"] == "T2") & (runs["place"] == "H1")
                  & ((runs["end"] == pd.Timestamp("2026-11-24T23:59:00+08:00"))
                     | (runs["start"] == pd.Timestamp("2026-11-25T00:00:00+08:00")))]
    assert len(halves) == 2                                     # kept cut at midnight
    result = pg.visits_from_runs(runs[runs["kind"] == "hotspot"], hot, (pd.Timestamp(start), pd.Timestamp(end)))
    joined = result.visits[(result.visits["team"] == "T2")
                           & (result.visits["start"] <= pd.Timestamp("2026-11-24T23:50:00+08:00"))
                           & (result.visits["end"] >= pd.Timestamp("2026-11-25T00:10:00+08:00"))]
    assert len(joined) == 1                                     # one visit again


def test_today_and_later_come_from_points(night, conn, monkeypatch):
    monkeypatch.setattr(visit_days, "settle_before", lambda: date(2026, 11, 25))
    start, end = at("2026-11-23T00:00:00+08:00"), at("2026-11-26T00:00:00+08:00")
    same(service.visit_report(conn, "410999", start, end), full_scan(conn, start, end))
    assert set(stored_days(conn)) == {date(2026, 11, 23), date(2026, 11, 24)}
    put(conn, "patrol_tracks", minute_points("V1", "2026-11-25T15:00:00+08:00", 12, tag="t"))
    same(service.visit_report(conn, "410999", start, end), full_scan(conn, start, end))


def _changes(conn):
    """Each change to a point of the 24th, as the ways points are written."""
    device = devices.Device(0, "410999", "phone-1", "V1", False)

    def upsert():
        put(conn, "patrol_tracks", minute_points("V1", "2026-11-24T15:00:00+08:00", 12, tag="u"))

    def update():   # the same points sent again from elsewhere: updated, now outside
        put(conn, "patrol_tracks", minute_points("V1", "2026-11-24T15:00:00+08:00", 12, where=Point(111.2, 33.2),
                                                 tag="u"))

    def phone():
        fixes = [{"at": at("2026-11-24T16:00:00+08:00") + pd.Timedelta(minutes=i), "lon": INSIDE.x,
                  "lat": INSIDE.y, "accuracy": 5.0} for i in range(12)]
        assert devices.store_fixes(conn, device, fixes, 100.0)[0] == 12

    def delete():
        with conn.cursor() as cur:
            cur.execute("DELETE FROM patrol_tracks WHERE code LIKE 'osmand:phone-1@%%'")
            assert cur.rowcount == 12

    return [upsert, update, phone, delete]


def test_a_changed_day_is_forgotten_at_once(night, conn):
    start, end = at("2026-11-23T00:00:00+08:00"), at("2026-11-26T00:00:00+08:00")
    before = service.visit_report(conn, "410999", start, end)
    seen = [before["hotspots"]]
    for change in _changes(conn):
        assert date(2026, 11, 24) in stored_days(conn)
        change()
        assert set(stored_days(conn)) == {date(2026, 11, 23), date(2026, 11, 25)}, change.__name__
        doc = service.visit_report(conn, "410999", start, end)
        same(doc, full_scan(conn, start, end))
        seen.append(doc["hotspots"])
    assert seen[1] != seen[0] and seen[2] == seen[0] and seen[3] != seen[0] and seen[4] == seen[0]


def test_truncate_forgets_every_day(night, conn):
    service.visit_report(conn, "410999", at("2026-11-23T00:00:00+08:00"), at("2026-11-26T00:00:00+08:00"))
    assert len(stored_days(conn)) == 3
    with conn.cursor() as cur:
        cur.execute("TRUNCATE patrol_tracks")
    assert stored_days(conn) == {}


def test_new_places_use_new_runs(night, conn):
    start, end = at("2026-11-23T00:00:00+08:00"), at("2026-11-26T00:00:00+08:00")
    service.visit_report(conn, "410999", start, end)
    put(conn, "hotspots", [{"code": "H2", "quarter": "2026Q4", "level": "township", "township_code": "410999001",
                            "name": "桥头", "status": "listed", "unit": "派出所", "deadline": None,
                            "carried_from": None, "geometry": square(111.0045, 33.0045, 0.002)}])
    doc = service.visit_report(conn, "410999", start, end)
    same(doc, full_scan(conn, start, end))
    assert [h["code"] for h in doc["hotspots"]] == ["H1", "H2"] and doc["hotspots"][1]["visits"] > 0
    assert set(stored_days(conn).values()) == {2}               # the old places' runs and the new


def test_settled_days_read_no_points(night, conn, monkeypatch):
    read = []
    real = records.tracks_near

    def spy(*args, **kwargs):
        read.append(kwargs.get("ranges"))
        return real(*args, **kwargs)

    monkeypatch.setattr(records, "tracks_near", spy)
    start, end = at("2026-11-23T00:00:00+08:00"), at("2026-11-26T00:00:00+08:00")
    service.visit_report(conn, "410999", start, end)
    assert read == [[(start, end)]]
    read.clear()
    assert service.visit_report(conn, "410999", start, end)["points"] > 0
    assert read == []                                           # every day stored: no point read
    edge_start, edge_end = at("2026-11-23T09:00:00+08:00"), at("2026-11-25T08:00:00+08:00")
    service.visit_report(conn, "410999", edge_start, edge_end)
    assert read == [[(edge_start, at("2026-11-24T00:00:00+08:00")), (at("2026-11-25T00:00:00+08:00"), edge_end)]]


def test_a_read_only_transaction_stores_nothing(night, conn):
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SET TRANSACTION READ ONLY")
    start, end = at("2026-11-23T00:00:00+08:00"), at("2026-11-26T00:00:00+08:00")
    same(service.visit_report(conn, "410999", start, end), full_scan(conn, start, end))
    assert stored_days(conn) == {}
    conn.rollback()


def test_the_api_answers_from_stored_runs(night, client, conn):
    url = "/api/patrol/visits?from=2026-11-23T00:00:00%2B08:00&to=2026-11-26T00:00:00%2B08:00"
    first = client.get(url, headers=basic("leader"))
    second = client.get(url, headers=basic("leader"))
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    same(second.get_json(), full_scan(conn, at("2026-11-23T00:00:00+08:00"), at("2026-11-26T00:00:00+08:00")))
    conn.rollback()
    assert len(stored_days(conn)) == 3                          # committed by the request


@pytest.mark.parametrize("query", ["from=2026-11-26&to=2026-11-25", "from=yesterday&to=2026-11-25",
                                   "from=2026-13-01&to=2026-11-25", "to=2026-11-25&from=2026-11-24T25:00:00"])
def test_bad_periods_still_400(county, client, conn, query):  # noqa: F811
    resp = client.get(f"/api/patrol/visits?{query}", headers=basic("leader"))
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert stored_days(conn) == {}


def test_visits_from_runs_equal_visits():
    rng = np.random.default_rng(7)
    places = gpd.GeoDataFrame({"code": ["A", "B", "C"]}, crs="EPSG:32649",
                              geometry=[Point(0, 0).buffer(100), Point(50, 0).buffer(80), Point(900, 0).buffer(50)])
    n = 20000
    times = pd.Timestamp("2026-11-23 20:00", tz="Asia/Shanghai") + pd.to_timedelta(
        np.cumsum(rng.integers(5, 60, n)), unit="s")
    team = rng.choice(["T1", "T2", "T3"], n)
    xy = rng.normal(0, 150, (n, 2))
    xy[rng.random(n) < 0.2, 0] += 900
    period = (pd.Timestamp("2026-11-23", tz="UTC"), pd.Timestamp("2026-12-30", tz="UTC"))
    runs = pg.day_runs(team, times, xy, places)
    assert runs["day"].nunique() > 5
    whole = pg.visits(team, times, xy, places, period=period)
    joined = pg.visits_from_runs(runs.sample(frac=1, random_state=1), places, period)
    pd.testing.assert_frame_equal(whole.visits, joined.visits)
    pd.testing.assert_frame_equal(whole.summary, joined.summary)
    assert len(runs) > len(whole.visits)                        # some visits cross midnight


def test_a_change_during_a_report_waits_then_forgets(night, app, conn):
    import threading
    import time

    import psycopg2

    start, end = at("2026-11-23T00:00:00+08:00"), at("2026-11-26T00:00:00+08:00")
    service.visit_report(conn, "410999", start, end)           # stores the 3 days, not committed yet
    done = []

    def phone():
        other = psycopg2.connect(app.config["RESOLVED_DATABASE_URL"])
        try:
            put(other, "patrol_tracks", minute_points("V1", "2026-11-24T15:00:00+08:00", 12, tag="c"))
            done.append(True)
        finally:
            other.close()

    thread = threading.Thread(target=phone)
    thread.start()
    time.sleep(0.5)
    assert not done                                             # waits for the report's transaction
    conn.commit()
    thread.join(10)
    assert done and set(stored_days(conn)) == {date(2026, 11, 23), date(2026, 11, 25)}
    same(service.visit_report(conn, "410999", start, end), full_scan(conn, start, end))


def test_pruned_months_forget_their_days(night, conn):
    from layers import track_partitions

    service.visit_report(conn, "410999", at("2026-11-23T00:00:00+08:00"), at("2026-11-26T00:00:00+08:00"))
    track_partitions.prune(conn, keep_months=1, on=date(2026, 12, 5))
    assert stored_days(conn) == {}
