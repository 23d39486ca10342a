"""Candidate hotspot areas: significant hot cells merged, summarised, ranked; quota picks.

Areas are dissolved cells in the grid's metric CRS (areas in m²); see ``geo.hotspots``
for the rules (8-connectivity, ranking, PAI, trend, forced picks).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from geo.hotspots.grid import EIGHT_NEIGHBOURS, cell_raster, grid_spec
from geo.hotspots.measures import count_trend, pai

CANDIDATE_MIN_CLASS = 2
_FOUR = ndimage.generate_binary_structure(2, 1)
CANDIDATE_COLUMNS = ["township_code", "count", "count_previous", "change", "trend", "cells", "cell_ids",
                     "area_m2", "max_z", "mean_z", "pai", "hit_rate", "top_categories", "geometry"]


def _area_labels(grid: gpd.GeoDataFrame, selected: np.ndarray, connectivity: int) -> np.ndarray:
    """Label (1..k, 0 = none) per cell: connected components of the selected cells."""
    structure = EIGHT_NEIGHBOURS if connectivity == 8 else _FOUR
    labels, _ = ndimage.label(cell_raster(grid, selected), structure=structure)
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
               township_col: str = "township_code", reserved: int = 0) -> gpd.GeoDataFrame:
    """Significant candidates plus quota-forced picks flagged ``significant=False``.

    cands: ``candidates`` output; grid: the same grid, with a ``township_col``.
    per_township: the township quota; townships: the codes it applies to (default every
    township on the grid). min_total: the county quota over all areas. Forced picks are
    single cells with at least ``min_count`` incidents, best (count, then z) first, not in
    and not touching a candidate or an earlier pick. reserved: how many of the best
    candidates are meant for the county level and so do not count towards a township's.
    Returns the candidates (ranks kept)
    followed by the picks, ranked after them by count; same columns as ``candidates``.
    """
    taken = np.zeros(len(grid), dtype=bool)
    for ids in cands["cell_ids"]:
        taken[ids] = True
    blocked = ndimage.binary_dilation(cell_raster(grid, taken), EIGHT_NEIGHBOURS)
    counts = grid["count"].to_numpy()
    order = np.lexsort((-grid["gi_z"].to_numpy(), -counts))
    order = order[counts[order] >= min_count]
    town = grid[township_col].to_numpy()
    rest = cands[cands["rank"] > reserved] if len(cands) else cands
    have = rest["township_code"].value_counts().to_dict() if len(rest) else {}
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
