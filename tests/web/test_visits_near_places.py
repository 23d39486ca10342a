"""/api/patrol/visits reads only the points near the places (layers.patrol.tracks_near):
the same answers as reading every point of the period, and fixes flagged by their
sender (props.flagged) are not visits."""
from datetime import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from layers import patrol as records
from tests.conftest import basic
from tests.helpers import put
from tests.web.test_patrol_api import HOT, SCHOOL, county  # noqa: F401  (the fixture)
from web.services import patrol as service

DAYS = ("2026-11-23", "2026-11-24", "2026-11-25")


def walk(team, day, seed, n=400):
    """A team's day: a point every 30 s wandering between the hotspot, the school and elsewhere."""
    rng = np.random.default_rng(seed)
    stops = [(111.043, 33.003), (111.0055, 33.0055), (111.03, 33.02), (111.15, 33.002)]
    t0 = pd.Timestamp(f"{day} 08:00", tz="Asia/Shanghai")
    rows, where = [], stops[seed % len(stops)]
    for i in range(n):
        if rng.random() < 0.03:
            where = stops[rng.integers(len(stops))]
        t = t0 + pd.Timedelta(seconds=30 * i + int(rng.integers(0, 5)))
        if rng.random() < 0.05:   # a dead zone: a gap of up to 20 minutes
            t0 += pd.Timedelta(minutes=int(rng.integers(5, 20)))
        jitter = rng.normal(0, 0.0008, 2)
        rows.append({"code": f"{team}@{t.isoformat()}", "team_code": team, "recorded_at": t,
                     "geometry": Point(where[0] + jitter[0], where[1] + jitter[1])})
    return rows


def full_scan(conn, start, end):
    """The report as it was made before 0015: every point of the period read and tested."""
    where = service.places(conn, "410999")
    return service.report_from_points(conn, "410999", start, end, where, records.tracks(conn, "410999", start, end))


@pytest.fixture
def tracked(county, conn):  # noqa: F811
    for d, day in enumerate(DAYS):
        for k, team in enumerate(("T1", "T2", "V1")):
            put(conn, "patrol_tracks", walk(team, day, seed=10 * d + k))
    return county


@pytest.mark.parametrize("start, end", [("2026-11-23T00:00:00+08:00", "2026-11-26T00:00:00+08:00"),
                                        ("2026-11-24T09:00:00+08:00", "2026-11-24T10:30:00+08:00"),
                                        ("2026-11-25T00:00:00+08:00", "2026-11-26T00:00:00+08:00")])
def test_visits_equal_the_full_scan(tracked, client, conn, start, end):
    resp = client.get(f"/api/patrol/visits?from={start.replace('+', '%2B')}&to={end.replace('+', '%2B')}",
                      headers=basic("leader"))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    doc = resp.get_json()
    want = full_scan(conn, datetime.fromisoformat(start), datetime.fromisoformat(end))
    assert doc["points"] == want["points"] > 0 and doc["school_days"] == want["school_days"]
    assert doc["hotspots"] == want["hotspots"] and doc["schools"] == want["schools"]
    assert sum(h["visits"] for h in doc["hotspots"] + doc["schools"]) > 0


def test_near_points_are_fewer_than_all(tracked, conn):
    start, end = (datetime.fromisoformat(t) for t in ("2026-11-23T00:00:00+08:00", "2026-11-26T00:00:00+08:00"))
    hot, schools, _crs = service.places(conn, "410999")
    near = records.tracks_near(conn, "410999", start, end, service.place_boxes(hot, schools))
    every = records.tracks(conn, "410999", start, end)
    assert 0 < len(near[0]) < len(every[0])
    assert list(near[1]) == sorted(near[1]) or all(np.diff(near[1][near[0] == t].asi8).min() >= 0
                                                   for t in set(near[0]))
    assert records.tracks_near(conn, "410999", start, end, np.zeros((0, 4)))[0].size == 0


def test_flagged_fixes_are_not_visits(county, client, conn):  # noqa: F811
    inside = HOT.centroid
    t0 = pd.Timestamp("2026-11-25 09:00", tz="Asia/Shanghai")
    rows = [{"code": f"T1@{(t0 + pd.Timedelta(minutes=i)).isoformat()}", "team_code": "T1",
             "recorded_at": t0 + pd.Timedelta(minutes=i), "geometry": Point(inside.x, inside.y)} for i in range(15)]
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["props"] = [{"flagged": "accuracy", "accuracy": 350} for _ in rows]   # as helper B stores a poor fix
    records.add_track_points(conn, "410999", frame)
    put(conn, "patrol_tracks", [{"code": "T2@x", "team_code": "T2", "recorded_at": t0 + pd.Timedelta(hours=2),
                                 "geometry": Point(SCHOOL.x, SCHOOL.y)}])
    doc = client.get("/api/patrol/visits?from=2026-11-25&to=2026-11-26", headers=basic("leader")).get_json()
    (hot,), (school,) = doc["hotspots"], doc["schools"]
    assert hot["visits"] == 0 and hot["last_visit"] is None     # 15 flagged minutes inside: no visit
    assert school["visits"] == 1                                  # an unflagged point still counts
    assert doc["points"] == 1                                     # flagged fixes are not counted either


def test_visits_refuse_more_near_points_than_the_budget(tracked, client, app):
    from web.services import budget

    old = budget.LIMITS
    budget.LIMITS = budget.Budget(max_visit_points=10)
    try:
        resp = client.get("/api/patrol/visits?from=2026-11-23&to=2026-11-26", headers=basic("leader"))
    finally:
        budget.LIMITS = old
    assert resp.status_code == 413 and "from" in resp.get_data(as_text=True)
