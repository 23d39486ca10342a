"""Camera siting: where k new cameras add the most covered road and hotspot area.

Maximal covering (MCLP, METHODS.md "Cameras"). Demand is sampled as weighted points
along roads and over hotspots; candidate cameras stand along roads; a sparse matrix says
which candidate covers which point; greedy picks the cameras (within 1 - 1/e of optimal,
Nemhauser, Wolsey & Fisher 1978) and ``milp_siting`` solves the same problem exactly
(PuLP + CBC) to measure greedy's gap.

The sector test is METHODS.md's: p is covered by a camera at c when |p - c| <= range and
the bearing from c to p, ``atan2(dx, dy)`` clockwise from (grid) north, is within fov/2
of the azimuth; dome and PTZ cameras, fov >= 360 or no azimuth see the full circle. A
directional camera does not count the point it stands on (a road across its view
covers nothing).

The building blocks (``demand_points``, ``candidate_sites``, ``coverage_matrix``) work in
one projected CRS whose unit is the metre (e.g. the local UTM zone) and raise ValueError
on a geographic CRS or when inputs differ in CRS; ``suggest_cameras`` takes any one CRS
and reprojects to a metric one. Pure functions: no Flask, no database.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import tempfile
import time
import warnings
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pulp
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.spatial import cKDTree

from geo.crs import require_metres

LOGGER = logging.getLogger(__name__)

FULL_CIRCLE_KINDS = frozenset({"dome", "ptz"})
KINDS = frozenset({"fixed", "checkpoint"}) | FULL_CIRCLE_KINDS
# Exchange rate: 1 m² of hotspot counts as 0.05 m of road, i.e. a hotspot weighs the same
# per square metre as a road corridor 20 m wide. 0 ignores hotspots.
HOTSPOT_WEIGHT = 0.05
_EPS = 1e-9


class GreedyResult(NamedTuple):
    chosen: np.ndarray      # candidate row indices, in the order picked
    gains: np.ndarray       # each one's marginal gain (objective units), non-increasing
    cumulative: np.ndarray  # objective after 1, 2, ... cameras (the coverage-against-budget curve)


class MilpResult(NamedTuple):
    chosen: np.ndarray   # candidate row indices of the best solution found (sorted)
    objective: float     # its covered weight, recomputed from the matrix
    optimal: bool        # True only when CBC proved optimality (not stopped on its time limit)
    status: str          # "optimal" or "not proven optimal (...)"
    seconds: float       # wall time of CBC


class Suggestion(NamedTuple):
    cameras: gpd.GeoDataFrame
    curve: pd.DataFrame


def _same_crs(**frames) -> tuple[str, CRS]:
    """The name and CRS of the first given GeoDataFrame, checking the others (None skipped) share it."""
    crs = {name: f.crs for name, f in frames.items() if f is not None}
    first_name, first = next(iter(crs.items()))
    if first is None:
        raise ValueError(f"{first_name} has no CRS; give it one (siting works in metres)")
    for name, other in crs.items():
        if other is None or not CRS(other).equals(CRS(first)):
            raise ValueError(f"CRS mismatch: {first_name} is {first!r}, {name} is {other!r}")
    return first_name, CRS(first)


def _metric_crs(**frames) -> CRS:
    """The one projected metre CRS shared by the given GeoDataFrames (None entries skipped)."""
    name, crs = _same_crs(**frames)
    return _require_metres(crs, name)


def _require_metres(crs, what: str = "data") -> CRS:
    return require_metres(crs, what, "siting")


def _lines(geoms) -> np.ndarray:
    """LineStrings of positive length from (Multi)LineStrings; other types are ignored."""
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[shapely.get_type_id(parts) == 1]
    return parts[shapely.length(parts) > 0]


def _along(lengths: np.ndarray, counts: np.ndarray, offset: float, divisor: np.ndarray):
    """Line index and distance along it for counts[i] points at (j + offset) * L_i / divisor_i."""
    idx = np.repeat(np.arange(len(lengths)), counts)
    j = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return idx, (j + offset) * lengths[idx] / divisor[idx]


def _interpolate(lines: np.ndarray, idx: np.ndarray, dist: np.ndarray):
    """x, y at distance dist (clipped to 0..length) along lines[idx]; like
    shapely.line_interpolate_point, but one np.interp over all vertices at once."""
    if not len(idx):
        return np.empty(0), np.empty(0)
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    seg = np.hypot(*np.diff(coords, axis=0).T)
    seg[owner[1:] != owner[:-1]] = 1.0  # a 1 m gap between lines, never queried
    chain = np.concatenate([[0.0], np.cumsum(seg)])
    first = np.searchsorted(owner, np.arange(len(lines)))
    at = chain[first][idx] + np.clip(dist, 0.0, shapely.length(lines)[idx])
    return np.interp(at, chain, coords[:, 0]), np.interp(at, chain, coords[:, 1])


def _sample_lines(geoms, step: float):
    """Points at the middle of ~step-long pieces; each weighs its piece's length (m)."""
    lines = _lines(geoms)
    lengths = shapely.length(lines)
    n = np.maximum(1, np.ceil(lengths / step - _EPS)).astype(int)
    idx, dist = _along(lengths, n, 0.5, n)
    x, y = _interpolate(lines, idx, dist)
    return x, y, lengths[idx] / n[idx]


