"""Geometries of a file: from the file or a CSV's lon/lat, their types, repair of polygons.

Geometries travel as an object array (None where missing) with a boolean ``usable``
array marking rows whose geometry can be checked further.
"""
from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import shapely

from data.importer.columns import not_a_number
from data.importer.problems import GEOMETRY, Problems
from data.importer.values import parse_numbers
from layers.catalog import Layer

LOGGER = logging.getLogger(__name__)

MAX_AREA_CHANGE = 0.01          # repaired polygons: relative area change allowed

GEOM_TYPES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
              5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
POLYGONAL = ("Polygon", "MultiPolygon")
TABLE_KINDS = ("csv", "xlsx")   # tables whose points come from lon/lat columns
# How a table's coordinate columns are headed (any case); else a header holding 经度 / 纬度.
LON_NAMES = ("lon", "lng", "long", "longitude", "经度", "东经", "x坐标")
LAT_NAMES = ("lat", "latitude", "纬度", "北纬", "y坐标")


def geometry_label(kind: str) -> str:
    """The column problems with geometry are reported under."""
    return "lon/lat" if kind in TABLE_KINDS else "geometry"


def file_geometries(frame: pd.DataFrame, kind: str, problems: Problems, optional: bool):
    """The file's geometries, or points from a CSV's lon/lat; None where missing.

    Returns (geometries, the columns used, rows already reported or None).
    """
    if kind in TABLE_KINDS:
        return csv_points(frame, problems, optional)
    if "geometry" in frame:
        geoms = np.array([None if g is None or (isinstance(g, float) and math.isnan(g)) else g
                          for g in frame["geometry"].to_numpy()], dtype=object)
        return geoms, set(), None
    if not optional:
        problems.file("文件没有几何 (no geometry in file)", rank=GEOMETRY)
    return np.full(len(frame), None, dtype=object), set(), None


def _coordinate_column(columns, names: tuple[str, ...], word: str):
    """The column named one of ``names`` (any case), else the one column whose name holds
    ``word`` (发生地点经度), else None."""
    by_name = {str(c).strip().lower(): c for c in columns}
    for name in names:
        if name in by_name:
            return by_name[name]
    holding = [c for c in columns if word in str(c)]
    return holding[0] if len(holding) == 1 else None


def coordinate_columns(columns) -> tuple[object, object]:
    """(longitude column, latitude column) of a table, None where absent."""
    return (_coordinate_column(columns, LON_NAMES, "经度"), _coordinate_column(columns, LAT_NAMES, "纬度"))


def csv_points(frame: pd.DataFrame, problems: Problems, optional: bool):
    """Points from lon/lat columns; None where missing.

    Returns (geometries, the columns used, rows already reported as not numbers).
    """
    lon_col, lat_col = coordinate_columns(frame.columns)
    n = len(frame)
    if lon_col is None or lat_col is None:
        if not optional:
            missing = [c for c, got in (("lon", lon_col), ("lat", lat_col)) if got is None]
            for name in missing:
                problems.column(name, f"缺少坐标列 '{name}' (missing column '{name}'; "
                                      f"a table needs lon and lat columns, or 经度 and 纬度)", rank=GEOMETRY)
        return np.full(n, None, dtype=object), {lon_col, lat_col} - {None}, np.zeros(n, bool)
    lon, bad_lon = parse_numbers(frame[lon_col].reset_index(drop=True))
    lat, bad_lat = parse_numbers(frame[lat_col].reset_index(drop=True))
    problems.values(bad_lon, "lon", frame[lon_col], not_a_number)
    problems.values(bad_lat, "lat", frame[lat_col], not_a_number)
    ok = np.isfinite(lon) & np.isfinite(lat)
    geoms = np.full(n, None, dtype=object)
    geoms[ok] = shapely.points(lon[ok], lat[ok])
    reported = np.zeros(n, dtype=bool)
    reported[bad_lon] = True
    reported[bad_lat] = True
    return geoms, {lon_col, lat_col}, reported


def _single_points(geoms: np.ndarray, type_ids: np.ndarray) -> None:
    """Turn one-point MultiPoints into Points, in place."""
    single = np.flatnonzero(type_ids == 4)
    if len(single):
        counts = shapely.get_num_geometries(geoms[single].astype(object))
        one = single[counts == 1]
        geoms[one] = shapely.get_geometry(geoms[one].astype(object), 0)
        type_ids[one] = 0


