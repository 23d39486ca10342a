"""Hotspot lists of the demo county's last quarters, and the effect of their remediation.

Each quarter's list is picked on the previous quarter's incidents: the places carried
over from the last list, then the densest clusters not listed yet, about 10
county-level ones and 1-3 township-level ones per township. Remediation works on
most listed places: their incidents thin out a few weeks into the quarter (incidents
are removed), so at the next evaluation they are delisted; the others are carried
over.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import shapely
from scipy import ndimage

from data.demo.constants import AS_OF, HOTSPOT_QUARTERS
from data.demo.incidents import Incidents
from data.demo.land import Land
from data.demo.names import PLACES, RURAL_PLACES, SEAT_NAME, URBAN_PLACES
from data.demo.roads import Roads
from data.demo.shapes import noisy_ellipse
from geo.calendar import next_quarter, previous_quarter, quarter_dates, quarter_end
from layers.catalog import INCIDENT_CATEGORIES

CELL = 200.0  # metres; incidents are counted on a grid of this cell size to find peaks


def _t64(d: dt.date) -> np.datetime64:
    return np.datetime64(d.isoformat(), "s")


class _Lists:
    """The lists quarter by quarter, over incidents that remediation thins out."""

    def __init__(self, land: Land, roads: Roads, inc: Incidents, rng):
        self.land, self.roads, self.inc, self.rng = land, roads, inc, rng
        self.minx, self.miny, maxx, maxy = land.county.bounds
        self.nx = int(math.ceil((maxx - self.minx) / CELL))
        self.ny = int(math.ceil((maxy - self.miny) / CELL))
        self.main_roads = np.flatnonzero(roads.cls <= 3)
        self.road_tree = shapely.STRtree(roads.geom[self.main_roads])
        self.town_villages = set(int(v) for v in land.township_src)
        self.alive = np.ones(len(inc.x), bool)
        self.recs: list[dict] = []
        # the current list's data period (the quarter before) and its incidents
        self.period: tuple[dt.date, dt.date] = (AS_OF, AS_OF)
        self.xs = self.ys = self.cs = np.zeros(0)

    def incidents_in(self, poly, a: dt.date, b: dt.date) -> np.ndarray:
        """Indexes of the incidents still there in poly from day a to before day b."""
        inc = self.inc
        x0, y0, x1, y1 = poly.bounds
        m = self.alive & (inc.t >= _t64(a)) & (inc.t < _t64(b)) \
            & (inc.x >= x0) & (inc.x <= x1) & (inc.y >= y0) & (inc.y <= y1)
        idx = np.flatnonzero(m)
        return idx[shapely.contains_xy(poly, inc.x[idx], inc.y[idx])]

    def peaks(self):
        """Peaks of the smoothed incident density of the data period, densest first,
        in the county: (x, y, density, township)."""
        p_start, p_end = self.period
        sel = self.alive & (self.inc.t >= _t64(p_start)) & (self.inc.t < _t64(p_end))
        xs, ys = self.xs, self.ys = self.inc.x[sel], self.inc.y[sel]
        self.cs = self.inc.cat[sel]
        nx, ny = self.nx, self.ny
        ix = ((xs - self.minx) / CELL).astype(int).clip(0, nx - 1)
        iy = ((ys - self.miny) / CELL).astype(int).clip(0, ny - 1)
        H = np.zeros((nx, ny))
        np.add.at(H, (ix, iy), 1.0)
        S = ndimage.gaussian_filter(H, 1.2)
        peak = (S == ndimage.maximum_filter(S, size=5)) & (S > 0.4)
        px, py_ = np.nonzero(peak)
        val = S[px, py_]
        order = np.lexsort((py_, px, -val))
        px, py_, val = px[order], py_[order], val[order]
        cx = self.minx + (px + 0.5) * CELL
        cy = self.miny + (py_ + 0.5) * CELL
        ok = self.land.inside(cx, cy)
        cx, cy, val = cx[ok], cy[ok], val[ok]
        return cx, cy, val, self.land.village_township[self.land.locate(cx, cy)]

    def _name(self, dom: str, v: int, t: int, x0: float, y0: float) -> str:
        """A place's name: road, village, township or seat and a place word of its category."""
        rng, land = self.rng, self.land
        opts = PLACES.get(dom, ["周边"])
        place = opts[int(rng.integers(len(opts)))]
        if dom == "traffic_accident":
            pt = shapely.Point(x0, y0)
            ri = np.ravel(self.road_tree.query_nearest(pt, all_matches=False))[0]
            return f"{self.roads.name[self.main_roads[int(ri)]]}{land.village_base[v]}{place}"
        if land.village_community[v]:
            return f"{SEAT_NAME}{land.village_base[v]}{place}"
        if v in self.town_villages:
            return f"{land.township_short[t]}{place}"
        if place in URBAN_PLACES:
            place = RURAL_PLACES[int(rng.integers(len(RURAL_PLACES)))]
        return f"{land.village_base[v]}{place}"

    def new(self, x0: float, y0: float, level: str) -> dict | None:
        """A place to list around a peak; None when it holds fewer than 3 incidents."""
        rng, land = self.rng, self.land
        near = np.hypot(self.xs - x0, self.ys - y0) < 300
        if near.sum() >= 3:
            x0, y0 = float(self.xs[near].mean()), float(self.ys[near].mean())
        cats = self.cs[near]
        n_cat = len(INCIDENT_CATEGORIES)
        dom = INCIDENT_CATEGORIES[int(np.bincount(cats, minlength=n_cat).argmax())] \
            if len(cats) else "theft"
        v = int(land.locate([x0], [y0])[0])
        t = int(land.village_township[v])
        name = self._name(dom, v, t, x0, y0)
        semi = rng.uniform(100, 300)
        geom = noisy_ellipse(rng, x0, y0, semi, semi * rng.uniform(0.6, 1.0))
        if len(self.incidents_in(geom, *self.period)) < 3:
            return None  # too few incidents to list the place
        if level == "county" and rng.random() < 0.3:
            unit = "县公安局治安管理大队"
        else:
            unit = f"{land.township_short[t]}派出所"
        return dict(level=level, township=t, name=name, unit=unit, geom=geom,
                    x=x0, y=y0, carried=False, carried_from=None)

    def pick(self, chosen: list[dict]):
        """Add new places at the peaks, 700 m apart: county level first, then each
        township's own (1-3, only strong peaks after the first)."""
        rng = self.rng
        cx, cy, val, pt = self.peaks()

        def free(x0, y0):
            return all(math.hypot(x0 - c["x"], y0 - c["y"]) > 700 for c in chosen)

        n_county = int(rng.integers(10, 12))
        for i in range(len(cx)):
            if sum(c["level"] == "county" for c in chosen) >= n_county:
                break
            if free(cx[i], cy[i]):
                rec = self.new(cx[i], cy[i], "county")
                if rec is not None:
                    chosen.append(rec)
        for t in range(self.land.n_t):
            k = int(rng.integers(1, 4))
            have = sum(c["level"] == "township" and c["township"] == t for c in chosen)
            for i in np.flatnonzero(pt == t):
                if have >= k or (have and val[i] < 0.8):
                    break
                if free(cx[i], cy[i]):
                    rec = self.new(cx[i], cy[i], "township")
                    if rec is not None:
                        chosen.append(rec)
                        have += 1

    def publish(self, q: str, chosen: list[dict]) -> list[dict]:
        """Number and date the quarter's list; remediation takes effect on most places."""
        rng = self.rng
        q_start = quarter_dates(q)[0]
        deadline = quarter_end(next_quarter(q))
        chosen.sort(key=lambda c: (c["level"] != "county", c["township"], -c["y"], c["x"]))
        cur = []
        for n_i, c in enumerate(chosen):
            rec = dict(c, code=f"H{q}-{n_i + 1:03d}", quarter=q, deadline=deadline,
                       data_period=self.period)
            cur.append(rec)
            self.recs.append(rec)
            if rng.random() < 0.65:
                effect = q_start + dt.timedelta(days=int(rng.integers(20, 60)))
                idx = self.incidents_in(rec["geom"], effect, AS_OF + dt.timedelta(days=1))
                drop = idx[rng.random(len(idx)) < rng.uniform(0.5, 0.85)]
                self.alive[drop] = False
        return cur

    def run(self) -> list[dict]:
        prev: list[dict] = []
        for q in HOTSPOT_QUARTERS:
            self.period = quarter_dates(previous_quarter(q))
            # evaluation of the last list on the quarter just ended
            for p in prev:
                before = len(self.incidents_in(p["geom"], *p["data_period"]))
                during = len(self.incidents_in(p["geom"], *self.period))
                p["status"] = "delisted" if during <= 0.65 * before else "carried_over"
            chosen = [dict(p, carried=True, carried_from=p["code"]) for p in prev
                      if p["status"] == "carried_over"]
            self.pick(chosen)
            prev = self.publish(q, chosen)
        for r in prev:  # the latest list is being worked on
            r["status"] = "remediating" if (r["carried"] or self.rng.random() < 0.65) else "listed"
        return self.recs


def hotspots(land: Land, roads: Roads, inc: Incidents, rng) -> tuple[list[dict], Incidents]:
    """The hotspot records of ``HOTSPOT_QUARTERS`` and the incidents left after remediation.

    A record has code, quarter, level, township (index), name, status, unit, deadline,
    carried_from, geom (metric CRS), data_period (the days it was picked on).
    """
    lists = _Lists(land, roads, inc, rng)
    recs = lists.run()
    return recs, inc.subset(lists.alive)
