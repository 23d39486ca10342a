"""The commander's first screen (issue 12): what needs action now. Teams off their route,
listed hotspots and schools not visited, cameras that went faulty or offline in the past
week; each with where it is (to locate it on the map) and the team that should act."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd

from layers import camera_list
from layers import patrol as records
from layers.catalog import VALUE_LABELS
from web.services import patrol
from web.services.cameras import distance

CAMERA_DAYS = 7          # a camera that went faulty or offline in this many days is an alert
CAMERA_ALERTS = 40       # at most this many of them listed (the newest): the rest in the camera list
KIND_LABELS = {"team": "偏离路线", "hotspot": "乱点未巡", "school": "学校未巡", "camera": "摄像机"}


def _lonlat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.to_crs(4326) if len(frame) else frame


def _where(geom) -> dict:
    """Where an alert is: a point (lat, lon) and, for an area, its bounds [[s, w], [n, e]]."""
    c = geom.representative_point() if geom.geom_type != "Point" else geom
    out = {"lat": round(c.y, 6), "lon": round(c.x, 6), "bounds": None}
    if geom.geom_type != "Point":
        w, s, e, n = geom.bounds
        out["bounds"] = [[round(s, 6), round(w, 6)], [round(n, 6), round(e, 6)]]
    return out


def responsible_team(teams: pd.DataFrame, township: str | None, lon: float, lat: float) -> str | None:
    """The township's full-time team with a base; else the team whose base is nearest."""
    based = teams[teams["lon"].notna()]
    own = based[(based["kind"] == "township_fulltime") & (based["township_code"] == township)]
    if len(own):
        return own["code"].iloc[0]
    if based.empty:
        return None
    scale = np.cos(np.radians(lat))   # nearest by an equirectangular distance: enough to choose
    d2 = ((based["lon"].to_numpy() - lon) * scale) ** 2 + (based["lat"].to_numpy() - lat) ** 2
    return based["code"].iloc[int(np.argmin(d2))]


def _place_alerts(kind: str, rows: list[dict], frame: gpd.GeoDataFrame, teams: pd.DataFrame) -> list[dict]:
    frame = _lonlat(frame).set_index("code") if len(frame) else frame
    out = []
    for r in rows:
        if r["code"] not in frame.index:
            continue
        place = frame.loc[r["code"]]
        where = _where(place.geometry)
        seen = r["last_visit"][5:16].replace("T", " ") if r["last_visit"] else None
        out.append({"kind": kind, "code": r["code"], "name": r["name"], **where,
                    "what": f"最近到访 {seen}" if seen else "近24小时无人到访", "when": r["last_visit"],
                    "team": responsible_team(teams, place.get("township_code"), where["lon"], where["lat"])})
    return out


def _team_alerts(rows: list[dict], teams: pd.DataFrame, last: dict) -> list[dict]:
    names = dict(zip(teams["code"], teams["name"]))
    bases = {c: (x, y, None) for c, x, y in zip(teams["code"], teams["lon"], teams["lat"]) if pd.notna(x)}
    out = []
    for r in rows:
        lon, lat, when = last.get(r["team"]) or bases.get(r["team"], (None, None, None))
        out.append({"kind": "team", "code": r["team"], "name": names.get(r["team"], r["team"]),
                    "lat": lat, "lon": lon, "bounds": None, "team": r["team"], "when": when,
                    "what": f"距路线 {distance(r['distance_m'])}，近1小时 {r['share_off'] * 100:.1f}% 的定位点偏离"})
    return out


def _camera_alerts(rows: list[dict]) -> list[dict]:
    return [{"kind": "camera", "code": r["code"], "name": r["name"], "lat": round(r["lat"], 6),
             "lon": round(r["lon"], 6), "bounds": None, "team": None, "when": r["recorded_at"],
             "what": (f"{r['recorded_at'][5:16].replace('T', ' ')} 由{VALUE_LABELS.get(r['before_status'], '')}"
                      f"变为{VALUE_LABELS.get(r['after_status'], r['after_status'])}"
                      + (f"（{r['township_name']}）" if r["township_name"] else ""))} for r in rows]


def last_positions(tracks) -> dict:
    """{team: (lon, lat, ISO time)} of each team's last GPS point among ``tracks``."""
    team, times, lon, lat = tracks
    out = {}
    for i in range(len(team)):   # ordered by team and time: the last one wins
        out[team[i]] = (round(float(lon[i]), 6), round(float(lat[i]), 6), pd.Timestamp(times[i]).isoformat())
    return out


def first_screen(conn, county_code: str, day: date, now: datetime) -> dict:
    """Alerts (teams off route, hotspots and schools not visited in the 24 hours up to the
    end of ``day``, cameras gone faulty or offline in the week before it and still so),
    counts, and what the map draws: hotspots by visit status, routes, the day's tracks."""
    day_start, end = patrol.day_window(day, now)
    teams = records.teams(conn, county_code)
    hot, schools, _crs = patrol.places(conn, county_code)
    found = patrol.alerts(conn, county_code, end, 24.0)
    tracks = records.tracks(conn, county_code, day_start, end)
    problems, cams = camera_list.recent_problems(conn, county_code, end - timedelta(days=CAMERA_DAYS))
    alerts = (_team_alerts(found["teams_off_route"], teams, last_positions(tracks))
              + _place_alerts("hotspot", found["hotspots_unvisited"], hot, teams)
              + _place_alerts("school", found["schools_unvisited"], schools, teams)
              + _camera_alerts(cams[:CAMERA_ALERTS]))
    counts = {k: sum(1 for a in alerts if a["kind"] == k) for k in KIND_LABELS}
    return {"day": day, "now": end, "today": day == now.date(), "alerts": alerts, "counts": counts,
            "school_day": found["school_day"], "school_note": found["school_note"], "cameras_problem": problems, "camera_days": CAMERA_DAYS,
            "cameras_recent": len(cams),
            "teams": teams, "hot": hot, "tracks": tracks,
            "recent": patrol.visit_report(conn, county_code, end - timedelta(hours=24), end)}



def day_lines(conn, county_code: str, day: date, now: datetime) -> dict:
    """The teams, their GPS points of ``day`` (up to now for today) and their routes."""
    day_start, end = patrol.day_window(day, now)
    return {"teams": records.teams(conn, county_code), "tracks": records.tracks(conn, county_code, day_start, end),
            "routes": records.routes(conn, county_code)}
