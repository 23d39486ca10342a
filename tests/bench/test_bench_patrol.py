"""Benchmarks: visits from a month of GPS tracks, and route planning through 20 stops.

Visits (target < 10 s): 100 teams x 30 days x 2,880 points (a point every 30 s,
8,640,000 points) of random walks along a 500 m road grid, against 200 hotspots. The
plain alternative is what an analyst would write: a GeoDataFrame of the points, a
geopandas ``sjoin`` with the hotspots, then a pandas sort + shift/cumsum run-length and
a groupby. It is timed once on the full set (about 18 s here; a tenth scaled by 10
would say 6-10 s, its costs grow faster than linearly), and both must find the same
visits.

Routes (target < 2 s): 20 stops and a start on a synthetic network of ~2,500 road
segments (a wiggly 37 x 37 grid, 400 m apart, 6% of segments missing). Ours is the
whole ``plan_route`` call from the road GeoDataFrame (graph built inside). The plain
alternative is networkx as documented: a graph of the segments, each stop at its
nearest node, and ``nx.approximation.traveling_salesman_problem(G, nodes=...)`` with
its defaults (Christofides, after all-pairs Dijkstra over the whole road graph).
"""
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree

from geo import patrol
from tests.bench.report import record

pytestmark = pytest.mark.bench

CRS = "EPSG:32649"
SPACING = 500.0
COUNTY_CELLS = 80   # a 40 km square county
TEAM_CELLS = 20     # each team walks within its own 10 km square


def synthetic_tracks(seed=0, teams=100, days=30, per_day=2880):
    """Random walks along a 500 m road grid, 4 fixes per 2-minute leg, half the legs a stop.

    Returns team codes (object array), times (tz-aware, Asia/Shanghai) and xy (metres),
    grouped by team and in time order, as the database returns them.
    """
    rng = np.random.default_rng(seed)
    n = days * per_day
    legs = n // 4
    move = rng.integers(0, 8, size=(teams, legs))  # 0-3: one cell E/W/N/S, 4-7: stay put
    steps = np.zeros((teams, legs + 1, 2), dtype=np.int64)
    steps[:, 1:, 0] = np.select([move == 0, move == 1], [1, -1], 0)
    steps[:, 1:, 1] = np.select([move == 2, move == 3], [1, -1], 0)
    start = rng.integers(0, TEAM_CELLS + 1, size=(teams, 1, 2))
    walk = np.cumsum(steps, axis=1) + start
    node = TEAM_CELLS - np.abs(walk % (2 * TEAM_CELLS) - TEAM_CELLS)  # reflect at the box's edges
    frac = np.array([0.0, 0.25, 0.5, 0.75])[None, None, :, None]
    cells = node[:, :-1, None, :] + frac * (node[:, 1:, None, :] - node[:, :-1, None, :])
    box = rng.integers(0, COUNTY_CELLS - TEAM_CELLS + 1, size=(teams, 1, 2))
    xy = ((cells.reshape(teams, n, 2) + box) * SPACING + rng.normal(0, 5, (teams, n, 2))).reshape(-1, 2)
    team = np.repeat(np.array([f"T{i:03d}" for i in range(teams)], dtype=object), n)
    t0 = pd.Timestamp("2026-06-01", tz="Asia/Shanghai").value
    ns = t0 + (np.arange(n, dtype=np.int64)[None, :] * 30 + rng.integers(0, 30, (teams, 1))) * 1_000_000_000
    time_ = pd.DatetimeIndex(ns.ravel(), tz="UTC").tz_convert("Asia/Shanghai")
    return team, time_, xy


def synthetic_hotspots(seed=1, n=200):
    """Irregular 16-gons of 80-250 m radius centred on road-grid nodes."""
    rng = np.random.default_rng(seed)
    centre = rng.integers(0, COUNTY_CELLS + 1, size=(n, 2)) * SPACING
    angle = np.linspace(0, 2 * np.pi, 17)[None, :-1]
    radius = rng.uniform(80, 250, (n, 1)) * rng.uniform(0.8, 1.2, (n, 16))
    ring = np.stack([centre[:, :1] + radius * np.sin(angle), centre[:, 1:] + radius * np.cos(angle)], axis=2)
    return gpd.GeoDataFrame({"code": [f"H{i:03d}" for i in range(n)]},
                            geometry=shapely.polygons(ring), crs=CRS)


def plain_visits(team, time_, xy, hotspots):
    """geopandas sjoin, then a pandas run-length over (place, team, time)."""
    pts = gpd.GeoDataFrame({"team": team, "time": time_}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                           crs=CRS)
    j = gpd.sjoin(pts, hotspots[["code", "geometry"]], predicate="intersects")
    j = j.sort_values(["code", "team", "time"])
    new = ((j.code != j.code.shift()) | (j.team != j.team.shift())
           | (j.time.diff() > pd.Timedelta(minutes=10)))
    j["run"] = new.cumsum()
    vis = j.groupby("run").agg(place=("code", "first"), team=("team", "first"),
                               start=("time", "min"), end=("time", "max"))
    vis["dwell_min"] = (vis.end - vis.start).dt.total_seconds() / 60
    return vis.reset_index(drop=True)


