"""Two years of incidents in the demo county, up to ``AS_OF`` (metric CRS).

About 60 % come from a few dozen clusters (the seat's markets and streets, township
centres, blackspots on main roads, a few villages with a problem of their own), each
with its category mix and a trend (steady, emerging or fading); the rest is a
background by village population and along roads. Days follow each category's
season, hours its hour-of-day profile.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import shapely

from data.demo import incidents_model as model
from data.demo.constants import AS_OF
from data.demo.land import Land
from data.demo.roads import Roads
from layers.catalog import INCIDENT_CATEGORIES

#: The first day of the incidents: two years before ``AS_OF``.
FIRST_DAY = dt.date(2024, 11, 27)


@dataclass
class Incidents:
    """Incidents sorted by time: position, category index, time (datetime64[s], local), village."""

    x: np.ndarray
    y: np.ndarray
    cat: np.ndarray
    t: np.ndarray
    village: np.ndarray

    def subset(self, keep: np.ndarray) -> Incidents:
        return Incidents(self.x[keep], self.y[keep], self.cat[keep], self.t[keep],
                         self.village[keep])


def _blob(rng, cx: float, cy: float, s1: float, s2: float, ang: float):
    """A sampler of points around (cx, cy): spread s1 along heading ``ang``, s2 across."""
    def sample(n):
        a = rng.normal(0, s1, n)
        b = rng.normal(0, s2, n)
        return (cx + a * math.sin(ang) + b * math.cos(ang),
                cy + a * math.cos(ang) - b * math.sin(ang))
    return sample


class _Sources:
    """Where incidents come from: (sampler, category mix, daily trend, weight) per cluster."""

    def __init__(self, land: Land, roads: Roads, rng, n_days: int):
        self.land, self.roads, self.rng = land, roads, rng
        self.tday = np.arange(n_days, dtype=float)
        self.comps: list[tuple] = []

    def trend(self) -> np.ndarray:
        """Steady (60 %), emerging (20 %) or fading (20 %) over the days."""
        rng, tday = self.rng, self.tday
        u = rng.random()
        if u < 0.6:
            return np.ones(len(tday))
        d0 = rng.uniform(200, 600)
        sig = 1 / (1 + np.exp(-(tday - d0) / rng.uniform(20, 60)))
        if u < 0.8:  # emerging
            return 0.08 + sig
        return 0.08 + 1 - sig  # fading

    def seat(self):
        """10-14 clusters in the seat: markets, station, streets."""
        rng, g = self.rng, self.roads.net
        seat_nodes = np.flatnonzero(np.hypot(*(g.xy - self.land.seat).T) < 1600)
        n_seat = int(rng.integers(10, 15))
        if len(seat_nodes):
            pick = rng.choice(seat_nodes, size=min(n_seat, len(seat_nodes)), replace=False)
        else:
            pick = np.zeros(0, int)
        for nd in pick:
            s = rng.uniform(100, 250)
            self.comps.append((
                _blob(rng, *g.xy[nd], s, s * rng.uniform(0.6, 1), rng.uniform(0, np.pi)),
                model.mix(model.MIX_SEAT, 0.002), self.trend(), rng.lognormal(0, 0.5) * 1.6))

    def townships(self):
        """One or two clusters at each township centre but the seat's."""
        rng = self.rng
        for t in range(1, self.land.n_t):
            for _ in range(1 + int(rng.random() < 0.35)):
                p = self.land.township_xy[t] + rng.normal(0, 250, 2)
                s = rng.uniform(150, 350)
                self.comps.append((
                    _blob(rng, p[0], p[1], s, s * rng.uniform(0.6, 1), rng.uniform(0, np.pi)),
                    model.mix(model.MIX_TOWN, 0.002), self.trend(), rng.lognormal(0, 0.5)))

    def blackspots(self):
        """6-10 blackspots at junctions of main roads outside the seat, along the road."""
        rng, rd, g = self.rng, self.roads, self.roads.net
        main = np.flatnonzero(rd.cls <= 1)
        jn = np.unique(np.concatenate([g.u[main], g.v[main]]))
        jn = jn[g.degree[jn] >= 3]
        jn = jn[np.hypot(*(g.xy[jn] - self.land.seat).T) > 1500]
        n_bs = min(len(jn), int(rng.integers(6, 11)))
        for nd in (rng.choice(jn, size=n_bs, replace=False) if n_bs else []):
            pcs = np.flatnonzero(((g.u == nd) | (g.v == nd)) & (rd.cls <= 1))
            p = pcs[0]
            b = math.radians(rd.b_start[p] if g.u[p] == nd else rd.b_end[p])
            self.comps.append((
                _blob(rng, *g.xy[nd], rng.uniform(150, 350), rng.uniform(20, 50), b),
                model.mix(model.MIX_ROAD, 0.001), self.trend(), rng.lognormal(0, 0.4) * 0.8))

    def villages(self):
        """4-6 villages with a problem of their own (drugs, fund-raising, feuds ...)."""
        rng, land = self.rng, self.land
        cand = np.flatnonzero(~land.village_community)
        w = land.village_pop[cand].astype(float)
        specials = model.MIX_VILLAGE_SPECIAL
        for m, v in enumerate(rng.choice(cand, size=int(rng.integers(4, 7)), replace=False,
                                         p=w / w.sum())):
            s = rng.uniform(200, 400)
            p = land.village_xy[v]
            self.comps.append((_blob(rng, p[0], p[1], s, s, 0.0),
                               model.mix(specials[m % len(specials)], 0.002),
                               self.trend(), rng.lognormal(0, 0.3) * 0.6))