def check_geometry_types(geoms: np.ndarray, layer: Layer, problems: Problems,
                         column: str, optional: bool, reported=None):
    """Drop Z, turn one-point MultiPoints into Points; report missing and wrong types.

    Returns (geoms, usable) where usable marks rows whose geometry can be checked further.
    """
    geoms = np.asarray(geoms, dtype=object)
    missing = np.array([g is None for g in geoms], dtype=bool)
    present = ~missing
    if present.any():
        geoms[present] = shapely.force_2d(geoms[present].astype(object))
        empty = np.zeros(len(geoms), dtype=bool)
        empty[present] = shapely.is_empty(geoms[present].astype(object))
        missing |= empty
    accepts = layer.accepts or ("Point",)
    if not optional:
        bad = np.flatnonzero(missing if reported is None else missing & ~reported)
        problems.rows(bad, column, "缺少几何 (missing or empty geometry)")
    present = ~missing
    type_ids = np.full(len(geoms), -1)
    if present.any():
        type_ids[present] = shapely.get_type_id(geoms[present].astype(object))
    if "Point" in accepts and "MultiPoint" not in accepts:
        _single_points(geoms, type_ids)
    names = np.array([GEOM_TYPES.get(int(t), "?") for t in type_ids], dtype=object)
    wrong = np.flatnonzero(present & ~np.isin(names, list(accepts)))
    expected = "/".join(accepts)
    problems.rows(wrong, column, lambda i: (
        f"几何类型 {names[wrong[i]]} 不被接受，应为 {expected} "
        f"(geometry type {names[wrong[i]]} not accepted; expected {expected})"))
    usable = present.copy()
    usable[wrong] = False
    return geoms, usable


def _repair(geom, reason: str, layer: Layer):
    """(repaired polygon, relative area change) or (None, why it is refused)."""
    if geom.geom_type not in POLYGONAL:
        return None, f"无效几何 (invalid geometry: {reason})"
    repaired = shapely.make_valid(geom)
    if repaired.geom_type == "GeometryCollection":
        polys = [p for p in shapely.get_parts(repaired) if p.geom_type in POLYGONAL]
        repaired = shapely.union_all(polys) if polys else shapely.Polygon()
    kind = repaired.geom_type
    before, after = abs(geom.area), repaired.area
    change = abs(after - before) / after if after > 0 else float("inf")
    if repaired.is_empty or kind not in layer.accepts or kind not in POLYGONAL:
        return None, (f"无效几何，无法修复 (invalid geometry: {reason}; cannot be repaired "
                      f"into a {'/'.join(layer.accepts)})")
    if change >= MAX_AREA_CHANGE:
        pct = "∞" if not math.isfinite(change) else f"{change * 100:.1f}%"
        return None, (f"无效几何 (invalid geometry: {reason})；自动修复会使面积变化 {pct}，"
                      f"请在 GIS 软件中修正 (repair would change the area by {pct}; "
                      f"fix it by hand)")
    return repaired, change


def repair_polygons(geoms, usable, layer: Layer, problems: Problems, column: str,
                    warnings: list[str]):
    """Repair invalid polygons whose area changes by less than MAX_AREA_CHANGE (with a
    warning); refuse other invalid geometries (see the package docstring)."""
    idx = np.flatnonzero(usable)
    if not len(idx):
        return geoms
    valid = shapely.is_valid(geoms[idx].astype(object))
    refused, reasons = [], {}
    for pos in idx[~valid]:
        reason = shapely.is_valid_reason(geoms[pos])
        repaired, outcome = _repair(geoms[pos], reason, layer)
        if repaired is None:
            refused.append(pos)
            reasons[pos] = outcome
            continue
        geoms[pos] = repaired
        warnings.append(f"{problems.fname} {problems.row_label(int(pos))} 列 {column}: "
                        f"无效多边形已自动修复，面积变化 {outcome * 100:.3f}% "
                        f"(invalid polygon repaired: {reason}; area changed by "
                        f"{outcome * 100:.3f}%)")
    refused = np.array(refused, dtype=int)
    problems.rows(refused, column, lambda i: reasons[refused[i]])
    return geoms
