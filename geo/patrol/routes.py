"""Patrol route planning along roads: the road graph, and a tour through the stops (R6).

Roads are (Multi)LineStrings in a projected CRS in metres; lengths in metres, times in
minutes. Shortest paths come from ``geo.network.Network``.
"""
from __future__ import annotations

import itertools
from typing import NamedTuple

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree
from shapely.ops import substring

from geo.crs import points_xy, require_metres, same_crs_if_given
from geo.lines import line_parts
from geo.network import Network

EXACT_TSP_MAX_STOPS = 8  # up to 8 stops every order is tried (8! = 40,320)


class RoadGraph(NamedTuple):
    geoms: np.ndarray   # LineString per edge, oriented from node u to node v
    u: np.ndarray       # start node of each edge
    v: np.ndarray       # end node of each edge
    length: np.ndarray  # metres
    xy: np.ndarray      # node coordinates, metres
    main: np.ndarray    # bool per edge: in the largest connected part of the network
    crs: CRS


def road_graph(roads: gpd.GeoDataFrame, snap_m: float = 1.0) -> RoadGraph:
    """The road network as a graph: nodes at line ends within ``snap_m`` metres, edges the lines.

    roads: GeoDataFrame of (Multi)LineStrings in a metric CRS. A line whose end lies on
    another line's interior (a T junction in a file that was not noded there) splits the
    other line at that point; lines that cross with no end at the crossing stay apart
    (an overpass). Build once, plan many.
    """
    crs = require_metres(roads.crs, "roads", "patrol")
    geoms = _split_at_ends(line_parts(roads.geometry.values), snap_m)
    n = len(geoms)
    ends = np.vstack([shapely.get_coordinates(shapely.get_point(geoms, 0)),
                      shapely.get_coordinates(shapely.get_point(geoms, -1))])
    pairs = cKDTree(ends).query_pairs(snap_m, output_type="ndarray")
    link = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(2 * n, 2 * n))
    _, label = csgraph.connected_components(link, directed=False)
    _, first = np.unique(label, return_index=True)
    xy = ends[first]
    u, v = label[:n], label[n:]
    length = shapely.length(geoms)
    comp = Network(geoms, u, v, length, len(xy)).components()
    main = comp[u] == np.bincount(comp[u]).argmax() if n else np.zeros(0, dtype=bool)
    return RoadGraph(geoms, u, v, length, xy, main, crs)


def _split_at_ends(geoms: np.ndarray, snap_m: float) -> np.ndarray:
    """Cut lines where another line's end lies on them (within snap_m of the interior)."""
    n = len(geoms)
    if n < 2:
        return geoms
    ends = np.concatenate([shapely.get_point(geoms, 0), shapely.get_point(geoms, -1)])
    owner = np.r_[np.arange(n), np.arange(n)]
    end_i, line_j = shapely.STRtree(geoms).query(ends, predicate="dwithin", distance=snap_m)
    other = owner[end_i] != line_j
    end_i, line_j = end_i[other], line_j[other]
    at = shapely.line_locate_point(geoms[line_j], ends[end_i])
    inner = (at > snap_m) & (at < shapely.length(geoms[line_j]) - snap_m)
    end_i, line_j, at = end_i[inner], line_j[inner], at[inner]
    if not len(line_j):
        return geoms
    pieces, cut = [], np.zeros(n, dtype=bool)
    for j in np.unique(line_j):
        stops = np.unique(np.r_[0.0, at[line_j == j], geoms[j].length])
        pieces += [substring(geoms[j], a, b) for a, b in zip(stops[:-1], stops[1:]) if b - a > 0]
        cut[j] = True
    return np.concatenate([geoms[~cut], np.array(pieces, dtype=object)])


class PlannedRoute(NamedTuple):
    geometry: shapely.LineString  # start -> stops -> start along the roads (graph's CRS)
    length_m: float
    stops: gpd.GeoDataFrame       # in visiting order, with planned times
    travel_min: float
    duration_min: float           # travel plus planned stops
    fits_shift: bool
    method: str                   # "exact" or "christofides+2opt"
    crs: CRS


