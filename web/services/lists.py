"""Hotspots and patrol teams as lists beside the maps (issue 12): one page of rows for
people (numbers rounded for them: 1.2 km, 0.8 公顷), every matching row as CSV or XLSX."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo import patrol as pg
from layers import hotspot_table
from layers import patrol as records
from layers.catalog import LAYERS, VALUE_LABELS
from layers.frames import read_frame
from web.services import County, patrol
from web.services.cameras import distance
from web.services.exports import table_xlsx

PAGE_SIZE = 100
EXPORT_MAX = 100_000
SOURCE_LABELS = {"candidate": "分析候选", "drawn": "手绘", "picked": "选取", "point": "点选",
                 "carried_over": "上季度延续", "imported": "导入"}
HOTSPOT_HEAD = ["编码", "名称", "季度", "级别", "状态", "来源", "乡镇", "责任单位", "整治期限", "面积", "延续自", "经度", "纬度"]
TEAM_HEAD = ["编码", "名称", "类型", "乡镇", "村", "队员", "所在单位队员/要求", "力量", "当天里程", "到访乱点", "到访学校",
             "最后定位", "偏离路线", "经度", "纬度"]
TRACK_GAP_S = 15 * 60    # a longer gap between GPS points is not driven: not counted in the distance


def area(m2) -> str:
    """0.8 公顷 under a square kilometre, else 1.2 km²."""
    if m2 is None:
        return "—"
    return f"{m2 / 1e6:.1f} km²" if m2 >= 1e6 else f"{m2 / 1e4:.1f} 公顷"


def _page(rows: list[dict], total: int, page: int) -> dict:
    return {"total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)), "page_size": PAGE_SIZE,
            "rows": rows}


def _csv(head: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(head)
    writer.writerows(rows)
    return "\ufeff" + buf.getvalue()


# --- hotspots -----------------------------------------------------------------------------

def hotspot_for_people(row: dict) -> dict:
    return {**row, "level_label": VALUE_LABELS.get(row["level"], row["level"]),
            "status_label": VALUE_LABELS.get(row["status"], row["status"]),
            "source_label": SOURCE_LABELS.get(row["source"], row["source"] or "—"), "area_text": area(row["area_m2"])}


def _hotspots(conn, county_code: str, q, limit: int, offset: int) -> tuple[int, list[dict]]:
    total, rows = hotspot_table.hotspots(conn, county_code, q.filters(), q.sort, q.order == "desc", limit, offset)
    return total, [hotspot_for_people(r) for r in rows]


def hotspot_page(conn, county_code: str, q) -> dict:
    """One page of the hotspot list: {total, page, pages, page_size, rows}."""
    total, rows = _hotspots(conn, county_code, q, PAGE_SIZE, (q.page - 1) * PAGE_SIZE)
    return _page(rows, total, q.page)


def _hotspot_table(conn, county_code: str, q) -> list[list]:
    return [[r["code"], r["name"], r["quarter"], r["level_label"], r["status_label"], r["source_label"],
             r["township_name"] or "", r["unit"] or "", r["deadline"] or "", r["area_text"], r["carried_from"] or "",
             round(r["lon"], 6), round(r["lat"], 6)] for r in _hotspots(conn, county_code, q, EXPORT_MAX, 0)[1]]


def hotspot_csv(conn, county_code: str, q) -> str:
    """Every matching hotspot as CSV with a BOM (Excel reads it as UTF-8)."""
    return _csv(HOTSPOT_HEAD, _hotspot_table(conn, county_code, q))


def hotspot_xlsx(conn, county_code: str, county: County, q, today: str) -> bytes:
    return table_xlsx("治安乱点", f"{county.name}治安乱点清单（{today}）", HOTSPOT_HEAD,
                      _hotspot_table(conn, county_code, q))


def quarters(conn, county_code: str) -> list[str]:
    return hotspot_table.quarters(conn, county_code)


# --- teams --------------------------------------------------------------------------------

def _distances(team, times, xy) -> dict:
    """Metres along each team's GPS points (ordered by team and time), gaps over TRACK_GAP_S left out."""
    if not len(team):
        return {}
    step = np.hypot(*np.diff(xy, axis=0).T)
    same = (team[1:] == team[:-1]) & (np.asarray((times[1:] - times[:-1]).total_seconds()) <= TRACK_GAP_S)
    return pd.Series(np.where(same, step, 0.0)).groupby(team[1:]).sum().to_dict() if len(step) else {}


def _visits(team, times, xy, frame) -> dict:
    if frame.empty or not len(team):
        return {}
    return pg.visits(team, times, xy, frame).visits.groupby("team").size().to_dict()


