"""Visits from GPS tracks (R5, R6) and daily patrol presence (见巡率).

Places are (Multi)Polygons in a projected CRS in metres; track points are x, y in that
CRS. Times as in ``geo.patrol``: tz-aware compared as instants, naive taken as UTC;
local days are the county's (``geo.calendar.TIMEZONE``, Asia/Shanghai).
"""
from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.calendar import TIMEZONE
from geo.crs import points_xy, require_metres, same_crs_if_given
from geo.patrol.times import NS_PER_MIN, aware, times_ns, to_time
from geo.rules import LONG_VISIT_MIN, SCHOOL_RADIUS_M  # R6 见巡率 visits ≥ 10 min; R5 200 m around a school

MAX_GAP_S = 600          # a gap over 10 minutes ends a visit


def school_places(schools: gpd.GeoDataFrame, radius_m: float = SCHOOL_RADIUS_M) -> gpd.GeoDataFrame:
    """The place of each school: the ``radius_m`` metres around it (point or grounds).

    schools: GeoDataFrame in a metric CRS. Returns a copy with buffered geometry.
    """
    require_metres(schools.crs, "schools", "patrol")
    return schools.set_geometry(schools.geometry.buffer(radius_m, quad_segs=16))


class Visits(NamedTuple):
    visits: pd.DataFrame    # place, team, start, end, dwell_min, points
    summary: pd.DataFrame   # code, visits, dwell_min, long_visits, longest_gap_h, last_visit