def timed(fn, repeat=1):
    runs, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - start)
    return sorted(runs)[len(runs) // 2], out


def test_visits_speed():
    team, time_, xy = synthetic_tracks()
    hotspots = synthetic_hotspots()
    assert len(xy) == 8_640_000
    ours, (vis, summary) = timed(lambda: patrol.visits(team, time_, xy, hotspots), repeat=3)
    plain_s, plain = timed(lambda: plain_visits(team, time_, xy, hotspots))
    assert len(vis) == len(plain) > 0
    assert vis.dwell_min.sum() == pytest.approx(plain.dwell_min.sum())
    by_time = np.argsort(time_.asi8, kind="stable")  # as devices post them: all teams interleaved
    t_team, t_time, t_xy = team[by_time], time_[by_time], xy[by_time]
    time_ordered, (vis_t, _) = timed(lambda: patrol.visits(t_team, t_time, t_xy, hotspots))
    shuffle = np.random.default_rng(2).permutation(len(xy))
    s_team, s_time, s_xy = team[shuffle], time_[shuffle], xy[shuffle]
    unsorted, (vis_u, _) = timed(lambda: patrol.visits(s_team, s_time, s_xy, hotspots))
    assert len(vis_t) == len(vis_u) == len(vis)
    print(f"\nvisits: {len(vis):,} visits, {int((vis.dwell_min >= 10).sum()):,} of >= 10 min, "
          f"{int((summary.visits > 0).sum())} of 200 hotspots visited; points in time order (teams "
          f"interleaved): {time_ordered:.2f} s, in random order: {unsorted:.2f} s")
    record("patrol visits, 8.64M GPS points x 200 hotspots", ours, plain_s,
           "geopandas sjoin + pandas run-length", target="< 10 s")
    assert ours < 10
    assert time_ordered < 10


def synthetic_roads(seed=3, n=37, spacing=400.0, drop=0.06):
    """A wiggly n x n grid of road segments (3 inner vertices each), some missing."""
    rng = np.random.default_rng(seed)
    a, b = np.meshgrid(np.arange(n - 1), np.arange(n), indexing="ij")
    a, b = a.ravel(), b.ravel()
    ends = np.concatenate([np.stack([np.c_[a, b], np.c_[a + 1, b]], axis=1),     # along x
                           np.stack([np.c_[b, a], np.c_[b, a + 1]], axis=1)])    # along y
    ends = ends[rng.random(len(ends)) >= drop] * spacing
    t = np.array([0.0, 0.25, 0.5, 0.75, 1.0])[None, :, None]
    pts = ends[:, :1] + t * (ends[:, 1:] - ends[:, :1])
    normal = (ends[:, 1] - ends[:, 0])[:, ::-1] * np.array([1, -1]) / spacing
    bend = rng.normal(0, 15, (len(ends), 5)) * np.array([0, 1, 1, 1, 0])
    pts = pts + bend[:, :, None] * normal[:, None, :]
    return gpd.GeoDataFrame({"code": [f"R{i}" for i in range(len(pts))]},
                            geometry=shapely.linestrings(pts), crs=CRS)


def plain_route(roads, start, stops):
    """networkx as documented: node at segment ends, stops at the nearest node, default TSP."""
    g = nx.Graph()
    geoms = roads.geometry.values
    first = shapely.get_coordinates(shapely.get_point(geoms, 0)).round(1)
    last = shapely.get_coordinates(shapely.get_point(geoms, -1)).round(1)
    for p, q, w in zip(map(tuple, first), map(tuple, last), shapely.length(geoms)):
        g.add_edge(p, q, weight=w)
    nodes = list(g.nodes)
    tree = cKDTree(np.array(nodes))
    terminals = [nodes[i] for i in tree.query(np.vstack([start, stops]))[1]]
    path = nx.approximation.traveling_salesman_problem(g, nodes=terminals, weight="weight")
    return sum(g[p][q]["weight"] for p, q in zip(path[:-1], path[1:]))


def test_route_planning_speed():
    roads = synthetic_roads()
    assert 2_400 <= len(roads) <= 2_600
    rng = np.random.default_rng(4)
    stops = rng.uniform(0, 36 * 400.0, (20, 2))
    start = np.array([18 * 400.0, 18 * 400.0])
    patrol.plan_route(roads, start, stops)  # warm imports
    ours, plan = timed(lambda: patrol.plan_route(roads, start, stops), repeat=5)
    graph = patrol.road_graph(roads)
    reuse, _ = timed(lambda: patrol.plan_route(graph, start, stops), repeat=5)
    plain, plain_length = timed(lambda: plain_route(roads, start, stops))
    assert len(plan.stops) == 20 and plan.method == "christofides+2opt"
    print(f"\nroute: {len(roads):,} segments, {plan.length_m / 1000:.1f} km ({plain_length / 1000:.1f} km by the "
          f"plain way, stops moved to nodes), {plan.duration_min / 60:.1f} h, fits 8 h: {plan.fits_shift}; "
          f"with the road graph built beforehand: {reuse * 1000:.0f} ms")
    record(f"patrol route, 20 stops on {len(roads):,} road segments", ours, plain,
           "networkx traveling_salesman_problem defaults", target="< 2 s")
    assert ours < 2
