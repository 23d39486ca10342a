"""Quartic kernel density of incidents, and data-driven scale defaults (ArcGIS's).

Distances in metres in a metric CRS; densities per km² (or per m²).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree


def quartic_kernel(d, h: float) -> np.ndarray:
    """K(d) = 3/(π h²)·(1 − d²/h²)² for d < h, else 0; per m² for d, h in metres."""
    d = np.asarray(d, dtype=float)
    u = np.clip(1.0 - (d / h) ** 2, 0.0, None)
    return np.where(d < h, 3.0 / (math.pi * h * h) * u * u, 0.0)


CHUNK_PAIRS = 2_000_000  # (point, centre) pairs held in memory at once


def _chunk_size(pts: np.ndarray, ctr: np.ndarray, h: float, max_pairs: int) -> int:
    """Points per chunk so that a chunk's pairs stay near ``max_pairs`` (centres spread
    evenly over their bounding box)."""
    span = np.ptp(ctr, axis=0) + h
    per_point = len(ctr) * min(1.0, math.pi * h * h / float(span[0] * span[1]))
    return max(1, int(max_pairs / max(per_point, 1.0)))


def kernel_density(points_xy, centres_xy, bandwidth_m: float, per: str = "km2",
                   max_pairs: int = CHUNK_PAIRS) -> np.ndarray:
    """Quartic kernel density of points at the given centres.

    points_xy, centres_xy: (n, 2) and (m, 2) metres in the same metric CRS. bandwidth_m:
    the kernel radius h in metres. per: "km2" (incidents per km², default) or "m2".
    Pairs closer than h are found with a KD-tree, the points taken in chunks of about
    ``max_pairs`` pairs so that memory stays bounded whatever h is. Returns m float64
    values; summed times the cell area they integrate to the number of points (minus
    what falls off the grid).
    """
    if bandwidth_m <= 0:
        raise ValueError(f"bandwidth_m must be positive, got {bandwidth_m}")
    scale = {"km2": 1e6, "m2": 1.0}.get(per)
    if scale is None:
        raise ValueError(f"per must be 'km2' or 'm2', got {per!r}")
    pts = np.asarray(points_xy, dtype=float).reshape(-1, 2)
    ctr = np.asarray(centres_xy, dtype=float).reshape(-1, 2)
    if len(pts) == 0 or len(ctr) == 0:
        return np.zeros(len(ctr))
    tree, out = cKDTree(ctr), np.zeros(len(ctr))
    step = _chunk_size(pts, ctr, bandwidth_m, max_pairs)
    for start in range(0, len(pts), step):
        pairs = tree.sparse_distance_matrix(cKDTree(pts[start:start + step]), bandwidth_m, output_type="ndarray")
        out += np.bincount(pairs["i"], weights=quartic_kernel(pairs["v"], bandwidth_m), minlength=len(ctr))
    return out * scale


def scale_defaults(points_xy) -> dict:
    """Data-driven scales from incident locations (metres, metric CRS).

    band_m: ArcGIS Optimized Hot Spot Analysis's fallback band, the mean over distinct
    locations of the distance to their k-th nearest neighbour, k = 5% of them clamped to
    [3, 30]. kde_bandwidth_m: ArcGIS Kernel Density's default search radius (Silverman's
    rule), 0.9 · min(SD, √(1/ln 2) · Dm) · n^−0.2, SD the standard distance and Dm the
    median distance to the mean centre. Returns {"k", "band_m", "kde_bandwidth_m"}; None
    values with fewer than 4 distinct locations.
    """
    xy = np.unique(np.asarray(points_xy, dtype=float).reshape(-1, 2), axis=0)
    n = len(xy)
    if n < 4:
        return {"k": None, "band_m": None, "kde_bandwidth_m": None}
    k = int(min(max(round(0.05 * n), 3), 30, n - 1))
    dist, _ = cKDTree(xy).query(xy, k=k + 1)
    d_centre = np.hypot(*(xy - xy.mean(axis=0)).T)
    sd = math.sqrt(((xy - xy.mean(axis=0)) ** 2).sum(axis=1).mean())
    kde = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * float(np.median(d_centre))) * n ** -0.2
    return {"k": k, "band_m": float(dist[:, k].mean()), "kde_bandwidth_m": kde}
