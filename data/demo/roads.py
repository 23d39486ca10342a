"""The demo county's roads: a network over the villages, streets and lanes (metric CRS).

A minimum spanning tree of the villages' Delaunay graph plus a third of the short
edges make the skeleton; national and provincial highways cross the county along it,
county roads join the seat to each township centre, township roads each centre to its
villages, and the rest are village roads. The seat gets a grid of streets, township
centres a main street, villages lanes out to their groups. All of it is noded into
pieces between junctions, which make the road network.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import csgraph
from scipy.spatial import Delaunay, cKDTree

from data.demo.land import Land
from data.demo.names import STREETS
from data.demo.road_network import RoadNetwork
from data.demo.shapes import bearing, wiggle
from geo.network import Network

#: A road before noding: (coordinates, class index, name).
Line = tuple[np.ndarray, int, str]


@dataclass
class Roads:
    """Road pieces between junctions, with class index, name, township and bearings."""

    geom: np.ndarray
    cls: np.ndarray
    name: np.ndarray
    township: np.ndarray
    net: RoadNetwork
    #: bearings (degrees) where each piece leaves its start / its end
    b_start: np.ndarray
    b_end: np.ndarray

    def sample(self, rng, n: int, weight: np.ndarray):
        """n points along pieces chosen by weight: (x, y, road bearing there, piece index)."""
        p = weight / weight.sum()
        idx = rng.choice(len(self.geom), size=n, p=p)
        L = shapely.length(self.geom[idx])
        d = rng.uniform(0, 1, n) * L
        g = self.geom[idx]
        c = shapely.get_coordinates(shapely.line_interpolate_point(g, d))
        a = shapely.get_coordinates(shapely.line_interpolate_point(g, np.maximum(d - 5, 0)))
        b = shapely.get_coordinates(shapely.line_interpolate_point(g, np.minimum(d + 5, L)))
        return c[:, 0], c[:, 1], bearing(*(b - a).T), idx


def _graph_path(net: Network, src: int, dst: int) -> list[int]:
    dist, pred = net.shortest(src)
    if not np.isfinite(dist[dst]):
        return []
    return Network.path(pred, src, dst)


class _Skeleton:
    """Roads between villages: edges of the villages' Delaunay graph and their classes."""

    def __init__(self, land: Land, rng):
        self.land, self.rng = land, rng
        pts = self.pts = land.village_xy
        tri = Delaunay(pts)
        s = tri.simplices
        e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
        e = self.e = np.unique(np.sort(e, axis=1), axis=0)
        self.seg = shapely.linestrings(np.stack([pts[e[:, 0]], pts[e[:, 1]]], axis=1))
        inside = shapely.within(self.seg, land.county)
        length = self.length = np.hypot(*(pts[e[:, 0]] - pts[e[:, 1]]).T)
        # edges leaving the county are allowed but very costly
        self.all = Network(self.seg, e[:, 0], e[:, 1], np.where(inside, length, length * 50),
                           len(pts))
        mst = csgraph.minimum_spanning_tree(self.all.matrix).tocoo()
        mst_pairs = {(min(a, b), max(a, b)) for a, b in zip(mst.row.tolist(), mst.col.tolist())}
        in_mst = np.array([(int(a), int(b)) in mst_pairs for a, b in e])
        med = np.median(length[in_mst])
        extra = (~in_mst) & inside & (length < 1.6 * med) & (rng.random(len(e)) < 0.33)
        self.chosen = in_mst | extra
        self.edge_index = {(int(a), int(b)): i for i, (a, b) in enumerate(e)}
        self.cls = np.full(len(e), 4, dtype=np.int64)  # village
        self.names = np.empty(len(e), dtype=object)
        self.names[:] = None
        self.ext_lines: list[Line] = []
        self.kdt = cKDTree(pts)

    def edges_of(self, nodes: list[int]) -> list[int]:
        return [self.edge_index[(min(a, b), max(a, b))] for a, b in zip(nodes[:-1], nodes[1:])]

    def _border_point(self, angle: float) -> np.ndarray:
        """Where a ray from the seat meets the border, 40 m inside."""
        seat = self.land.seat
        far = seat + 200000 * np.array([math.sin(angle), math.cos(angle)])
        hit = shapely.intersection(shapely.LineString([seat, far]), self.land.county.exterior)
        hp = shapely.get_coordinates(hit)
        p = hp[np.argmin(np.hypot(*(hp - seat).T))]
        return p + 40 * (seat - p) / np.hypot(*(seat - p))

    def highway(self, angles, cls_id: int, name: str):
        """A through road from the seat out along each ray, and on to the border."""
        for ang in angles:
            bp = self._border_point(ang)
            end_v = int(self.kdt.query(bp)[1])
            path = _graph_path(self.all, 0, end_v)  # village 0 is the seat
            for i in self.edges_of(path):
                self.chosen[i] = True
                if self.cls[i] > cls_id:
                    self.cls[i] = cls_id
                    self.names[i] = name
                elif self.names[i] is None:
                    self.names[i] = name
            ext = wiggle(self.rng, self.pts[end_v], bp, rel=0.02)
            if shapely.within(shapely.LineString(ext), self.land.county):
                self.ext_lines.append((ext, cls_id, name))

    def highways(self):
        """A national and a provincial road through the seat, and a provincial road
        between two far-apart township centres."""
        rng = self.rng
        a0 = rng.uniform(0, 2 * np.pi)
        g_no = int(rng.integers(200, 360))
        self.highway([a0, a0 + np.pi + rng.uniform(-0.4, 0.4)], 0, f"G{g_no}国道")
        a1 = a0 + rng.uniform(1.0, 2.1)
        s1 = int(rng.integers(200, 340))
        self.highway([a1, a1 + np.pi + rng.uniform(-0.5, 0.5)], 1, f"S{s1}省道")
        tc = self.land.township_src[1:]
        pts = self.pts
        dd = np.hypot(*(pts[tc][:, None, :] - pts[tc][None, :, :]).transpose(2, 0, 1))
        i, j = np.unravel_index(np.argmax(dd * rng.uniform(0.8, 1.0, dd.shape)), dd.shape)
        s2 = s1 + int(rng.integers(5, 40))
        path = _graph_path(self.all, int(tc[i]), int(tc[j]))
        for k in self.edges_of(path):
            self.chosen[k] = True
            if self.cls[k] > 1:
                self.cls[k] = 1
                self.names[k] = f"S{s2}省道"

    def local_roads(self):
        """County roads from the seat to every township centre, township roads from
        each centre to its villages, over the chosen edges (highways preferred)."""
        sel = self.chosen
        w_net = np.where(sel, self.length, 0.0) * np.where(self.cls <= 1, 0.7, 1.0)
        net = Network(self.seg[sel], self.e[sel, 0], self.e[sel, 1], w_net[sel], len(self.pts))
        src_of = self.land.township_src
        for t in range(1, len(src_of)):
            for k in self.edges_of(_graph_path(net, 0, int(src_of[t]))):
                if self.cls[k] > 2:
                    self.cls[k] = 2
                    self.names[k] = f"X{t:03d}县道"
        for t in range(len(src_of)):
            src = int(src_of[t])
            dist, pred = net.shortest(src)
            for vtx in np.flatnonzero(self.land.village_township == t):
                if vtx == src or not np.isfinite(dist[vtx]):
                    continue
                for k in self.edges_of(Network.path(pred, src, vtx)):
                    if self.cls[k] > 3:
                        self.cls[k] = 3
                        self.names[k] = f"Y{t * 10 + 1:03d}乡道"

    def lines(self) -> list[Line]:
        """A wiggly line per chosen edge (unnamed ones are village roads), then the
        highways' stretches on to the border."""
        lines: list[Line] = []
        for k in np.flatnonzero(self.chosen):
            a, b = self.e[k]
            name = self.names[k] or f"{self.land.village_base[a]}—{self.land.village_base[b]}村道"
            lines.append((wiggle(self.rng, self.pts[a], self.pts[b]), int(self.cls[k]), name))
        lines.extend(self.ext_lines)
        return lines

    def directions(self) -> dict[int, list[float]]:
        """The directions (radians from north) of the chosen edges at each village."""
        pts = self.pts
        deg_dirs: dict[int, list[float]] = {}
        for k in np.flatnonzero(self.chosen):
            a, b = self.e[k]
            deg_dirs.setdefault(int(a), []).append(math.atan2(*(pts[b] - pts[a])))
            deg_dirs.setdefault(int(b), []).append(math.atan2(*(pts[a] - pts[b])))
        return deg_dirs


