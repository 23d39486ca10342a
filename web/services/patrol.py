"""Patrol (R5, R6, R7): staffing, visits from GPS tracks, alerts, route plans, track upload."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

from geo import patrol as pg
from geo.calendar import LOCAL
from geo.crs import utm_crs_for
from layers import hotspots as hotspot_layer
from layers import patrol as records
from layers.catalog import LAYERS
from layers.errors import FeatureNotFound, InvalidInput
from layers.features import extent
from layers.frames import hotspots_of_quarter, read_frame
from web.schemas.patrol import RouteArgs, Tracks
from web.services import school_calendar, visit_days

DEFAULT_CENTRE = (111.6, 33.8)  # lon, lat: the metric CRS when the county has no places yet


def places(conn, county_code: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, object]:
    """(listed hotspots in force, schools' 200 m places, metric CRS) in that CRS."""
    quarter = hotspot_layer.latest_quarter(conn, county_code)
    hot = hotspots_of_quarter(conn, county_code, quarter, in_force=True,
                              columns=("code", "name", "status", "township_code"))
    schools = read_frame(conn, LAYERS["schools"], county_code, ["code", "name", "township_code", "village_code"])
    ref = hot if len(hot) else schools
    if ref.empty:
        crs = utm_crs_for(*DEFAULT_CENTRE)
    else:
        c = ref.geometry.union_all().centroid
        crs = utm_crs_for(c.x, c.y)
    school_places = pg.school_places(schools.to_crs(crs)) if len(schools) else schools.to_crs(crs)
    return hot.to_crs(crs), school_places, crs


def _track_xy(lon, lat, crs) -> np.ndarray:
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return np.column_stack([x, y]) if len(lon) else np.zeros((0, 2))


def _visit_rows(result, frame, rate: dict) -> list[dict]:
    rows = []
    for r, name in zip(result.summary.to_dict("records"), frame["name"]):
        last = r["last_visit"]
        rows.append({"code": r["code"], "name": name, "visits": int(r["visits"]),
                     "dwell_min": round(float(r["dwell_min"]), 1), "long_visits": int(r["long_visits"]),
                     "longest_gap_h": round(float(r["longest_gap_h"]), 2),
                     "last_visit": None if pd.isna(last) else pd.Timestamp(last).tz_convert(LOCAL).isoformat(),
                     "presence_rate": rate.get(r["code"], 0.0)})
    return rows


NEAR_MARGIN_DEG = 1e-4   # ~10 m around a place's box: the exact test is done in metres afterwards


def place_boxes(*frames) -> np.ndarray:
    """(n, 4) lon/lat boxes of the places (GeoDataFrames in a metric CRS), a little wider."""
    boxes = [f.to_crs("EPSG:4326").bounds.to_numpy() for f in frames if len(f)]
    if not boxes:
        return np.zeros((0, 4))
    return np.vstack(boxes) + np.array([-NEAR_MARGIN_DEG, -NEAR_MARGIN_DEG, NEAR_MARGIN_DEG, NEAR_MARGIN_DEG])


def _local_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The first and last local day of [start, end)."""
    return start.astimezone(LOCAL).date(), (end - timedelta(microseconds=1)).astimezone(LOCAL).date()


def _school_rates(result, frame, cal, every: list) -> tuple[dict, dict]:
    """Schools' presence rate over their school days only ({code: rate}, {code: school days}):
    schools that follow the same terms share one count."""
    groups: dict = {}
    for code in frame["code"]:
        groups.setdefault(cal.terms_for(code), []).append(code)
    rates, counts = {}, {}
    for codes in groups.values():
        days = [d for d in every if cal.is_school_day(d, codes[0])]
        rate = pg.presence_rate(result.visits, days, places=codes)
        rates.update(zip(rate["code"], rate["rate"]))
        counts.update({c: len(days) for c in codes})
    return rates, counts


def visit_report(conn, county_code: str, start: datetime, end: datetime) -> dict:
    """Visits, dwell, longest gap and presence rate per listed hotspot and school over a period;
    ``days`` (local calendar days) and ``school_days`` (county-wide, from the school
    calendar); a school's presence rate is over its school days only.
    TooLarge when the period holds more GPS points near the places than one report may read.
    Past whole days come from their stored runs (``visit_days``: computed from their points
    and stored the first time); only points near a place are read (a visit is made of the
    points inside it); ``points`` counts every point of the period."""
    hot, schools, crs = places(conn, county_code)
    results, points = visit_days.visit_results(conn, county_code, start, end, (hot, schools, crs),
                                               place_boxes(hot, schools), _track_xy)
    return _report(conn, start, end, county_code, (hot, schools), results, points)


def warm_visits(conn, county_code: str, first: date, last: date) -> dict:
    """Store the visit runs of the settled days ``first``..``last`` not stored yet for the
    places in force (``visit_days.warm``): a report of them reads runs, not points."""
    hot, schools, crs = places(conn, county_code)
    return visit_days.warm(conn, county_code, first, last, (hot, schools, crs), place_boxes(hot, schools), _track_xy)


def report_from_points(conn, county_code: str, start: datetime, end: datetime, where: tuple, points) -> dict:
    """``visit_report`` from GPS points already read (team, time, lon, lat as ``records.tracks``)
    and the places (``places``): every point of the period gives the same answer as those near
    the places."""
    hot, schools, crs = where
    team, times, lon, lat = points
    xy = _track_xy(lon, lat, crs)
    period = (pd.Timestamp(start), pd.Timestamp(end))
    results = {key: pg.visits(team, times, xy, frame, period=period)
               for key, frame in (("hotspots", hot), ("schools", schools)) if not frame.empty}
    return _report(conn, start, end, county_code, (hot, schools), results,
                   records.count_tracks(conn, county_code, start, end))


def _report(conn, start: datetime, end: datetime, county_code: str, frames: tuple, results: dict,
            points: int) -> dict:
    """The visit report's document from the visits of each kind of place (``results``)."""
    hot, schools = frames
    first, last = _local_days(start, end)
    cal = school_calendar.calendar(conn, county_code, first, last)
    every, school_days = school_calendar.period_days(cal, first, last)
    out = {"from": start.isoformat(), "to": end.isoformat(), "points": points,
           "days": len(every), "school_days": len(school_days)}
    for key, frame in (("hotspots", hot), ("schools", schools)):
        if frame.empty:
            out[key] = []
            continue
        result = results[key]
        if key == "schools":
            rates, counts = _school_rates(result, frame, cal, every)
            out[key] = [{**r, "school_days": counts[r["code"]]} for r in _visit_rows(result, frame, rates)]
            continue
        rate = pg.presence_rate(result.visits, every, places=list(frame["code"]))
        out[key] = _visit_rows(result, frame, dict(zip(rate["code"], rate["rate"])))
    return out


def staffing(conn, county_code: str) -> dict:
    """Team strength against R7 for every township and village of the county."""
    towns, villages = records.unit_codes(conn, county_code)
    return pg.staffing(records.teams(conn, county_code), towns, villages)


def staffing_view(conn, county_code: str) -> dict:
    """R7 strength with names: townships against 15, villages short of 6 and their count."""
    doc = staffing(conn, county_code)
    town_names = dict(read_frame(conn, LAYERS["townships"], county_code, ["code", "name"])[["code", "name"]].values)
    vil = read_frame(conn, LAYERS["villages"], county_code, ["code", "name", "township_code"])
    vil_names, vil_town = dict(zip(vil["code"], vil["name"])), dict(zip(vil["code"], vil["township_code"]))
    townships = [{**t, "name": town_names.get(t["code"], t["code"])} for t in doc["townships"]]
    short = [{**v, "name": vil_names.get(v["code"], v["code"]),
              "township": town_names.get(vil_town.get(v["code"]), "")} for v in doc["villages"] if not v["met"]]
    return {"townships": townships, "villages": len(doc["villages"]), "villages_short": short,
            "villages_without_team": sum(1 for v in short if v["volunteer_members"] == 0),
            "townships_short": sum(1 for t in townships if not t["met"])}


def _stale(rows: list[dict], since: datetime) -> list[dict]:
    return [r for r in rows if r["last_visit"] is None or datetime.fromisoformat(r["last_visit"]) < since]


def alerts(conn, county_code: str, now: datetime, hours: float) -> dict:
    """Hotspots not visited in the last ``hours``, schools not visited today (on a school day
    of the school calendar: not on a holiday, a weekend or out of term, and ``school_note``
    says why, e.g. 今日非上学日（国庆节）), teams whose latest points are off their route."""
    day_start = now.astimezone(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    report = visit_report(conn, county_code, now - timedelta(hours=max(hours, 24)), now)
    day = day_start.date()
    cal = school_calendar.calendar(conn, county_code, day, day)
    school_day = cal.is_school_day(day)
    due = [r for r in report["schools"] if cal.is_school_day(day, r["code"])]
    return {"now": now.isoformat(), "hours": hours,
            "hotspots_unvisited": _stale(report["hotspots"], now - timedelta(hours=hours)),
            "school_day": school_day, "school_note": cal.note(day),
            "schools_unvisited": _stale(due, day_start),
            "teams_off_route": off_route_teams(conn, county_code, now)}


def off_route_teams(conn, county_code: str, now: datetime) -> list[dict]:
    """Teams with a route whose last points in the past hour are all farther than 50 m from it."""
    by_team: dict = {}
    for r in records.routes(conn, county_code):
        by_team.setdefault(r["team_code"], []).append(r)
    team, _times, lon, lat = records.tracks(conn, county_code, now - timedelta(hours=1), now)
    if not by_team or not len(team):
        return []
    crs = utm_crs_for(lon, lat)
    xy = _track_xy(lon, lat, crs)
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    out = []
    for code in sorted(set(team) & set(by_team)):
        line = shapely.union_all([shape(r["geometry"]) for r in by_team[code]])
        line = shapely.transform(line, lambda c: np.column_stack(to_metric.transform(c[:, 0], c[:, 1])))
        result = pg.off_route(xy[team == code], line, crs=crs)
        if result.alert:
            out.append({"team": code, "distance_m": round(float(result.distance_m[-1]), 1),
                        "share_off": round(float(result.share_off), 4)})
    return out


def team_row(conn, county_code: str, team_code: str) -> pd.Series:
    """A team's row (records.teams); FeatureNotFound when there is none."""
    teams = records.teams(conn, county_code)
    row = teams[teams["code"] == team_code]
    if row.empty:
        raise FeatureNotFound(f"没有编码为 '{team_code}' 的巡防队")
    return row.iloc[0]


def _stops(team, hot, schools, include) -> list[tuple]:
    area = "village_code" if team["kind"] == "village_volunteer" and team["village_code"] else "township_code"
    stops = []
    if "hotspots" in include and len(hot):
        sel = hot[hot["township_code"] == team["township_code"]]
        stops += [("hotspot", c, n, g.representative_point())
                  for c, n, g in zip(sel["code"], sel["name"], sel.geometry)]
    if "schools" in include and len(schools):
        sel = schools[schools[area] == team[area]]
        stops += [("school", c, n, g.centroid) for c, n, g in zip(sel["code"], sel["name"], sel.geometry)]
    return stops


def _stop_rows(plan, stops, crs) -> list[dict]:
    where = gpd.GeoSeries([p for *_, p in stops], crs=crs).to_crs("EPSG:4326")
    ordered = []
    for r in plan.stops.to_dict("records"):
        kind, code, name, _ = stops[int(r["stop"])]
        point = where.iloc[int(r["stop"])]
        item = {"order": int(r["order"]), "kind": kind, "code": code, "name": name,
                "lon": round(point.x, 6), "lat": round(point.y, 6),
                "arrival_min": round(float(r["arrival_min"]), 1), "departure_min": round(float(r["departure_min"]), 1),
                "distance_m": round(float(r["distance_m"]), 1)}
        if "arrival" in r:
            item["arrival"] = pd.Timestamp(r["arrival"]).strftime("%H:%M")
            item["departure"] = pd.Timestamp(r["departure"]).strftime("%H:%M")
        ordered.append(item)
    return ordered


def plan_for_team(conn, county_code: str, team_code: str, args: RouteArgs) -> dict:
    """A route from the team's base through the listed hotspots and schools of its area."""
    team = team_row(conn, county_code, team_code)
    if pd.isna(team["lon"]):
        raise InvalidInput(f"巡防队 {team_code} 没有驻地位置，无法规划路线", "team")
    hot, schools, crs = places(conn, county_code)
    stops = _stops(team, hot, schools, args.include)
    if not stops:
        raise InvalidInput(f"巡防队 {team_code} 的辖区内没有挂牌乱点或学校可作为停靠点", "team")
    roads = read_frame(conn, LAYERS["roads"], county_code, ["code"]).to_crs(crs)
    start = _track_xy(np.array([team["lon"]]), np.array([team["lat"]]), crs)[0]
    try:
        plan = pg.plan_route(roads, start, np.array([[p.x, p.y] for *_, p in stops]),
                             stop_minutes=args.stop_minutes, shift_minutes=args.shift_minutes,
                             start_time=args.start_time, crs=crs)
    except ValueError as err:
        raise InvalidInput(f"无法规划路线：{err}", "team") from None
    geom = gpd.GeoSeries([plan.geometry], crs=crs).to_crs("EPSG:4326").iloc[0]
    return {"team": team_code, "team_name": team["name"], "geometry": mapping(geom),
            "length_m": round(plan.length_m, 1), "travel_min": round(plan.travel_min, 1),
            "duration_min": round(plan.duration_min, 1), "fits_shift": bool(plan.fits_shift),
            "method": plan.method, "stops": _stop_rows(plan, stops, crs),
            "stop_minutes": args.stop_minutes, "shift_minutes": args.shift_minutes}


def require_team(conn, county_code: str, team_code: str) -> None:
    """InvalidInput (naming team_code) unless the county has that team."""
    if team_code not in set(records.teams(conn, county_code)["code"]):
        raise InvalidInput(f"没有编码为 '{team_code}' 的巡防队", "team_code")


def save_route(conn, county_code: str, route: dict, props: dict) -> tuple[int, int]:
    """Store a route {code, name, team_code, shift, geometry (shapely, WGS 84)} for a team."""
    require_team(conn, county_code, route["team_code"])
    return records.save_route(conn, county_code, route["code"], route["name"], route["team_code"],
                              route["shift"], route["geometry"], props)


def add_tracks(conn, county_code: str, tracks: Tracks) -> tuple[int, int]:
    """Store a device's GPS points for a team, one per moment (a point sent twice — phones
    resend after a dead zone — is kept once, the last sent); (added, updated)."""
    require_team(conn, county_code, tracks.team_code)
    points = {pd.Timestamp(p.recorded_at).tz_convert(LOCAL): p for p in tracks.points}
    rows = [{"team_code": tracks.team_code, "recorded_at": ts, "code": f"{tracks.team_code}@{ts.isoformat()}",
             "township_code": None, "village_code": None, "props": {}} for ts in points]
    frame = gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy([p.lon for p in points.values()],
                                                                [p.lat for p in points.values()]), crs="EPSG:4326")
    return records.add_track_points(conn, county_code, frame)


def latest_track_day(conn, county_code: str, today: date) -> date:
    """The latest local day with GPS points, else ``today``."""
    interval = extent(conn, LAYERS["patrol_tracks"], county_code)["interval"]
    return interval[1].astimezone(LOCAL).date() if interval else today


VISIT_DAYS = 7  # the commander's page shows a week of visits


def day_window(day: date, now: datetime) -> tuple[datetime, datetime]:
    """(local start of ``day``, its end: ``now`` when it is today, else its last microsecond)."""
    start = datetime.combine(day, datetime.min.time(), LOCAL)
    return start, now if now.date() == day else start + timedelta(days=1) - timedelta(microseconds=1)


def patrol_day(conn, county_code: str, day: date, now: datetime) -> dict:
    """What the commander sees for ``day``: alerts, visits in the 24 hours up to its end and
    in the week, staffing, teams, the day's tracks, routes and the places to visit."""
    day_start, end = day_window(day, now)
    teams = records.teams(conn, county_code)
    names = dict(zip(teams["code"], teams["name"]))
    hot, schools, _crs = places(conn, county_code)
    found = alerts(conn, county_code, end, 24.0)
    for t in found["teams_off_route"]:
        t["name"] = names.get(t["team"], t["team"])
    return {"day": day, "now": end, "today": day == now.date(), "alerts": found,
            "recent": visit_report(conn, county_code, end - timedelta(hours=24), end),
            "week": visit_report(conn, county_code, day_start - timedelta(days=VISIT_DAYS - 1), end),
            "staffing": staffing_view(conn, county_code),
            "teams": teams, "names": names, "hot": hot, "schools": schools,
            "tracks": records.tracks(conn, county_code, day_start, end),
            "routes": records.routes(conn, county_code)}


def team_distances(tracks: tuple, names: dict) -> list[dict]:
    """Each team's day from its GPS points (``records.tracks``, ordered by team and time):
    points, first and last time (local HH:MM), and the distance between successive points
    in metres."""
    team, times, lon, lat = tracks
    if not len(team):
        return []
    xy = _track_xy(lon, lat, utm_crs_for(lon, lat))
    rows = []
    for code in sorted(set(team)):
        sel = np.asarray(team == code)
        pts, stamps = xy[sel], times[sel]
        steps = np.hypot(*np.diff(pts, axis=0).T) if len(pts) > 1 else np.zeros(0)
        rows.append({"team": code, "name": names.get(code, code), "points": int(sel.sum()),
                     "first": f"{stamps[0].tz_convert(LOCAL):%H:%M}", "last": f"{stamps[-1].tz_convert(LOCAL):%H:%M}",
                     "distance_m": round(float(steps.sum()), 1)})
    return rows
