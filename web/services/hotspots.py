"""Hotspot analysis for a quarter (R3, R4): the Gi* grid, kernel density and candidates."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import hotspots as hs
from geo.calendar import previous_quarter
from geo.rules import COUNTY_REQUIRED, TOWNSHIP_REQUIRED
from layers.catalog import LAYERS
from layers.categories import check_known
from layers.errors import InvalidInput
from layers.frames import incidents_in_quarter, read_frame
from web.schemas.hotspots import Analysis
from web.services import budget

DENSITY_BANDWIDTH_M = 1000.0


def quarter_grid(conn, county_code: str, a: Analysis):
    """(grid in the metric CRS with counts and Gi*, townships in that CRS, the incidents);
    TooLarge when the grid would exceed its budget (web.services.budget); InvalidInput for
    a category no incident is written with and the mapping does not know."""
    if a.category is not None:
        check_known(conn, county_code, a.category)
    budget.grid_cells(conn, county_code, a.cell_m)
    towns = read_frame(conn, LAYERS["townships"], county_code, ["code", "name"])
    if towns.empty:
        raise InvalidInput("没有乡镇图层，无法划分网格")
    crs = hs.metric_crs_for(towns)
    towns = towns.to_crs(crs)
    incidents = incidents_in_quarter(conn, county_code, a.quarter, **a.which)
    grid = hs.hotspot_grid(towns, incidents, a.cell_m, a.band_m, crs=crs)
    grid["township_code"] = hs.assign_townships(grid, towns)
    return grid, towns, incidents


def cells_geojson(grid: gpd.GeoDataFrame, columns: list[str], keep=None) -> list[dict]:
    """Grid cells (all, or those where ``keep``) as GeoJSON features in WGS 84."""
    cells = grid if keep is None else grid[keep]
    out = cells[columns + ["geometry"]].to_crs("EPSG:4326")
    return out.to_geo_dict(drop_id=True)["features"]  # dicts, not text read back (web/jsonio.py)


def grid_document(conn, county_code: str, a: Analysis, every_cell: bool = False) -> dict:
    """Cells with counts, Gi* z and p and FDR class (only cells with incidents or a class,
    unless ``every_cell``) as a GeoJSON FeatureCollection with the parameters."""
    grid, _, incidents = quarter_grid(conn, county_code, a)
    keep = None if every_cell else (grid["count"].to_numpy() > 0) | (grid["gi_class"].to_numpy() != 0)
    features = cells_geojson(grid.assign(gi_z=grid["gi_z"].round(4), gi_p=grid["gi_p"].round(6)),
                             ["row", "col", "township_code", "count", "gi_z", "gi_p", "gi_class"], keep)
    return {"type": "FeatureCollection", "features": features,
            "params": {**grid.attrs["params"], "quarter": a.quarter, **a.which,
                       "cells": int(len(grid)), "cells_returned": len(features),
                       "incidents": int(len(incidents)), "fdr": "Benjamini-Hochberg",
                       "classes": {"3": "99%", "2": "95%", "1": "90%"},
                       "weights": "binary distance band, each cell its own neighbour"}}


def density(grid: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, bandwidth_m: float) -> np.ndarray:
    """Quartic kernel density of the incidents per km² at the grid's cell centres."""
    xy = incidents.to_crs(grid.crs).get_coordinates().to_numpy()
    return hs.kernel_density(xy, grid[["cx", "cy"]].to_numpy(), bandwidth_m, per="km2")


def density_document(conn, county_code: str, a: Analysis, bandwidth_m: float) -> dict:
    """Kernel density on the analysis grid (cells above 0) as GeoJSON with the parameters."""
    budget.kde_pairs(conn, county_code, a.quarter, a.which, a.cell_m, bandwidth_m)
    grid, _, incidents = quarter_grid(conn, county_code, a)
    grid["density"] = np.round(density(grid, incidents, bandwidth_m), 3)
    features = cells_geojson(grid, ["row", "col", "density"], grid["density"].to_numpy() > 0)
    return {"type": "FeatureCollection", "features": features,
            "params": {**grid.attrs["params"], "bandwidth_m": bandwidth_m, "kernel": "quartic",
                       "unit": "incidents per km²"}}


