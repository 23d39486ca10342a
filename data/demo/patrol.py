"""Patrol in the demo county: teams, their routes along the roads, a week of GPS tracks.

Every township has a full-time team; about 70 % of the villages a volunteer team.
Routes are loops along the road network from a team's base; tracks follow a route
in its shift on most days of the week up to ``AS_OF``, with stops and GPS noise.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import shapely

from data.demo.constants import AS_OF
from data.demo.land import Land
from data.demo.road_network import RoadNetwork
from data.demo.shapes import bearing


def teams(land: Land, rng) -> list[dict]:
    """Township teams (code T<township>) then village teams (code V<village>), with a base."""
    n_t = land.n_t
    under_t = np.zeros(n_t, bool)
    under_t[rng.choice(n_t, size=int(round(n_t / 3)), replace=False)] = True
    members_t = np.where(under_t, rng.integers(8, 15, n_t), rng.integers(15, 26, n_t))
    has = rng.random(land.n_v) < 0.7
    has[land.township_src] = True
    vt = np.flatnonzero(has)
    under_v = np.zeros(len(vt), bool)
    under_v[rng.choice(len(vt), size=int(round(len(vt) / 4)), replace=False)] = True
    members_v = np.where(under_v, rng.integers(2, 6, len(vt)), rng.integers(6, 13, len(vt)))
    out = []
    for t in range(n_t):
        a = rng.uniform(0, 2 * np.pi)
        p = land.township_xy[t] + rng.uniform(60, 250) * np.array([math.sin(a), math.cos(a)])
        if not land.inside(*p):
            p = land.township_xy[t]
        out.append(dict(code=f"T{land.township_code[t]}",
                        name=f"{land.township_name[t]}专职巡防队",
                        kind="township_fulltime", township=t, village=None,
                        members=int(members_t[t]), xy=p))
    for m, v in enumerate(vt):
        a = rng.uniform(0, 2 * np.pi)
        p = land.village_xy[v] + rng.uniform(20, 120) * np.array([math.sin(a), math.cos(a)])
        if not land.inside(*p):
            p = land.village_xy[v]
        out.append(dict(code=f"V{land.village_code[v]}",
                        name=f"{land.village_name[v]}义务巡防队",
                        kind="village_volunteer", township=int(land.village_township[v]),
                        village=int(v), members=int(members_v[m]), xy=p))
    return out


def _loop(rng, g: RoadNetwork, base_xy, radius: float, k: int):
    """A closed route from the node nearest the base through k targets, or None."""
    base = g.nearest_main(base_xy)
    dist, _ = g.shortest(base)
    # targets within ``radius`` along the network (not as the crow flies)
    cand = np.flatnonzero((dist <= radius) & (dist > 0.2 * radius))
    if len(cand) < 1:
        return None
    # prefer junctions and far-out points for a proper round
    w = np.where(g.degree[cand] >= 3, 2.0, 1.0) * (0.3 + dist[cand] / radius)
    tg = rng.choice(cand, size=min(k, len(cand)), replace=False, p=w / w.sum())
    ang = bearing(*(g.xy[tg] - g.xy[base]).T)
    tg = tg[np.argsort(ang, kind="stable")]
    stops = [base] + [int(s) for s in tg] + [base]
    nodes = [base]
    for a, b in zip(stops[:-1], stops[1:]):
        p = g.path(a, b)
        if p is None:
            continue
        nodes.extend(p[1:])
    if len(nodes) < 3:
        return None
    c = g.coords(nodes)
    keep = np.r_[True, np.any(np.diff(c, axis=0) != 0, axis=1)]
    c = c[keep]
    if len(c) < 3:
        return None
    c[-1] = c[0]  # a closed loop back to the base
    return shapely.LineString(c)


def _shifts(rng, team: dict) -> list[tuple[str, str, float, int]]:
    """(shift, label, radius in metres, number of targets) of a team's routes.

    Township teams patrol by day and most also by night; 40 % of the village teams
    have one route.
    """
    if team["kind"] == "township_fulltime":
        seat = team["township"] == 0
        specs = [("08:00-16:00", "日间", 1400 if seat else rng.uniform(2500, 4000), 4)]
        if rng.random() < 0.7:
            specs.append(("18:00-23:00", "夜间", 1000 if seat else rng.uniform(1500, 2500), 3))
        return specs
    if rng.random() >= 0.4:
        return []
    shift = ["19:00-22:00", "20:00-22:30", "07:00-09:30"][int(rng.integers(3))]
    return [(shift, "", rng.uniform(900, 1600), int(rng.integers(2, 4)))]


def routes(teams_: list[dict], net: RoadNetwork, rng) -> list[dict]:
    """Patrol routes (code <team>-R<n>): loops long enough for the team, widened if not."""
    out = []
    for team in teams_:
        for m, (shift, label, radius, k) in enumerate(_shifts(rng, team)):
            min_len = (2.0 if team["kind"] == "township_fulltime" else 1.2) * radius
            for _ in range(4):
                line = _loop(rng, net, team["xy"], radius, k)
                if line is not None and line.length >= min_len:
                    break
                radius *= 1.5
            if line is None:
                continue
            out.append(dict(code=f"{team['code']}-R{m + 1}",
                            name=f"{team['name']}{label}巡逻路线",
                            team_code=team["code"], shift=shift,
                            township=team["township"], geom=line, kind=team["kind"]))
    return out


def _minutes(shift: str) -> tuple[int, int]:
    """'19:00-22:30' -> (1140, 1350): start and end of a shift in minutes of the day."""
    h0, h1 = shift.split("-")
    return int(h0[:2]) * 60 + int(h0[3:]), int(h1[:2]) * 60 + int(h1[3:])


def _schedule(rng, t0: int, t1: int, L: float, stop_at: np.ndarray):
    """(minutes, metres along the route) of a round at 15-30 km/h, with short stops.

    Laps of the route are repeated until the shift ends (at most 200).
    """
    v = rng.uniform(250, 500)  # metres per minute: 15-30 km/h
    T = [float(t0)]
    D = [0.0]
    t, d, lap = float(t0), 0.0, 0
    while t < t1 and lap < 200:
        for s in list(stop_at) + [L]:
            target = lap * L + s
            t += (target - d) / (v * rng.uniform(0.8, 1.2))
            d = target
            T.append(t)
            D.append(d)
            if s < L and rng.random() < 0.5:
                t += rng.uniform(10, 20)
                T.append(t)
                D.append(d)
            if t >= t1:
                break
        lap += 1
    return T, D


def _day_fixes(rng, line, shift: tuple[int, int], stop_at: np.ndarray, day: dt.date):
    """One fix a minute along a route during a day's shift: (coordinates, datetime64[s])."""
    m0, m1 = shift
    t0 = m0 + int(rng.integers(-10, 16))
    t1 = m1 + int(rng.integers(-20, 11))
    T, D = _schedule(rng, t0, t1, line.length, stop_at)
    minutes = np.arange(t0, t1, dtype=float)
    dist = np.interp(minutes, T, D) % line.length
    c = shapely.get_coordinates(shapely.line_interpolate_point(line, dist))
    sigma = rng.uniform(4, 11)
    c = c + rng.normal(0, sigma, c.shape)
    sec0 = int(rng.integers(0, 60))
    start = np.datetime64(day.isoformat(), "s")
    return c, start + (minutes.astype(np.int64) * 60 + sec0).astype("timedelta64[s]")