def _team_codes(track_team) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(track_team, (pd.Categorical, pd.Series)) and isinstance(
            getattr(track_team, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(track_team)
        return cat.codes.astype(np.int64), np.asarray(cat.categories)
    codes, labels = pd.factorize(np.asarray(track_team), sort=False)
    return codes.astype(np.int64), np.asarray(labels)


def _near_places(x: np.ndarray, y: np.ndarray, bounds: np.ndarray) -> np.ndarray:
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
    cand = _near_places(x, y, bounds[usable])
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


def _checked(track_team, track_time, track_xy, places, crs):
    """Validated inputs: (team codes, team labels, UTC ns, tz, xy, place codes)."""
    pcrs = require_metres(places.crs, "places", "patrol")
    xy = points_xy(track_xy, crs, "track_xy", needed_by="patrol")
    same_crs_if_given(pcrs, "places", track_xy=getattr(track_xy, "crs", None), crs=crs)
    if not np.isfinite(xy).all():
        raise ValueError("track_xy contains NaN or infinite coordinates")
    team, labels = _team_codes(track_team)
    t_ns, tz = times_ns(track_time)
    if not len(team) == len(t_ns) == len(xy):
        raise ValueError(f"track arrays differ in length: {len(team)}, {len(t_ns)}, {len(xy)}")
    kinds = set(shapely.get_type_id(places.geometry.values[~places.geometry.isna().to_numpy()]).tolist())
    if not kinds <= {3, 6}:
        raise ValueError("places must be (Multi)Polygons; buffer points first (school_places)")
    codes = places["code"].to_numpy() if "code" in places else places.index.to_numpy()
    return team, labels, t_ns, tz, xy, codes


def _team_runs(team, t_ns, xy, places, max_gap_s):
    """``_runs`` of the points inside the places, for team keys ``team`` (ints)."""
    rank = _track_rank(team, t_ns)
    pt, place = _inside(xy[:, 0], xy[:, 1], np.asarray(places.geometry.values, dtype=object))
    pos = pt if rank is None else rank[pt]
    t_sorted = t_ns if rank is None else _scatter(t_ns, rank)
    team_sorted = team if rank is None else _scatter(team, rank)
    return _runs(pos, place, team_sorted, t_sorted, int(max_gap_s * 1e9))


def _visits_of(pl, tm, start, end, npts, codes, labels, period_ns, long_visit_min, tz) -> Visits:
    dwell = (end - start) / NS_PER_MIN
    vis = pd.DataFrame({"place_i": pl, "start_ns": start, "end_ns": end, "dwell_min": dwell})
    summary = _summary(vis, codes, period_ns, long_visit_min)
    summary["last_visit"] = to_time(summary.pop("last_ns").to_numpy(dtype=np.int64), tz)
    table = pd.DataFrame({"place": codes[pl], "team": labels[tm], "start": to_time(start, tz),
                          "end": to_time(end, tz), "dwell_min": dwell, "points": npts})
    table = table.sort_values(["place", "start", "team"], kind="stable").reset_index(drop=True)
    return Visits(table, summary)


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
    team, labels, t_ns, tz, xy, codes = _checked(track_team, track_time, track_xy, places, crs)
    if period is None:
        period_ns = (int(t_ns.min()), int(t_ns.max())) if len(t_ns) else (0, 0)
    else:
        period_ns = tuple(int(v) for v in times_ns(list(period))[0])
    pl, tm, start, end, npts = _team_runs(team, t_ns, xy, places, max_gap_s)
    return _visits_of(pl, tm, start, end, npts, codes, labels, period_ns, long_visit_min, tz)


DAY_NS = 86_400 * 10 ** 9
RUN_COLUMNS = ["place", "team", "day", "start", "end", "points"]


def day_runs(track_team, track_time, track_xy, places: gpd.GeoDataFrame, max_gap_s: float = MAX_GAP_S,
             *, tz: str = TIMEZONE, crs=None) -> pd.DataFrame:
    """The runs ``visits`` is made of, cut at local midnights (``tz``): one row per run of a
    team inside a place within one local day: ``place`` (code), ``team``, ``day``
    (datetime.date), ``start``, ``end`` (tz-aware, ``tz``), ``points``. ``visits_from_runs``
    joins the runs of successive days again, so the runs of separate days (stored once a day
    is over) give the visits of any period of whole days. Arguments as ``visits``."""
    team, labels, t_ns, _tz, xy, codes = _checked(track_team, track_time, track_xy, places, crs)
    if not len(t_ns):
        return pd.DataFrame({c: [] for c in RUN_COLUMNS})
    local = to_time(t_ns, "UTC").tz_convert(tz).tz_localize(None).asi8 // DAY_NS
    day0 = int(local.min())
    n_days = int(local.max()) - day0 + 1
    key = team * n_days + (local - day0)          # a team's day: runs end at midnight
    pl, key_of, start, end, npts = _team_runs(key, t_ns, xy, places, max_gap_s)
    days = pd.to_datetime((key_of % n_days + day0) * DAY_NS).date
    return pd.DataFrame({"place": codes[pl], "team": labels[key_of // n_days], "day": days,
                         "start": to_time(start, tz), "end": to_time(end, tz), "points": npts})


def visits_from_runs(runs: pd.DataFrame, places: gpd.GeoDataFrame, period, max_gap_s: float = MAX_GAP_S,
                     *, long_visit_min: float = LONG_VISIT_MIN, tz: str = TIMEZONE) -> Visits:
    """``visits`` from runs (``day_runs``: ``place``, ``team``, ``start``, ``end``, ``points``;
    the days in any order, of one set of places): a team's successive runs in a place at most
    ``max_gap_s`` apart are one visit (a run crossing midnight is one visit), so the result
    equals ``visits`` of the points the runs came from. period: (start, end) as ``visits``
    (required); times come back in ``tz``. Runs of places not in ``places`` are ignored."""
    codes = places["code"].to_numpy() if "code" in places else places.index.to_numpy()
    period_ns = tuple(int(v) for v in times_ns(list(period))[0])
    place_i = pd.Index(codes).get_indexer(runs["place"]) if len(runs) else np.zeros(0, dtype=np.int64)
    keep = place_i >= 0
    team, labels = _team_codes(np.asarray(runs["team"], dtype=object)[keep])
    place_i = place_i[keep].astype(np.int64)
    start = times_ns(runs["start"])[0][keep] if len(runs) else np.zeros(0, dtype=np.int64)
    end = times_ns(runs["end"])[0][keep] if len(runs) else np.zeros(0, dtype=np.int64)
    points = np.asarray(runs["points"], dtype=np.int64)[keep]
    order = np.lexsort((start, team, place_i))
    place_i, team, start, end, points = place_i[order], team[order], start[order], end[order], points[order]
    brk = np.ones(len(order), dtype=bool)
    brk[1:] = (place_i[1:] != place_i[:-1]) | (team[1:] != team[:-1]) | (start[1:] - end[:-1] > int(max_gap_s * 1e9))
    first = np.flatnonzero(brk)
    last = np.r_[first[1:], len(order)] - 1 if len(first) else first
    npts = np.add.reduceat(points, first) if len(first) else np.zeros(0, dtype=np.int64)
    return _visits_of(place_i[first], team[first], start[first], end[last], npts, codes, labels,
                      period_ns, long_visit_min, tz)


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
    start = aware(pd.DatetimeIndex(long["start"])).tz_convert(tz)
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
