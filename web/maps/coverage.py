"""Coverage maps: villages by road coverage for leaders; cameras, sectors and gaps for commanders."""
from __future__ import annotations

from typing import Callable

import folium

from layers.catalog import CAMERA_COLORS, VALUE_LABELS
from web.maps.shell import add_overlay, figure_parts, fit_bounds, page_map
from web.maps.text import safe_text

GAP_STYLES = {"road": {"color": "#d7191c", "weight": 3},
              "hotspot": {"color": "#b2182b", "fillColor": "#ef8a62", "fillOpacity": 0.5, "weight": 1},
              "school": {"color": "#762a83", "fillColor": "#c2a5cf", "fillOpacity": 0.5, "weight": 1}}
GAP_TITLES = (("road", "未覆盖路段"), ("hotspot", "乱点未覆盖部分"), ("school", "学校周边未覆盖"))


def share_color(share: float) -> str:
    """Green at full coverage through yellow to red at none."""
    if share >= 0.8:
        return "#1a9641"
    if share >= 0.5:
        return "#a6d96a"
    if share >= 0.3:
        return "#fdae61"
    return "#d7191c"


def _village_popup(name: str, v: dict) -> str:
    return (f"<b>{safe_text(name)}</b><br>道路 {v.get('road_m', 0) / 1000:.1f} 公里，覆盖 "
            f"{v.get('road_share', 0):.0%}<br>路口 {v.get('covered_junctions', 0)}/{v.get('junctions', 0)}；"
            f"学校 {v.get('covered_schools', 0)}/{v.get('schools', 0)}<br>视频覆盖（R2）："
            f"{'达标' if v.get('video_covered') else '未达标'}")


def coverage_map(config, villages: list[dict], report: dict) -> dict:
    """Villages (GeoJSON features) coloured by the road coverage in ``report``. Page parts."""
    by_code = {v["code"]: v for v in report["villages"]}
    features = [{**f, "properties": {"share": by_code.get(f["id"], {}).get("road_share", 0),
                                     "popup": _village_popup(f["properties"]["name"], by_code.get(f["id"], {}))}}
                for f in villages]
    m = page_map(config)
    add_overlay(m, "村道路视频覆盖率", features, lambda p: {"color": "#555", "weight": 0.8, "fillOpacity": 0.6,
                                                     "fillColor": share_color(p["share"])}, popup="popup")
    bounds = fit_bounds(features)
    if bounds:
        m.fit_bounds(bounds)
    return figure_parts(m, layer_control=True)


def _camera_popup(p: dict, link: str, editable: bool) -> str:
    return (f"<b>{safe_text(p['name'])}</b>（{safe_text(p['code'])}）<br>{VALUE_LABELS.get(p['kind'], p['kind'])}，"
            f"状态：{VALUE_LABELS.get(p['status'], p['status'])}，{'已联网' if p['networked'] else '未联网'}"
            f"<br>朝向 {p['azimuth'] if p['azimuth'] is not None else '—'}°，视场 {p['fov']}°，"
            f"可视 {p['range_m']} 米<br>"
            f"<a href=\"{safe_text(link)}\">{'修改状态' if editable else '查看详情与历史'}</a>")


def camera_map(config, townships: list[dict], cameras: list[dict], sectors: dict, gaps: list[dict],
               camera_url: Callable[[str], str], editable: bool) -> dict:
    """Cameras and their sectors ({code: GeoJSON geometry}) coloured by status, and the
    coverage gaps, for the commander. Page parts."""
    m = page_map(config, townships)
    points, sector_features = [], []
    for f in cameras:
        p = f["properties"]
        props = {"status": p["status"], "popup": _camera_popup(p, camera_url(p["code"]), editable)}
        points.append({**f, "properties": props})
        if sectors.get(p["code"]):
            sector_features.append({"type": "Feature", "geometry": sectors[p["code"]], "properties": props})
    add_overlay(m, "可视范围（按状态）", sector_features,
                lambda p: {"color": CAMERA_COLORS[p["status"]], "weight": 0.5, "fillColor": CAMERA_COLORS[p["status"]], "fillOpacity": 0.25})
    for kind, title in GAP_TITLES:
        add_overlay(m, title, [g for g in gaps if g["properties"]["kind"] == kind], GAP_STYLES[kind])
    add_overlay(m, "摄像机（按状态）", points, lambda p: {"color": "#333", "fillColor": CAMERA_COLORS[p["status"]]}, popup="popup",
                marker=folium.CircleMarker(radius=4, weight=1, fill=True, fill_opacity=0.9))
    bounds = fit_bounds(points)
    if bounds:
        m.fit_bounds(bounds)
    return figure_parts(m, layer_control=True)
