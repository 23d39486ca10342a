"""Patrol (R5, R6, R7): team staffing, visits from GPS tracks, presence, routes, alerts.

Pure functions: no Flask, no database. Everything geometric works in one projected CRS
whose unit is the metre (e.g. UTM 49N, EPSG:32649): GeoDataFrames must carry such a CRS
and bare arrays / shapely geometries are taken to be in it (pass ``crs=`` to have it
checked); a geographic CRS, or two inputs in different CRSs, raise ValueError.

Times: arrays of ``datetime64`` or pandas datetimes. Tz-aware values are compared as
instants; naive values are taken as UTC (numpy's convention). Results come back in the
input's time zone (UTC when naive). Local days (见巡率, school days) are Asia/Shanghai.

Visits (API.md ``/api/patrol/visits``, METHODS.md "Patrol"): a visit is a run of a
team's *consecutive* track points (in time order) that are all inside the place, with
no gap between successive points longer than ``max_gap_s`` (600 s; a gap of exactly
10 minutes does not split). A point outside the place ends the run. Dwell is from the
run's first to its last point, so a single point inside is a visit of 0 minutes.
A point exactly on a place's border counts as inside (``intersects``, not ``within``).
Places may overlap; a point then counts for each of them.
"""
from __future__ import annotations

import datetime as dt
import itertools
import logging
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

from geo.crs import require_metres

LOGGER = logging.getLogger(__name__)

TOWNSHIP_MIN = 15       # R7: township full-time patrol team members
VILLAGE_MIN = 6         # R7: village volunteer patrol team members
SCHOOL_RADIUS_M = 200.0  # R5: a school's place is the 200 m around it
MAX_GAP_S = 600          # a gap over 10 minutes ends a visit
LONG_VISIT_MIN = 10.0    # 见巡率 and dosage: visits of 10 minutes or more
TIMEZONE = "Asia/Shanghai"
EXACT_TSP_MAX_STOPS = 8  # up to 8 stops every order is tried (8! = 40,320)
_NS_PER_MIN = 60_000_000_000


# -- CRS ------------------------------------------------------------------------

def _require_metres(crs, what: str) -> CRS:
    return require_metres(crs, what, "patrol")


def _same_crs(first, what_first: str, other, what_other: str) -> None:
    if other is not None and not CRS(other).equals(CRS(first)):
        raise ValueError(f"CRS mismatch: {what_first} is {CRS(first).name!r}, {what_other} is {CRS(other).name!r}")


def _xy(points, crs, what: str) -> np.ndarray:
    """(n, 2) float coordinates from an array or a point GeoSeries/GeoDataFrame (CRS checked)."""
    own = getattr(points, "crs", None)
    if own is not None or isinstance(points, (gpd.GeoSeries, gpd.GeoDataFrame)):
        _require_metres(own, what)
        _same_crs(own, what, crs, "crs")
        geoms = points.geometry.values if isinstance(points, gpd.GeoDataFrame) else points.values
        return shapely.get_coordinates(geoms)
    xy = np.asarray(points, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"{what} must be an (n, 2) array of x, y in metres, got shape {xy.shape}")
    return xy


def _geometry(geom, crs, what: str):
    """One shapely geometry from a geometry or a one-row GeoSeries/GeoDataFrame (CRS checked)."""
    if isinstance(geom, (gpd.GeoSeries, gpd.GeoDataFrame)):
        _require_metres(geom.crs, what)
        _same_crs(geom.crs, what, crs, "crs")
        geom = shapely.union_all(geom.geometry.values if isinstance(geom, gpd.GeoDataFrame) else geom.values)
    elif crs is not None:
        _require_metres(crs, "crs")
    return geom


# -- R7 staffing ----------------------------------------------------------------

