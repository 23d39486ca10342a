"""Coverage maps: villages by road coverage for leaders; cameras, sectors and gaps for commanders."""
from __future__ import annotations

import folium

from web.maps.shell import add_overlay, figure_parts, fit_bounds, page_map
from web.maps.tiled import ApiOverlay, add_tile_overlay, page_tile_map
from web.maps.text import safe_text
from web.numbers import distance, share

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
    m = page_map(config, deferred=True)
    add_overlay(m, "村视频覆盖（本县规则）", features, lambda p: {"color": "#555", "weight": 0.8, "fillOpacity": 0.6,
                                                        "fillColor": p["color"]}, popup="popup")
    bounds = fit_bounds(features)
    if bounds:
        m.fit_bounds(bounds)
    return figure_parts(m, layer_control=True)


def camera_map(config, county: dict, urls, assets: dict, camera_url: str, editable: bool, gaps_url: str) -> dict:
    """Cameras and their sectors coloured by status (vector tiles; a click shows the
    camera and a link to ``camera_url``, __CODE__ standing for its code), and the coverage
    gaps (GeoJSON of ``gaps_url``, fetched after the page), for the commander. Page parts.
    county: web.services.mapdata.page_county's."""
    m = page_tile_map(county, config, assets)
    add_tile_overlay(m, "townships", urls, show=True)
    add_tile_overlay(m, "camera_sectors", urls, title="可视范围（按状态，放大后显示）")
    for kind, title in GAP_TITLES:
        ApiOverlay(title, gaps_url, GAP_STYLES[kind], where={"kind": kind}).add_to(m)
    add_tile_overlay(m, "cameras", urls, title="摄像机（按状态）",
                     link={"url": camera_url, "text": "修改状态" if editable else "查看详情与历史"})
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
