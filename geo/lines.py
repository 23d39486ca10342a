"""Line geometry helpers: the LineStrings of road layers, points along them. Pure.

Lengths and distances are in the units of the lines' CRS: metres in a projected metric
CRS, which every caller in ``geo/`` works in.
"""
from __future__ import annotations

import numpy as np
import shapely


def line_parts(geoms) -> np.ndarray:
    """LineStrings of positive length from (Multi)LineStrings; other geometry types are ignored."""
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[shapely.get_type_id(parts) == 1]
    return parts[shapely.length(parts) > 0]


def along(lengths: np.ndarray, counts: np.ndarray, offset: float, divisor: np.ndarray):
    """Line index and distance along it for counts[i] points at (j + offset) * L_i / divisor_i."""
    idx = np.repeat(np.arange(len(lengths)), counts)
    j = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return idx, (j + offset) * lengths[idx] / divisor[idx]


def interpolate(lines: np.ndarray, idx: np.ndarray, dist: np.ndarray):
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
