"""Quarterly hotspots: grid counts, Getis-Ord Gi*, FDR classes, kernel density, candidates, WDQ.

Pure functions on GeoDataFrames and numpy arrays: no database, no Flask. All the work
is done in a metric CRS (metres): by default the local WGS 84 / UTM zone of the county
(``metric_crs_for``). Formulas and conventions are those of ``METHODS.md`` ("Hotspots").

Defaults (quoted by the README):

- **Cells**: squares of ``DEFAULT_CELL_M`` = 500 m, aligned to multiples of the cell
  size in the metric CRS (so grids of different quarters and categories coincide).
  A cell belongs to the county grid when it shares a positive area with the county
  polygon (``keep="intersects"``; ``keep="centre"`` keeps cells whose centre is inside
  instead), so every incident inside the county is counted. ``row`` counts from the
  south (y), ``col`` from the west (x); a point on a cell edge belongs to the cell to
  its north/east.
- **Gi\\*** (Ord & Getis 1995): binary distance-band weights between cell centres,
  w_ij = 1 when the distance is <= the band, each cell its own neighbour (w_ii = 1).
  Default band ``DEFAULT_BAND_M`` = 1,500 m (3 cells: 29 cells in each neighbourhood).
  ``scale_defaults`` gives ArcGIS Optimized Hot Spot Analysis's data-driven band
  instead (mean distance to the k-th nearest incident location, k = 5% of N clamped to
  [3, 30]). p is two-sided from the analytic z. The z values equal PySAL esda's
  ``G_Local(y, DistanceBand(centres, band, binary=True), transform='B', star=True)``.
  On a ``make_grid`` grid (``cell_m`` given) the band's neighbour offsets are built once
  and applied to the row/col raster as a correlation: the product W·x without building
  W (0.2 s and tens of MB for 1.5 million cells, where the CSR matrix takes ~1 GB);
  ``band_weights`` gives W as a scipy CSR matrix (same offsets, or a KD-tree for
  irregular points) for ``gi_star(weights=...)``: one sparse mat-vec.
- **Significance**: Benjamini-Hochberg false-discovery-rate control with
  ``scipy.stats.false_discovery_control(p, method='bh')``; a cell is in class ±3, ±2, ±1
  (ArcGIS ``Gi_Bin``: 99, 95, 90% confidence) when its BH-adjusted p is <= 0.01, 0.05,
  0.10, with the sign of z; otherwise 0.
- **Kernel density**: quartic kernel K(d) = 3/(π h²)·(1 − d²/h²)² for d < h, returned
  in incidents per km² (``per="m2"`` for per m²); pairs within h found with a KD-tree.
  The bandwidth is the caller's (no fixed default); ``scale_defaults`` gives ArcGIS
  Kernel Density's default search radius for the incidents.
- **Candidates**: cells of class >= ``CANDIDATE_MIN_CLASS`` = 2 (hot at 95% after FDR)
  merged with 8-connectivity (cells touching at an edge or a corner) into areas,
  dissolved to one MultiPolygon each, in the grid's metric CRS (areas in m²). Ranked by
  the number of incidents inside this quarter, ties by the highest Gi* z. PAI =
  (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008) with N all incidents on the grid and A the
  county's area. Trend: exact conditional (binomial) test of this quarter's count
  against last quarter's, "up"/"down" at p < 0.05, else "stable".
- **Quota picks** (``fill_quota``): where a township has fewer significant candidates
  than its quota, its highest-count cells outside (and not touching) any candidate or
  earlier pick are added one cell each, flagged ``significant=False``.
- **WDQ** (Bowers & Johnson 2003): ``wdq`` returns None (NaN for arrays) unless the
  listed area improved against the control (a negative denominator).
"""
from __future__ import annotations

import functools
import logging
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from pyproj import CRS
from scipy import ndimage, special, stats
from scipy.spatial import cKDTree

LOGGER = logging.getLogger(__name__)

DEFAULT_CELL_M = 500.0
DEFAULT_BAND_M = 1500.0
FDR_ALPHAS = (0.01, 0.05, 0.10)
CANDIDATE_MIN_CLASS = 2
TREND_ALPHA = 0.05
_EIGHT = np.ones((3, 3), dtype=bool)
_FOUR = ndimage.generate_binary_structure(2, 1)


# --------------------------------------------------------------------------- CRS