def staffing(teams, township_codes, village_codes) -> dict:
    """Team strength against R7, in the shape of API.md ``/api/patrol/staffing``.

    teams: rows (a DataFrame or an iterable of dicts) with ``kind``
    (``township_fulltime`` or ``village_volunteer``), ``township_code``,
    ``village_code`` (volunteer teams) and ``members``. A township's full-time members
    are the sum over its full-time teams, against ``TOWNSHIP_MIN``; a village's volunteer
    members the sum over its volunteer teams, against ``VILLAGE_MIN``. Every township
    and village listed appears, those with no team with 0 members and ``met`` false.
    """
    rows = teams.to_dict("records") if isinstance(teams, pd.DataFrame) else list(teams)
    fulltime: dict = {}
    volunteer: dict = {}
    for r in rows:
        if r["kind"] == "township_fulltime":
            fulltime[r["township_code"]] = fulltime.get(r["township_code"], 0) + int(r["members"])
        elif r["kind"] == "village_volunteer":
            volunteer[r["village_code"]] = volunteer.get(r["village_code"], 0) + int(r["members"])
        else:
            raise ValueError(f"unknown team kind {r['kind']!r}")
    return {
        "townships": [{"code": c, "fulltime_members": fulltime.get(c, 0), "required": TOWNSHIP_MIN,
                       "met": fulltime.get(c, 0) >= TOWNSHIP_MIN} for c in township_codes],
        "villages": [{"code": c, "volunteer_members": volunteer.get(c, 0), "required": VILLAGE_MIN,
                      "met": volunteer.get(c, 0) >= VILLAGE_MIN} for c in village_codes],
    }


# -- places ---------------------------------------------------------------------

def school_places(schools: gpd.GeoDataFrame, radius_m: float = SCHOOL_RADIUS_M) -> gpd.GeoDataFrame:
    """The place of each school: the ``radius_m`` metres around it (point or grounds).

    schools: GeoDataFrame in a metric CRS. Returns a copy with buffered geometry.
    """
    _require_metres(schools.crs, "schools")
    return schools.set_geometry(schools.geometry.buffer(radius_m, quad_segs=16))


# -- visits from GPS tracks -----------------------------------------------------

class Visits(NamedTuple):
    visits: pd.DataFrame    # place, team, start, end, dwell_min, points
    summary: pd.DataFrame   # code, visits, dwell_min, long_visits, longest_gap_h, last_visit


def _times_ns(track_time) -> tuple[np.ndarray, object]:
    """Int64 UTC nanoseconds and the time zone (None when naive)."""
    idx = pd.DatetimeIndex(track_time)
    if idx.unit != "ns":
        idx = idx.as_unit("ns")
    return idx.asi8, idx.tz  # asi8 of tz-aware values is UTC epoch nanoseconds


def _to_time(ns: np.ndarray, tz) -> pd.DatetimeIndex:
    out = pd.DatetimeIndex(np.asarray(ns, dtype="datetime64[ns]"))
    return out.tz_localize("UTC").tz_convert(tz) if tz is not None else out