def _sample_areas(geoms, step: float):
    """Grid points (step apart) inside the union of the polygons; weights sum to its area (m²)."""
    merged = shapely.union_all(np.asarray(geoms, dtype=object))
    xs, ys, ws = [], [], []
    for poly in shapely.get_parts(merged):
        if shapely.get_type_id(poly) != 3 or poly.area <= 0:
            continue
        x0, y0, x1, y1 = poly.bounds
        gx, gy = np.meshgrid(np.arange(np.floor(x0 / step) * step + step / 2, x1, step),
                             np.arange(np.floor(y0 / step) * step + step / 2, y1, step))
        inside = shapely.contains_xy(poly, gx.ravel(), gy.ravel())
        px, py = gx.ravel()[inside], gy.ravel()[inside]
        if not len(px):  # smaller than a grid cell: one point stands for it
            rep = poly.representative_point()
            px, py = np.array([rep.x]), np.array([rep.y])
        xs.append(px), ys.append(py), ws.append(np.full(len(px), poly.area / len(px)))
    if not xs:
        return np.empty(0), np.empty(0), np.empty(0)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)


def _inside_existing(existing: gpd.GeoDataFrame, demand: gpd.GeoDataFrame) -> np.ndarray:
    """Which demand points an existing working camera already sees (sector polygons or camera points)."""
    if "status" in existing:
        existing = existing[existing["status"] == "working"]
    existing = existing[~(existing.geometry.isna() | existing.geometry.is_empty)]
    is_point = (existing.geom_type == "Point").to_numpy()
    hit = np.zeros(len(demand), dtype=bool)
    if is_point.any():
        hit |= coverage_matrix(existing[is_point], demand).getnnz(axis=0) > 0
    if (~is_point).any():
        tree = shapely.STRtree(existing.geometry.values[~is_point])
        hit[tree.query(demand.geometry.values, predicate="intersects")[0]] = True
    return hit


def demand_points(roads: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame | None = None,
                  existing_sectors: gpd.GeoDataFrame | None = None, road_step_m: float = 10.0,
                  area_step_m: float = 20.0, hotspot_weight: float = HOTSPOT_WEIGHT) -> gpd.GeoDataFrame:
    """Weighted demand points to cover: along roads and over hotspots, minus what is seen.

    roads: (Multi)LineStrings; hotspots: (Multi)Polygons, overlaps counted once;
    existing_sectors: existing cameras, either sector polygons or camera points with
    kind/azimuth/fov/range_m columns; with a ``status`` column only 'working' ones count.
    All in one projected CRS in metres (ValueError otherwise).

    Roads are cut into pieces of at most road_step_m metres, one point at each piece's
    middle; hotspots get a grid area_step_m apart. Returns Points in that CRS with
    ``kind`` ('road' or 'hotspot'), ``amount`` (metres of road or m² of hotspot the point
    stands for; roads' amounts sum to their length, hotspots' to their area) and
    ``weight``, the objective: road metres, and hotspot m² times hotspot_weight
    (default 0.05: 1 m² of hotspot = 0.05 m of road, as if a road 20 m wide).
    Points inside an existing working sector are dropped (existing cameras stay).
    """
    crs = _metric_crs(roads=roads, hotspots=hotspots, existing_sectors=existing_sectors)
    if road_step_m <= 0 or area_step_m <= 0 or hotspot_weight < 0:
        raise ValueError("road_step_m and area_step_m must be > 0, hotspot_weight >= 0")
    rx, ry, ra = _sample_lines(roads.geometry.values, road_step_m)
    hx, hy, ha = (np.empty(0),) * 3
    if hotspots is not None and len(hotspots):
        hx, hy, ha = _sample_areas(hotspots.geometry.values, area_step_m)
    out = gpd.GeoDataFrame(
        {"kind": np.array(["road"] * len(rx) + ["hotspot"] * len(hx), dtype=object),
         "amount": np.concatenate([ra, ha]),
         "weight": np.concatenate([ra, ha * hotspot_weight])},
        geometry=gpd.points_from_xy(np.concatenate([rx, hx]), np.concatenate([ry, hy])), crs=crs)
    if existing_sectors is not None and len(existing_sectors) and len(out):
        seen = _inside_existing(existing_sectors, out)
        LOGGER.debug("%d of %d demand points already covered", seen.sum(), len(out))
        out = out[~seen]
    return out.reset_index(drop=True)