def _check_metric(crs) -> CRS:
    crs = CRS.from_user_input(crs)
    units = {axis.unit_name for axis in crs.axis_info}
    if not crs.is_projected or not units <= {"metre", "meter"}:
        raise ValueError(f"a projected CRS in metres is needed, got {crs.name}")
    return crs


def metric_crs_for(gdf: gpd.GeoDataFrame | gpd.GeoSeries, crs=None) -> CRS:
    """The metric CRS to analyse ``gdf`` in.

    gdf: any GeoDataFrame/GeoSeries with a CRS. crs: an explicit choice (EPSG code,
    string or pyproj CRS); it must be projected with metre units. Without it, the WGS 84
    / UTM zone geopandas' ``estimate_utm_crs`` picks for the data (the zone of the centre
    of its lon/lat bounds; cached per centre, as the PROJ database query takes ~0.2 s).
    Raises ValueError when gdf has no CRS or the given CRS is not metric.
    """
    if crs is not None:
        return _check_metric(crs)
    if gdf.crs is None:
        raise ValueError("the data has no CRS")
    geo = gdf if gdf.crs.is_geographic else gdf.to_crs(4326)
    minx, miny, maxx, maxy = geo.total_bounds
    return _utm_at(round((minx + maxx) / 2, 4), round((miny + maxy) / 2, 4), geo.crs.to_string())


@functools.lru_cache(maxsize=64)
def _utm_at(lon: float, lat: float, geographic: str) -> CRS:
    """geopandas' ``estimate_utm_crs`` for data centred on (lon, lat)."""
    return _check_metric(gpd.GeoSeries([shapely.Point(lon, lat)], crs=geographic).estimate_utm_crs())


def _same_crs(a, b, what: str) -> None:
    if a is None or b is None or not CRS.from_user_input(a).equals(CRS.from_user_input(b)):
        raise ValueError(f"{what}: CRS {a!r} does not match the grid's {b!r}")


# -------------------------------------------------------------------------- grid

def make_grid(area, cell_m: float = DEFAULT_CELL_M, crs=None, keep: str = "intersects") -> gpd.GeoDataFrame:
    """The square grid over a county, in a metric CRS.

    area: the county as a GeoDataFrame/GeoSeries (any CRS; its geometries are unioned),
    a shapely geometry in ``crs``, or bounds ``(minx, miny, maxx, maxy)`` in ``crs``
    (every cell of the bounds is kept). cell_m: cell side in metres. crs: the metric CRS
    (default: ``metric_crs_for(area)``; required for a geometry or bounds). keep:
    "intersects" keeps cells sharing a positive area with the polygon, "centre" cells
    whose centre is inside it.

    Returns a GeoDataFrame in ``crs``, one row per cell in row-major order (index 0..n-1),
    with integer ``row`` (from the south) and ``col`` (from the west), cell centres
    ``cx``, ``cy`` (metres) and the square as geometry. ``attrs["grid"]`` holds x0, y0
    (the south-west corner, a multiple of cell_m), cell_m, nrows, ncols and, for a
    polygon, its ``area_m2``.
    """
    if cell_m <= 0:
        raise ValueError(f"cell_m must be positive, got {cell_m}")
    if keep not in ("intersects", "centre"):
        raise ValueError(f"keep must be 'intersects' or 'centre', got {keep!r}")
    poly, crs = _area_polygon(area, crs)
    minx, miny, maxx, maxy = poly.bounds if poly is not None else area
    x0, y0 = math.floor(minx / cell_m) * float(cell_m), math.floor(miny / cell_m) * float(cell_m)
    ncols = max(1, math.ceil((maxx - x0) / cell_m))
    nrows = max(1, math.ceil((maxy - y0) / cell_m))
    if poly is None:
        mask = np.ones((nrows, ncols), dtype=bool)
    else:
        mask = _polygon_mask(poly, x0, y0, cell_m, nrows, ncols, keep)
    rows, cols = np.nonzero(mask)
    cx, cy = x0 + (cols + 0.5) * cell_m, y0 + (rows + 0.5) * cell_m
    half = cell_m / 2
    grid = gpd.GeoDataFrame(
        {"row": rows.astype(np.int32), "col": cols.astype(np.int32), "cx": cx, "cy": cy},
        geometry=shapely.box(cx - half, cy - half, cx + half, cy + half), crs=crs)
    grid.attrs["grid"] = {"x0": x0, "y0": y0, "cell_m": float(cell_m), "nrows": nrows,
                          "ncols": ncols, "area_m2": None if poly is None else poly.area}
    return grid


