"""geo.patrol on hand-built tracks, places and road grids with exactly known answers.

All geometry in UTM 49N (EPSG:32649), metres. Track times are Asia/Shanghai.
"""
import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import patrol

CRS = "EPSG:32649"
T0 = pd.Timestamp("2026-06-01 08:00", tz="Asia/Shanghai")
SQUARE = shapely.box(0, 0, 100, 100)


def places(*geoms, codes=None):
    codes = codes or [f"H{i + 1}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"code": codes}, geometry=list(geoms), crs=CRS)


def track(*runs):
    """runs: (team, minutes, x, y) with minutes/x/y arrays or scalars -> team, time, xy."""
    team, time, xy = [], [], []
    for code, minutes, x, y in runs:
        minutes = np.atleast_1d(np.asarray(minutes, dtype=float))
        team += [code] * len(minutes)
        time.append(T0 + pd.to_timedelta(minutes, unit="min"))
        xy.append(np.column_stack([np.broadcast_to(x, minutes.shape), np.broadcast_to(y, minutes.shape)]))
    return np.array(team, dtype=object), pd.DatetimeIndex(np.concatenate(time)), np.vstack(xy)


def every_half_minute(a, b):
    return np.arange(a, b + 1e-9, 0.5)


# -- visits ---------------------------------------------------------------------

def test_a_twelve_minute_stop_is_one_visit_of_twelve_minutes():
    team, time, xy = track(("A", -1.0, -50, 50), ("A", every_half_minute(0, 12), 50, 50), ("A", 12.5, 250, 50))
    vis, summary = patrol.visits(team, time, xy, places(SQUARE))
    assert len(vis) == 1
    row = vis.iloc[0]
    assert (row.place, row.team, row.points) == ("H1", "A", 25)
    assert row.dwell_min == pytest.approx(12.0)
    assert row.start == T0 and row.end == T0 + pd.Timedelta(minutes=12)
    assert summary.loc[0, ["visits", "dwell_min", "long_visits"]].tolist() == [1, 12.0, 1]
    assert summary.loc[0, "last_visit"] == T0


@pytest.mark.parametrize("gap_min,expected", [(11, 2), (9, 1), (10, 1)])
def test_a_gap_over_ten_minutes_inside_splits_the_visit(gap_min, expected):
    team, time, xy = track(("A", [0, 1, 2], 50, 50), ("A", [2 + gap_min, 3 + gap_min], 50, 50))
    vis, summary = patrol.visits(team, time, xy, places(SQUARE))
    assert len(vis) == expected
    if expected == 1:
        assert vis.dwell_min[0] == pytest.approx(3 + gap_min)
    else:
        assert vis.dwell_min.tolist() == pytest.approx([2.0, 1.0])
        assert summary.longest_gap_h[0] == pytest.approx(round(gap_min / 60, 2))


def test_a_short_step_outside_does_not_end_the_visit():
    # one fix outside (GPS jitter at the border) between inside points 60 s apart: one visit
    team, time, xy = track(("A", every_half_minute(0, 5), 50, 50), ("A", 5.5, 150, 50),
                           ("A", every_half_minute(6, 10), 50, 50))
    vis, _ = patrol.visits(team, time, xy, places(SQUARE))
    assert vis.dwell_min.tolist() == pytest.approx([10.0])
    # leaving for over 10 minutes (inside points 11 minutes apart) makes two visits
    team, time, xy = track(("A", every_half_minute(0, 5), 50, 50), ("A", every_half_minute(5.5, 15.5), 150, 50),
                           ("A", every_half_minute(16, 20), 50, 50))
    vis, _ = patrol.visits(team, time, xy, places(SQUARE))
    assert vis.dwell_min.tolist() == pytest.approx([5.0, 4.0])


def test_two_teams_at_the_same_place_make_separate_visits():
    team, time, xy = track(("A", every_half_minute(0, 10), 40, 40), ("B", every_half_minute(5, 20), 60, 60))
    vis, summary = patrol.visits(team, time, xy, places(SQUARE))
    assert vis[["team", "dwell_min"]].values.tolist() == [["A", 10.0], ["B", 15.0]]
    assert summary.loc[0, ["visits", "dwell_min", "long_visits"]].tolist() == [2, 25.0, 2]
    assert summary.longest_gap_h[0] == 0.0  # overlapping visits leave no gap over the tracks' span


def test_a_point_exactly_on_the_border_counts_as_inside():
    # choice: the border belongs to the place (intersects), so a team standing on it is there
    team, time, xy = track(("A", [0, 1], 100.0, 50.0), ("B", [0, 1], 100.001, 50.0))
    vis, _ = patrol.visits(team, time, xy, places(SQUARE))
    assert vis.team.tolist() == ["A"]


def test_order_of_points_does_not_matter_and_overlapping_places_both_count():
    team, time, xy = track(("A", every_half_minute(0, 12), 50, 50), ("B", every_half_minute(0, 3), 150, 50),
                           ("A", 12.5, 300, 300))
    shuffle = np.random.default_rng(0).permutation(len(team))
    two = places(SQUARE, shapely.box(0, 0, 200, 100))
    vis, summary = patrol.visits(team[shuffle], time[shuffle], xy[shuffle], two)
    assert vis[["place", "team", "dwell_min"]].values.tolist() == [["H1", "A", 12.0], ["H2", "A", 12.0],
                                                                  ["H2", "B", 3.0]]
    assert summary.visits.tolist() == [1, 2]


def test_summary_over_a_period_and_a_place_never_visited():
    team, time, xy = track(("A", every_half_minute(60, 70), 50, 50), ("A", every_half_minute(300, 305), 50, 50))
    period = (T0, T0 + pd.Timedelta(hours=24))
    vis, summary = patrol.visits(team, time, xy, places(SQUARE, shapely.box(500, 500, 600, 600)), period=period)
    first, never = summary.iloc[0], summary.iloc[1]
    assert (first.visits, first.dwell_min, first.long_visits) == (2, 15.0, 1)
    # gaps: 1 h before, 3 h 50 min between, 24 h - 5 h 5 min after
    assert first.longest_gap_h == pytest.approx(round(24 - 305 / 60, 2))
    assert first.last_visit == T0 + pd.Timedelta(minutes=300)
    assert (never.visits, never.dwell_min, never.long_visits, never.longest_gap_h) == (0, 0.0, 0, 24.0)
    assert pd.isna(never.last_visit)


def test_school_place_is_the_200_metres_around_it():
    schools = gpd.GeoDataFrame({"code": ["S1"]}, geometry=[shapely.Point(1000, 1000)], crs=CRS)
    team, time, xy = track(("A", [0, 1], 1199, 1000), ("B", [0, 1], 1000, 1201))
    vis, summary = patrol.visits(team, time, xy, patrol.school_places(schools))
    assert vis.team.tolist() == ["A"] and summary.code.tolist() == ["S1"]


def test_no_points_or_no_places():
    team, time, xy = track(("A", [0, 1], 500, 500))
    vis, summary = patrol.visits(team[:0], time[:0], xy[:0], places(SQUARE), period=(T0, T0 + pd.Timedelta(hours=2)))
    assert vis.empty and summary[["visits", "longest_gap_h"]].values.tolist() == [[0, 2.0]]
    vis, summary = patrol.visits(team, time, xy, places(SQUARE, None, shapely.Polygon()))
    assert vis.empty and summary.visits.tolist() == [0, 0, 0]
    vis, summary = patrol.visits(team, time, xy, places(SQUARE).iloc[:0])
    assert vis.empty and summary.empty


def test_crs_is_checked():
    team, time, xy = track(("A", [0, 1], 50, 50))
    with pytest.raises(ValueError, match="metres"):
        patrol.visits(team, time, xy, places(SQUARE).set_crs(4326, allow_override=True))
    with pytest.raises(ValueError, match="mismatch"):
        patrol.visits(team, time, xy, places(SQUARE), crs="EPSG:32650")
    with pytest.raises(ValueError, match="school_places"):
        patrol.visits(team, time, xy, places(shapely.Point(50, 50)))
    pts = gpd.GeoSeries(shapely.points(xy), crs="EPSG:3857")
    with pytest.raises(ValueError, match="mismatch"):
        patrol.visits(team, time, pts, places(SQUARE))


# -- 见巡率 -----------------------------------------------------------------------

def test_presence_rate_two_of_three_days():
    team, time, xy = track(("A", every_half_minute(0, 10), 50, 50),                        # 1 June, 10 min
                           ("A", every_half_minute(24 * 60, 24 * 60 + 5), 50, 50),        # 2 June, 5 min only
                           ("A", every_half_minute(2 * 24 * 60, 2 * 24 * 60 + 30), 50, 50))  # 3 June
    vis, _ = patrol.visits(team, time, xy, places(SQUARE, shapely.box(500, 500, 600, 600)))
    days = pd.date_range("2026-06-01", periods=3).date
    rate = patrol.presence_rate(vis, days, places=["H1", "H2"])
    assert rate.values.tolist() == [["H1", 2, 3, 0.6667], ["H2", 0, 3, 0.0]]


def test_presence_days_are_shanghai_days():
    # 17:00 UTC on 1 June is 01:00 on 2 June in Shanghai
    vis = pd.DataFrame({"place": ["H1"], "start": [pd.Timestamp("2026-06-01 17:00", tz="UTC")],
                        "dwell_min": [12.0]})
    rate = patrol.presence_rate(vis, [dt.date(2026, 6, 1)])
    assert rate.rate.tolist() == [0.0]
    rate = patrol.presence_rate(vis, [dt.date(2026, 6, 2)])
    assert rate.rate.tolist() == [1.0]


# -- routes travelled, off route ---------------------------------------------------

ROUTE = shapely.LineString([(0, 0), (1000, 0)])


def test_route_share_travelled_half_the_route():
    half = np.column_stack([np.arange(0, 501, 25.0), np.zeros(21)])
    # with a tight tolerance the share is the half, within one sampling step (10 m of 1000)
    assert patrol.route_share_travelled(ROUTE, half, tolerance_m=1) == pytest.approx(0.5, abs=0.01)
    # with the default 50 m, the 50 m beyond the track's end are within reach too
    assert patrol.route_share_travelled(ROUTE, half) == pytest.approx(0.55, abs=0.01)


def test_route_share_joins_sparse_fixes_but_not_gaps():
    sparse_fixes = np.array([[0.0, 5.0], [250.0, 5.0], [500.0, 5.0]])  # a car: 250 m per 30 s
    assert patrol.route_share_travelled(ROUTE, sparse_fixes, tolerance_m=10) == pytest.approx(0.5, abs=0.02)
    assert patrol.route_share_travelled(ROUTE, sparse_fixes, tolerance_m=10, join_m=0) == pytest.approx(
        0.06, abs=0.02)
    assert patrol.route_share_travelled(ROUTE, sparse_fixes, tolerance_m=10, join_m=200) == pytest.approx(
        0.06, abs=0.02)


def test_route_share_checks_crs():
    route = gpd.GeoSeries([ROUTE], crs=4326)
    with pytest.raises(ValueError, match="metres"):
        patrol.route_share_travelled(route, np.zeros((1, 2)))


def test_off_route_alert_needs_the_latest_points_off():
    on = np.column_stack([np.arange(0, 400, 40.0), np.full(10, 10.0)])
    off = np.column_stack([np.arange(400, 600, 40.0), np.full(5, 80.0)])
    res = patrol.off_route(np.vstack([on, off]), ROUTE)
    assert res.share_off == pytest.approx(5 / 15, abs=1e-4) and res.recent_off == 1.0 and res.alert
    assert res.distance_m[:10] == pytest.approx(10.0)
    res = patrol.off_route(np.vstack([on, off, on[:1]]), ROUTE)
    assert res.recent_off == 0.8 and not res.alert


# -- route planning --------------------------------------------------------------

def grid_roads(n=4, spacing=100.0):
    """An n x n node square grid of road segments between neighbouring nodes."""
    lines = []
    for i in range(n):
        for j in range(n - 1):
            lines.append(shapely.LineString([(j * spacing, i * spacing), ((j + 1) * spacing, i * spacing)]))
            lines.append(shapely.LineString([(i * spacing, j * spacing), (i * spacing, (j + 1) * spacing)]))
    return gpd.GeoDataFrame({"code": [f"R{k}" for k in range(len(lines))]}, geometry=lines, crs=CRS)


def test_plan_route_through_three_corners():
    plan = patrol.plan_route(grid_roads(), (0, 0), [(300, 300), (300, 0), (0, 300)], speed_kmh=30,
                             start_time=T0)
    assert plan.length_m == pytest.approx(1200.0)
    assert plan.geometry.length == pytest.approx(1200.0)
    coords = shapely.get_coordinates(plan.geometry)
    assert tuple(coords[0]) == (0, 0) and tuple(coords[-1]) == (0, 0)
    assert plan.method == "exact"
    # 30 km/h = 500 m/min: legs of 300 m take 0.6 min; each stop 15 min
    assert plan.stops.arrival_min.tolist() == [0.6, 16.2, 31.8]
    assert plan.travel_min == 2.4 and plan.duration_min == 47.4 and plan.fits_shift
    assert sorted(plan.stops.stop.tolist()) == [0, 1, 2] and plan.stops.stop.iloc[1] == 0
    assert plan.stops.crs == CRS
    assert plan.stops.arrival.iloc[1] == T0 + pd.Timedelta(minutes=16.2)
    assert plan.stops.departure.iloc[1] == T0 + pd.Timedelta(minutes=31.2)
    assert not patrol.plan_route(grid_roads(), (0, 0), [(300, 300), (300, 0), (0, 300)],
                                 shift_minutes=45).fits_shift


def test_plan_route_cuts_roads_at_stops_between_junctions():
    # two stops on the same segment and one 5 m off the road: 75 + 375 + 450 = 900 m
    plan = patrol.plan_route(grid_roads(), (0, 0), [(150, 305), (75, 0), (25, 0)])
    assert plan.length_m == pytest.approx(900.0)
    assert plan.geometry.length == pytest.approx(900.0)
    # a tour and its reverse are equally long: either direction is right
    assert (plan.stops.stop.tolist(), plan.stops.leg_m.tolist()) in (
        ([2, 1, 0], [25.0, 50.0, 375.0]), ([0, 1, 2], [450.0, 375.0, 50.0]))
    assert plan.stops.sort_values("stop").snap_m.tolist() == [5.0, 0.0, 0.0]


def test_plan_route_many_stops_uses_christofides_and_finds_the_ring():
    ring = [(x, 0) for x in (100, 200, 300)] + [(300, y) for y in (100, 200, 300)] + \
           [(x, 300) for x in (200, 100, 0)] + [(0, y) for y in (200, 100)]
    order = np.random.default_rng(1).permutation(len(ring))
    plan = patrol.plan_route(grid_roads(), (0, 0), np.array(ring, dtype=float)[order])
    assert plan.method == "christofides+2opt"
    assert plan.length_m == pytest.approx(1200.0)


def test_plan_route_checks_crs_and_reachability():
    with pytest.raises(ValueError, match="metres"):
        patrol.plan_route(grid_roads().set_crs(4326, allow_override=True), (0, 0), [(100, 0)])
    roads = pd.concat([grid_roads(), gpd.GeoDataFrame(
        {"code": ["X"]}, geometry=[shapely.LineString([(5000, 5000), (5100, 5000)])], crs=CRS)])
    # a stop by a road that does not connect is attached to the main network instead
    plan = patrol.plan_route(roads, (0, 0), [(5050, 5000)])
    assert plan.stops.snap_m.iloc[0] > 4000


# -- staffing and alerts --------------------------------------------------------------

def test_staffing_against_r7():
    teams = pd.DataFrame([
        {"kind": "township_fulltime", "township_code": "T1", "village_code": None, "members": 10},
        {"kind": "township_fulltime", "township_code": "T1", "village_code": None, "members": 6},
        {"kind": "township_fulltime", "township_code": "T2", "village_code": None, "members": 14},
        {"kind": "village_volunteer", "township_code": "T2", "village_code": "V1", "members": 6},
        {"kind": "village_volunteer", "township_code": "T2", "village_code": "V2", "members": 5},
    ])
    doc = patrol.staffing(teams, ["T1", "T2"], ["V1", "V2", "V3"])
    assert doc == {
        "townships": [{"code": "T1", "fulltime_members": 16, "required": 15, "met": True},
                      {"code": "T2", "fulltime_members": 14, "required": 15, "met": False}],
        "villages": [{"code": "V1", "volunteer_members": 6, "required": 6, "met": True},
                     {"code": "V2", "volunteer_members": 5, "required": 6, "met": False},
                     {"code": "V3", "volunteer_members": 0, "required": 6, "met": False}]}


def test_unvisited_since():
    now = pd.Timestamp("2026-06-02 12:00", tz="Asia/Shanghai")
    summary = pd.DataFrame({"code": ["H1", "H2", "H3"],
                            "last_visit": [now - pd.Timedelta(hours=30), now - pd.Timedelta(hours=2), pd.NaT]})
    out = patrol.unvisited_since(summary, now, hours=24)
    assert out.code.tolist() == ["H3", "H1"]
    assert out.hours_since.iloc[1] == 30.0


def test_school_days_and_schools_not_visited():
    assert patrol.school_day(dt.date(2026, 6, 1))              # a Monday
    assert not patrol.school_day(dt.date(2026, 6, 6))          # Saturday
    assert not patrol.school_day("2026-06-19", holidays=["2026-06-19"])  # 端午节
    assert patrol.school_day("2026-06-06", workdays=["2026-06-06"])      # 调休
    vis = pd.DataFrame({"place": ["S1"], "team": ["A"],
                        "start": [pd.Timestamp("2026-06-01 07:30", tz="Asia/Shanghai")],
                        "end": [pd.Timestamp("2026-06-01 07:45", tz="Asia/Shanghai")]})
    assert patrol.schools_not_visited(vis, ["S1", "S2"], dt.date(2026, 6, 1)) == ["S2"]
    assert patrol.schools_not_visited(vis, ["S1", "S2"], dt.date(2026, 6, 2)) == ["S1", "S2"]
    assert patrol.schools_not_visited(vis, ["S1", "S2"], dt.date(2026, 6, 6)) == []
