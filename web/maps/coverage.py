"""Coverage maps: villages by road coverage for leaders; cameras, sectors and gaps for commanders."""
from __future__ import annotations

from typing import Callable

import folium

from layers.catalog import CAMERA_COLORS, VALUE_LABELS
from web.maps.shell import add_overlay, figure_parts, fit_bounds, page_map
from web.maps.text import safe_text
from web.numbers import degrees, distance, share

GAP_STYLES = {"road": {"color": "#d7191c", "weight": 3},
              "hotspot": {"color": "#b2182b", "fillColor": "#ef8a62", "fillOpacity": 0.5, "weight": 1},
              "school": {"color": "#762a83", "fillColor": "#c2a5cf", "fillOpacity": 0.5, "weight": 1}}
GAP_TITLES = (("road", "未覆盖路段"), ("hotspot", "乱点未覆盖部分"), ("school", "学校周边未覆盖"))


def rule_color(v: dict) -> str:
    """Green when the village meets the video rule, orange when only its main junctions or
    its number of cameras fall short, red when a 村口 or school is not seen."""
    failed = set(v.get("video_failed", ["entrances"]))
    if not failed:
        return "#1a9641"
    return "#d7191c" if failed & {"entrances", "schools"} else "#fdae61"


def _village_popup(name: str, v: dict) -> str:
    return (f"<b>{safe_text(name)}</b><br>视频覆盖（本县规则）：{'达标' if v.get('video_covered') else '未达标'}"
            f"<br>村口 {v.get('seen_entrances', 0)}/{v.get('entrances', 0)}；学校 {v.get('covered_schools', 0)}/"
            f"{v.get('schools', 0)}；主干道路口 {v.get('covered_main_junctions', 0)}/{v.get('main_junctions', 0)}；"
            f"正常摄像机 {v.get('working_cameras', 0)} 台<br>道路覆盖 {share(v.get('road_share', 0))}（参考）")


def coverage_map(config, villages: list[dict], report: dict) -> dict:
    """Villages (GeoJSON features) coloured by the video rule in ``report``. Page parts."""
    by_code = {v["code"]: v for v in report["villages"]}
    features = [{**f, "properties": {"color": rule_color(by_code.get(f["id"], {})),
                                     "popup": _village_popup(f["properties"]["name"], by_code.get(f["id"], {}))}}
                for f in villages]
    m = page_map(config)
    add_overlay(m, "村视频覆盖（本县规则）", features, lambda p: {"color": "#555", "weight": 0.8, "fillOpacity": 0.6,
                                                        "fillColor": p["color"]}, popup="popup")
    bounds = fit_bounds(features)
    if bounds:
        m.fit_bounds(bounds)
    return figure_parts(m, layer_control=True)


def _camera_popup(p: dict, link: str, editable: bool) -> str:
    return (f"<b>{safe_text(p['name'])}</b>（{safe_text(p['code'])}）<br>{VALUE_LABELS.get(p['kind'], p['kind'])}，"
            f"状态：{VALUE_LABELS.get(p['status'], p['status'])}，{'已联网' if p['networked'] else '未联网'}"
            f"<br>朝向 {degrees(p['azimuth'])}，视场 {degrees(p['fov'], bearing=False)}，"
            f"可视 {distance(p['range_m'])}<br>"
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


SEEN_COLORS = {True: "#1a9641", False: "#d7191c"}
PROPOSED_COLOR = "#2166ac"


def _points(items: list[dict], label, kind: str) -> list[dict]:
    return [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [x["lon"], x["lat"]]},
             "properties": {"seen": bool(x.get("seen")), "kind": kind, "tip": safe_text(label(x))}} for x in items]


def siting_map(config, village: list[dict], roads: list[dict], sectors: list[dict], doc: dict) -> dict:
    """A village's video check on a map: its outline and roads, the working cameras' sectors
    near it, its 村口, schools and main junctions (green seen, red not), and the proposed
    cameras with their view (blue). ``doc`` is web.services.coverage.village_siting's. Page parts."""
    from geo.coverage import entrance_name
    v = doc["village"]
    m = page_map(config)
    add_overlay(m, "行政村界", village, {"color": "#333", "weight": 2, "fill": False})
    add_overlay(m, "道路", roads, {"color": "#777", "weight": 2})
    add_overlay(m, "正常摄像机可视范围", sectors, {"color": "#1a9641", "weight": 0.5, "fillOpacity": 0.2})
    marker = folium.CircleMarker(radius=6, weight=2, fill=True, fill_opacity=0.9)
    points = (_points(v["entrances_detail"], entrance_name, "村口")
              + _points(v["schools_detail"], lambda s: f"学校：{s['name']}", "学校")
              + _points(v["main_junctions_detail"], lambda j: "主干道路口", "路口"))
    for p in points:
        p["properties"]["tip"] = f"{p['properties']['tip']}（{'在监控范围内' if p['properties']['seen'] else '未在监控范围内'}）"
    add_overlay(m, "村口、学校、主干道路口", points, lambda p: {"color": "#222", "fillColor": SEEN_COLORS[p["seen"]]},
                tooltip="tip", marker=marker)
    proposed = _points(doc["proposed"], lambda p: f"建议点位（球机，可视 {distance(p['range_m'])}）：{p['for']}", "建议")
    add_overlay(m, "建议加装的摄像机", proposed, {"color": "#fff", "fillColor": PROPOSED_COLOR}, tooltip="tip",
                marker=folium.CircleMarker(radius=7, weight=2, fill=True, fill_opacity=1))
    bounds = fit_bounds(village)
    if bounds:
        m.fit_bounds(bounds)
    return figure_parts(m, layer_control=True, collapsed=True)