def _day_figures(conn, county_code: str, day: date, now: datetime) -> dict:
    """Per team on ``day``: distance, visits to hotspots and schools, last GPS time; and
    the teams off route at the day's end (now for today)."""
    start, end = patrol.day_window(day, now)
    hot, schools, crs = patrol.places(conn, county_code)
    team, times, lon, lat = records.tracks(conn, county_code, start, end)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    xy = np.column_stack([x, y]) if len(team) else np.zeros((0, 2))
    last = {team[i]: times[i] for i in range(len(team))}
    return {"distance": _distances(team, times, xy), "hot": _visits(team, times, xy, hot),
            "schools": _visits(team, times, xy, schools), "last": last,
            "off": {r["team"]: r for r in patrol.off_route_teams(conn, county_code, end)}}


def _unit(row, towns: dict, villages: dict) -> dict:
    unit = towns.get(row["township_code"]) if row["kind"] == "township_fulltime" else villages.get(row["village_code"])
    members = unit["fulltime_members" if row["kind"] == "township_fulltime" else "volunteer_members"] if unit else 0
    required = unit["required"] if unit else 0
    return {"unit_members": int(members), "required": int(required), "staffing_met": bool(unit and unit["met"]),
            "staffing_text": f"{members}/{required}"}


def team_rows(conn, county_code: str, day: date, now: datetime) -> list[dict]:
    """Every team with its staffing against R7, its day's distance, visits, last position
    time and whether it is off its route."""
    teams = records.teams(conn, county_code)
    doc = patrol.staffing(conn, county_code)
    towns = {t["code"]: t for t in doc["townships"]}
    villages = {v["code"]: v for v in doc["villages"]}
    town_names = dict(read_frame(conn, LAYERS["townships"], county_code, ["code", "name"])[["code", "name"]].values)
    vil_names = dict(read_frame(conn, LAYERS["villages"], county_code, ["code", "name"])[["code", "name"]].values)
    fig = _day_figures(conn, county_code, day, now)
    out = []
    for r in teams.to_dict("records"):
        code, seen = r["code"], fig["last"].get(r["code"])
        metres = fig["distance"].get(code)
        out.append({"code": code, "name": r["name"], "kind": r["kind"], "kind_label": VALUE_LABELS.get(r["kind"]),
                    "township_code": r["township_code"], "township_name": town_names.get(r["township_code"], ""),
                    "village_name": vil_names.get(r["village_code"], ""), "members": int(r["members"]),
                    **_unit(r, towns, villages), "distance_m": None if metres is None else round(float(metres)),
                    "distance_text": distance(metres) if metres is not None else "—",
                    "visits_hotspots": int(fig["hot"].get(code, 0)), "visits_schools": int(fig["schools"].get(code, 0)),
                    "last_seen": None if seen is None else pd.Timestamp(seen).isoformat(),
                    "last_seen_text": "—" if seen is None else f"{pd.Timestamp(seen):%m-%d %H:%M}",
                    "off_route": code in fig["off"], "off_route_text": "偏离" if code in fig["off"] else "",
                    "lon": None if pd.isna(r["lon"]) else round(float(r["lon"]), 6),
                    "lat": None if pd.isna(r["lat"]) else round(float(r["lat"]), 6)})
    return out


TEAM_SORT_KEYS = {"code": "code", "name": "name", "kind": "kind", "township": "township_name", "members": "members",
                  "staffing": "staffing_met", "distance": "distance_m", "visits": "visits_hotspots",
                  "last_seen": "last_seen", "off_route": "off_route"}


def _matching_teams(rows: list[dict], q) -> list[dict]:
    keep = [r for r in rows if (q.township is None or r["township_code"] == q.township)
            and (q.kind is None or r["kind"] == q.kind)
            and (q.staffing is None or r["staffing_met"] == (q.staffing == "met"))
            and (q.off_route is None or r["off_route"] == (q.off_route == "1"))]
    key = TEAM_SORT_KEYS[q.sort]
    keep.sort(key=lambda r: r["code"])
    present = sorted((r for r in keep if r[key] is not None), key=lambda r: r[key], reverse=q.order == "desc")
    return present + [r for r in keep if r[key] is None]          # the unknown last either way


def team_page(rows: list[dict], q) -> dict:
    """One page of the team list from ``team_rows``: filtered, sorted."""
    keep = _matching_teams(rows, q)
    return _page(keep[(q.page - 1) * PAGE_SIZE:q.page * PAGE_SIZE], len(keep), q.page)


def _team_table(rows: list[dict], q) -> list[list]:
    return [[r["code"], r["name"], r["kind_label"], r["township_name"], r["village_name"], r["members"],
             r["staffing_text"], "达标" if r["staffing_met"] else "不足", r["distance_text"], r["visits_hotspots"],
             r["visits_schools"], r["last_seen_text"], "是" if r["off_route"] else "否", r["lon"] or "", r["lat"] or ""]
            for r in _matching_teams(rows, q)]


def team_csv(rows: list[dict], q) -> str:
    return _csv(TEAM_HEAD, _team_table(rows, q))


def team_xlsx(rows: list[dict], county: County, q, day: date) -> bytes:
    return table_xlsx("巡防队", f"{county.name}巡防队清单（{day}）", TEAM_HEAD, _team_table(rows, q))


def latest_day(conn, county_code: str, today: date) -> date:
    return patrol.latest_track_day(conn, county_code, today)