def _area_polygon(area, crs):
    """(polygon in the metric CRS or None for bounds, metric CRS)."""
    if isinstance(area, (gpd.GeoDataFrame, gpd.GeoSeries)):
        crs = metric_crs_for(area, crs)
        return shapely.union_all(area.to_crs(crs).geometry.values), crs
    if crs is None:
        raise ValueError("give the metric CRS of a geometry or of bounds")
    crs = _check_metric(crs)
    if isinstance(area, shapely.Geometry):
        return area, crs
    if len(area) != 4:
        raise ValueError("area must be a GeoDataFrame, a geometry or (minx, miny, maxx, maxy)")
    return None, crs


def _polygon_mask(poly, x0, y0, cell, nrows, ncols, keep) -> np.ndarray:
    """Boolean raster (nrows, ncols) of the cells to keep."""
    shapely.prepare(poly)
    rr, cc = np.mgrid[0:nrows, 0:ncols]
    mask = shapely.contains_xy(poly, x0 + (cc + 0.5) * cell, y0 + (rr + 0.5) * cell)
    if keep == "centre":
        return mask
    # Cells the boundary passes through: those holding a point of the boundary densified
    # to cell/4, and their 8 neighbours; then the exact test on those few.
    edge = shapely.get_coordinates(shapely.segmentize(poly.boundary, cell / 4))
    near = np.zeros_like(mask)
    c = np.clip(np.floor((edge[:, 0] - x0) / cell).astype(np.int64), 0, ncols - 1)
    r = np.clip(np.floor((edge[:, 1] - y0) / cell).astype(np.int64), 0, nrows - 1)
    near[r, c] = True
    r, c = np.nonzero(ndimage.binary_dilation(near, _EIGHT) & ~mask)
    boxes = shapely.box(x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell, y0 + (r + 1) * cell)
    overlap = shapely.intersects(poly, boxes) & ~shapely.touches(poly, boxes)
    mask[r[overlap], c[overlap]] = True
    return mask


def grid_spec(grid: gpd.GeoDataFrame) -> dict:
    """x0, y0, cell_m, nrows, ncols of a ``make_grid`` grid (from attrs, else its cells)."""
    spec = grid.attrs.get("grid")
    if spec:
        return spec
    if len(grid) == 0:
        raise ValueError("an empty grid without its attrs")
    minx, miny, maxx, _ = grid.geometry.iloc[0].bounds
    cell = maxx - minx
    return {"x0": minx - grid["col"].iloc[0] * cell, "y0": miny - grid["row"].iloc[0] * cell,
            "cell_m": cell, "nrows": int(grid["row"].max()) + 1,
            "ncols": int(grid["col"].max()) + 1, "area_m2": None}


def _xy(points, crs, what: str) -> np.ndarray:
    """(n, 2) coordinates of points given as a GeoDataFrame/GeoSeries (CRS checked) or array."""
    if isinstance(points, (gpd.GeoDataFrame, gpd.GeoSeries)):
        _same_crs(points.crs, crs, what)
        geoms = np.asarray(points.geometry.values)
        return np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)])
    return np.asarray(points, dtype=float).reshape(-1, 2)


def cell_index(grid: gpd.GeoDataFrame, points) -> np.ndarray:
    """The grid row (0..n-1) each point falls in, -1 outside every cell.

    points: Points as a GeoDataFrame/GeoSeries in the grid's CRS (else ValueError), or an
    (n, 2) array of x, y in metres in the grid's CRS. Vectorised: floor((x − x0)/cell),
    so a point on an edge between cells goes to the north/east one, and a point on the
    grid's outer north/east edge, or in a cell left out of the grid, gets -1.
    """
    g = grid_spec(grid)
    xy = _xy(points, grid.crs, "points")
    lut = np.full((g["nrows"], g["ncols"]), -1, dtype=np.int64)
    lut[grid["row"].to_numpy(), grid["col"].to_numpy()] = np.arange(len(grid))
    with np.errstate(invalid="ignore"):
        c = np.floor((xy[:, 0] - g["x0"]) / g["cell_m"])
        r = np.floor((xy[:, 1] - g["y0"]) / g["cell_m"])
        ok = (c >= 0) & (c < g["ncols"]) & (r >= 0) & (r < g["nrows"])
    out = np.full(len(xy), -1, dtype=np.int64)
    out[ok] = lut[r[ok].astype(np.int64), c[ok].astype(np.int64)]
    return out


