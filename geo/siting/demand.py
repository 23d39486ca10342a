"""Demand to cover: weighted points along roads and over hotspots, minus what cameras see.

Works in one projected CRS in metres: amounts are metres of road and m² of hotspot.
"""
from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely

from geo.lines import along, interpolate, line_parts
from geo.siting.sites import coverage_matrix, metric_crs

LOGGER = logging.getLogger(__name__)

# Exchange rate: 1 m² of hotspot counts as 0.05 m of road, i.e. a hotspot weighs the same
# per square metre as a road corridor 20 m wide. 0 ignores hotspots.
HOTSPOT_WEIGHT = 0.05
_STEP_EPS = 1e-9  # a line of exactly k steps gets k pieces despite rounding


def _sample_lines(geoms, step: float):
    """Points at the middle of ~step-long pieces; each weighs its piece's length (m)."""
    lines = line_parts(geoms)
    lengths = shapely.length(lines)
    n = np.maximum(1, np.ceil(lengths / step - _STEP_EPS)).astype(int)
    idx, dist = along(lengths, n, 0.5, n)
    x, y = interpolate(lines, idx, dist)
    return x, y, lengths[idx] / n[idx]


def _sample_areas(geoms, step: float):
    """Grid points (step apart) inside the union of the polygons; weights sum to its area (m²)."""
    merged = shapely.union_all(np.asarray(geoms, dtype=object))
    xs, ys, ws = [], [], []
    for poly in shapely.get_parts(merged):
        if shapely.get_type_id(poly) != 3 or poly.area <= 0:
            continue
        x0, y0, x1, y1 = poly.bounds
        gx, gy = np.meshgrid(np.arange(np.floor(x0 / step) * step + step / 2, x1, step),
                             np.arange(np.floor(y0 / step) * step + step / 2, y1, step))
        inside = shapely.contains_xy(poly, gx.ravel(), gy.ravel())
        px, py = gx.ravel()[inside], gy.ravel()[inside]
        if not len(px):  # smaller than a grid cell: one point stands for it
            rep = poly.representative_point()
            px, py = np.array([rep.x]), np.array([rep.y])
        xs.append(px), ys.append(py), ws.append(np.full(len(px), poly.area / len(px)))
    if not xs:
        return np.empty(0), np.empty(0), np.empty(0)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)


def _inside_existing(existing: gpd.GeoDataFrame, demand: gpd.GeoDataFrame) -> np.ndarray:
    """Which demand points an existing working camera already sees (sector polygons or camera points)."""
    if "status" in existing:
        existing = existing[existing["status"] == "working"]
    existing = existing[~(existing.geometry.isna() | existing.geometry.is_empty)]
    is_point = (existing.geom_type == "Point").to_numpy()
    hit = np.zeros(len(demand), dtype=bool)
    if is_point.any():
        hit |= coverage_matrix(existing[is_point], demand).getnnz(axis=0) > 0
    if (~is_point).any():
        tree = shapely.STRtree(existing.geometry.values[~is_point])
        hit[tree.query(demand.geometry.values, predicate="intersects")[0]] = True
    return hit


def demand_points(roads: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame | None = None,
                  existing_sectors: gpd.GeoDataFrame | None = None, road_step_m: float = 10.0,
                  area_step_m: float = 20.0, hotspot_weight: float = HOTSPOT_WEIGHT) -> gpd.GeoDataFrame:
    """Weighted demand points to cover: along roads and over hotspots, minus what is seen.

    roads: (Multi)LineStrings; hotspots: (Multi)Polygons, overlaps counted once;
    existing_sectors: existing cameras, either sector polygons or camera points with
    kind/azimuth/fov/range_m columns; with a ``status`` column only 'working' ones count.
    All in one projected CRS in metres (ValueError otherwise).

    Roads are cut into pieces of at most road_step_m metres, one point at each piece's
    middle; hotspots get a grid area_step_m apart. Returns Points in that CRS with
    ``kind`` ('road' or 'hotspot'), ``amount`` (metres of road or m² of hotspot the point
    stands for; roads' amounts sum to their length, hotspots' to their area) and
    ``weight``, the objective: road metres, and hotspot m² times hotspot_weight
    (default 0.05: 1 m² of hotspot = 0.05 m of road, as if a road 20 m wide).
    Points inside an existing working sector are dropped (existing cameras stay).
    """
    crs = metric_crs(roads=roads, hotspots=hotspots, existing_sectors=existing_sectors)
    if road_step_m <= 0 or area_step_m <= 0 or hotspot_weight < 0:
        raise ValueError("road_step_m and area_step_m must be > 0, hotspot_weight >= 0")
    rx, ry, ra = _sample_lines(roads.geometry.values, road_step_m)
    hx, hy, ha = (np.empty(0),) * 3
    if hotspots is not None and len(hotspots):
        hx, hy, ha = _sample_areas(hotspots.geometry.values, area_step_m)
    out = gpd.GeoDataFrame(
        {"kind": np.array(["road"] * len(rx) + ["hotspot"] * len(hx), dtype=object),
         "amount": np.concatenate([ra, ha]),
         "weight": np.concatenate([ra, ha * hotspot_weight])},
        geometry=gpd.points_from_xy(np.concatenate([rx, hx]), np.concatenate([ry, hy])), crs=crs)
    if existing_sectors is not None and len(existing_sectors) and len(out):
        seen = _inside_existing(existing_sectors, out)
        LOGGER.debug("%d of %d demand points already covered", seen.sum(), len(out))
        out = out[~seen]
    return out.reset_index(drop=True)
