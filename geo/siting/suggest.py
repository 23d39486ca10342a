"""``suggest_cameras``: k new cameras along roads that add the most covered road and hotspot area.

Takes the inputs in any one CRS, works in a projected CRS in metres, answers in the inputs' CRS.
"""
from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import metric_crs_for, shared_crs
from geo.lines import line_parts
from geo.siting.demand import HOTSPOT_WEIGHT, demand_points
from geo.siting.sites import candidate_sites, coverage_matrix
from geo.siting.solve import greedy_siting


class Suggestion(NamedTuple):
    cameras: gpd.GeoDataFrame
    curve: pd.DataFrame


def suggest_cameras(roads: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame | None,
                    existing_sectors: gpd.GeoDataFrame | None, k: int, kind: str = "fixed",
                    fov: float = 90.0, range_m: float = 100.0, crs=None, *, spacing_m: float = 50.0,
                    road_step_m: float = 10.0, area_step_m: float = 20.0,
                    hotspot_weight: float = HOTSPOT_WEIGHT, across: bool = False) -> Suggestion:
    """Suggest k new cameras along roads that add the most covered road and hotspot area.

    roads, hotspots, existing_sectors (as in ``demand_points``; hotspots and existing may
    be None) share one CRS, any (ValueError otherwise). crs: the projected metre CRS to
    work in (default: the roads' UTM zone, ``geo.crs.metric_crs_for``); ValueError if
    geographic. Existing working cameras stay. Returns ``Suggestion(cameras, curve)``:

    cameras: Points in the inputs' CRS, in the order picked, with ``rank`` (1..),
    ``kind``, ``azimuth`` (degrees clockwise from grid north of ``crs``; NaN for dome/PTZ),
    ``fov`` (degrees), ``range_m``, ``gain_road_m`` (metres of road newly covered),
    ``gain_hotspot_m2``, ``gain`` (objective: road m + hotspot_weight * m²) and
    ``cumulative`` (objective so far). Fewer than k when more cameras add nothing.
    curve: one row per budget 0..n with ``cameras``, ``cumulative``, ``road_m`` and
    ``hotspot_m2`` newly covered so far, and ``road_share``/``hotspot_share``: the share
    of all road length / hotspot area covered, existing cameras included.
    """
    frames = {"roads": roads, "hotspots": hotspots, "existing_sectors": existing_sectors}
    src = shared_crs(**frames)
    work = metric_crs_for(roads, crs)
    r, h, e = (None if f is None else f.to_crs(work) for f in frames.values())
    demand = demand_points(r, h, e, road_step_m, area_step_m, hotspot_weight)
    cands = candidate_sites(r, spacing_m, kind, fov, range_m, across)
    matrix = coverage_matrix(cands, demand)
    result = greedy_siting(matrix, demand["weight"].to_numpy(), k)
    road_gain, hot_gain = _gains_by_kind(matrix, demand, result.chosen)
    cameras = cands.iloc[result.chosen].drop(columns="site").reset_index(drop=True)
    cameras.insert(0, "rank", np.arange(1, len(cameras) + 1))
    cameras = cameras.assign(gain_road_m=road_gain, gain_hotspot_m2=hot_gain,
                             gain=result.gains, cumulative=result.cumulative).to_crs(src)
    return Suggestion(cameras, _curve(r, h, demand, result.cumulative, road_gain, hot_gain))


def _curve(roads, hotspots, demand, cumulative, road_gain, hot_gain) -> pd.DataFrame:
    """Coverage against budget 0..n: newly covered amounts and shares of all road / hotspot."""
    total_road = shapely.length(line_parts(roads.geometry.values)).sum()
    total_hot = shapely.union_all(hotspots.geometry.values).area if hotspots is not None else 0.0
    is_road = (demand["kind"] == "road").to_numpy()
    road_m = np.concatenate([[0.0], np.cumsum(road_gain)])
    hot_m2 = np.concatenate([[0.0], np.cumsum(hot_gain)])
    before_road = total_road - demand["amount"].to_numpy()[is_road].sum()  # seen by existing cameras
    before_hot = total_hot - demand["amount"].to_numpy()[~is_road].sum()
    share = (lambda before, new, total: np.clip((before + new) / total, 0, 1) if total else new * 0)
    return pd.DataFrame({"cameras": np.arange(len(road_m)), "cumulative": np.concatenate([[0.0], cumulative]),
                         "road_m": road_m, "hotspot_m2": hot_m2,
                         "road_share": share(before_road, road_m, total_road),
                         "hotspot_share": share(before_hot, hot_m2, total_hot)})


def _gains_by_kind(matrix, demand: gpd.GeoDataFrame, chosen):
    """Road metres and hotspot m² each chosen candidate newly covers, in order."""
    amount = demand["amount"].to_numpy()
    is_road = (demand["kind"] == "road").to_numpy()
    covered = np.zeros(len(demand), dtype=bool)
    road, hot = [], []
    for j in chosen:
        cols = matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]]
        new = cols[~covered[cols]]
        covered[new] = True
        road.append(amount[new][is_road[new]].sum()), hot.append(amount[new][~is_road[new]].sum())
    return np.asarray(road, dtype=float), np.asarray(hot, dtype=float)