def count_incidents(grid: gpd.GeoDataFrame, points) -> np.ndarray:
    """Incidents per cell (int64, aligned with the grid's rows); points as in ``cell_index``."""
    idx = cell_index(grid, points)
    return np.bincount(idx[idx >= 0], minlength=len(grid)).astype(np.int64)


def category_counts(grid: gpd.GeoDataFrame, points: gpd.GeoDataFrame,
                    column: str = "category") -> pd.DataFrame:
    """Incidents per cell and category: a DataFrame aligned with the grid, one int column per category.

    points: a GeoDataFrame of Points in the grid's CRS with a ``column`` of categories.
    """
    idx = cell_index(grid, points)
    inside = idx >= 0
    codes, names = pd.factorize(points[column].to_numpy()[inside], sort=True)
    flat = np.bincount(idx[inside] * len(names) + codes, minlength=len(grid) * len(names))
    return pd.DataFrame(flat.reshape(len(grid), len(names)), index=grid.index, columns=list(names))


# ------------------------------------------------------------------------- Gi*

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


# ------------------------------------------------------------------ density

def quartic_kernel(d, h: float) -> np.ndarray:
    """K(d) = 3/(π h²)·(1 − d²/h²)² for d < h, else 0; per m² for d, h in metres."""
    d = np.asarray(d, dtype=float)
    u = np.clip(1.0 - (d / h) ** 2, 0.0, None)
    return np.where(d < h, 3.0 / (math.pi * h * h) * u * u, 0.0)


