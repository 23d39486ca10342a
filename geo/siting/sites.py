"""Candidate camera sites along roads, and which demand points each candidate covers.

Works in one projected CRS in metres; azimuths in degrees clockwise from grid north.
"""
from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.spatial import cKDTree

from geo.crs import require_metres, shared_crs
from geo.lines import along, interpolate, line_parts
from geo.sectors import FULL_CIRCLE_KINDS, camera_column, full_circle_mask

KINDS = frozenset({"fixed", "checkpoint"}) | FULL_CIRCLE_KINDS
_EPS_M = 1e-9  # metres and degrees of slack in the sector test


def metric_crs(**frames) -> CRS:
    """The one projected metre CRS of the named GeoDataFrames (None entries skipped); ValueError otherwise."""
    first = next(name for name, frame in frames.items() if frame is not None)
    return require_metres(shared_crs(**frames), first, "siting")


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
    crs = metric_crs(roads=roads)
    if kind not in KINDS or spacing_m <= 0 or range_m <= 0 or not 0 < fov <= 360:
        raise ValueError(f"bad candidate spec: kind={kind!r} spacing_m={spacing_m} fov={fov} range_m={range_m}")
    lines = line_parts(roads.geometry.values)
    lengths = shapely.length(lines)
    n = np.maximum(1, np.round(lengths / spacing_m)).astype(int)
    idx, dist = along(lengths, n + 1, 0.0, n)
    x, y = interpolate(lines, idx, dist)
    full = kind in FULL_CIRCLE_KINDS or fov >= 360
    if full:
        azimuth = np.full((len(x), 1), np.nan)
    else:
        h = np.minimum(1.0, lengths[idx] / 4)
        ax, ay = interpolate(lines, idx, dist - h)
        bx, by = interpolate(lines, idx, dist + h)
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
    radius = np.clip(np.nan_to_num(camera_column(cameras, "range_m"), nan=0.0), 0.0, None)
    return (shapely.get_x(cameras.geometry.values), shapely.get_y(cameras.geometry.values), radius,
            camera_column(cameras, "fov"), camera_column(cameras, "azimuth"), full_circle_mask(cameras))


def coverage_matrix(candidates: gpd.GeoDataFrame, demand: gpd.GeoDataFrame) -> sparse.csr_matrix:
    """Which demand points each candidate's sector covers.

    candidates: Points with ``range_m`` (metres), ``fov`` and ``azimuth`` (degrees,
    clockwise from grid north) and optionally ``kind``; demand: Points. Both in the same
    projected CRS in metres (ValueError otherwise). Returns a CSR matrix of int8 ones,
    candidates x demand points, row/column order as given. Vectorised: a cKDTree ball
    query per candidate, then the bearing test on the pairs found.
    """
    metric_crs(candidates=candidates, demand=demand)
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
        seen = full[rows] | ((dist > _EPS_M) & (np.abs(off) <= fov[rows] / 2 + _EPS_M))
    seen &= dist <= radius[rows] + _EPS_M
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[seen], minlength=shape[0]))])
    return sparse.csr_matrix((np.ones(seen.sum(), dtype=np.int8), cols[seen], indptr), shape=shape)
