"""Coordinates of a file: which CRS they are in, checks in degrees, reprojection to WGS 84.

``--crs`` overrides the file's CRS; a CSV without one is taken as EPSG:4326; 'gcj02'
(lon/lat copied from a Chinese web map) is converted back with the iterative inverse.
Rows whose coordinates are out of range or outside China are reported and left out of
further checks. ``Coordinates`` does this chunk by chunk; what is said of the file as a
whole (its coordinates look projected, or look like degrees in a projected CRS) is said
by ``Coordinates.finish`` once every chunk has been seen.
"""
from __future__ import annotations

import logging

import numpy as np
import shapely
from pyproj import CRS, Transformer

from data.importer.geometry import TABLE_KINDS
from data.importer.problems import COORDINATES, FILE_CRS, Problems
from geo.crs import BD09, bd09_to_wgs84, gcj02_to_wgs84, in_china, parse_crs
from layers.errors import ImportRefused

LOGGER = logging.getLogger(__name__)

WGS84 = CRS.from_epsg(4326)


def crs_option(crs):
    """The ``--crs`` value parsed (a pyproj CRS, 'gcj02' or 'bd09'), None when not given."""
    if crs is None or str(crs).strip() == "":
        return None
    try:
        return parse_crs(crs)
    except ValueError as err:
        raise ImportRefused([f"--crs: {err}"]) from None


def crs_text(src) -> str:
    """A CRS as people write it: 'EPSG:4547', 'gcj02', 'bd09', or its name."""
    if src is None:
        return "-"
    if isinstance(src, str):
        return src
    epsg = src.to_epsg()
    return f"EPSG:{epsg}" if epsg else src.name


CSV_TAKEN_AS_WGS84 = ("未指定 --crs，lon/lat 按 WGS 84 (EPSG:4326) 读取；坐标若抄自高德、腾讯等网络"
                      "地图，请用 --crs gcj02，抄自百度地图请用 --crs bd09 (no --crs: lon/lat taken as WGS 84, "
                      "EPSG:4326; use --crs gcj02 for coordinates from Amap/Tencent, bd09 from Baidu)")


def source_crs(target_crs, file_crs, fname: str, warnings: list[str]):
    """The CRS the file's coordinates are in: --crs, else the file's, else None (a CSV's
    are then taken as EPSG:4326, see ``Coordinates``)."""
    if target_crs is not None:
        if file_crs is not None and not isinstance(target_crs, str):
            declared = CRS.from_user_input(file_crs)
            if not declared.equals(target_crs, ignore_axis_order=True):
                warnings.append(f"{fname}: 按 --crs {crs_text(target_crs)} 读取，而不是文件声明的 "
                                f"{crs_text(declared)} (--crs overrides the file's CRS)")
        return target_crs
    if file_crs is not None:
        return CRS.from_user_input(file_crs)
    return None


def _swapped_hint(x, y) -> str:
    """A hint when (x, y) would be in China as (lat, lon)."""
    swapped = abs(y) <= 180 and abs(x) <= 90 and bool(in_china(y, x))
    return "；经纬度是否颠倒？(lon/lat swapped?)" if swapped else ""


def _outside_china(bounds: np.ndarray, rows: np.ndarray, problems: Problems,
                   column: str) -> np.ndarray:
    """Report rows (with lon/lat ``bounds``) whose centre is not in China; return them."""
    cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    outside = ~in_china(cx, cy)
    far = rows[outside]
    fx, fy = cx[outside], cy[outside]
    problems.rows(far, column, lambda i: (
        f"坐标不在中国境内 ({fx[i]:.6f}, {fy[i]:.6f}) (outside China; "
        f"wrong --crs?){_swapped_hint(fx[i], fy[i])}"))
    return far


def _transform(geoms, rows: np.ndarray, func):
    if len(rows):
        geoms[rows] = shapely.transform(geoms[rows].astype(object), func)
    return geoms


def _gcj02_to_wgs84(xy):
    return np.column_stack(gcj02_to_wgs84(xy[:, 0], xy[:, 1]))


def _bd09_to_wgs84(xy):
    return np.column_stack(bd09_to_wgs84(xy[:, 0], xy[:, 1]))


def _looks_degrees(bounds: np.ndarray) -> np.ndarray:
    return np.isfinite(bounds).all(axis=1) & (np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1) \
        & (np.abs(bounds[:, [1, 3]]) <= 90).all(axis=1)