def _seat_streets(rng, seat: np.ndarray) -> list[Line]:
    """Streets of the seat: a slightly rotated grid centred on the seat."""
    rot = rng.uniform(-0.4, 0.4)
    nx = int(rng.integers(7, 10))
    spacing = rng.uniform(280, 360)
    half = (nx - 1) / 2 * spacing
    street_names = list(rng.permutation(STREETS))
    ux = np.array([math.cos(rot), math.sin(rot)])
    uy = np.array([-math.sin(rot), math.cos(rot)])
    mid = (nx - 1) // 2
    lines: list[Line] = []
    for u1, u2 in [(ux, uy), (uy, ux)]:
        for i in range(nx):
            off = (i * spacing - half) + rng.normal(0, 15)
            ext = half + rng.uniform(0, 200)
            start = seat + off * u2 - ext * u1
            end = seat + off * u2 + (half + rng.uniform(0, 200)) * u1
            c = np.linspace(0, 1, 9)[:, None] * (end - start) + start
            c[1:-1] += rng.normal(0, 3, (7, 2))
            lines.append((c, 2 if i == mid else 3, street_names.pop(0)))
    return lines


def _town_streets(rng, land: Land) -> list[Line]:
    """Main streets (大街, 街) crossing at each township centre but the seat's."""
    lines: list[Line] = []
    for t in range(1, land.n_t):
        p = land.township_xy[t]
        ang = rng.uniform(0, np.pi)
        for m, suffix in enumerate(["大街", "街"]):
            a = ang + m * np.pi / 2 + rng.normal(0, 0.2)
            L = rng.uniform(500, 1100) if m == 0 else rng.uniform(300, 700)
            dvec = np.array([math.sin(a), math.cos(a)])
            c = wiggle(rng, p - L * dvec, p + L * dvec, step=80, rel=0.02)
            lines.append((c, 3, f"{land.township_short[t]}{suffix}"))
    return lines