def _team_codes(track_team) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(track_team, (pd.Categorical, pd.Series)) and isinstance(
            getattr(track_team, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(track_team)
        return cat.codes.astype(np.int64), np.asarray(cat.categories)
    codes, labels = pd.factorize(np.asarray(track_team), sort=False)
    return codes.astype(np.int64), np.asarray(labels)


def _candidates(x: np.ndarray, y: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Indices of the points in a grid cell that touches a place's bounding box.

    A cheap numpy prefilter: cells of about the places' median size, padded with an
    empty border so that every point outside the grid falls in an empty cell.
    """
    x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
    width, height = bounds[:, 2].max() - x0, bounds[:, 3].max() - y0
    size = np.median(np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]))
    cell = max(size / 2, np.sqrt(width * height / 4e6), 1.0)  # at most ~4 million cells
    nx_, ny_ = int(width // cell) + 3, int(height // cell) + 3
    near = np.zeros((ny_, nx_), dtype=bool)
    lo = ((bounds[:, :2] - (x0, y0)) // cell).astype(int) + 1
    hi = ((bounds[:, 2:] - (x0, y0)) // cell).astype(int) + 1
    for (ax, ay), (bx, by) in zip(lo, hi):
        near[ay:by + 1, ax:bx + 1] = True
    flat = np.zeros(len(x), dtype=np.int64)
    for values, origin, n, mult in ((x, x0, nx_, 1), (y, y0, ny_, nx_)):
        v = values - origin
        v *= 1.0 / cell
        v += 1.0
        np.clip(v, 0, n - 1, out=v)
        flat += v.astype(np.int64) * mult
    return np.flatnonzero(near.ravel()[flat])


def _inside(x: np.ndarray, y: np.ndarray, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(point index, place index) for every point inside (or on the border of) a place."""
    usable = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    if not len(usable) or not len(x):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    bounds = shapely.bounds(geoms)
    cand = _candidates(x, y, bounds[usable])
    order = np.argsort(x[cand], kind="stable")
    cand = cand[order]
    cx, cy = x[cand], y[cand]
    pts, places = [], []
    for k in usable:
        ax, ay, bx, by = bounds[k]
        lo, hi = np.searchsorted(cx, ax, side="left"), np.searchsorted(cx, bx, side="right")
        sel = np.flatnonzero((cy[lo:hi] >= ay) & (cy[lo:hi] <= by)) + lo
        if len(sel):
            sel = sel[shapely.intersects_xy(geoms[k], cx[sel], cy[sel])]
            pts.append(cand[sel])
            places.append(np.full(len(sel), k, dtype=np.int64))
    if not pts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(pts), np.concatenate(places)


def _runs(pos, place, team, t_ns, max_gap_ns):
    """Run-length encode each team's visits to each place; pos in (team, time) order.

    A visit goes on while the team's successive points inside the place are at most
    ``max_gap_ns`` apart, even when a point in between fell outside (GPS jitter at the
    border, a short step out): only a gap over the limit ends it.
    """
    if not len(pos):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, empty
    n_points = len(team)
    key = place * n_points + pos
    order = np.argsort(key, kind="stable")
    pos, place = pos[order], place[order]
    tm, tt = team[pos], t_ns[pos]
    brk = np.ones(len(pos), dtype=bool)
    brk[1:] = (place[1:] != place[:-1]) | (tm[1:] != tm[:-1]) | (np.diff(tt) > max_gap_ns)
    first = np.flatnonzero(brk)
    last = np.r_[first[1:], len(pos)] - 1
    return place[first], tm[first], tt[first], tt[last], last - first + 1


def _summary(vis: pd.DataFrame, codes, period_ns, long_min: float) -> pd.DataFrame:
    """Per place: visits, dwell, long visits, longest gap (h) between visits, last visit."""
    p0, p1 = period_ns
    out = pd.DataFrame({"code": codes, "visits": 0, "dwell_min": 0.0, "long_visits": 0,
                        "longest_gap_h": (p1 - p0) / 3.6e12,
                        "last_ns": np.iinfo(np.int64).min})  # NaT
    if len(vis):
        v = vis.sort_values(["place_i", "start_ns"])
        prev_end = v.groupby("place_i")["end_ns"].cummax().groupby(v["place_i"]).shift()
        gap = (v["start_ns"] - prev_end.fillna(p0)).clip(lower=0)
        g = v.assign(gap=gap).groupby("place_i")
        agg = g.agg(visits=("start_ns", "size"), dwell_min=("dwell_min", "sum"),
                    long_visits=("dwell_min", lambda d: int((d >= long_min).sum())),
                    gap=("gap", "max"), last_end=("end_ns", "max"), last_ns=("start_ns", "max"))
        tail = (p1 - agg["last_end"]).clip(lower=0)
        i = agg.index.to_numpy()
        out.loc[i, "visits"] = agg["visits"].to_numpy()
        out.loc[i, "dwell_min"] = agg["dwell_min"].round(2).to_numpy()
        out.loc[i, "long_visits"] = agg["long_visits"].to_numpy()
        out.loc[i, "longest_gap_h"] = np.maximum(agg["gap"], tail).to_numpy() / 3.6e12
        out.loc[i, "last_ns"] = agg["last_ns"].to_numpy()
    out["longest_gap_h"] = out["longest_gap_h"].round(2)
    return out


def visits(track_team, track_time, track_xy, places: gpd.GeoDataFrame, max_gap_s: float = MAX_GAP_S,
           *, period=None, long_visit_min: float = LONG_VISIT_MIN, crs=None) -> Visits:
    """Visits of every team to every place, and a summary per place (R5, R6).

    track_team, track_time: one value per GPS point (any order); track_xy: (n, 2) x, y
    in metres in ``places``' CRS, or a point GeoSeries. places: GeoDataFrame of
    (Multi)Polygons in a metric CRS, with a ``code`` column (else the index is used);
    use ``school_places`` for schools. max_gap_s: a gap longer than this (seconds) between
    successive points ends a visit. period: (start, end) over which the longest gap
    between visits is measured (gaps from the start to the first visit and from the last
    visit to the end included); default the first and last track time. Pass the
    tracks of the period (visits are not cut at its ends).
    crs: the CRS of a bare track_xy array, checked against places when given.

    Returns ``Visits(visits, summary)``. visits: one row per visit with ``place``
    (code), ``team``, ``start``, ``end``, ``dwell_min`` (float minutes), ``points``.
    summary: one row per place, in places' order: ``code``, ``visits``, ``dwell_min``
    (total, minutes), ``long_visits`` (dwell ≥ ``long_visit_min``), ``longest_gap_h``
    (hours; overlapping visits of two teams leave no gap; the whole period when never
    visited), ``last_visit`` (start of the latest visit, NaT when none).

    Vectorised: a numpy grid prefilter keeps the points near a place, prepared
    point-in-polygon tests run once per place on its bbox strip, and the runs are found
    with np.diff on the (place, team, time)-sorted hits; no Python loop over points.
    """
    pcrs = _require_metres(places.crs, "places")
    xy = _xy(track_xy, crs, "track_xy")
    _same_crs(pcrs, "places", getattr(track_xy, "crs", None), "track_xy")
    _same_crs(pcrs, "places", crs, "crs")
    if not np.isfinite(xy).all():
        raise ValueError("track_xy contains NaN or infinite coordinates")
    team, labels = _team_codes(track_team)
    t_ns, tz = _times_ns(track_time)
    if not len(team) == len(t_ns) == len(xy):
        raise ValueError(f"track arrays differ in length: {len(team)}, {len(t_ns)}, {len(xy)}")
    kinds = set(shapely.get_type_id(places.geometry.values[~places.geometry.isna().to_numpy()]).tolist())
    if not kinds <= {3, 6}:
        raise ValueError("places must be (Multi)Polygons; buffer points first (school_places)")
    codes = places["code"].to_numpy() if "code" in places else places.index.to_numpy()
    if period is None:
        period_ns = (int(t_ns.min()), int(t_ns.max())) if len(t_ns) else (0, 0)
    else:
        period_ns = tuple(int(v) for v in _times_ns(list(period))[0])
    rank = _track_rank(team, t_ns)
    pt, place = _inside(xy[:, 0], xy[:, 1], np.asarray(places.geometry.values, dtype=object))
    pos = pt if rank is None else rank[pt]
    t_sorted = t_ns if rank is None else _scatter(t_ns, rank)
    team_sorted = team if rank is None else _scatter(team, rank)
    pl, tm, start, end, npts = _runs(pos, place, team_sorted, t_sorted, int(max_gap_s * 1e9))
    dwell = (end - start) / _NS_PER_MIN
    vis = pd.DataFrame({"place_i": pl, "start_ns": start, "end_ns": end, "dwell_min": dwell})
    summary = _summary(vis, codes, period_ns, long_visit_min)
    summary["last_visit"] = _to_time(summary.pop("last_ns").to_numpy(dtype=np.int64), tz)
    table = pd.DataFrame({"place": codes[pl], "team": labels[tm], "start": _to_time(start, tz),
                          "end": _to_time(end, tz), "dwell_min": dwell, "points": npts})
    table = table.sort_values(["place", "start", "team"], kind="stable").reset_index(drop=True)
    return Visits(table, summary)


def _track_rank(team: np.ndarray, t_ns: np.ndarray) -> np.ndarray | None:
    """Each point's position in (team, time) order; None when already in that order.

    Tracks grouped by team in time order (``ORDER BY team_code, recorded_at``) need no
    sort; tracks in time order (as devices post them) a radix sort by team; others a
    full sort on one int64 key (lexsort when team x time span would overflow it).
    """
    if len(team) < 2:
        return None
    # factorize numbers teams in order of first appearance, so tracks grouped by team
    # and sorted by time have non-decreasing codes
    dteam, dtime = np.diff(team), np.diff(t_ns)
    if ((dteam > 0) | ((dteam == 0) & (dtime >= 0))).all():
        return None
    if (dtime >= 0).all() and team.max() < 2 ** 16:
        order = np.argsort(team.astype(np.uint16), kind="stable")  # radix sort
    else:
        t0 = t_ns.min()
        span = int(t_ns.max() - t0) + 1
        if (int(team.max()) + 1) * span < 2 ** 62:
            order = np.argsort(team * span + (t_ns - t0), kind="stable")
        else:
            order = np.lexsort((t_ns, team))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _scatter(values: np.ndarray, rank: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    out[rank] = values
    return out


# -- 见巡率 -----------------------------------------------------------------------

def presence_rate(visits_df: pd.DataFrame, days, min_dwell_min: float = LONG_VISIT_MIN,
                  places=None, tz: str = TIMEZONE) -> pd.DataFrame:
    """Daily patrol presence (见巡率) per place: the share of ``days`` with a long visit.

    visits_df: the ``visits`` table of ``visits()`` (``place``, ``start``, ``dwell_min``).
    days: the local days of the period (``datetime.date``s or anything pandas reads as
    dates, e.g. ``pd.date_range("2026-06-01", "2026-06-30").date``). A visit counts on
    the local day (``tz``, Asia/Shanghai) it starts, when its dwell is at least
    ``min_dwell_min`` minutes. places: the codes to report (default: those in
    visits_df); places without visits get 0.
    Returns ``code``, ``days_present``, ``days``, ``rate`` (0-1, rounded to 4 places).
    """
    wanted = pd.Index(pd.to_datetime(list(days)).date).unique()
    codes = pd.unique(visits_df["place"]) if places is None else list(places)
    long = visits_df[visits_df["dwell_min"] >= min_dwell_min]
    start = pd.DatetimeIndex(long["start"])
    start = (start.tz_localize("UTC") if start.tz is None else start).tz_convert(tz)
    day = pd.Series(start.date, index=long.index)
    hit = pd.DataFrame({"place": long["place"], "day": day})
    hit = hit[hit["day"].isin(wanted)].drop_duplicates()
    present = hit.groupby("place").size()
    n = len(wanted)
    out = pd.DataFrame({"code": codes})
    out["days_present"] = out["code"].map(present).fillna(0).astype(int)
    out["days"] = n
    out["rate"] = (out["days_present"] / n).round(4) if n else 0.0
    return out


# -- routes and tracks ------------------------------------------------------------

def _route_samples(route, step_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ~step_m along each part of route (piece midpoints) and their lengths."""
    parts = shapely.get_parts(shapely.line_merge(route) if route.geom_type == "MultiLineString" else route)
    parts = parts[shapely.length(parts) > 0]
    lengths = shapely.length(parts)
    counts = np.maximum(np.ceil(lengths / step_m).astype(int), 1)
    part = np.repeat(np.arange(len(parts)), counts)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    i = np.arange(counts.sum()) - np.repeat(first, counts)
    piece = lengths[part] / counts[part]
    pts = shapely.line_interpolate_point(parts[part], (i + 0.5) * piece)
    return shapely.get_coordinates(pts), piece


def _track_parts(xy: np.ndarray, join_m: float) -> np.ndarray:
    """The track as geometries: its points, and straight legs no longer than join_m."""
    parts = shapely.points(xy)
    if len(xy) < 2 or join_m <= 0:
        return parts
    seg = np.stack([xy[:-1], xy[1:]], axis=1)
    length = np.hypot(*(xy[1:] - xy[:-1]).T)
    joined = (length <= join_m) & (length > 0)
    return np.concatenate([parts, shapely.linestrings(seg[joined])])


def route_share_travelled(route_line, track_xy, tolerance_m: float = 50.0, step_m: float = 10.0,
                          join_m: float = 500.0, *, crs=None) -> float:
    """The share of a planned route's length within ``tolerance_m`` of a team's track (R6).

    route_line: (Multi)LineString, or a GeoSeries/GeoDataFrame of them, metres.
    track_xy: one team's points in time order, (n, 2) metres or a point GeoSeries.
    The route is cut into pieces of at most ``step_m`` metres; a piece counts as
    travelled when the track passes within ``tolerance_m`` of its midpoint (STRtree
    ``dwithin`` query, exact distances).
    "The track" is its points joined by straight legs, except legs longer than
    ``join_m`` (a GPS gap: only their ends count); ``join_m=0`` uses the points alone.
    Exact to within ``step_m`` of route length. Returns a share 0-1 (0 for an empty route).
    """
    route = _geometry(route_line, crs, "route_line")
    xy = _xy(track_xy, crs, "track_xy")
    _same_crs_inputs(route_line, track_xy)
    if route is None or route.is_empty or shapely.length(route) == 0:
        return 0.0
    samples, piece = _route_samples(route, step_m)
    if len(xy) == 0:
        return 0.0
    tree = shapely.STRtree(_track_parts(xy, join_m))
    hit, _ = tree.query(shapely.points(samples), predicate="dwithin", distance=tolerance_m)
    return round(float(piece[np.unique(hit)].sum() / piece.sum()), 4)


def _same_crs_inputs(a, b) -> None:
    ca, cb = getattr(a, "crs", None), getattr(b, "crs", None)
    if ca is not None and cb is not None:
        _same_crs(ca, "route_line", cb, "track_xy")


class OffRoute(NamedTuple):
    distance_m: np.ndarray   # each point's distance from the route, metres
    off: np.ndarray          # distance_m > tolerance_m
    share_off: float         # share of all points off the route
    recent_off: float        # share of the latest ``recent`` points off the route
    alert: bool              # every one of the latest ``recent`` points is off


def off_route(track_xy, route_line, tolerance_m: float = 50.0, recent: int = 5, *, crs=None) -> OffRoute:
    """How far a team's track strays from its route ("teams off their route" alert).

    track_xy: one team's points in time order, (n, 2) metres or a point GeoSeries;
    route_line: its route, (Multi)LineString or GeoSeries, same metric CRS.
    A point is off when farther than ``tolerance_m`` (50 m, the R6 "travelled"
    distance) from the route. ``alert`` needs all of the latest ``recent`` points
    (5: 2.5 minutes at one point per 30 s) off, so that one stray GPS fix does not raise it.
    """
    route = _geometry(route_line, crs, "route_line")
    xy = _xy(track_xy, crs, "track_xy")
    _same_crs_inputs(route_line, track_xy)
    if len(xy) == 0:
        return OffRoute(np.zeros(0), np.zeros(0, dtype=bool), 0.0, 0.0, False)
    dist = shapely.distance(route, shapely.points(xy))
    off = dist > tolerance_m
    tail = off[-recent:] if recent > 0 else off[:0]
    alert = recent > 0 and len(off) >= recent and bool(tail.all())
    return OffRoute(dist, off, round(float(off.mean()), 4),
                    round(float(tail.mean()), 4) if len(tail) else 0.0, alert)


# -- route planning ---------------------------------------------------------------

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
    crs = _require_metres(roads.crs, "roads")
    geoms = shapely.get_parts(np.asarray(roads.geometry.values, dtype=object))
    geoms = geoms[(shapely.get_type_id(geoms) == 1) & (shapely.length(geoms) > 0)]
    geoms = _split_at_ends(geoms, snap_m)
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
    w = sparse.coo_matrix((np.ones(n), (u, v)), shape=(len(xy), len(xy)))
    _, comp = csgraph.connected_components(w, directed=False)
    main = comp[u] == np.bincount(comp[u]).argmax() if n else np.zeros(0, dtype=bool)
    return RoadGraph(geoms, u, v, length, xy, main, crs)


def _split_at_ends(geoms: np.ndarray, snap_m: float) -> np.ndarray:
    """Cut lines where another line's end lies on them (within snap_m of the interior)."""
    from shapely.ops import substring

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


def _shortest(u, v, length, n_nodes, sources):
    """Dijkstra from each source over the undirected graph (shortest parallel edge kept)."""
    real = u != v
    a, b, w, idx = np.minimum(u, v)[real], np.maximum(u, v)[real], length[real], np.flatnonzero(real)
    order = np.lexsort((w, b, a))
    a, b, w, idx = a[order], b[order], w[order], idx[order]
    first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
    a, b, w, idx = a[first], b[first], np.maximum(w[first], 1e-9), idx[first]
    mat = sparse.csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n_nodes, n_nodes))
    dist, pred = csgraph.dijkstra(mat, directed=False, indices=sources, return_predecessors=True)
    edge_of = dict(zip(zip(a.tolist(), b.tolist()), idx.tolist()))
    return dist, pred, edge_of


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


def _leg_coords(a, b, pred_row, edge_of, u, geoms) -> np.ndarray:
    nodes = [b]
    while nodes[-1] != a:
        nodes.append(int(pred_row[nodes[-1]]))
    nodes.reverse()
    out = []
    for p, q in zip(nodes[:-1], nodes[1:]):
        e = edge_of[(min(p, q), max(p, q))]
        c = shapely.get_coordinates(geoms[e])
        out.append(c if u[e] == p else c[::-1])
    return np.vstack(out) if out else np.zeros((0, 2))


def plan_route(roads, start_xy, stops_xy, stop_minutes: float = 15.0, speed_kmh: float = 30.0,
               shift_minutes: float = 480.0, *, start_time=None, crs=None) -> PlannedRoute:
    """A patrol route from ``start_xy`` through every stop and back, along the roads.

    roads: GeoDataFrame of road lines in a metric CRS, or a ``road_graph`` of them.
    start_xy: (x, y) metres; stops_xy: (k, 2) metres or a point GeoSeries (hotspot
    centroids, schools). Each point is attached to the nearest point of the nearest road
    of the main network (``snap_m`` in the result says how far that was); the road is cut
    there. Shortest paths: Dijkstra from the start and each stop (scipy.sparse.csgraph)
    on the road graph. Order: every order tried for up to 8 stops (optimal); above that
    networkx's Christofides (at most 1.5x the optimal tour, distances being road
    distances) improved by 2-opt (never worse than Christofides).
    Travel at ``speed_kmh``; each stop planned for ``stop_minutes``; ``fits_shift`` when
    travel plus stops take no more than ``shift_minutes``. ``start_time`` (optional
    timestamp) adds clock times ``arrival`` and ``departure`` to the stops.
    Raises ValueError when a stop cannot be reached from the start.
    """
    g = roads if isinstance(roads, RoadGraph) else road_graph(roads)
    stops_arr = _xy(stops_xy, crs, "stops_xy")
    _same_crs(g.crs, "roads", getattr(stops_xy, "crs", None), "stops_xy")
    _same_crs(g.crs, "roads", crs, "crs")
    terminals = np.vstack([np.asarray(start_xy, dtype=float).reshape(1, 2), stops_arr])
    main = np.flatnonzero(g.main)
    if not len(main):
        raise ValueError("roads has no usable lines")
    pts = shapely.points(terminals)
    near, snap = shapely.STRtree(g.geoms[main]).query_nearest(pts, return_distance=True, all_matches=False)
    edge = main[near[1]]
    at = shapely.line_locate_point(g.geoms[edge], pts)
    geoms, u, v, length, node, n_nodes = _split_graph(g, edge, at, snap_m=0.5)
    dist, pred, edge_of = _shortest(u, v, length, n_nodes, node)
    dm = dist[:, node]
    dm = np.minimum(dm, dm.T)
    if not np.isfinite(dm).all():
        bad = np.flatnonzero(~np.isfinite(dm[0]))
        raise ValueError(f"stops {[int(b) - 1 for b in bad]} cannot be reached from the start by road")
    tour, method = _order(dm)
    legs = [_leg_coords(node[a], node[b], pred[a], edge_of, u, geoms) for a, b in zip(tour[:-1], tour[1:])]
    coords = np.vstack([c for c in legs if len(c)] or [terminals[:1]])
    keep = np.r_[True, np.any(np.abs(np.diff(coords, axis=0)) > 1e-9, axis=1)]
    coords = coords[keep]
    line = shapely.LineString(coords if len(coords) > 1 else np.vstack([coords, coords]))
    leg_m = dm[tour[:-1], tour[1:]]
    metres_per_min = speed_kmh * 1000 / 60
    order = np.array(tour[1:-1], dtype=np.int64)
    k = len(order)
    cum = np.cumsum(leg_m)[:k]
    arrival = cum / metres_per_min + np.arange(k) * stop_minutes
    travel = float(leg_m.sum() / metres_per_min)
    duration = travel + k * stop_minutes
    table = pd.DataFrame({"order": np.arange(1, k + 1), "stop": order - 1, "leg_m": leg_m[:k].round(1),
                          "distance_m": cum.round(1), "arrival_min": arrival.round(1),
                          "departure_min": (arrival + stop_minutes).round(1), "snap_m": snap[order].round(1)})
    if start_time is not None:
        t0 = pd.Timestamp(start_time)
        table["arrival"] = t0 + pd.to_timedelta(arrival, unit="min")
        table["departure"] = t0 + pd.to_timedelta(arrival + stop_minutes, unit="min")
    stops_gdf = gpd.GeoDataFrame(table, geometry=shapely.points(terminals[order]), crs=g.crs)
    return PlannedRoute(line, float(round(leg_m.sum(), 1)), stops_gdf, round(travel, 1),
                        round(duration, 1), duration <= shift_minutes, method, g.crs)


# -- alerts -----------------------------------------------------------------------

def unvisited_since(summary: pd.DataFrame, now, hours: float = 24.0) -> pd.DataFrame:
    """Places of a ``visits`` summary with no visit starting in the last ``hours`` hours.

    now: a timestamp (naive is UTC). Returns those rows with ``hours_since`` (NaN when
    never visited in the tracks given), most overdue first.
    """
    now = pd.Timestamp(now)
    now = now.tz_localize("UTC") if now.tz is None else now
    last = pd.DatetimeIndex(summary["last_visit"])
    last = last.tz_localize("UTC") if last.tz is None else last
    since = (now - last).total_seconds() / 3600
    out = summary.assign(hours_since=np.round(since.to_numpy(dtype=float), 2))
    out = out[np.isnan(out["hours_since"]) | (out["hours_since"] > hours)]
    return out.sort_values("hours_since", ascending=False, na_position="first")


def school_day(day, holidays=(), workdays=()) -> bool:
    """Whether ``day`` is a school day: Monday to Friday and not a holiday.

    holidays: dates off (public holidays, school breaks); workdays: weekend days made
    school days by the holiday schedule (调休). Dates as ``datetime.date`` or ISO strings.
    """
    day = pd.Timestamp(day).date()
    if day in {pd.Timestamp(d).date() for d in workdays}:
        return True
    return day.weekday() < 5 and day not in {pd.Timestamp(d).date() for d in holidays}


def schools_not_visited(visits_df: pd.DataFrame, school_codes, day, holidays=(), workdays=(),
                        tz: str = TIMEZONE) -> list:
    """The schools with no visit during local ``day`` (Asia/Shanghai), on a school day.

    visits_df: the ``visits`` table of ``visits()`` run on school places. A visit counts
    when it overlaps the day. Returns [] when ``day`` is not a school day.
    """
    if not school_day(day, holidays, workdays):
        return []
    d0 = pd.Timestamp(pd.Timestamp(day).date(), tz=tz)
    d1 = d0 + pd.Timedelta(days=1)
    start, end = (_aware(visits_df[c]) for c in ("start", "end"))
    seen = set(visits_df.loc[(start < d1) & (end >= d0), "place"])
    return [c for c in school_codes if c not in seen]


def _aware(values) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(values)
    return idx.tz_localize("UTC") if idx.tz is None else idx


def local_day(ts, tz: str = TIMEZONE) -> dt.date:
    """The local calendar day (Asia/Shanghai) of a timestamp (naive is UTC)."""
    ts = pd.Timestamp(ts)
    return (ts.tz_localize("UTC") if ts.tz is None else ts).tz_convert(tz).date()
