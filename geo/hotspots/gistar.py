"""Getis-Ord Gi* on a grid: binary distance-band weights, z and p, FDR classes.

Distances in metres in the grid's metric CRS; formulas as in ``geo.hotspots`` and
METHODS.md ("Hotspots").
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
from scipy import ndimage, special, stats
from scipy.spatial import cKDTree

from geo.hotspots.grid import DEFAULT_CELL_M, count_incidents, make_grid

DEFAULT_BAND_M = 1500.0
FDR_ALPHAS = (0.01, 0.05, 0.10)


def band_weights(centres_xy, band_m: float, cell_m: float | None = None) -> sp.csr_matrix:
    """Binary distance-band weights between points: w_ij = 1 when |c_i − c_j| <= band_m, w_ii = 1.

    centres_xy: (n, 2) metres. cell_m: when the centres lie on a square lattice of this
    spacing (a ``make_grid`` grid, in its row-major order), the neighbour offsets are
    built once from band and cell and looked up; otherwise a KD-tree finds the pairs.
    Returns an n × n float64 CSR matrix with sorted indices.
    """
    xy = np.asarray(centres_xy, dtype=float).reshape(-1, 2)
    if band_m < 0:
        raise ValueError(f"band_m must not be negative, got {band_m}")
    if cell_m is None:
        return _kdtree_weights(xy, band_m)
    rows, cols = _lattice(xy, cell_m)
    return _lattice_weights(rows, cols, band_m / cell_m)


def _lattice(xy: np.ndarray, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Integer (row, col) of centres on a lattice of spacing cell_m; ValueError when they are not."""
    if cell_m <= 0:
        raise ValueError(f"cell_m must be positive, got {cell_m}")
    origin = xy.min(axis=0) if len(xy) else np.zeros(2)
    steps = np.rint((xy - origin) / cell_m)
    if np.abs(origin + steps * cell_m - xy).max(initial=0) > 1e-6 * cell_m:
        raise ValueError(f"the centres are not on a {cell_m} m lattice")
    return steps[:, 1].astype(np.int64), steps[:, 0].astype(np.int64)


def _band_offsets(band_cells: float) -> tuple[np.ndarray, np.ndarray]:
    """(drow, dcol) of the cells within band_cells of a cell, itself included, in row-major order."""
    reach = int(math.floor(band_cells + 1e-9))
    dr, dc = np.mgrid[-reach:reach + 1, -reach:reach + 1]
    within = dr ** 2 + dc ** 2 <= band_cells ** 2 * (1 + 1e-12)
    return dr[within], dc[within]


def _kdtree_weights(xy: np.ndarray, band_m: float) -> sp.csr_matrix:
    n = len(xy)
    pairs = cKDTree(xy).query_pairs(band_m, output_type="ndarray") if n else np.empty((0, 2), int)
    i = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(n)])
    j = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(n)])
    w = sp.csr_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    w.sort_indices()
    return w


def _lattice_weights(rows: np.ndarray, cols: np.ndarray, band_cells: float) -> sp.csr_matrix:
    """Weights on lattice cells (row, col); band in cells; built straight into CSR."""
    n = len(rows)
    if n == 0:
        return sp.csr_matrix((0, 0))
    dr, dc = _band_offsets(band_cells)         # row-major: neighbour indices come out sorted
    reach = int(dr.max())
    ncols = int(cols.max()) + 1 + 2 * reach
    base = (rows + reach) * ncols + (cols + reach)
    if not np.all(np.diff(base) > 0):
        raise ValueError("the cells must be distinct and in row-major order (as make_grid gives them)")
    lut = np.full((int(rows.max()) + 1 + 2 * reach) * ncols, -1, dtype=np.int32)
    lut[base] = np.arange(n, dtype=np.int32)
    neighbours = lut[base[:, None] + (dr * ncols + dc)[None, :]]
    present = neighbours >= 0
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.count_nonzero(present, axis=1), out=indptr[1:])
    indices = neighbours[present]
    return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, n), copy=False)


def _lattice_lag(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, band_cells: float):
    """(Σ_j w_ij x_j, Σ_j w_ij) on a lattice: W @ x and W @ 1 for the binary band weights.

    The same products as with ``band_weights`` (the same offsets), done as a correlation
    of the row/col raster with the band's footprint: no n × n matrix, so a province of
    1.5 million cells takes a fraction of a second and tens of MB rather than 1 GB.
    """
    dr, dc = _band_offsets(band_cells)
    reach = int(dr.max())
    footprint = np.zeros((2 * reach + 1, 2 * reach + 1))
    footprint[dr + reach, dc + reach] = 1.0
    raster = np.zeros((int(rows.max()) + 1, int(cols.max()) + 1))
    raster[rows, cols] = 1.0
    if raster.sum() != len(rows):
        raise ValueError("two centres fall on the same lattice cell")
    w_sum = ndimage.correlate(raster, footprint, mode="constant")[rows, cols]
    raster[rows, cols] = x
    return ndimage.correlate(raster, footprint, mode="constant")[rows, cols], w_sum