def candidate_sites(roads: gpd.GeoDataFrame, spacing_m: float = 50.0, kind: str = "fixed",
                    fov: float = 90.0, range_m: float = 100.0, across: bool = False) -> gpd.GeoDataFrame:
    """Candidate cameras along roads: a site every ~spacing_m metres (ends included).

    roads: (Multi)LineStrings in a projected CRS in metres (ValueError otherwise).
    Fixed and checkpoint cameras get two candidates per site, looking both ways along
    the road (four with across=True, adding both perpendiculars); dome and PTZ one
    full-circle candidate (azimuth NaN, fov 360). Sites where lines meet are merged.

    Returns Points in the roads' CRS with ``site`` (position id), ``kind``, ``azimuth``
    (degrees clockwise from grid north), ``fov`` (degrees) and ``range_m`` (metres).
    """
    crs = _metric_crs(roads=roads)
    if kind not in KINDS or spacing_m <= 0 or range_m <= 0 or not 0 < fov <= 360:
        raise ValueError(f"bad candidate spec: kind={kind!r} spacing_m={spacing_m} fov={fov} range_m={range_m}")
    lines = _lines(roads.geometry.values)
    lengths = shapely.length(lines)
    n = np.maximum(1, np.round(lengths / spacing_m)).astype(int)
    idx, dist = _along(lengths, n + 1, 0.0, n)
    x, y = _interpolate(lines, idx, dist)
    full = kind in FULL_CIRCLE_KINDS or fov >= 360
    if full:
        azimuth = np.full((len(x), 1), np.nan)
    else:
        h = np.minimum(1.0, lengths[idx] / 4)
        ax, ay = _interpolate(lines, idx, dist - h)
        bx, by = _interpolate(lines, idx, dist + h)
        ahead = np.degrees(np.arctan2(bx - ax, by - ay))
        turns = [0.0, 180.0, 90.0, 270.0] if across else [0.0, 180.0]
        azimuth = (ahead[:, None] + np.array(turns)[None, :]) % 360
    x, y = np.repeat(x, azimuth.shape[1]), np.repeat(y, azimuth.shape[1])
    azimuth = azimuth.ravel()
    key = np.column_stack([np.round(x, 2), np.round(y, 2), np.nan_to_num(np.round(azimuth, 1), nan=-1)])
    _, first = np.unique(key, axis=0, return_index=True)
    first = np.sort(first)
    _, site = np.unique(key[first, :2], axis=0, return_inverse=True)
    return gpd.GeoDataFrame(
        {"site": site.ravel(), "kind": kind, "azimuth": azimuth[first],
         "fov": 360.0 if full else float(fov), "range_m": float(range_m)},
        geometry=gpd.points_from_xy(x[first], y[first]), crs=crs)


def _camera_arrays(cameras: gpd.GeoDataFrame):
    """x, y, range, fov, azimuth and full-circle mask of cameras (missing fov/azimuth: full circle)."""
    n = len(cameras)
    col = (lambda name: cameras[name].to_numpy(dtype=float, na_value=np.nan)
           if name in cameras else np.full(n, np.nan))
    kind = cameras["kind"].astype("string").fillna("").to_numpy() if "kind" in cameras else np.full(n, "")
    fov, azimuth = col("fov"), col("azimuth")
    with np.errstate(invalid="ignore"):
        full = ~(fov < 360) | np.isnan(azimuth) | np.isin(kind, list(FULL_CIRCLE_KINDS))
    return (shapely.get_x(cameras.geometry.values), shapely.get_y(cameras.geometry.values),
            np.clip(np.nan_to_num(col("range_m"), nan=0.0), 0.0, None), fov, azimuth, full)