def kernel_density(points_xy, centres_xy, bandwidth_m: float, per: str = "km2") -> np.ndarray:
    """Quartic kernel density of points at the given centres.

    points_xy, centres_xy: (n, 2) and (m, 2) metres in the same metric CRS. bandwidth_m:
    the kernel radius h in metres. per: "km2" (incidents per km², default) or "m2".
    Pairs closer than h are found with a KD-tree. Returns m float64 values; summed times
    the cell area they integrate to the number of points (minus what falls off the grid).
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
    pairs = cKDTree(ctr).sparse_distance_matrix(cKDTree(pts), bandwidth_m, output_type="ndarray")
    out = np.bincount(pairs["i"], weights=quartic_kernel(pairs["v"], bandwidth_m), minlength=len(ctr))
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


# --------------------------------------------------------------- candidates

def pai(n, N, a, A):  # noqa: N803 -- the paper's names
    """Predictive accuracy index (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008); NaN when N or A is 0.

    n incidents inside the hotspots, N all incidents, a the hotspots' area, A the study
    area (same units as a). Scalars or arrays.
    """
    n, a = np.asarray(n, dtype=float), np.asarray(a, dtype=float)
    if not N or not A:
        return np.full(np.shape(n), np.nan) if np.ndim(n) else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(a > 0, (n / N) / (a / A), np.nan)
    return out if out.ndim else float(out)


def trend_p(now, before) -> np.ndarray:
    """Two-sided exact p that two Poisson counts have the same rate (conditional binomial test).

    Given now + before, now ~ Binomial(now + before, 1/2) under equal rates; the symmetric
    two-sided p is min(1, 2·P(X <= min(now, before))), what ``scipy.stats.binomtest``
    gives. Vectorised; 1 when both are 0.
    """
    now, before = np.asarray(now, dtype=float), np.asarray(before, dtype=float)
    return np.minimum(1.0, 2.0 * stats.binom.cdf(np.minimum(now, before), now + before, 0.5))


def count_trend(now, before, alpha: float = TREND_ALPHA):
    """"up", "down" or "stable" (``trend_p`` >= alpha); None without a previous count. Scalars."""
    if before is None or (isinstance(before, float) and math.isnan(before)):
        return None
    if trend_p(now, before) >= alpha or now == before:
        return "stable"
    return "up" if now > before else "down"


def assign_townships(grid: gpd.GeoDataFrame, townships: gpd.GeoDataFrame,
                     code_col: str = "code") -> np.ndarray:
    """Township code of each cell: the township containing its centre, else the nearest one.

    townships: polygons in the grid's CRS (else ValueError) with a ``code_col``.
    Returns an object array aligned with the grid.
    """
    _same_crs(townships.crs, grid.crs, "townships")
    centres = shapely.points(grid["cx"].to_numpy(), grid["cy"].to_numpy())
    geoms = townships.geometry.values
    codes = townships[code_col].to_numpy()
    out = np.full(len(grid), None, dtype=object)
    tree = shapely.STRtree(geoms)
    cell, town = tree.query(centres, predicate="within")
    out[cell[::-1]] = codes[town[::-1]]                     # first match wins
    missing = np.flatnonzero(pd.isna(out))
    if len(missing):
        cell, town = tree.query_nearest(centres[missing], all_matches=False)
        out[missing[cell]] = codes[town]
    return out


def _raster(grid: gpd.GeoDataFrame, selected: np.ndarray) -> np.ndarray:
    """Boolean row/col raster of the selected cells."""
    g = grid_spec(grid)
    raster = np.zeros((g["nrows"], g["ncols"]), dtype=bool)
    raster[grid["row"].to_numpy()[selected], grid["col"].to_numpy()[selected]] = True
    return raster


def _area_labels(grid: gpd.GeoDataFrame, selected: np.ndarray, connectivity: int) -> np.ndarray:
    """Label (1..k, 0 = none) per cell: connected components of the selected cells."""
    labels, _ = ndimage.label(_raster(grid, selected), structure=_EIGHT if connectivity == 8 else _FOUR)
    return np.where(selected, labels[grid["row"].to_numpy(), grid["col"].to_numpy()], 0)


def candidates(grid: gpd.GeoDataFrame, *, min_class: int = CANDIDATE_MIN_CLASS, connectivity: int = 8,
               previous=None, categories: pd.DataFrame | None = None, area_m2: float | None = None,
               clip=None, top_k: int = 3, rank_by: str = "count",
               township_col: str = "township_code") -> gpd.GeoDataFrame:
    """Candidate hotspot areas: significant hot cells merged, summarised and ranked best first.

    grid: a grid with ``count``, ``gi_z``, ``gi_class`` (see ``hotspot_grid``), optionally
    a ``township_col`` (``assign_townships``). min_class: the weakest Gi_Bin class kept
    (2: hot at 95% after FDR; 1 for 90%). connectivity: 8 (edges and corners) or 4.
    previous: last quarter's counts per cell (array aligned with the grid) for
    ``count_previous``, ``change`` and ``trend``. categories: per-cell category counts
    (``category_counts``) for ``top_categories``. area_m2: the county's area A for PAI
    (default: ``attrs["grid"]["area_m2"]``, else the grid's area). clip: a county polygon
    in the grid's CRS to clip the areas to. rank_by: "count" (default; ties by max z),
    "pai", "sum_z" or "max_z".

    Returns a GeoDataFrame in the grid's metric CRS, one MultiPolygon per area, columns
    rank, township_code, count, count_previous, change, trend, cells, cell_ids, area_m2
    (m²), max_z, mean_z, pai, hit_rate, top_categories (up to top_k {category, count,
    share, lq}, lq = share in the area / share in the county), significant (True).
    """
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity}")
    labels = _area_labels(grid, grid["gi_class"].to_numpy() >= min_class, connectivity)
    out = _summarise(grid, labels, previous, categories, area_m2, clip, top_k, township_col)
    out["significant"] = True
    return _rank(out, rank_by)


CANDIDATE_COLUMNS = ["township_code", "count", "count_previous", "change", "trend", "cells", "cell_ids",
           "area_m2", "max_z", "mean_z", "pai", "hit_rate", "top_categories", "geometry"]


def _summarise(grid, labels, previous, categories, area_m2, clip, top_k, township_col) -> gpd.GeoDataFrame:
    """One row per label > 0, in label order: geometry, counts, z, PAI, township, categories."""
    sel = np.flatnonzero(labels > 0)
    sel = sel[np.argsort(labels[sel], kind="stable")]
    if len(sel) == 0:
        return gpd.GeoDataFrame(pd.DataFrame(columns=CANDIDATE_COLUMNS), geometry="geometry", crs=grid.crs)
    _, start = np.unique(labels[sel], return_index=True)
    groups = np.split(sel, start[1:])
    counts, z = grid["count"].to_numpy(), grid["gi_z"].to_numpy(dtype=float)
    n = np.add.reduceat(counts[sel], start)
    cells = np.diff(np.append(start, len(sel)))
    boxes = grid.geometry.values
    geoms = [_dissolve(boxes[ids], clip) for ids in groups]
    area = shapely.area(geoms)
    total = counts.sum()
    a_all = area_m2 or grid_spec(grid).get("area_m2") or float(grid.geometry.area.sum())
    out = pd.DataFrame({"township_code": _main_townships(grid, sel, start, counts, township_col),
                        "count": n, "cells": cells, "cell_ids": [ids.tolist() for ids in groups],
                        "area_m2": area, "max_z": np.maximum.reduceat(z[sel], start),
                        "mean_z": np.add.reduceat(z[sel], start) / cells,
                        "pai": pai(n, total, area, a_all), "hit_rate": n / total if total else np.nan})
    if previous is None:
        out["count_previous"] = out["change"] = out["trend"] = None
    else:
        before = np.add.reduceat(np.asarray(previous)[sel], start)
        out["count_previous"], out["change"] = before, n - before
        out["trend"] = [count_trend(a, b) for a, b in zip(n, before)]
    out["top_categories"] = _top_categories(categories, sel, start, top_k)
    out["geometry"] = geoms
    return gpd.GeoDataFrame(out[CANDIDATE_COLUMNS], geometry="geometry", crs=grid.crs)


def _dissolve(boxes, clip):
    """The union of an area's cells (clipped) as a MultiPolygon."""
    geom = shapely.coverage_union_all(boxes)
    if clip is not None:
        geom = shapely.intersection(geom, clip)
    parts = shapely.get_parts(geom)
    return shapely.multipolygons(parts[shapely.get_type_id(parts) == 3])


def _main_townships(grid, sel, start, counts, township_col) -> list:
    """Per area, the township holding most of its incidents (then most cells, then lowest code)."""
    if township_col not in grid:
        return [None] * len(start)
    area = np.repeat(np.arange(len(start)), np.diff(np.append(start, len(sel))))
    frame = pd.DataFrame({"a": area, "t": grid[township_col].to_numpy()[sel], "n": counts[sel], "c": 1})
    sums = frame.dropna().groupby(["a", "t"], as_index=False).sum()
    best = sums.sort_values(["a", "n", "c", "t"], ascending=[True, False, False, True]).drop_duplicates("a")
    return pd.Series(best["t"].to_numpy(), index=best["a"].to_numpy()).reindex(range(len(start))).tolist()


def _top_categories(categories, sel, start, top_k) -> list[list[dict]]:
    if categories is None:
        return [[] for _ in start]
    table = categories.to_numpy()
    names = [str(c) for c in categories.columns]
    county_share = table.sum(axis=0) / max(table.sum(), 1)
    sums = np.add.reduceat(table[sel], start, axis=0)
    out = []
    for row in sums:
        order = [j for j in np.argsort(-row, kind="stable")[:top_k] if row[j] > 0]
        n = row.sum()
        out.append([{"category": names[j], "count": int(row[j]), "share": row[j] / n,
                     "lq": (row[j] / n) / county_share[j]} for j in order])
    return out


def _rank(out: gpd.GeoDataFrame, rank_by: str) -> gpd.GeoDataFrame:
    keys = {"count": ["count", "max_z"], "pai": ["pai", "count"], "sum_z": ["sum_z", "count"],
            "max_z": ["max_z", "count"]}.get(rank_by)
    if keys is None:
        raise ValueError(f"rank_by must be count, pai, sum_z or max_z, got {rank_by!r}")
    out = out.assign(sum_z=out["mean_z"] * out["cells"])
    out = out.sort_values(keys, ascending=False, kind="stable").drop(columns="sum_z")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)


