"""Cameras of the demo county: at villages, 村口, schools, county entrances, junctions, along roads.

About 2,000 cameras: 15 % checkpoints, 10 % PTZ, 20 % domes and the rest fixed. Most
village centres have one (communities and township centres more, remote villages that
are not remediated fewer), installed before the remediation date where there is one;
remediated remote villages have one at each 村口 (so that most meet the village video rule);
schools have theirs; the kinds are then filled up to their targets at county
entrances, junctions and along roads, weighted by class and nearness to the seat.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import shapely

from data.demo.constants import PLAN_YEAR
from data.demo.land import Land
from data.demo.roads import Roads
from data.demo.schools import Schools
from data.demo.shapes import bearing
from layers.catalog import CAMERA_STATUSES


class _Cameras:
    """Cameras placed so far, in batches: position, kind, azimuth, name context."""

    def __init__(self, land: Land, roads: Roads, rng):
        self.land, self.roads, self.rng = land, roads, rng
        self.xs: list[np.ndarray] = []
        self.ys: list[np.ndarray] = []
        self.kinds: list[np.ndarray] = []
        self.azs: list[np.ndarray] = []
        self.ctxs: list[np.ndarray] = []   # name template
        self.refs: list[np.ndarray] = []   # road or school name
        self.insts: list[np.ndarray] = []  # forced installation date (ordinal) or 0

    def add(self, x, y, kind, az, ctx, ref, inst=None):
        n = len(x)
        self.xs.append(np.asarray(x, float))
        self.ys.append(np.asarray(y, float))
        self.kinds.append(np.broadcast_to(np.asarray(kind, dtype=object), (n,)).copy())
        self.azs.append(np.broadcast_to(np.asarray(az, float), (n,)).copy())
        self.ctxs.append(np.broadcast_to(np.asarray(ctx, dtype=object), (n,)).copy())
        self.refs.append(np.broadcast_to(np.asarray(ref, dtype=object), (n,)).copy())
        self.insts.append(np.zeros(n, np.int64) if inst is None else np.asarray(inst, np.int64))

    def count(self, kind: str) -> int:
        return sum(int((k == kind).sum()) for k in self.kinds)

    def offset(self, x, y, r0: float, r1: float):
        """Points moved r0-r1 m in a random direction (kept where they would leave the county)."""
        rng = self.rng
        n = len(x)
        a = rng.uniform(0, 2 * np.pi, n)
        r = rng.uniform(r0, r1, n)
        nx, ny = x + r * np.sin(a), y + r * np.cos(a)
        ok = self.land.inside(nx, ny)
        return np.where(ok, nx, x), np.where(ok, ny, y)

    def at_villages(self):
        """Cameras at village centres: 2-3 in communities, 2 at township centres, 1-2 in
        remediated remote villages, 0-1 elsewhere."""
        rng, land = self.rng, self.land
        n_v = land.n_v
        remote = land.village_remote
        remediated = np.array([d is not None for d in land.village_remediated_on])
        n_c = np.where(land.village_community, rng.integers(2, 4, n_v),
                       np.where(remote & remediated, rng.integers(1, 3, n_v),
                                np.where(remote, (rng.random(n_v) < 0.4).astype(int),
                                         (rng.random(n_v) < 0.85).astype(int))))
        n_c[land.township_src] = 2
        vi = np.repeat(np.arange(n_v), n_c)
        x, y = self.offset(land.village_xy[vi, 0], land.village_xy[vi, 1], 5, 120)
        kind = np.where(rng.random(len(vi)) < 0.55, "dome", "fixed")
        az = np.where((kind == "dome") & (rng.random(len(vi)) < 0.5), np.nan,
                      rng.uniform(0, 360, len(vi)))
        inst = np.zeros(len(vi), np.int64)
        for m, v in enumerate(vi):
            d = land.village_remediated_on[v]
            if d is not None:
                inst[m] = (d - dt.timedelta(days=int(rng.integers(10, 120)))).toordinal()
        first = np.r_[True, vi[1:] != vi[:-1]]
        self.add(x, y, kind, az, np.where(first, "village", "village_gate"), "", inst)

    def at_entrances(self, inside_m: float = 15.0):
        """A camera at each 村口 of the remediated remote villages (where a road crosses the
        village's border): 15 m inside on the road, fixed ones looking out along it, installed
        before the remediation. Cameras that later break leave a few villages short, honestly."""
        rng, land, rd = self.rng, self.land, self.roads
        tree = shapely.STRtree(rd.geom)
        xs, ys, azs, refs, insts = [], [], [], [], []
        for v in np.flatnonzero(land.village_remote):
            day = land.village_remediated_on[v]
            if day is None:
                continue
            poly = land.village_geom[v]
            edge = poly.boundary
            seen = set()
            for p_idx in tree.query(edge, predicate="intersects"):
                road = rd.geom[p_idx]
                for pt in shapely.get_parts(road.intersection(edge)):
                    if pt.geom_type != "Point" or (round(pt.x, 1), round(pt.y, 1)) in seen:
                        continue
                    seen.add((round(pt.x, 1), round(pt.y, 1)))
                    d = road.project(pt)
                    spots = [road.interpolate(d + s) for s in (inside_m, -inside_m) if 0 <= d + s <= road.length]
                    spots = [c for c in spots if poly.contains(c)]
                    if not spots:
                        continue
                    xs.append(spots[0].x)
                    ys.append(spots[0].y)
                    azs.append(float(bearing(pt.x - spots[0].x, pt.y - spots[0].y)))
                    refs.append(rd.name[p_idx])
                    insts.append((day - dt.timedelta(days=int(rng.integers(10, 120)))).toordinal())
        n = len(xs)
        if n:
            kind = np.where(rng.random(n) < 0.6, "fixed", "dome")
            az = np.where(kind == "fixed", np.array(azs), np.nan)
            self.add(np.array(xs), np.array(ys), kind, az, "village_gate", np.array(refs, dtype=object),
                     np.array(insts, np.int64))

    def at_schools(self, schools: Schools):
        """1-3 cameras at each school; fixed ones look at the school."""
        rng = self.rng
        n_s = rng.integers(1, 4, len(schools.xy))
        si = np.repeat(np.arange(len(schools.xy)), n_s)
        sx, sy = schools.xy[si].T
        x, y = self.offset(sx, sy, 25, 90)
        kind = np.where(rng.random(len(si)) < 0.7, "fixed", "dome")
        az = np.where(kind == "fixed", bearing(sx - x, sy - y), np.nan)
        self.add(x, y, kind, az, "school", np.array(schools.name, dtype=object)[si])

    def checkpoints(self, n_ck: int):
        """A pair of checkpoints where each highway leaves the county, the rest on main roads."""
        rng, rd, g = self.rng, self.roads, self.roads.net
        cls = rd.cls
        ends = np.flatnonzero((g.degree == 1))
        ends = ends[shapely.distance(shapely.points(g.xy[ends]), self.land.county.exterior) < 100]
        ck_x, ck_y, ck_b, ck_ref = [], [], [], []
        for nd in ends:
            pcs = np.flatnonzero((g.u == nd) | (g.v == nd))
            if not len(pcs) or cls[pcs[0]] > 1:
                continue
            p = pcs[0]
            b = rd.b_start[p] if g.u[p] == nd else rd.b_end[p]
            for flip in (0.0, 180.0):
                ck_x.append(g.xy[nd, 0] + 20 * math.sin(math.radians(b)))
                ck_y.append(g.xy[nd, 1] + 20 * math.cos(math.radians(b)))
                ck_b.append((b + flip) % 360)
                ck_ref.append(rd.name[p])
        if ck_x:
            self.add(np.array(ck_x), np.array(ck_y), "checkpoint", np.array(ck_b), "entrance",
                     np.array(ck_ref, dtype=object))
        rest = n_ck - self.count("checkpoint")
        if rest > 0:
            w = shapely.length(rd.geom) * np.array([6.0, 5.0, 2.5, 0.6, 0.05])[cls]
            x, y, b, idx = rd.sample(rng, rest, w)
            b = (b + np.where(rng.random(rest) < 0.5, 0.0, 180.0)) % 360
            self.add(x, y, "checkpoint", b, "checkpoint", rd.name[idx])

    def prepare_junctions(self):
        """Junctions (3+ piece ends) and their weights: by best road class, more near the seat."""
        g, cls = self.roads.net, self.roads.cls
        junctions = np.flatnonzero(g.degree >= 3)
        best_cls = np.full(len(g.xy), 4)
        np.minimum.at(best_cls, g.u, cls)
        np.minimum.at(best_cls, g.v, cls)
        jd = np.hypot(*(g.xy[junctions] - self.land.seat).T)
        self.jw = np.array([4.0, 3.5, 3.0, 1.5, 0.6])[best_cls[junctions]] \
            * np.where(jd < 2500, 3.0, 1.0)
        self.junctions = junctions
        self.inc_u = [np.flatnonzero(g.u == j) for j in range(len(g.xy))] if len(junctions) else []
        self.inc_v = [np.flatnonzero(g.v == j) for j in range(len(g.xy))] if len(junctions) else []

    def at_junctions(self, n: int, kind: str, ctx: str):
        """n cameras at junctions, each looking along one of the roads there."""
        rng, rd, junctions, jw = self.rng, self.roads, self.junctions, self.jw
        if n <= 0 or not len(junctions):
            return
        replace = n > len(junctions)
        jj = rng.choice(junctions, size=n, replace=replace, p=jw / jw.sum())
        jx, jy = rd.net.xy[jj].T
        x, y = self.offset(jx, jy, 5, 25)
        az = np.empty(n)
        ref = np.empty(n, dtype=object)
        for m, j in enumerate(jj):
            arms = [(int(p), True) for p in self.inc_u[j]] \
                + [(int(p), False) for p in self.inc_v[j]]
            p, at_start = arms[int(rng.integers(len(arms)))]
            az[m] = rd.b_start[p] if at_start else rd.b_end[p]
            ref[m] = rd.name[p]
        if kind == "dome":
            az = np.where(rng.random(n) < 0.4, np.nan, rng.uniform(0, 360, n))
        elif kind == "ptz":
            az = rng.uniform(0, 360, n)
        self.add(x, y, kind, az, ctx, ref)

    def road_domes(self, n: int, near_seat: np.ndarray):
        """n domes along roads, mostly in the seat."""
        rng, rd = self.rng, self.roads
        w = shapely.length(rd.geom) * np.where(near_seat, 6.0, 0.3) \
            * np.array([1, 1, 1.5, 1.5, 1.0])[rd.cls]
        x, y, b, idx = rd.sample(rng, n, w)
        x, y = self.offset(x, y, 3, 12)
        az = np.where(rng.random(n) < 0.4, np.nan, rng.uniform(0, 360, n))
        self.add(x, y, "dome", az, "road", rd.name[idx])

    def road_fixed(self, n: int, near_seat: np.ndarray):
        """n fixed cameras along roads, more in the seat and near township centres."""
        rng, rd = self.rng, self.roads
        cent = shapely.get_coordinates(shapely.centroid(rd.geom))
        dt_ = np.hypot(*(cent[:, None, :] - self.land.township_xy[None, :, :])
                       .transpose(2, 0, 1)).min(1)
        w = shapely.length(rd.geom) * np.array([3.0, 3.0, 2.5, 1.5, 0.5])[rd.cls] \
            * np.where(near_seat, 5.0, 1.0) * np.where(dt_ < 900, 2.5, 1.0)
        x, y, b, idx = rd.sample(rng, n, w)
        x, y = self.offset(x, y, 3, 10)
        across = rng.random(n) < 0.25
        b = (b + np.where(across, 90.0, 0.0) + np.where(rng.random(n) < 0.5, 0, 180)) % 360
        self.add(x, y, "fixed", b, "road", rd.name[idx])

    def place(self, schools: Schools, target: dict[str, int]):
        """Every camera, kind by kind up to its target."""
        self.at_villages()
        self.at_entrances()
        self.at_schools(schools)
        rd = self.roads
        near_seat = np.hypot(*(shapely.get_coordinates(shapely.centroid(rd.geom))
                               - self.land.seat).T) < 2500
        self.checkpoints(max(0, target["checkpoint"]))
        self.prepare_junctions()
        self.at_junctions(max(0, target["ptz"] - self.count("ptz")), "ptz", "junction")
        rest_dome = max(0, target["dome"] - self.count("dome"))
        self.at_junctions(rest_dome // 2, "dome", "junction")
        rest_dome = max(0, target["dome"] - self.count("dome"))
        if rest_dome:
            self.road_domes(rest_dome, near_seat)
        rest_fixed = max(0, target["fixed"] - self.count("fixed"))
        self.at_junctions(int(rest_fixed * 0.3), "fixed", "junction")
        rest_fixed = max(0, target["fixed"] - self.count("fixed"))
        if rest_fixed:
            self.road_fixed(rest_fixed, near_seat)


def _specs(rng, kind: np.ndarray):
    """Field of view, range (m) and status of each camera, by kind."""
    n = len(kind)
    fov = np.where(kind == "fixed", np.round(rng.uniform(60, 100, n)),
                   np.where(kind == "checkpoint", np.round(rng.uniform(40, 60, n)), 360.0))
    rng_m = np.select(
        [kind == "fixed", kind == "dome", kind == "ptz", kind == "checkpoint"],
        [rng.uniform(30, 150, n), rng.uniform(30, 80, n), rng.uniform(80, 200, n),
         rng.uniform(50, 80, n)])
    rng_m = np.round(rng_m)
    status = rng.choice(np.array(CAMERA_STATUSES, dtype=object), size=n,
                        p=[0.96, 0.025, 0.015])
    return fov, rng_m, status


def _installed(rng, inst: np.ndarray) -> np.ndarray:
    """Installation dates (ordinals): the 雪亮工程 push of 2018-2020, steady since;
    a forced date (remediation) where ``inst`` has one."""
    n = len(inst)
    years = np.arange(2018, 2027)
    yw = np.array([0.22, 0.2, 0.15, 0.08, 0.07, 0.07, 0.07, 0.06, 0.08])
    yr = rng.choice(years, size=n, p=yw / yw.sum())
    day = rng.integers(0, 365, n)
    base = np.array([dt.date(int(v), 1, 1).toordinal() for v in years])
    ordv = base[yr - 2018] + day
    ordv = np.minimum(ordv, dt.date(PLAN_YEAR, 11, 20).toordinal())
    return np.where(inst > 0, inst, ordv)


def _names(land: Land, ctx, ref, vil) -> np.ndarray:
    """A camera's name from its context: the village, school or road and the village."""
    names = np.empty(len(ctx), dtype=object)
    vname = land.village_name[vil]
    for i in range(len(ctx)):
        c, r, v = ctx[i], ref[i], vname[i]
        if c == "village":
            names[i] = f"{v}{'村委会' if v.endswith('村') else '居委会'}"
        elif c == "village_gate":
            names[i] = f"{v}{'村口' if v.endswith('村') else '小区门口'}"
        elif c == "school":
            names[i] = f"{r}门口"
        elif c == "entrance":
            names[i] = f"{r}县界卡口"
        elif c == "checkpoint":
            names[i] = f"{r}{land.village_base[vil[i]]}治安卡口"
        elif c == "junction":
            names[i] = f"{r}{land.village_base[vil[i]]}路口"
        else:
            names[i] = f"{r}{land.village_base[vil[i]]}段"
    return names


def cameras(land: Land, roads: Roads, schools: Schools, rng) -> dict[str, np.ndarray]:
    """Every camera's position, kind, azimuth, fov, range_m, status, networked,
    installed_on (ordinal), village and name; ordered by township and village."""
    n_total = int(rng.integers(1900, 2101))
    share = {"checkpoint": rng.uniform(0.14, 0.16), "ptz": rng.uniform(0.09, 0.11),
             "dome": rng.uniform(0.19, 0.21)}
    target = {k: int(round(v * n_total)) for k, v in share.items()}
    target["fixed"] = n_total - sum(target.values())
    cams = _Cameras(land, roads, rng)
    cams.place(schools, target)
    x = np.concatenate(cams.xs)
    y = np.concatenate(cams.ys)
    kind = np.concatenate(cams.kinds)
    az = np.concatenate(cams.azs)
    n = len(x)
    vil = land.locate(x, y)
    fov, rng_m, status = _specs(rng, kind)
    ordv = _installed(rng, np.concatenate(cams.insts))
    networked = rng.random(n) < np.where(land.village_remote[vil], 0.8, 0.94)
    names = _names(land, np.concatenate(cams.ctxs), np.concatenate(cams.refs), vil)
    order = np.lexsort((np.arange(n), vil, land.village_township[vil]))
    return dict(
        x=x[order], y=y[order], kind=kind[order], azimuth=az[order], fov=fov[order],
        range_m=rng_m[order], status=status[order], networked=networked[order],
        installed_on=ordv[order], village=vil[order], name=names[order])