def gi_star(counts, centres_xy=None, band_m: float = DEFAULT_BAND_M, cell_m: float | None = None,
            weights: sp.spmatrix | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Getis-Ord Gi* z and two-sided p for every cell (METHODS.md, "Hotspots").

    counts: values x per cell (n). centres_xy: (n, 2) cell centres in metres; band_m:
    distance band in metres (binary weights, w_ii = 1). cell_m: the lattice spacing when
    the centres are a ``make_grid`` grid: the band's neighbour offsets are built once and
    applied to the row/col raster (``_lattice_lag``); without it the weights come from a
    KD-tree (``band_weights``). weights: a ready n × n sparse weights matrix including
    w_ii instead (e.g. ``band_weights``, or any weights: Σw and Σw² are taken from it).

    G*_i = (Σ_j w_ij x_j − x̄ Σ_j w_ij) / (S √[(n Σ_j w_ij² − (Σ_j w_ij)²)/(n − 1)]),
    S = √(Σx²/n − x̄²). When S = 0 (all counts equal) or a cell's denominator is 0,
    z = 0 and p = 1. Returns (z, p) as float64 arrays.
    """
    x = np.asarray(counts, dtype=float).ravel()
    n = len(x)
    if not np.isfinite(x).all():
        raise ValueError("counts must be finite")
    if weights is not None:
        weights = sp.csr_matrix(weights)
        if weights.shape != (n, n):
            raise ValueError(f"weights are {weights.shape}, counts have {n} cells")
        lag, w_sum = weights @ x, np.asarray(weights.sum(axis=1)).ravel()
        w_sq = np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
    else:
        xy = np.asarray(centres_xy, dtype=float).reshape(-1, 2)
        if len(xy) != n:
            raise ValueError(f"{len(xy)} centres for {n} counts")
        if cell_m is not None and n:
            lag, w_sum = _lattice_lag(x, *_lattice(xy, cell_m), band_m / cell_m)
        else:
            w = band_weights(xy, band_m)
            lag, w_sum = w @ x, np.diff(w.indptr).astype(float)
        w_sq = w_sum                                              # binary weights
    return _z_and_p(x, lag, w_sum, w_sq)


def _z_and_p(x, lag, w_sum, w_sq) -> tuple[np.ndarray, np.ndarray]:
    n = len(x)
    z = np.zeros(n)
    s = x.std() if n > 1 else 0.0
    if n > 1 and s > 1e-12 * max(1.0, abs(x.mean())):
        num = lag - x.mean() * w_sum
        den = s * np.sqrt(np.maximum(n * w_sq - w_sum ** 2, 0.0) / (n - 1))
        np.divide(num, den, out=z, where=den > 0)
    return z, 2.0 * special.ndtr(-np.abs(z))


def fdr_classes(z, p, alphas=FDR_ALPHAS) -> np.ndarray:
    """ArcGIS ``Gi_Bin`` classes −3..3 after Benjamini-Hochberg FDR control.

    z, p: Gi* z and two-sided p per cell. alphas: the FDR levels for classes 3, 2, 1
    (default 0.01, 0.05, 0.10: 99, 95, 90% confidence). A cell's class is ±k for the
    strictest level whose BH-adjusted p (``scipy.stats.false_discovery_control``,
    method 'bh') it meets, signed as z; 0 when it meets none. Returns int8.
    """
    z = np.asarray(z, dtype=float).ravel()
    p = np.asarray(p, dtype=float).ravel()
    if z.shape != p.shape or np.isnan(p).any():
        raise ValueError("z and p must have the same length and p no NaN")
    out = np.zeros(len(p), dtype=np.int8)
    if len(p) == 0:
        return out
    adjusted = stats.false_discovery_control(p, method="bh")
    for level, alpha in zip((3, 2, 1), alphas):
        out[(out == 0) & (adjusted <= alpha)] = level
    return (out * np.sign(z)).astype(np.int8)


def hotspot_grid(county, incidents: gpd.GeoDataFrame, cell_m: float = DEFAULT_CELL_M,
                 band_m: float = DEFAULT_BAND_M, crs=None, keep: str = "intersects") -> gpd.GeoDataFrame:
    """Grid, counts and Gi* in one call: what ``/api/hotspots/grid`` serves.

    county: GeoDataFrame/GeoSeries of the county (any CRS). incidents: Points in any CRS
    (transformed to the metric CRS). Returns ``make_grid``'s grid with ``count``,
    ``gi_z``, ``gi_p`` and ``gi_class`` (``fdr_classes``), in the metric CRS;
    ``attrs["params"]`` has cell_m, band_m and the CRS as "EPSG:nnnnn".
    """
    grid = make_grid(county, cell_m, crs, keep)
    if incidents.crs is None:
        raise ValueError("the incidents have no CRS")
    grid["count"] = count_incidents(grid, incidents.to_crs(grid.crs))
    z, p = gi_star(grid["count"].to_numpy(), grid[["cx", "cy"]].to_numpy(), band_m, cell_m)
    grid["gi_z"], grid["gi_p"], grid["gi_class"] = z, p, fdr_classes(z, p)
    grid.attrs["params"] = {"cell_m": float(cell_m), "band_m": float(band_m),
                            "crs": grid.crs.to_string()}
    return grid
