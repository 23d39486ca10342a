"""Hotspot analysis for a quarter (R3, R4): the Gi* grid, kernel density and candidates."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
from flask import Blueprint, abort, current_app, jsonify, request

from geo import hotspots as hs
from layers.catalog import INCIDENT_CATEGORIES, LAYERS
from layers.db import get_conn
from layers.frames import read_frame
from layers.hotspot_lists import TOWNSHIP_REQUIRED, previous_quarter, quarter_bounds
from web.hotspot_lists import quarter_arg
from web.params import number_arg

bp = Blueprint("hotspots", __name__)


def analysis_args() -> dict:
    """quarter, category, cell_m, band_m from the query string, checked."""
    category = request.args.get("category") or None
    if category and category not in INCIDENT_CATEGORIES:
        abort(400, description=f"参数 category '{category}' 无效（可用：{', '.join(INCIDENT_CATEGORIES)}）")
    cell_m = number_arg("cell_m", hs.DEFAULT_CELL_M, 100, 5000)
    band_m = number_arg("band_m", max(hs.DEFAULT_BAND_M, 3 * cell_m), cell_m, 20 * cell_m)
    return {"quarter": quarter_arg(), "category": category, "cell_m": cell_m, "band_m": band_m}


def incidents_in(conn, county: str, quarter: str, category: str | None) -> gpd.GeoDataFrame:
    start, end = quarter_bounds(quarter)
    where = "t.occurred_at >= %(start)s::date AND t.occurred_at < %(end)s::date"
    params = {"start": start, "end": end}
    if category:
        where += " AND t.category = %(category)s"
        params["category"] = category
    return read_frame(conn, LAYERS["incidents"], county, ["code", "category"], where, params)


def quarter_grid(conn, county: str, quarter: str, category, cell_m: float, band_m: float):
    """(grid in the metric CRS with counts and Gi*, townships in that CRS, this quarter's incidents)."""
    towns = read_frame(conn, LAYERS["townships"], county, ["code", "name"])
    if towns.empty:
        abort(400, description="没有乡镇图层，无法划分网格")
    crs = hs.metric_crs_for(towns)
    towns = towns.to_crs(crs)
    incidents = incidents_in(conn, county, quarter, category)
    grid = hs.hotspot_grid(towns, incidents, cell_m, band_m, crs=crs)
    grid["township_code"] = hs.assign_townships(grid, towns)
    return grid, towns, incidents


def _cells_geojson(grid: gpd.GeoDataFrame, columns: list[str], keep=None) -> list[dict]:
    cells = grid if keep is None else grid[keep]
    out = cells[columns + ["geometry"]].to_crs("EPSG:4326")
    return json.loads(out.to_json(drop_id=True, to_wgs84=False))["features"]


@bp.route("/api/hotspots/grid")
def api_grid():
    """Incident counts on a square grid with Getis-Ord Gi* (z, p, FDR class), as GeoJSON."""
    a = analysis_args()
    grid, _, incidents = quarter_grid(get_conn(), current_app.config["COUNTY_CODE"], a["quarter"],
                                      a["category"], a["cell_m"], a["band_m"])
    keep = None if request.args.get("all") == "1" else (grid["count"].to_numpy() > 0) | (grid["gi_class"].to_numpy() != 0)
    features = _cells_geojson(grid.assign(gi_z=grid["gi_z"].round(4), gi_p=grid["gi_p"].round(6)),
                              ["row", "col", "township_code", "count", "gi_z", "gi_p", "gi_class"], keep)
    return jsonify({"type": "FeatureCollection", "features": features,
                    "params": {**grid.attrs["params"], "quarter": a["quarter"], "category": a["category"],
                               "cells": int(len(grid)), "cells_returned": len(features),
                               "incidents": int(len(incidents)), "fdr": "Benjamini-Hochberg",
                               "classes": {"3": "99%", "2": "95%", "1": "90%"},
                               "weights": "binary distance band, each cell its own neighbour"}})


@bp.route("/api/hotspots/density")
def api_density():
    """Kernel density (quartic kernel) of the quarter's incidents per km² on the same grid."""
    a = analysis_args()
    bandwidth = number_arg("bandwidth_m", 1000, 100, 10000)
    grid, _, incidents = quarter_grid(get_conn(), current_app.config["COUNTY_CODE"], a["quarter"],
                                      a["category"], a["cell_m"], a["band_m"])
    xy = incidents.to_crs(grid.crs).get_coordinates().to_numpy()
    density = hs.kernel_density(xy, grid[["cx", "cy"]].to_numpy(), bandwidth, per="km2")
    grid["density"] = np.round(density, 3)
    features = _cells_geojson(grid, ["row", "col", "density"], grid["density"].to_numpy() > 0)
    return jsonify({"type": "FeatureCollection", "features": features,
                    "params": {**grid.attrs["params"], "bandwidth_m": bandwidth, "kernel": "quartic",
                               "unit": "incidents per km²"}})


def village_names(conn, county: str, areas: gpd.GeoDataFrame) -> list:
    """The village holding each area's representative point (None outside every village)."""
    villages = read_frame(conn, LAYERS["villages"], county, ["name"]).to_crs(areas.crs)
    if villages.empty or areas.empty:
        return [None] * len(areas)
    points = gpd.GeoDataFrame(geometry=areas.geometry.representative_point(), crs=areas.crs)
    joined = gpd.sjoin(points, villages, predicate="within", how="left")
    joined = joined[~joined.index.duplicated()]
    return [None if isinstance(n, float) else n for n in joined["name"].reindex(points.index)]


def quarter_candidates(conn, county: str, quarter: str, category, cell_m: float, band_m: float):
    """Ranked candidate areas (significant, then quota-forced picks) in WGS 84."""
    grid, towns, incidents = quarter_grid(conn, county, quarter, category, cell_m, band_m)
    before = incidents_in(conn, county, previous_quarter(quarter), category).to_crs(grid.crs)
    previous = hs.count_incidents(grid, before)
    cats = hs.category_counts(grid, incidents.to_crs(grid.crs))
    clip = towns.union_all()
    cands = hs.candidates(grid, previous=previous, categories=cats, area_m2=clip.area, clip=clip)
    cands = hs.fill_quota(cands, grid, per_township=TOWNSHIP_REQUIRED, townships=list(towns["code"]),
                          previous=previous, categories=cats, area_m2=clip.area)
    names = dict(zip(towns["code"], towns["name"]))
    cands["township_name"] = [names.get(c) for c in cands["township_code"]]
    cands["village_name"] = village_names(conn, county, cands)
    return cands.drop(columns=["cell_ids"]).to_crs("EPSG:4326"), grid


@bp.route("/api/hotspots/candidates")
def api_candidates():
    """Candidate hotspots for the quarter, best first, with PAI, trend and driving categories."""
    a = analysis_args()
    cands, grid = quarter_candidates(get_conn(), current_app.config["COUNTY_CODE"], a["quarter"],
                                     a["category"], a["cell_m"], a["band_m"])
    cands = cands.rename(columns={"max_z": "gi_z"})
    for col in ("gi_z", "mean_z", "pai", "hit_rate", "area_m2"):
        cands[col] = cands[col].astype(float).round(4)
    doc = json.loads(cands.to_json(drop_id=True, to_wgs84=False, default=str))
    return jsonify({**doc, "params": {**grid.attrs["params"], "quarter": a["quarter"], "category": a["category"],
                                      "min_class": hs.CANDIDATE_MIN_CLASS, "ranked_by": "count"}})
