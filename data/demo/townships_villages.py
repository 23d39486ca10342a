"""The ground of the demo county: its outline, villages and townships (metric CRS, metres).

Villages are Voronoi cells of best-candidate points denser around the seat; townships
grow over the village adjacency graph from a few centres, the seat township first and
the others clockwise from north.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import shapely
from pyproj import Transformer
from scipy import sparse
from scipy.sparse import csgraph

from data.demo.constants import CENTER_LONLAT, COUNTY_CODE, METRIC_CRS, PLAN_YEAR, PREC
from data.demo.land import Land, Outline, Villages
from data.demo.names import COMMUNITIES, township_base, unique_name, village_base
from data.demo.shapes import bearing

# -- outline ------------------------------------------------------------------


def outline(rng) -> Outline:
    """A rough county of about 2,000 km² around ``CENTER_LONLAT``, and its seat."""
    to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    cx, cy = to_m.transform(*CENTER_LONLAT)
    cx += rng.normal(0, 1500)
    cy += rng.normal(0, 1500)
    n = 512
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    logr = np.zeros(n)
    for k in range(2, 100):  # a rough, "fractal" border: amplitude falling with frequency
        logr += rng.normal(0, 0.35 * k ** -1.2) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    logr = np.clip(logr, -0.6, 0.6)
    r = np.exp(logr)
    x = r * np.sin(theta)
    y = r * np.cos(theta)
    unit_area = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
    scale = math.sqrt(rng.uniform(1.8e9, 2.2e9) / unit_area)
    county = shapely.Polygon(np.column_stack([cx + scale * x, cy + scale * y]))
    county = shapely.set_precision(shapely.make_valid(county), PREC)
    shapely.prepare(county)
    return Outline(county, _seat(rng, county, np.array([cx, cy])))


def outline_of(rng, area) -> Outline:
    """A county whose outline is given (a polygon in the metric CRS: one cell of a
    province), and its seat near the middle."""
    county = shapely.set_precision(shapely.make_valid(area), PREC)
    shapely.prepare(county)
    return Outline(county, _seat(rng, county, np.array(shapely.get_coordinates(county.centroid)[0])))


def _seat(rng, county, center: np.ndarray) -> np.ndarray:
    """The county seat: near the middle, well inside."""
    inner = county.buffer(-9000)
    for _ in range(100):
        p = center + rng.normal(0, 2500, 2)
        if inner.contains(shapely.Point(p)):
            return p
    return np.array(shapely.get_coordinates(county.point_on_surface())[0])


# -- villages and townships ---------------------------------------------------


def _density(seat: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Relative density of villages: high around the seat, falling towards the border."""
    r = np.hypot(xy[:, 0] - seat[0], xy[:, 1] - seat[1])
    rmax = 32000.0
    return (1 + 6 * np.exp(-0.5 * (r / 2200) ** 2)) * (1.3 - 0.6 * np.minimum(r / rmax, 1))


def _sample_density(rng, ol: Outline, n: int) -> np.ndarray:
    """n points in the county drawn by ``_density`` (rejection sampling)."""
    minx, miny, maxx, maxy = ol.county.bounds
    out = []
    got = 0
    dmax = 7.4 * 1.3
    while got < n:
        m = 4 * n
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        xy = np.column_stack([x, y])
        keep = ol.inside(x, y) & (rng.random(m) < _density(ol.seat, xy) / dmax)
        out.append(xy[keep])
        got += int(keep.sum())
    return np.vstack(out)[:n]


def _village_points(rng, ol: Outline, n_v: int) -> np.ndarray:
    """n_v points, the seat first: best of 12 candidates, spaced by the local density."""
    k = 12
    pool = _sample_density(rng, ol, n_v * k)
    scale2 = 1.0 / _density(ol.seat, pool)
    pts = np.empty((n_v, 2))
    pts[0] = ol.seat
    for i in range(1, n_v):
        cand = pool[i * k:(i + 1) * k]
        d2 = ((cand[:, None, :] - pts[None, :i, :]) ** 2).sum(-1).min(1)
        pts[i] = cand[np.argmax(d2 / scale2[i * k:(i + 1) * k])]
    return pts


def _cells(county, pts: np.ndarray) -> np.ndarray:
    """Voronoi cells of the points clipped to the county, one polygon each."""
    env = shapely.box(*county.buffer(20000).bounds)
    vor = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=env, ordered=True)
    cells = shapely.get_parts(vor)
    assert len(cells) == len(pts)
    cells = shapely.set_precision(shapely.intersection(cells, county), PREC)
    return _fix_multipart(cells, pts)