def _lanes(rng, land: Land, deg_dirs: dict[int, list[float]]) -> list[Line]:
    """1-3 lanes from each village (not communities) out to its groups (组), each into
    the widest gap between the roads already there."""
    pts = land.village_xy
    lines: list[Line] = []
    for v in range(land.n_v):
        if land.village_community[v]:
            continue
        n_sp = int(rng.integers(1, 4))
        dirs = sorted(deg_dirs.get(v, []))
        for m in range(n_sp):
            if dirs:
                gaps = np.diff(np.array(dirs + [dirs[0] + 2 * np.pi]))
                gi = int(np.argmax(gaps))
                ang = dirs[gi] + gaps[gi] * rng.uniform(0.35, 0.65)
            else:
                ang = rng.uniform(0, 2 * np.pi)
            L = rng.uniform(400, 1400)
            end = pts[v] + L * np.array([math.sin(ang), math.cos(ang)])
            c = wiggle(rng, pts[v], end, step=80, rel=0.06)
            lines.append((c, 4, f"{land.village_name[v]}{m + 1}组道路"))
            dirs = sorted(dirs + [math.atan2(math.sin(ang), math.cos(ang))])
    return lines


def _noded(land: Land, lines: list[Line]) -> Roads:
    """One feature per piece between junctions, by class; with the network and bearings."""
    geoms = np.array([shapely.LineString(c) for c, _, _ in lines], dtype=object)
    ok = shapely.within(geoms, land.county)
    # wiggly edges that stray out of the county: clip them
    if not ok.all():
        geoms[~ok] = shapely.intersection(geoms[~ok], land.county)
    line_cls = np.array([c for _, c, _ in lines])
    line_name = np.array([nm for _, _, nm in lines], dtype=object)
    noded = shapely.get_parts(shapely.node(shapely.multilinestrings(
        shapely.get_parts(geoms))))
    noded = noded[shapely.length(noded) > 0.5]
    mids = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    tree = shapely.STRtree(geoms)
    _, src = tree.query_nearest(mids, all_matches=False)
    order = np.lexsort((np.arange(len(noded)), line_cls[src]))
    geom = noded[order]
    mx, my = shapely.get_coordinates(mids[order]).T
    L = shapely.length(geom)
    p0 = shapely.get_coordinates(shapely.get_point(geom, 0))
    p1 = shapely.get_coordinates(shapely.line_interpolate_point(geom, np.minimum(15, L)))
    q0 = shapely.get_coordinates(shapely.get_point(geom, -1))
    q1 = shapely.get_coordinates(shapely.line_interpolate_point(geom, np.maximum(L - 15, 0)))
    return Roads(geom=geom, cls=line_cls[src][order], name=line_name[src][order],
                 township=land.village_township[land.locate(mx, my)],
                 net=RoadNetwork(geom), b_start=bearing(*(p1 - p0).T),
                 b_end=bearing(*(q1 - q0).T))


def roads(land: Land, rng) -> Roads:
    """The county's road network, noded into pieces between junctions."""
    sk = _Skeleton(land, rng)
    sk.highways()
    sk.local_roads()
    lines = sk.lines()
    lines.extend(_seat_streets(rng, land.seat))
    lines.extend(_town_streets(rng, land))
    lines.extend(_lanes(rng, land, sk.directions()))
    return _noded(land, lines)