def plan_route(roads, start_xy, stops_xy, stop_minutes: float = 15.0, speed_kmh: float = 30.0,
               shift_minutes: float = 480.0, *, start_time=None, crs=None) -> PlannedRoute:
    """A patrol route from ``start_xy`` through every stop and back, along the roads.

    roads: GeoDataFrame of road lines in a metric CRS, or a ``road_graph`` of them.
    start_xy: (x, y) metres; stops_xy: (k, 2) metres or a point GeoSeries (hotspot
    centroids, schools). Each point is attached to the nearest point of the nearest road
    of the main network (``snap_m`` in the result says how far that was); the road is cut
    there. Shortest paths: Dijkstra from the start and each stop on the road graph
    (``geo.network.Network``, scipy.sparse.csgraph). Order: every order tried for up to
    8 stops (optimal); above that networkx's Christofides (at most 1.5x the optimal tour,
    distances being road distances) improved by 2-opt (never worse than Christofides).
    Travel at ``speed_kmh``; each stop planned for ``stop_minutes``; ``fits_shift`` when
    travel plus stops take no more than ``shift_minutes``. ``start_time`` (optional
    timestamp) adds clock times ``arrival`` and ``departure`` to the stops.
    Raises ValueError when a stop cannot be reached from the start.
    """
    g = roads if isinstance(roads, RoadGraph) else road_graph(roads)
    stops_arr = points_xy(stops_xy, crs, "stops_xy", needed_by="patrol")
    same_crs_if_given(g.crs, "roads", stops_xy=getattr(stops_xy, "crs", None), crs=crs)
    terminals = np.vstack([np.asarray(start_xy, dtype=float).reshape(1, 2), stops_arr])
    net, node, snap = _attach(g, terminals)
    dist, pred = net.shortest(node)
    dm = dist[:, node]
    dm = np.minimum(dm, dm.T)
    if not np.isfinite(dm).all():
        bad = np.flatnonzero(~np.isfinite(dm[0]))
        raise ValueError(f"stops {[int(b) - 1 for b in bad]} cannot be reached from the start by road")
    tour, method = _order(dm)
    legs = zip(tour[:-1], tour[1:])
    pieces = [c for a, b in legs for c in net.pieces(Network.path(pred[a], node[a], node[b]))]
    leg_m = dm[tour[:-1], tour[1:]]
    stops, travel = _timetable(leg_m, tour, terminals, snap, stop_minutes, speed_kmh, start_time, g.crs)
    duration = travel + len(stops) * stop_minutes
    return PlannedRoute(_line(pieces, terminals[0]), float(round(leg_m.sum(), 1)), stops, round(travel, 1),
                        round(duration, 1), duration <= shift_minutes, method, g.crs)


def _attach(g: RoadGraph, terminals: np.ndarray):
    """(network, node of each terminal, snap distance m): each terminal put on the nearest
    road of the main network, that road cut there."""
    main = np.flatnonzero(g.main)
    if not len(main):
        raise ValueError("roads has no usable lines")
    pts = shapely.points(terminals)
    near, snap = shapely.STRtree(g.geoms[main]).query_nearest(pts, return_distance=True, all_matches=False)
    edge = main[near[1]]
    at = shapely.line_locate_point(g.geoms[edge], pts)
    geoms, u, v, length, node, n_nodes = _split_graph(g, edge, at, snap_m=0.5)
    return Network(geoms, u, v, length, n_nodes), node, snap


def _split_graph(g: RoadGraph, edge: np.ndarray, at: np.ndarray, snap_m: float):
    """Graph edges with each terminal's edge cut at the terminal; the terminals' nodes."""
    geoms, u, v, length = list(g.geoms), g.u.copy(), g.v.copy(), g.length.copy()
    keep = np.ones(len(u), dtype=bool)
    node = np.empty(len(edge), dtype=np.int64)
    n_nodes = len(g.xy)
    extra_u, extra_v, extra_len = [], [], []
    for e in np.unique(edge):
        mine = np.flatnonzero(edge == e)
        L = length[e]
        cuts = []
        for j in mine:
            if at[j] <= snap_m:
                node[j] = u[e]
            elif at[j] >= L - snap_m:
                node[j] = v[e]
            else:
                cuts.append(j)
        if not cuts:
            continue
        pos = np.unique(at[cuts])
        ids = np.arange(n_nodes, n_nodes + len(pos))
        n_nodes += len(pos)
        for j in cuts:
            node[j] = ids[np.searchsorted(pos, at[j])]
        chain = np.r_[u[e], ids, v[e]]
        marks = np.r_[0.0, pos, L]
        for a, b, s0, s1 in zip(chain[:-1], chain[1:], marks[:-1], marks[1:]):
            geoms.append(substring(g.geoms[e], s0, s1))
            extra_u.append(a)
            extra_v.append(b)
            extra_len.append(s1 - s0)
        keep[e] = False
    u = np.r_[u[keep], np.array(extra_u, dtype=np.int64)]
    v = np.r_[v[keep], np.array(extra_v, dtype=np.int64)]
    length = np.r_[length[keep], np.array(extra_len, dtype=float)]
    geoms = np.array([gm for gm, k in zip(geoms, np.r_[keep, np.ones(len(extra_u), bool)]) if k], dtype=object)
    return geoms, u, v, length, node, n_nodes