def fill_quota(cands: gpd.GeoDataFrame, grid: gpd.GeoDataFrame, per_township: int = 5,
               townships=None, min_total: int = 0, min_count: int = 1, *, previous=None,
               categories: pd.DataFrame | None = None, area_m2: float | None = None,
               township_col: str = "township_code") -> gpd.GeoDataFrame:
    """Significant candidates plus quota-forced picks flagged ``significant=False``.

    cands: ``candidates`` output; grid: the same grid, with a ``township_col``.
    per_township: the township quota; townships: the codes it applies to (default every
    township on the grid). min_total: the county quota over all areas. Forced picks are
    single cells with at least ``min_count`` incidents, best (count, then z) first, not in
    and not touching a candidate or an earlier pick. Returns the candidates (ranks kept)
    followed by the picks, ranked after them by count; same columns as ``candidates``.
    """
    taken = np.zeros(len(grid), dtype=bool)
    for ids in cands["cell_ids"]:
        taken[ids] = True
    blocked = ndimage.binary_dilation(_raster(grid, taken), _EIGHT)
    counts = grid["count"].to_numpy()
    order = np.lexsort((-grid["gi_z"].to_numpy(), -counts))
    order = order[counts[order] >= min_count]
    town = grid[township_col].to_numpy()
    have = cands["township_code"].value_counts().to_dict() if len(cands) else {}
    picks = []
    for code in (townships if townships is not None else pd.unique(town[pd.notna(town)])):
        picks += _pick(grid, order[town[order] == code], per_township - have.get(code, 0), blocked)
    picks += _pick(grid, order, min_total - len(cands) - len(picks), blocked)
    labels = np.zeros(len(grid), dtype=np.int64)
    labels[picks] = np.arange(1, len(picks) + 1)
    extra = _summarise(grid, labels, previous, categories, area_m2, None, 3, township_col)
    extra = extra.sort_values(["count", "max_z"], ascending=False, kind="stable")
    extra.insert(0, "rank", np.arange(len(cands) + 1, len(cands) + len(extra) + 1))
    extra["significant"] = False
    if len(extra) == 0:
        return cands.copy()
    return gpd.GeoDataFrame(pd.concat([cands, extra[cands.columns]] if len(cands) else [extra],
                                      ignore_index=True), geometry="geometry", crs=grid.crs)