def _draw_points(land: Land, sampler, n: int):
    """n points of a sampler that fall in the county."""
    xs = np.empty(0)
    ys = np.empty(0)
    for _ in range(20):
        need = n - len(xs)
        if need <= 0:
            break
        x, y = sampler(int(need * 1.3) + 5)
        ok = land.inside(x, y)
        xs = np.concatenate([xs, x[ok]])
        ys = np.concatenate([ys, y[ok]])
    if len(xs) < n:  # pathological: pad with the seat
        pad = n - len(xs)
        xs = np.concatenate([xs, np.full(pad, land.seat[0])])
        ys = np.concatenate([ys, np.full(pad, land.seat[1])])
    return xs[:n], ys[:n]


def _draw_days(rng, season: dict[str, np.ndarray], mix: np.ndarray, trend: np.ndarray, n: int):
    """Categories by ``mix`` and day indexes by trend and each category's season."""
    cats = rng.choice(len(INCIDENT_CATEGORIES), size=n, p=mix)
    dd = np.empty(n, np.int64)
    for k in np.unique(cats):
        sel = cats == k
        w = trend * season[INCIDENT_CATEGORIES[k]]
        dd[sel] = rng.choice(len(trend), size=int(sel.sum()), p=w / w.sum())
    return cats, dd


def _background(rng, land: Land, n: int):
    """A sampler of points around the villages, by population."""
    pop = land.village_pop.astype(float)
    area = shapely.area(land.village_geom)

    def sample(m):
        v = rng.choice(land.n_v, size=m, p=pop / pop.sum())
        s = np.where(rng.random(m) < 0.7, 0.15, 0.45) * np.sqrt(area[v])
        return (land.village_xy[v, 0] + rng.normal(0, 1, m) * s,
                land.village_xy[v, 1] + rng.normal(0, 1, m) * s)

    return _draw_points(land, sample, n)


def _on_roads(rng, land: Land, roads: Roads, n: int):
    """n points along roads (traffic), by length and class, a few metres off."""
    L = shapely.length(roads.geom)
    x, y, _, _ = roads.sample(rng, n, L * np.array([4.0, 3.0, 2.0, 1.0, 0.3])[roads.cls])
    x = x + rng.normal(0, 6, n)
    y = y + rng.normal(0, 6, n)
    ok = land.inside(x, y)
    return np.where(ok, x, land.seat[0]), np.where(ok, y, land.seat[1])


def _times(rng, cats: np.ndarray, dd: np.ndarray) -> np.ndarray:
    """datetime64[s] (local) of each incident: its day, an hour by category, a second."""
    n = len(cats)
    hrs = np.empty(n, np.int64)
    for k, cat in enumerate(INCIDENT_CATEGORIES):
        sel = cats == k
        if sel.any():
            hrs[sel] = rng.choice(24, size=int(sel.sum()), p=model.hour_profile(cat))
    secs = dd * 86400 + hrs * 3600 + rng.integers(0, 3600, n)
    return np.datetime64(FIRST_DAY.isoformat(), "s") + secs.astype("timedelta64[s]")


def incidents(land: Land, roads: Roads, rng) -> Incidents:
    """About 32,000 incidents from ``FIRST_DAY`` to ``AS_OF``, sorted by time."""
    n_days = (AS_OF - FIRST_DAY).days + 1
    days = [FIRST_DAY + dt.timedelta(days=i) for i in range(n_days)]
    season = {c: model.season(c, days) for c in INCIDENT_CATEGORIES}
    n_total = int(rng.integers(31500, 33001))  # remediation removes a few later
    src = _Sources(land, roads, rng, n_days)
    src.seat()
    src.townships()
    src.blackspots()
    src.villages()
    cluster_w = np.array([c[3] for c in src.comps])
    share_cluster = rng.uniform(0.58, 0.65)
    share_road = 0.09
    counts_cluster = rng.multinomial(int(round(n_total * share_cluster)),
                                     cluster_w / cluster_w.sum())
    n_road = int(round(n_total * share_road))
    n_bg = n_total - counts_cluster.sum() - n_road
    XS, YS, CATS, DAYS = [], [], [], []
    for (sampler, mix, trend, _), n in zip(src.comps, counts_cluster):
        if n == 0:
            continue
        x, y = _draw_points(land, sampler, n)
        cats, dd = _draw_days(rng, season, mix, trend, n)
        XS.append(x), YS.append(y), CATS.append(cats), DAYS.append(dd)
    x, y = _background(rng, land, n_bg)
    cats, dd = _draw_days(rng, season, model.mix(model.MIX_BACKGROUND, 0.003),
                          np.ones(n_days), n_bg)
    XS.append(x), YS.append(y), CATS.append(cats), DAYS.append(dd)
    x, y = _on_roads(rng, land, roads, n_road)
    cats, dd = _draw_days(rng, season, model.mix(model.MIX_ROAD_BACKGROUND, 0.001),
                          np.ones(n_days), n_road)
    XS.append(x), YS.append(y), CATS.append(cats), DAYS.append(dd)
    x, y = np.concatenate(XS), np.concatenate(YS)
    t = _times(rng, np.concatenate(CATS), np.concatenate(DAYS))
    order = np.lexsort((y, x, t))
    x, y = x[order], y[order]
    return Incidents(x, y, np.concatenate(CATS)[order], t[order], land.locate(x, y))