def _order(dm: np.ndarray) -> tuple[list[int], str]:
    """A closed visiting order 0 -> ... -> 0 over the terminals (0 is the start)."""
    if len(dm) - 1 <= EXACT_TSP_MAX_STOPS:
        return _exact_order(dm), "exact"
    complete = nx.Graph()
    n = len(dm)
    complete.add_weighted_edges_from((a, b, dm[a, b]) for a in range(n) for b in range(a + 1, n))
    cycle = nx.approximation.traveling_salesman_problem(
        complete, weight="weight", nodes=list(range(n)), cycle=True,
        method=nx.approximation.christofides)
    cycle = cycle[:-1]
    k = cycle.index(0)
    tour = cycle[k:] + cycle[:k] + [0]
    return _two_opt(dm, tour), "christofides+2opt"


def _exact_order(dm: np.ndarray) -> list[int]:
    k = len(dm) - 1
    if k == 0:
        return [0, 0]
    perms = np.array(list(itertools.permutations(range(1, k + 1))), dtype=np.int64)
    cost = dm[0, perms[:, 0]] + dm[perms[:, -1], 0] + dm[perms[:, :-1], perms[:, 1:]].sum(axis=1)
    return [0, *perms[int(np.argmin(cost))].tolist(), 0]


def _two_opt(dm: np.ndarray, tour: list[int]) -> list[int]:
    """Improve a closed tour (first == last == 0) by 2-opt moves, best move first."""
    t = np.array(tour)
    n = len(t) - 1
    i, j = np.triu_indices(n, k=2)
    while len(i):
        delta = (dm[t[i], t[j]] + dm[t[i + 1], t[(j + 1)]] - dm[t[i], t[i + 1]] - dm[t[j], t[j + 1]])
        best = int(np.argmin(delta))
        if delta[best] >= -1e-9:
            break
        a, b = i[best], j[best]
        t[a + 1:b + 1] = t[a + 1:b + 1][::-1].copy()
    return t.tolist()


def _line(pieces: list[np.ndarray], start: np.ndarray) -> shapely.LineString:
    """The route through the edge pieces in order, repeated points dropped (the start alone: a 0 m line)."""
    coords = np.vstack(pieces or [start.reshape(1, 2)])
    keep = np.r_[True, np.any(np.abs(np.diff(coords, axis=0)) > 1e-9, axis=1)]
    coords = coords[keep]
    return shapely.LineString(coords if len(coords) > 1 else np.vstack([coords, coords]))


def _timetable(leg_m, tour, terminals, snap, stop_minutes, speed_kmh, start_time, crs):
    """(stops in visiting order with distances and planned times, travel minutes)."""
    metres_per_min = speed_kmh * 1000 / 60
    order = np.array(tour[1:-1], dtype=np.int64)
    k = len(order)
    cum = np.cumsum(leg_m)[:k]
    arrival = cum / metres_per_min + np.arange(k) * stop_minutes
    table = pd.DataFrame({"order": np.arange(1, k + 1), "stop": order - 1, "leg_m": leg_m[:k].round(1),
                          "distance_m": cum.round(1), "arrival_min": arrival.round(1),
                          "departure_min": (arrival + stop_minutes).round(1), "snap_m": snap[order].round(1)})
    if start_time is not None:
        t0 = pd.Timestamp(start_time)
        table["arrival"] = t0 + pd.to_timedelta(arrival, unit="min")
        table["departure"] = t0 + pd.to_timedelta(arrival + stop_minutes, unit="min")
    stops = gpd.GeoDataFrame(table, geometry=shapely.points(terminals[order]), crs=crs)
    return stops, float(leg_m.sum() / metres_per_min)