def _pick(grid, order: np.ndarray, need: int, blocked: np.ndarray) -> list[int]:
    """Take up to ``need`` cells from ``order`` whose raster cell is not blocked; block around each."""
    picks = []
    rows, cols = grid["row"].to_numpy(), grid["col"].to_numpy()
    for i in order:
        if len(picks) >= need:
            break
        r, c = rows[i], cols[i]
        if not blocked[r, c]:
            picks.append(int(i))
            blocked[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2] = True
    return picks


# ----------------------------------------------------------------------- WDQ

def wdq(R_before, R_after, D_before, D_after, C_before, C_after):  # noqa: N803 -- the paper's names
    """Weighted Displacement Quotient (Bowers & Johnson 2003).

    R: incidents in the listed area, D: in a buffer around it, C: in a control area,
    before and after. WDQ = (D_a/C_a − D_b/C_b) / (R_a/C_a − R_b/C_b). Meaningful only
    when the denominator is negative (the area improved against the control): otherwise,
    or when a control count is 0, None for scalars and NaN in arrays.
    """
    args = [np.asarray(a, dtype=float) for a in (R_before, R_after, D_before, D_after, C_before, C_after)]
    rb, ra, db, da, cb, ca = np.broadcast_arrays(*args)
    with np.errstate(divide="ignore", invalid="ignore"):
        den = ra / ca - rb / cb
        out = np.where((cb > 0) & (ca > 0) & (den < 0), (da / ca - db / cb) / den, np.nan)
    if out.ndim == 0:
        return None if math.isnan(out) else float(out)
    return out


WDQ_MEANINGS = {
    "diffusion": "扩散效益：周边也改善 (diffusion of benefits: the surroundings improved too)",
    "no effect": "周边无变化 (no displacement, no diffusion)",
    "displacement": "转移：部分案件移到周边 (displacement: part of the incidents moved next door)",
    "gain erased": "转移抵消了成效 (displacement larger than the gain: the gain was erased)",
    "not meaningful": "整治区未改善，WDQ 无意义 (the listed area did not improve: WDQ not meaningful)",
}


def wdq_meaning(value, tol: float = 0.0) -> str:
    """"diffusion" (> tol), "no effect" (|WDQ| <= tol), "displacement" (−1 <= WDQ < −tol),
    "gain erased" (< −1) or "not meaningful" (None/NaN); WDQ_MEANINGS has the sentences."""
    if value is None or math.isnan(value):
        return "not meaningful"
    if value > tol:
        return "diffusion"
    if value >= -tol:
        return "no effect"
    return "displacement" if value >= -1 else "gain erased"