def village_names(conn, county_code: str, areas: gpd.GeoDataFrame) -> list:
    """The village holding each area's representative point (None outside every village)."""
    villages = read_frame(conn, LAYERS["villages"], county_code, ["name"]).to_crs(areas.crs)
    if villages.empty or areas.empty:
        return [None] * len(areas)
    points = gpd.GeoDataFrame(geometry=areas.geometry.representative_point(), crs=areas.crs)
    joined = gpd.sjoin(points, villages, predicate="within", how="left")
    joined = joined[~joined.index.duplicated()]
    return [None if isinstance(n, float) else n for n in joined["name"].reindex(points.index)]


LANDMARK_M = 300.0   # a candidate is named after the nearest named road or school this close


def landmarks(conn, county_code: str, areas: gpd.GeoDataFrame) -> list:
    """The name of the road or school nearest to each area's representative point within
    LANDMARK_M (None where there is none)."""
    named = [read_frame(conn, LAYERS[name], county_code, ["name"]) for name in ("roads", "schools")]
    named = [f[f["name"].notna() & (f["name"].astype(str).str.strip() != "")] for f in named]
    places = gpd.GeoDataFrame(pd.concat(named, ignore_index=True), crs="EPSG:4326") if any(
        len(f) for f in named) else None
    if places is None or areas.empty:
        return [None] * len(areas)
    places = places.to_crs(areas.crs)
    points = gpd.GeoDataFrame(geometry=areas.geometry.representative_point(), crs=areas.crs)
    joined = gpd.sjoin_nearest(points, places[["name", "geometry"]], how="left", max_distance=LANDMARK_M)
    joined = joined[~joined.index.duplicated()]
    return [None if not isinstance(n, str) else n for n in joined["name"].reindex(points.index)]


def candidates(conn, county_code: str, a: Analysis):
    """(ranked candidate areas in WGS 84: significant ones, then quota-forced picks; the grid)."""
    grid, towns, incidents = quarter_grid(conn, county_code, a)
    before = incidents_in_quarter(conn, county_code, previous_quarter(a.quarter), **a.which).to_crs(grid.crs)
    previous = hs.count_incidents(grid, before)
    cats = hs.category_counts(grid, incidents.to_crs(grid.crs), column="focus")
    clip = towns.union_all()
    cands = hs.candidates(grid, previous=previous, categories=cats, area_m2=clip.area, clip=clip)
    cands = hs.fill_quota(cands, grid, per_township=TOWNSHIP_REQUIRED, townships=list(towns["code"]),
                          previous=previous, categories=cats, area_m2=clip.area, reserved=COUNTY_REQUIRED,
                          min_total=COUNTY_REQUIRED + TOWNSHIP_REQUIRED * len(towns))
    names = dict(zip(towns["code"], towns["name"]))
    cands["township_name"] = [names.get(c) for c in cands["township_code"]]
    cands["village_name"] = village_names(conn, county_code, cands)
    cands["landmark"] = landmarks(conn, county_code, cands)
    return cands.drop(columns=["cell_ids"]).to_crs("EPSG:4326"), grid


def candidates_document(conn, county_code: str, a: Analysis) -> dict:
    """The candidates as GeoJSON, best first, with PAI, trend and driving focus groups."""
    cands, grid = candidates(conn, county_code, a)
    cands = cands.rename(columns={"max_z": "gi_z"})
    for col in ("gi_z", "mean_z", "pai", "hit_rate", "area_m2"):
        cands[col] = cands[col].astype(float).round(4)
    doc = json.loads(cands.to_json(drop_id=True, to_wgs84=False, default=str))
    return {**doc, "params": {**grid.attrs["params"], "quarter": a.quarter, **a.which,
                              "min_class": hs.CANDIDATE_MIN_CLASS, "ranked_by": "count"}}
