"""What each capability's requests carry, parsed once into the services' typed values.

Used by the API and the pages alike, so that a form and a JSON body are checked by the
same rules. Every refusal is an InvalidInput naming the field (answered with 400).
"""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

import pandas as pd
from flask import request
from shapely.geometry import shape

from geo import hotspots as hs
from geo.calendar import LOCAL, today
from layers.catalog import CAMERA_KINDS, INCIDENT_CATEGORIES
from layers.coverage import WhatIf
from layers.errors import InvalidInput
from web import params
from web.services.hotspots import Analysis
from web.services.patrol import RouteArgs
from web.services.remediation import Change

STOP_KINDS = ("hotspots", "schools")


def remediation_change(source: Mapping) -> Change:
    """A remediation change from a JSON body or the form."""
    return Change(status=params.text(source, "status"), note=params.text(source, "note"),
                  orderly=params.boolean(source, "orderly"), services=params.boolean(source, "services"),
                  video=params.boolean(source, "video"),
                  effective_on=params.day({"effective_on": source.get("effective_on") or source.get("confirmed_on")},
                                          "effective_on", today()),
                  version=params.integer(source, "version"))


def _proposed(cams) -> list[dict]:
    for i, cam in enumerate(cams, 1):
        if not isinstance(cam, dict):
            raise InvalidInput(f"proposed 第 {i} 台摄像机应为对象", "proposed")
        for key in ("lon", "lat"):
            try:
                float(cam[key])
            except (KeyError, TypeError, ValueError):
                raise InvalidInput(f"proposed 第 {i} 台摄像机缺少有效的 {key}", "proposed") from None
        if cam.get("kind", "fixed") not in CAMERA_KINDS:
            raise InvalidInput(f"proposed 第 {i} 台摄像机类型 '{cam.get('kind')}' 无效", "proposed")
    return cams


def what_if() -> WhatIf:
    """faulty=code,code in the query string; or JSON {faulty: [...], proposed: [...]} in a POST."""
    body = params.json_body() if request.method == "POST" else {}
    faulty = body.get("faulty") or [c for c in request.args.get("faulty", "").split(",") if c]
    proposed = body.get("proposed") or []
    if not isinstance(faulty, list) or not isinstance(proposed, list):
        raise InvalidInput("faulty 与 proposed 必须是列表", "faulty")
    return WhatIf(faulty=[str(c) for c in faulty], proposed=_proposed(proposed))


def analysis(quarter: str | None = None) -> Analysis:
    """quarter, category, cell_m, band_m of a hotspot analysis from the query string."""
    category = request.args.get("category") or None
    if category and category not in INCIDENT_CATEGORIES:
        raise InvalidInput(f"参数 category '{category}' 无效（可用：{', '.join(INCIDENT_CATEGORIES)}）", "category")
    cell_m = params.number_arg("cell_m", hs.DEFAULT_CELL_M, 100, 5000)
    band_m = params.number_arg("band_m", max(hs.DEFAULT_BAND_M, 3 * cell_m), cell_m, 20 * cell_m)
    return Analysis(quarter or params.quarter_arg(), category, cell_m, band_m)


def route_args(source: Mapping, with_start: bool = False) -> RouteArgs:
    """Stops ('hotspots,schools'), stop and shift minutes of a route plan; with
    ``with_start`` also the start time HH:MM (default 08:00) of today."""
    include = frozenset(s for s in str(source.get("stops", "hotspots,schools")).split(",") if s)
    if not include <= set(STOP_KINDS):
        raise InvalidInput("stops 只能是 hotspots、schools 或二者", "stops")
    minutes = {name: params.number(source, name, default, 0, 10_000)
               for name, default in (("stop_minutes", 15.0), ("shift_minutes", 480.0))}
    for name, value in minutes.items():
        if value <= 0:
            raise InvalidInput(f"{name} 应为正数", name)
    start = None
    if with_start:
        value = str(source.get("start") or "08:00")
        try:
            clock = datetime.strptime(value, "%H:%M")
        except ValueError:
            raise InvalidInput(f"参数 start 应为时刻 HH:MM（如 08:00），而不是 '{value}'", "start") from None
        start = pd.Timestamp(datetime.combine(today(), clock.time()), tz=LOCAL)
    return RouteArgs(include, minutes["stop_minutes"], minutes["shift_minutes"], start)


def geometry(body: Mapping, what: str = "geometry"):
    """A shapely geometry from a GeoJSON object in the body."""
    try:
        return shape(body["geometry"])
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        raise InvalidInput(f"{what} 缺失或不是有效的 GeoJSON：{err}", "geometry") from None


def hotspot_item(body: Mapping) -> dict:
    """A hotspot to put on a draft: name, level, township, unit, deadline, geometry …"""
    item = {k: body.get(k) for k in ("name", "level", "township_code", "unit", "deadline",
                                     "significant", "incident_count", "gi_z")}
    item["source"] = "candidate" if body.get("source") == "candidate" else "drawn"
    item["geometry"] = geometry(body, "geometry 面")
    return item


def route(body: Mapping) -> dict:
    """A route to save: code, name, team_code, shift and a line geometry."""
    missing = [k for k in ("code", "name", "team_code", "shift", "geometry") if not body.get(k)]
    if missing:
        raise InvalidInput(f"缺少字段：{', '.join(missing)}", missing[0])
    geom = geometry(body)
    if geom.geom_type not in ("LineString", "MultiLineString") or geom.is_empty:
        raise InvalidInput("巡逻路线必须是线（LineString）", "geometry")
    return {**{k: params.text(body, k) for k in ("code", "name", "team_code", "shift")}, "geometry": geom}


def track_points(body: Mapping) -> tuple[str, list[tuple[float, float, datetime]]]:
    """(team code, [(lon, lat, aware time)]) of a device's upload."""
    team, points = body.get("team_code"), body.get("points")
    if not team or not isinstance(team, str) or not isinstance(points, list) or not points:
        raise InvalidInput("需要 team_code 和非空的 points 列表", "points")
    out = []
    for i, p in enumerate(points, 1):
        try:
            lon, lat = float(p["lon"]), float(p["lat"])
            ts = datetime.fromisoformat(str(p["recorded_at"]).replace("Z", "+00:00"))
        except (KeyError, TypeError, ValueError) as err:
            raise InvalidInput(f"points 第 {i} 个点无效：{err}", "points") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidInput(f"points 第 {i} 个点坐标超出范围 ({lon}, {lat})", "points")
        out.append((lon, lat, ts if ts.tzinfo else ts.replace(tzinfo=LOCAL)))
    return team, out