def tracks(routes_: list[dict], land: Land, rng) -> dict[str, np.ndarray]:
    """GPS fixes of the week up to ``AS_OF``: x, y, t (local), team, route, village.

    Township teams go out on 93 % of the days; three in four volunteer routes are
    tracked at all, on 75 % of the days.
    """
    first_day = AS_OF - dt.timedelta(days=6)
    XS, YS, TS, TEAM, ROUTE = [], [], [], [], []
    for r in routes_:
        if r["kind"] == "village_volunteer":
            if rng.random() >= 0.75:
                continue
            p_day = 0.75
        else:
            p_day = 0.93
        line = r["geom"]
        L = line.length
        if L < 50:
            continue
        n_stops = int(rng.integers(2, 5))
        stop_at = np.sort(rng.uniform(0.05, 0.95, n_stops)) * L
        for day in range(7):
            if rng.random() >= p_day:
                continue
            c, ts = _day_fixes(rng, line, _minutes(r["shift"]), stop_at,
                               first_day + dt.timedelta(days=day))
            XS.append(c[:, 0])
            YS.append(c[:, 1])
            TS.append(ts)
            TEAM.append(np.full(len(c), r["team_code"], dtype=object))
            ROUTE.append(np.full(len(c), r["code"], dtype=object))
    x = np.concatenate(XS)
    y = np.concatenate(YS)
    # GPS noise may put a fix just outside the county: it is kept (real tracks do
    # that too) and located in the nearest village
    return dict(x=x, y=y, t=np.concatenate(TS), team=np.concatenate(TEAM),
                route=np.concatenate(ROUTE), village=land.locate(x, y))