def coverage_matrix(candidates: gpd.GeoDataFrame, demand: gpd.GeoDataFrame) -> sparse.csr_matrix:
    """Which demand points each candidate's sector covers.

    candidates: Points with ``range_m`` (metres), ``fov`` and ``azimuth`` (degrees,
    clockwise from grid north) and optionally ``kind``; demand: Points. Both in the same
    projected CRS in metres (ValueError otherwise). Returns a CSR matrix of int8 ones,
    candidates x demand points, row/column order as given. Vectorised: a cKDTree ball
    query per candidate, then the bearing test on the pairs found.
    """
    _metric_crs(candidates=candidates, demand=demand)
    shape = (len(candidates), len(demand))
    if not len(candidates) or not len(demand):
        return sparse.csr_matrix(shape, dtype=np.int8)
    cx, cy, radius, fov, azimuth, full = _camera_arrays(candidates)
    dx, dy = shapely.get_x(demand.geometry.values), shapely.get_y(demand.geometry.values)
    hits = cKDTree(np.column_stack([dx, dy])).query_ball_point(
        np.column_stack([cx, cy]), radius, return_sorted=False, workers=-1)
    counts = np.fromiter(map(len, hits), dtype=np.int64, count=len(hits))
    cols = np.fromiter(itertools.chain.from_iterable(hits), dtype=np.int64, count=counts.sum())
    rows = np.repeat(np.arange(len(hits)), counts)
    ex, ey = dx[cols] - cx[rows], dy[cols] - cy[rows]
    dist = np.hypot(ex, ey)
    off = (np.degrees(np.arctan2(ex, ey)) - azimuth[rows] + 180.0) % 360.0 - 180.0
    with np.errstate(invalid="ignore"):
        seen = full[rows] | ((dist > _EPS) & (np.abs(off) <= fov[rows] / 2 + _EPS))
    seen &= dist <= radius[rows] + _EPS
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[seen], minlength=shape[0]))])
    return sparse.csr_matrix((np.ones(seen.sum(), dtype=np.int8), cols[seen], indptr), shape=shape)


def _check_problem(matrix, weights, k: int):
    matrix = sparse.csr_matrix(matrix)
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (matrix.shape[1],):
        raise ValueError(f"{len(weights)} weights for {matrix.shape[1]} demand points")
    if (weights < 0).any() or k < 0:
        raise ValueError("weights must be >= 0 and k >= 0")
    return matrix, weights


def greedy_siting(matrix, weights, k: int) -> GreedyResult:
    """Greedy maximal covering: repeatedly take the candidate with the largest uncovered gain.

    matrix: sparse candidates x demand (``coverage_matrix``); weights: per demand point
    (objective units, e.g. road metres), >= 0; k: budget. Lazy evaluation with a priority
    queue (gains only shrink, so a stale gain is an upper bound). Ties go to the lower
    index (gains equal but for rounding may go either way, and later picks follow).
    Stops early when no candidate adds anything. Returns ``GreedyResult``.
    """
    matrix, weights = _check_problem(matrix, weights, k)
    indptr, indices = matrix.indptr, matrix.indices
    covered = np.zeros(matrix.shape[1], dtype=bool)
    heap = list(zip(-(matrix @ weights), range(matrix.shape[0])))
    heapq.heapify(heap)
    chosen, gains = [], []
    while heap and len(chosen) < k:
        stale, j = heapq.heappop(heap)
        if -stale <= 0:
            break
        cols = indices[indptr[j]:indptr[j + 1]]
        fresh = weights[cols[~covered[cols]]].sum()
        if fresh <= 0:
            continue
        if heap and fresh < -heap[0][0]:
            heapq.heappush(heap, (-fresh, j))
            continue
        chosen.append(j), gains.append(fresh)
        covered[cols] = True
    gains = np.asarray(gains, dtype=float)
    return GreedyResult(np.asarray(chosen, dtype=np.int64), gains, np.cumsum(gains))


