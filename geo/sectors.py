"""Camera view sectors: the ground each camera sees, drawn to scale.

A sector (METHODS.md, "Cameras") is the set of points p with |p - c| <= range
whose bearing from the camera c (clockwise from north, ``atan2(dx, dy)``) lies
within fov/2 of the azimuth. Dome and PTZ cameras turn, so they see a full circle,
as does a camera with fov >= 360 or no azimuth.
"""
from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely

LOGGER = logging.getLogger(__name__)
FULL_CIRCLE_KINDS = frozenset({"dome", "ptz"})


def _check_crs(gdf: gpd.GeoDataFrame) -> None:
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise ValueError(f"camera_sectors expects EPSG:4326 lon/lat, got {gdf.crs!r}")


def camera_column(gdf: gpd.GeoDataFrame, name: str) -> np.ndarray:
    """A numeric column of cameras as floats, NaN where missing (all NaN without the column)."""
    return gdf[name].to_numpy(dtype=float, na_value=np.nan) if name in gdf else np.full(len(gdf), np.nan)


def full_circle_mask(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """True where the camera sees all round: dome/ptz, fov >= 360, no azimuth or no fov."""
    azimuth, fov = camera_column(gdf, "azimuth"), camera_column(gdf, "fov")
    kind = gdf["kind"].astype("string").fillna("").to_numpy() if "kind" in gdf else np.full(len(gdf), "")
    with np.errstate(invalid="ignore"):
        wide = ~(fov < 360)  # NaN counts as full circle
    return wide | np.isnan(azimuth) | np.isin(kind, list(FULL_CIRCLE_KINDS))


def _sector_rings(x, y, radius, azimuth, fov, n_arc: int) -> np.ndarray:
    """Closed rings (apex, arc..., apex) in metres, shape (n, n_arc + 3, 2)."""
    half = np.radians(fov)[:, None] / 2
    steps = np.linspace(-1.0, 1.0, n_arc + 1)[None, :]
    theta = np.radians(azimuth)[:, None] + half * steps
    arc_x = x[:, None] + radius[:, None] * np.sin(theta)
    arc_y = y[:, None] + radius[:, None] * np.cos(theta)
    apex = np.stack([x, y], axis=1)[:, None, :]
    arc = np.stack([arc_x, arc_y], axis=2)
    return np.concatenate([apex, arc, apex], axis=1)


def _circle_rings(x, y, radius, n_arc: int) -> np.ndarray:
    """Closed rings of n_arc segments around each camera, shape (n, n_arc + 1, 2)."""
    theta = np.linspace(0.0, 2 * np.pi, n_arc + 1)[None, :]
    ring_x = x[:, None] + radius[:, None] * np.sin(theta)
    ring_y = y[:, None] + radius[:, None] * np.cos(theta)
    ring = np.stack([ring_x, ring_y], axis=2)
    ring[:, -1, :] = ring[:, 0, :]
    return ring


def camera_sectors(gdf: gpd.GeoDataFrame, n_arc: int = 64) -> gpd.GeoDataFrame:
    """Return each camera's view sector as a polygon.

    gdf: cameras as Points in EPSG:4326 (lon/lat) with columns ``range_m`` (metres),
    ``fov`` (degrees), ``azimuth`` (degrees clockwise from north; may be missing) and
    ``kind`` (fixed, dome, ptz, checkpoint). n_arc: straight segments along each arc
    (a full circle also gets n_arc segments); 64 under-counts a 90-degree sector's
    area by 0.01%.

    Returns a copy of ``gdf`` (same index and columns) whose geometry is the sector,
    computed in metres in the local UTM zone of the data and returned in EPSG:4326,
    and a boolean column ``full_circle``. Cameras without a location or with no
    positive range get an empty geometry (None). Raises ValueError when the CRS is
    not EPSG:4326 or n_arc < 3.
    """
    _check_crs(gdf)
    if n_arc < 3:
        raise ValueError(f"n_arc must be at least 3, got {n_arc}")
    out = gdf.copy()
    full = full_circle_mask(gdf)
    out["full_circle"] = full
    if len(gdf) == 0:
        return out
    points = gdf.geometry
    usable = (~points.isna() & ~points.is_empty).to_numpy().copy()
    if usable.any() and points[usable].geom_type.ne("Point").any():
        raise ValueError("camera_sectors expects Point geometries")
    radius = gdf["range_m"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        usable = usable & (radius > 0)
    geoms = np.full(len(gdf), None, dtype=object)
    if usable.any():
        utm = gpd.GeoSeries(points[usable].values, crs=gdf.crs).estimate_utm_crs()
        local = gpd.GeoSeries(points.values, crs=gdf.crs)[usable].to_crs(utm)
        x, y = local.x.to_numpy(), local.y.to_numpy()
        polys = np.full(len(local), None, dtype=object)
        circle = full[usable]
        r = radius[usable]
        if circle.any():
            polys[circle] = shapely.polygons(_circle_rings(x[circle], y[circle], r[circle], n_arc))
        if (~circle).any():
            azimuth = gdf["azimuth"].to_numpy(dtype=float, na_value=np.nan)[usable][~circle] % 360
            fov = gdf["fov"].to_numpy(dtype=float, na_value=np.nan)[usable][~circle]
            polys[~circle] = shapely.polygons(
                _sector_rings(x[~circle], y[~circle], r[~circle], azimuth, fov, n_arc))
        geoms[usable] = gpd.GeoSeries(polys, crs=utm).to_crs(gdf.crs).values
    skipped = int((~usable).sum())
    if skipped:
        LOGGER.info("%d cameras without a location or range: no sector", skipped)
    return out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
