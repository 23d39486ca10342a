"""The planner's quarterly map (Gi* grid, density, candidates, the draft, last quarter's
hotspots) and the leaders' map of the list in force."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import shape

from layers.catalog import HOTSPOT_COLORS, VALUE_LABELS
from web.maps.shell import add_overlay, feature, figure_parts, page_map
from web.maps.text import safe_text
from web.services.quarter import density_classes

GI_COLORS = {-3: "#2166ac", -2: "#67a9cf", -1: "#d1e5f0", 0: "#f7f7f7",
             1: "#fddbc7", 2: "#ef8a62", 3: "#b2182b"}
GI_LABELS = {3: "热点（99%）", 2: "热点（95%）", 1: "热点（90%）", 0: "不显著",
             -1: "冷点（90%）", -2: "冷点（95%）", -3: "冷点（99%）"}
DENSITY_COLORS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
CANDIDATE_STYLE = {"color": "#54278f", "weight": 3, "fillColor": "#9e9ac8", "fillOpacity": 0.2}
FORCED_STYLE = {**CANDIDATE_STYLE, "weight": 2, "dashArray": "6 4", "fillOpacity": 0.08}
TOWNSHIP_STYLE = {"color": "#253494", "weight": 2, "fill": False}


def _tip(i: int, geom, tip: str, **props) -> dict:
    """A feature whose only text is ``tip`` (already escaped)."""
    return feature(geom, {"tip": tip, **props}, fid=i)


def _layer(m, title: str, features: list[dict], style, css: str, show: bool = True) -> None:
    """One overlay styled by ``style(properties)``, with class ``css`` and tooltips."""
    add_overlay(m, title, features, lambda p: {**style(p), "className": css}, tooltip="tip", show=show)


def _base_map(config, towns: gpd.GeoDataFrame):
    m = page_map(config, deferred=True)
    geoms = towns.geometry.simplify(2e-5).values
    _layer(m, "乡镇界", [_tip(i, g, safe_text(n)) for i, (g, n) in enumerate(zip(geoms, towns["name"]))],
           lambda p: TOWNSHIP_STYLE, "pl-townships")
    if len(towns):
        w, s, e, n = towns.total_bounds
        m.fit_bounds([[float(s), float(w)], [float(n), float(e)]])
    return m


def _grid_features(grid) -> list[dict]:
    keep = grid[grid["gi_class"].to_numpy() != 0]
    geoms = keep.geometry.to_crs("EPSG:4326").values
    return [_tip(i, g, f"案件 {n} 起；Gi* z = {z:.2f}；{GI_LABELS[int(k)]}", k=int(k))
            for i, (g, n, z, k) in enumerate(zip(geoms, keep["count"], keep["gi_z"], keep["gi_class"]))]


def _density_features(grid, density: np.ndarray) -> list[dict]:
    classes, labels = density_classes(density)
    out = []
    for k in range(1, len(labels) + 1):
        union = shapely.simplify(shapely.coverage_union_all(grid.geometry.values[classes == k]), 1.0)
        geom = gpd.GeoSeries([union], crs=grid.crs).to_crs("EPSG:4326").values[0]
        out.append(_tip(k, geom, f"核密度 {labels[k - 1]} 起/平方公里", k=k))
    return out


def _hotspot_features(features: list[dict], status: bool) -> list[dict]:
    out = []
    for i, f in enumerate(features):
        p = f["properties"]
        words = [p["code"], p["name"], VALUE_LABELS.get(p["level"], p["level"]), p.get("unit") or ""]
        if status:
            words.append(VALUE_LABELS.get(p["status"], p["status"]))
        out.append(_tip(i, shape(f["geometry"]), "<br>".join(safe_text(w) for w in words if w),
                        status=p.get("status") if status else None))
    return out


def _status_style(p: dict) -> dict:
    color = HOTSPOT_COLORS.get(p["status"], "#e31a1c")
    return {"color": color, "weight": 2, "fillColor": color, "fillOpacity": 0.35}


def _candidate_features(cands, rows: list[dict]) -> list[dict]:
    return [_tip(i, g, safe_text(f"第{r['rank']}名 {r['township']} {r['count']} 起"
                                 + ("" if r["significant"] else " 不显著")), rank=r["rank"], sig=r["significant"])
            for i, (g, r) in enumerate(zip(cands.geometry.values, rows))]


def planner_map(config, towns, a: dict, rows: list[dict], last: list[dict]) -> dict:
    """Gi* grid, density, candidates and last quarter's hotspots. Page parts (the page's
    script draws the draft's items over it, from the list panel)."""
    m = _base_map(config, towns)
    _layer(m, f"Gi* 热点分析（{a['period']}）", _grid_features(a["grid"]),
           lambda p: {"color": GI_COLORS[p["k"]], "weight": 0.5, "fillColor": GI_COLORS[p["k"]],
                      "fillOpacity": 0.65}, "pl-grid")
    _layer(m, f"核密度（{a['period']}）", _density_features(a["grid"], a["density"]),
           lambda p: {"stroke": False, "fillColor": DENSITY_COLORS[p["k"] - 1], "fillOpacity": 0.6},
           "pl-density", show=False)
    _layer(m, f"上季度乱点（{a['period']}，按状态）", _hotspot_features(last, True), _status_style, "pl-last")
    _layer(m, "候选乱点", _candidate_features(a["candidates"], rows),
           lambda p: CANDIDATE_STYLE if p["sig"] else FORCED_STYLE, "pl-candidate")
    return figure_parts(m, layer_control=True)


def leader_map(config, towns, features: list[dict]) -> dict:
    """The quarter's hotspots coloured by status, over the township borders. Page parts."""
    m = _base_map(config, towns)
    _layer(m, "挂牌乱点（按状态）", _hotspot_features(features, True), _status_style, "pl-last")
    return figure_parts(m, layer_control=True)