def _fix_multipart(cells: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Give the stray pieces of clipped cells to the neighbour they share most border with."""
    cells = cells.copy()
    for _ in range(3):
        multi = np.flatnonzero(shapely.get_num_geometries(cells) > 1)
        if not len(multi):
            break
        for i in multi:
            parts = shapely.get_parts(cells[i])
            own = shapely.contains_xy(parts, pts[i, 0], pts[i, 1])
            keep = int(np.argmax(own)) if own.any() else int(np.argmax(shapely.area(parts)))
            cells[i] = parts[keep]
            for j, piece in enumerate(parts):
                if j == keep:
                    continue
                shared = shapely.length(shapely.intersection(cells, piece))
                shared[i] = 0.0
                t = int(np.argmax(shared))
                if shared[t] > 0:
                    cells[t] = shapely.union(cells[t], piece, grid_size=PREC)
                else:  # an island: keep it with its own cell
                    cells[i] = shapely.union(cells[i], piece, grid_size=PREC)
    return cells


def _adjacency(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a < b) of cells sharing a border longer than 1 m."""
    tree = shapely.STRtree(cells)
    a, b = tree.query(cells, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.length(shapely.intersection(cells[a], cells[b]))
    keep = shared > 1.0
    return a[keep], b[keep]


def _township_centres(rng, county, pts: np.ndarray, n_t: int) -> np.ndarray:
    """Villages at the township centres, the seat first: best candidates, away from the border."""
    n_v = len(pts)
    dist_b = shapely.distance(shapely.points(pts), county.exterior)
    bfac = np.clip(dist_b / 4000.0, 0.15, 1.0)
    srcs = [0]
    for _ in range(1, n_t):
        free = np.setdiff1d(np.arange(n_v), srcs)
        cand = rng.choice(free, size=min(8, len(free)), replace=False)
        d = np.hypot(*(pts[cand][:, None, :] - pts[srcs][None, :, :]).transpose(2, 0, 1)).min(1)
        srcs.append(int(cand[np.argmax(d * bfac[cand])]))
    return np.array(srcs)


def _grow_townships(rng, pts: np.ndarray, adj, srcs: np.ndarray) -> np.ndarray:
    """The centre each village is reached from first over the adjacency graph."""
    a, b = adj
    n_v, n_t = len(pts), len(srcs)
    # multi-source Dijkstra: a virtual node per township, joined to its centre by an offset
    w = np.hypot(*(pts[a] - pts[b]).T) * rng.uniform(0.7, 1.4, len(a))
    offs = rng.uniform(0, 2000, n_t)
    offs[0] = 3500.0  # the seat township is smaller
    virt = n_v + np.arange(n_t)
    rows = np.concatenate([a, b, virt])
    cols = np.concatenate([b, a, srcs])
    vals = np.concatenate([w, w, offs])
    g = sparse.csr_matrix((vals, (rows, cols)), shape=(n_v + n_t, n_v + n_t))
    _, _, sources = csgraph.dijkstra(g, directed=True, indices=virt, min_only=True,
                                     return_predecessors=True)
    owner = sources[:n_v] - n_v
    assert (owner >= 0).all()
    return owner


def villages(ol: Outline, rng) -> Villages:
    """About 300 villages tiling the county, grouped in 14-16 townships."""
    n_v = int(rng.integers(285, 316))
    n_t = int(rng.integers(14, 17))
    pts = _village_points(rng, ol, n_v)
    cells = _cells(ol.county, pts)
    srcs = _township_centres(rng, ol.county, pts, n_t)
    owner = _grow_townships(rng, pts, _adjacency(cells), srcs)
    # order townships: the seat first, then clockwise from north around the seat
    ang = bearing(pts[srcs, 0] - ol.seat[0], pts[srcs, 1] - ol.seat[1])
    ang[0] = -1.0
    order = np.argsort(ang, kind="stable")
    remap = np.empty(n_t, dtype=np.int64)
    remap[order] = np.arange(n_t)
    return Villages(pts, cells, remap[owner], srcs[order])


# -- names, codes, remoteness, population, remediation ---------------------------


def _township_names(rng, n_t: int) -> tuple[list[str], list[str]]:
    """Short names (城关, ...) and full names (城关镇, ...) of the townships."""
    used_t: set[str] = {"城关"}
    t_base = ["城关"] + [unique_name(rng, township_base, used_t) for _ in range(n_t - 1)]
    t_suffix = ["镇"] + ["镇" if rng.random() < 0.6 else "乡" for _ in range(n_t - 1)]
    return t_base, [b + s for b, s in zip(t_base, t_suffix)]


def _village_names(rng, vs: Villages, community, d_town, t_base, t_code):
    """Codes, full names and bare names of the villages, township by township.

    Communities (社区) are numbered 001.., villages (村) 201..; each in order of
    distance from the township centre, whose village takes the township's name.
    """
    n_v = len(vs.xy)
    is_src = np.zeros(n_v, bool)
    is_src[vs.township_src] = True
    codes = np.empty(n_v, dtype=object)
    names = np.empty(n_v, dtype=object)
    bases = np.empty(n_v, dtype=object)
    used_v: set[str] = set(t_base)
    comm_names = list(rng.permutation(COMMUNITIES))
    for t in range(len(t_base)):
        members = np.flatnonzero(vs.township == t)
        members = members[np.argsort(d_town[members], kind="stable")]
        n_comm = 0
        n_vill = 0
        for i in members:
            if community[i]:
                n_comm += 1
                codes[i] = f"{t_code[t]}{n_comm:03d}"
                base = comm_names.pop(0) if comm_names else unique_name(rng, village_base, used_v)
                bases[i] = base
                names[i] = base + "社区"
            else:
                n_vill += 1
                codes[i] = f"{t_code[t]}{200 + n_vill:03d}"
                if is_src[i]:
                    base = t_base[t]
                else:
                    base = unique_name(rng, village_base, used_v)
                bases[i] = base
                names[i] = base + "村"
    return codes, names, bases


def _remote(rng, d_seat, d_town, skip) -> np.ndarray:
    """About a fifth of the villages, far from the seat and from their township centre."""
    n_v = len(d_seat)
    share = rng.uniform(0.18, 0.22)
    n_remote = int(round(share * n_v))
    w = (d_seat / d_seat.max()) ** 2.5 * (0.3 + d_town / d_town.max())
    w[skip] = 0.0
    remote = np.zeros(n_v, bool)
    remote[rng.choice(n_v, size=n_remote, replace=False, p=w / w.sum())] = True
    return remote


def _population(rng, is_src, remote, community) -> np.ndarray:
    pop = rng.lognormal(math.log(1500), 0.5, len(remote))
    pop[is_src] *= 1.8
    pop[remote] *= 0.5
    pop[community] = rng.uniform(2500, 5000, community.sum())
    return np.clip(np.round(pop), 300, 5000).astype(np.int64)


def _remediation(rng, remote, township, n_t: int) -> np.ndarray:
    """The day each remote village's remediation was confirmed (None if not yet).

    Through the plan year at an uneven pace: some townships fast, some slow.
    """
    start = dt.date(PLAN_YEAR, 1, 15)
    end = dt.date(PLAN_YEAR, 11, 20)
    span = (end - start).days
    pace = rng.beta(1.3, 1.3, n_t) + 0.05
    rem_idx = np.flatnonzero(remote)
    k = int(round(rng.uniform(0.48, 0.62) * len(rem_idx)))
    w = pace[township[rem_idx]] ** 1.5
    chosen = np.sort(rng.choice(rem_idx, size=k, replace=False, p=w / w.sum()))
    # fast townships also finish their villages earlier in the year
    frac = rng.random(k) ** (0.6 + 1.6 * pace[township[chosen]])
    remediated_on = np.empty(len(remote), dtype=object)
    remediated_on[:] = None
    for i, f in zip(chosen, frac):
        remediated_on[i] = start + dt.timedelta(days=int(round(f * span)))
    return remediated_on


def land(ol: Outline, vs: Villages, rng, county_code: str = COUNTY_CODE) -> Land:
    """Names, codes (under ``county_code``), remoteness, population and remediation of the
    townships and villages."""
    n_t, pts = len(vs.township_src), vs.xy
    t_base, t_name = _township_names(rng, n_t)
    t_code = [f"{county_code}{i + 1:03d}" for i in range(n_t)]
    t_xy = pts[vs.township_src]
    # township polygons = union of their villages
    t_geom = np.array([shapely.union_all(vs.geom[vs.township == t], grid_size=PREC)
                       for t in range(n_t)], dtype=object)
    d_seat = np.hypot(pts[:, 0] - ol.seat[0], pts[:, 1] - ol.seat[1])
    d_town = np.hypot(*(pts - t_xy[vs.township]).T)
    is_src = np.zeros(len(pts), bool)
    is_src[vs.township_src] = True
    community = (vs.township == 0) & (d_seat < 2600)
    community[0] = True
    codes, names, bases = _village_names(rng, vs, community, d_town, t_base, t_code)
    remote = _remote(rng, d_seat, d_town, community | is_src)
    pop = _population(rng, is_src, remote, community)
    remediated_on = _remediation(rng, remote, vs.township, n_t)
    return Land(
        county=ol.county, seat=ol.seat, village_xy=pts, village_geom=vs.geom,
        village_township=vs.township, township_src=vs.township_src,
        township_short=t_base, township_name=t_name, township_code=t_code,
        township_xy=t_xy, township_geom=t_geom, village_community=community,
        village_code=codes, village_name=names, village_base=bases, village_remote=remote,
        village_pop=pop, village_remediated_on=remediated_on)