class Coordinates:
    """A file's coordinates, checked and brought to EPSG:4326 chunk by chunk."""

    def __init__(self, target_crs, file_crs, kind: str, fname: str, warnings: list[str]):
        self.src = source_crs(target_crs, file_crs, fname, warnings)
        self.taken_as_wgs84 = self.src is None and kind in TABLE_KINDS
        if self.taken_as_wgs84:
            self.src = WGS84
        self.text = crs_text(self.src)
        self.fname, self.warnings = fname, warnings
        self.has_points = False
        self.transformer = None
        self.largest = []           # out-of-range rows: the largest coordinate of each
        self.unplaced = 0           # rows outside China after reprojection
        self.unplaced_degrees = 0   # … of which their coordinates look like degrees

    def to_wgs84(self, geoms, usable, problems: Problems, column: str):
        """Check coordinates in the file's CRS and bring them to EPSG:4326.

        Returns (geoms, usable)."""
        src = self.src
        if usable.any() and not self.has_points:
            self.has_points = True
            if self.taken_as_wgs84:
                self.warnings.append(f"{self.fname}: {CSV_TAKEN_AS_WGS84}")
        if usable.any() and src is None:
            problems.file("文件没有坐标系（如缺少 .prj），请用 --crs 指定，如 --crs EPSG:4490 或 "
                          "--crs EPSG:4547 (no CRS in file and no --crs given)", rank=FILE_CRS)
            usable = np.zeros_like(usable)
        if isinstance(src, str):            # gcj02 or bd09: lon/lat degrees, shifted
            usable = self.check_degrees(geoms, usable, problems, column)
            geoms = _transform(geoms, np.flatnonzero(usable), _bd09_to_wgs84 if src == BD09 else _gcj02_to_wgs84)
        elif src is not None and src.is_geographic:     # EPSG:4326, 4490, …
            usable = self.check_degrees(geoms, usable, problems, column)
            if src.to_epsg() != 4326:
                geoms, usable = self._reproject(geoms, usable, problems, column)
        elif src is not None:                           # Gauss-Krüger, UTM, …
            geoms, usable = self._reproject(geoms, usable, problems, column)
        return geoms, usable

    def check_degrees(self, geoms, usable, problems: Problems, column: str) -> np.ndarray:
        """Lon/lat must be within ±180/±90 and in China. Returns rows still usable."""
        idx = np.flatnonzero(usable)
        if not len(idx):
            return usable
        bounds = shapely.bounds(geoms[idx].astype(object))
        finite = np.isfinite(bounds).all(axis=1)
        in_range = finite & (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180) \
            & (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90)
        out = idx[~in_range]
        if len(out):
            self.largest.append(np.nanmax(np.abs(bounds[~in_range]), axis=1))
            sub = bounds[~in_range]
            problems.rows(out, column, lambda i: (
                f"坐标超出经纬度范围 ({sub[i, 0]:.6g}, {sub[i, 1]:.6g}) (coordinates out of range "
                f"|lon|<=180, |lat|<=90; look projected? use --crs)"
                f"{_swapped_hint(sub[i, 0], sub[i, 1])}"))
        keep = usable.copy()
        keep[out] = False
        rest = idx[in_range]
        if len(rest):
            keep[_outside_china(bounds[in_range], rest, problems, column)] = False
        return keep

    def _to_wgs84(self, xy):
        if self.transformer is None:
            self.transformer = Transformer.from_crs(self.src, WGS84, always_xy=True)
        x, y = self.transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
        return np.column_stack([x, y])

    def _reproject(self, geoms, usable, problems: Problems, column: str):
        """Reproject usable rows to EPSG:4326, check the result is in China."""
        idx = np.flatnonzero(usable)
        if not len(idx):
            return geoms, usable
        raw_bounds = shapely.bounds(geoms[idx].astype(object))
        geoms = _transform(geoms, idx, self._to_wgs84)
        bounds = shapely.bounds(geoms[idx].astype(object))
        finite = np.isfinite(bounds).all(axis=1)
        cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
        good = finite & np.where(finite, in_china(np.nan_to_num(cx), np.nan_to_num(cy)), False)
        bad = idx[~good]
        if len(bad):
            rb, text = raw_bounds[~good], self.text
            self.unplaced += len(bad)
            self.unplaced_degrees += int(_looks_degrees(rb).sum())
            problems.rows(bad, column, lambda i: (
                f"坐标 ({rb[i, 0]:.10g}, {rb[i, 1]:.10g}) 按 {text} 换算后不在中国境内 "
                f"(outside China after reprojection from {text}; wrong --crs?)"))
        keep = usable.copy()
        keep[bad] = False
        return geoms, keep

    def finish(self, problems: Problems) -> None:
        """What the rows out of range or out of China say of the whole file."""
        if self.largest and np.nanmedian(np.concatenate(self.largest)) > 1000:
            problems.file(
                f"坐标像是投影坐标（米），却按经纬度 {self.text} 读取；请用 --crs 指定文件的坐标系，"
                f"如 --crs EPSG:4547 (coordinates look projected (metres) but were read as "
                f"degrees; pass --crs, e.g. --crs EPSG:4547)", rank=COORDINATES)
        if 2 * self.unplaced_degrees > self.unplaced and self.src.is_projected:
            problems.file(
                f"坐标像是经纬度（度），但坐标系是投影坐标 {self.text}；请检查 --crs，如 --crs EPSG:4326 "
                f"(coordinates look like degrees but the CRS is projected; check --crs)",
                rank=COORDINATES)
