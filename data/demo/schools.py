"""Schools of the demo county: in the seat, at township centres, in larger villages."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from data.demo.constants import COUNTY_NAME
from data.demo.land import Land
from data.demo.names import SEAT_NAME
from data.demo.shapes import rectangle


@dataclass
class Schools:
    """School points or campus polygons, names, centroids and villages (metric CRS)."""

    geom: np.ndarray
    name: list[str]
    xy: np.ndarray
    village: np.ndarray


def _near(rng, land: Land, p, r0: float, r1: float) -> np.ndarray:
    """A point r0-r1 m from p in the county (p itself after 20 misses)."""
    for _ in range(20):
        a = rng.uniform(0, 2 * np.pi)
        q = p + rng.uniform(r0, r1) * np.array([math.sin(a), math.cos(a)])
        if land.inside(q[0], q[1]):
            return q
    return np.array(p, float)


def _places(rng, land: Land) -> list[tuple[np.ndarray, str, bool]]:
    """(centre, name, has a campus polygon) of every school."""
    recs: list[tuple[np.ndarray, str, bool]] = []
    seat = land.seat
    n_primary = int(rng.integers(4, 7))
    for i in range(n_primary):
        recs.append((_near(rng, land, seat, 200, 1800),
                     f"{SEAT_NAME}第{'一二三四五六七'[i]}小学", False))
    recs.append((_near(rng, land, seat, 300, 1500), f"{COUNTY_NAME}第一初级中学", True))
    recs.append((_near(rng, land, seat, 300, 1800), f"{COUNTY_NAME}第二初级中学", True))
    recs.append((_near(rng, land, seat, 600, 2200), f"{COUNTY_NAME}第一高级中学", True))
    recs.append((_near(rng, land, seat, 800, 2500), f"{COUNTY_NAME}职业教育中心", True))
    for t in range(1, land.n_t):
        p = land.township_xy[t]
        nm = land.township_name[t]
        recs.append((_near(rng, land, p, 150, 600), f"{nm}中心小学", False))
        recs.append((_near(rng, land, p, 200, 800), f"{nm}初级中学", rng.random() < 0.5))
    # village primary schools in the larger villages
    n_target = int(rng.integers(75, 86))
    cand = np.flatnonzero(~land.village_community)
    cand = np.setdiff1d(cand, land.township_src)
    w = land.village_pop[cand].astype(float) ** 1.5
    k = max(0, n_target - len(recs))
    chosen = np.sort(rng.choice(cand, size=min(k, len(cand)), replace=False, p=w / w.sum()))
    for v in chosen:
        recs.append((_near(rng, land, land.village_xy[v], 80, 400),
                     f"{land.village_base[v]}小学", False))
    return recs


def schools(land: Land, rng) -> Schools:
    """About 80 schools; the larger ones have a campus polygon where it fits the county."""
    recs = _places(rng, land)
    geoms = []
    for p, _, campus in recs:
        if campus:
            g = rectangle(rng, p[0], p[1], rng.uniform(120, 220), rng.uniform(80, 150))
            if not shapely.within(g, land.county):
                g = shapely.Point(p)
        else:
            g = shapely.Point(p)
        geoms.append(g)
    geom = np.array(geoms, dtype=object)
    c = shapely.get_coordinates(shapely.centroid(geom))
    return Schools(geom=geom, name=[nm for _, nm, _ in recs], xy=c,
                   village=land.locate(c[:, 0], c[:, 1]))