def covered_weight(matrix, weights, chosen) -> float:
    """Total weight of the demand points covered by the chosen candidates."""
    matrix, weights = _check_problem(matrix, weights, 0)
    hit = matrix[np.asarray(chosen, dtype=np.int64)].getnnz(axis=0) > 0
    return float(weights[hit].sum())


def _demand_groups(matrix, weights):
    """Demand points with the same covering candidates merged: (candidate lists, summed weights)."""
    csc = sparse.csc_matrix(matrix)
    csc.sort_indices()
    groups: dict[bytes, list] = {}
    for i in np.flatnonzero((np.diff(csc.indptr) > 0) & (weights > 0)):
        rows = csc.indices[csc.indptr[i]:csc.indptr[i + 1]]
        groups.setdefault(rows.tobytes(), [rows, 0.0])[1] += weights[i]
    return [g[0] for g in groups.values()], [g[1] for g in groups.values()]


def _mclp_model(matrix, weights, k: int):
    """The MCLP as a PuLP problem, demand points with the same covering candidates merged."""
    members, group_w = _demand_groups(matrix, weights)
    prob = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = [prob.add_variable(f"x{j}", cat=pulp.LpBinary) for j in range(matrix.shape[0])]
    y = [prob.add_variable(f"y{g}", lowBound=0, upBound=1) for g in range(len(group_w))]
    prob += pulp.lpSum(w * v for w, v in zip(group_w, y))
    for v, rows in zip(y, members):
        prob += v <= pulp.lpSum(x[j] for j in rows)
    prob += pulp.lpSum(x) == k
    return prob, x


