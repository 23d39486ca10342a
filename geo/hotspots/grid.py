"""The square grid over a county, cell lookup, incident counts and townships per cell.

Cells are squares of ``cell_m`` metres in a metric CRS, aligned to multiples of the cell
size; ``row`` counts from the south, ``col`` from the west (see ``geo.hotspots``).
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from geo.crs import metric_crs_for, points_xy, require_metres, same_crs

DEFAULT_CELL_M = 500.0
#: 8-connectivity: cells touching at an edge or a corner
EIGHT_NEIGHBOURS = np.ones((3, 3), dtype=bool)


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
    crs = require_metres(crs, "crs", "the grid")
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
    r, c = np.nonzero(ndimage.binary_dilation(near, EIGHT_NEIGHBOURS) & ~mask)
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


def cell_raster(grid: gpd.GeoDataFrame, selected: np.ndarray) -> np.ndarray:
    """Boolean row/col raster (nrows, ncols) of the selected cells."""
    g = grid_spec(grid)
    raster = np.zeros((g["nrows"], g["ncols"]), dtype=bool)
    raster[grid["row"].to_numpy()[selected], grid["col"].to_numpy()[selected]] = True
    return raster


def cell_index(grid: gpd.GeoDataFrame, points) -> np.ndarray:
    """The grid row (0..n-1) each point falls in, -1 outside every cell.

    points: Points as a GeoDataFrame/GeoSeries in the grid's CRS (else ValueError), or an
    (n, 2) array of x, y in metres in the grid's CRS. Vectorised: floor((x − x0)/cell),
    so a point on an edge between cells goes to the north/east one, and a point on the
    grid's outer north/east edge, or in a cell left out of the grid, gets -1.
    """
    g = grid_spec(grid)
    xy = points_xy(points, grid.crs, "points", "the grid", "the hotspot grid")
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


def assign_townships(grid: gpd.GeoDataFrame, townships: gpd.GeoDataFrame,
                     code_col: str = "code") -> np.ndarray:
    """Township code of each cell: the township containing its centre, else the nearest one.

    townships: polygons in the grid's CRS (else ValueError) with a ``code_col``.
    Returns an object array aligned with the grid.
    """
    same_crs(townships.crs, grid.crs, "townships", "the grid")
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