def _solve_cbc(prob, time_limit: float) -> tuple[float, str]:
    """Solve with PuLP's bundled CBC; return wall seconds and CBC's log."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        with warnings.catch_warnings():  # PuLP 3.3 deprecates its bundled CBC; it is the one installed
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, logPath=str(log))
        start = time.perf_counter()
        prob.solve(solver)
        seconds = time.perf_counter() - start
        return seconds, log.read_text(errors="replace") if log.exists() else ""


def milp_siting(matrix, weights, k: int, time_limit: float = 60) -> MilpResult:
    """Exact maximal covering with PuLP + CBC, to measure how far greedy is from optimal.

    max sum_i w_i y_i  s.t.  y_i <= sum_j a_ij x_j,  sum_j x_j = k,  x binary, 0 <= y <= 1
    (demand points covered by the same candidates are merged first, which shrinks road
    instances a lot: the 20,000-candidate benchmark county solves in about 2 s).
    ``optimal`` is True only when CBC proved it: PuLP says "Optimal" even when CBC stopped
    on its time limit, so the solution status and CBC's own log are both checked;
    otherwise ``status`` reads "not proven optimal (...)" and ``objective`` is that of the
    best integer solution found (0, and no candidates, if none). time_limit: wall seconds
    for CBC (building the model comes on top).
    """
    matrix, weights = _check_problem(matrix, weights, k)
    k = min(k, matrix.shape[0])
    if k == 0:
        return MilpResult(np.empty(0, dtype=np.int64), 0.0, True, "optimal", 0.0)
    prob, x = _mclp_model(matrix, weights, k)
    seconds, text = _solve_cbc(prob, time_limit)
    stopped = "Stopped on time" in text
    proven = prob.sol_status == pulp.LpSolutionOptimal and not stopped and "Optimal solution found" in text
    feasible = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    # without an integer solution PuLP hands back CBC's fractional LP values: not a siting
    chosen = np.array([j for j, v in enumerate(x) if feasible and (v.value() or 0) > 0.5], dtype=np.int64)
    status = "optimal" if proven else (
        f"not proven optimal (PuLP status {pulp.LpStatus[prob.status]!r}, "
        f"{'stopped on its time limit' if stopped else 'no proof of optimality'}"
        f"{'' if feasible else ', no integer solution'})")
    return MilpResult(chosen, covered_weight(matrix, weights, chosen), proven, status, seconds)


def suggest_cameras(roads: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame | None,
                    existing_sectors: gpd.GeoDataFrame | None, k: int, kind: str = "fixed",
                    fov: float = 90.0, range_m: float = 100.0, crs=None, *, spacing_m: float = 50.0,
                    road_step_m: float = 10.0, area_step_m: float = 20.0,
                    hotspot_weight: float = HOTSPOT_WEIGHT, across: bool = False) -> Suggestion:
    """Suggest k new cameras along roads that add the most covered road and hotspot area.

    roads, hotspots, existing_sectors (as in ``demand_points``; hotspots and existing may
    be None) share one CRS, any (ValueError otherwise). crs: the projected metre CRS to
    work in (default: the roads' UTM zone); ValueError if geographic. Existing working
    cameras stay. Returns ``Suggestion(cameras, curve)``:

    cameras: Points in the inputs' CRS, in the order picked, with ``rank`` (1..),
    ``kind``, ``azimuth`` (degrees clockwise from grid north of ``crs``; NaN for dome/PTZ),
    ``fov`` (degrees), ``range_m``, ``gain_road_m`` (metres of road newly covered),
    ``gain_hotspot_m2``, ``gain`` (objective: road m + hotspot_weight * m²) and
    ``cumulative`` (objective so far). Fewer than k when more cameras add nothing.
    curve: one row per budget 0..n with ``cameras``, ``cumulative``, ``road_m`` and
    ``hotspot_m2`` newly covered so far, and ``road_share``/``hotspot_share``: the share
    of all road length / hotspot area covered, existing cameras included.
    """
    frames = {"roads": roads, "hotspots": hotspots, "existing_sectors": existing_sectors}
    _, src = _same_crs(**frames)
    work = _require_metres(crs if crs is not None else roads.estimate_utm_crs(), "crs")
    r, h, e = (None if f is None else f.to_crs(work) for f in frames.values())
    demand = demand_points(r, h, e, road_step_m, area_step_m, hotspot_weight)
    cands = candidate_sites(r, spacing_m, kind, fov, range_m, across)
    matrix = coverage_matrix(cands, demand)
    result = greedy_siting(matrix, demand["weight"].to_numpy(), k)
    road_gain, hot_gain = _gains_by_kind(matrix, demand, result.chosen)
    cameras = cands.iloc[result.chosen].drop(columns="site").reset_index(drop=True)
    cameras.insert(0, "rank", np.arange(1, len(cameras) + 1))
    cameras = cameras.assign(gain_road_m=road_gain, gain_hotspot_m2=hot_gain,
                             gain=result.gains, cumulative=result.cumulative).to_crs(src)
    return Suggestion(cameras, _curve(r, h, demand, result.cumulative, road_gain, hot_gain))


def _curve(roads, hotspots, demand, cumulative, road_gain, hot_gain) -> pd.DataFrame:
    """Coverage against budget 0..n: newly covered amounts and shares of all road / hotspot."""
    total_road = shapely.length(_lines(roads.geometry.values)).sum()
    total_hot = shapely.union_all(hotspots.geometry.values).area if hotspots is not None else 0.0
    is_road = (demand["kind"] == "road").to_numpy()
    road_m = np.concatenate([[0.0], np.cumsum(road_gain)])
    hot_m2 = np.concatenate([[0.0], np.cumsum(hot_gain)])
    before_road = total_road - demand["amount"].to_numpy()[is_road].sum()  # seen by existing cameras
    before_hot = total_hot - demand["amount"].to_numpy()[~is_road].sum()
    share = (lambda before, new, total: np.clip((before + new) / total, 0, 1) if total else new * 0)
    return pd.DataFrame({"cameras": np.arange(len(road_m)), "cumulative": np.concatenate([[0.0], cumulative]),
                         "road_m": road_m, "hotspot_m2": hot_m2,
                         "road_share": share(before_road, road_m, total_road),
                         "hotspot_share": share(before_hot, hot_m2, total_hot)})


def _gains_by_kind(matrix, demand: gpd.GeoDataFrame, chosen):
    """Road metres and hotspot m² each chosen candidate newly covers, in order."""
    amount = demand["amount"].to_numpy()
    is_road = (demand["kind"] == "road").to_numpy()
    covered = np.zeros(len(demand), dtype=bool)
    road, hot = [], []
    for j in chosen:
        cols = matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]]
        new = cols[~covered[cols]]
        covered[new] = True
        road.append(amount[new][is_road[new]].sum()), hot.append(amount[new][~is_road[new]].sum())
    return np.asarray(road, dtype=float), np.asarray(hot, dtype=float)
