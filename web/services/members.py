"""Patrol members' own day (issue 15, item 5): the team's route and stops, their states,
check-ins with a photo and a note; the commander's list of them.

Today's stops of a team: the listed hotspots in force in its township, the schools of its
area whose school day it is by the county's school calendar (terms, holidays, 调休; 上学 and
放学 are when they matter), and the stops a saved route names. A stop is 已打卡 once a member of the team checked in there today, else 已到 when
one of today's GPS points lies within ARRIVE_M of it (a school: within its 200 m place),
else 未到. A photo is re-encoded with Pillow: turned upright, EXIF and every other
metadata dropped, at most PHOTO_MAX_PX on its longer side, JPEG.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import geopandas as gpd
import shapely
from PIL import Image, ImageOps, UnidentifiedImageError
from pyproj import Transformer

from geo.calendar import LOCAL, day_start
from layers import checkins as records
from layers import patrol as tracks
from layers.errors import InvalidInput
from web.services import school_calendar
from web.services.patrol import places

ARRIVE_M = 50.0                   # a GPS point this close to a hotspot counts as 已到
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # as uploaded: a phone camera's full-size JPEG (stored ≤ 1600 px)
PHOTO_MAX_PIXELS = 50_000_000      # refused above (a decompression bomb)
PHOTO_MAX_PX, THUMB_PX = 1600, 320
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO", "BMP"}
NOTE_MAX = 500
SCHOOL_WINDOWS = "上学 07:00–08:30 · 放学 16:30–18:00"
KIND_LABELS = {"hotspot": "乱点", "school": "学校", "route": "路线停靠点"}
STATES = {"todo": "未到", "arrived": "已到", "checked": "已打卡"}


def member_team(conn, county: str, team_code: str | None) -> dict:
    """The member's team; InvalidInput when the user has none or it is not in the county."""
    found = records.team(conn, county, team_code) if team_code else None
    if found is None:
        raise InvalidInput(f"您的账号所属巡防队 '{team_code or ''}' 不在本县，请联系管理员", "team_code")
    return found


def _stop(kind: str, code: str, name: str, area, crs, note: str = "", arrive_m: float = ARRIVE_M) -> dict:
    """A stop; ``area`` (metric) is what distances are measured to, ``place`` where a GPS
    point counts as 已到 (the area and ``arrive_m`` around it)."""
    point = gpd.GeoSeries([area.representative_point()], crs=crs).to_crs("EPSG:4326").iloc[0]
    return {"key": f"{kind}:{code}", "kind": kind, "kind_label": KIND_LABELS[kind], "code": code, "name": name,
            "lon": round(point.x, 6), "lat": round(point.y, 6), "when": note, "area": area,
            "place": area.buffer(arrive_m) if arrive_m else area}


def _route_stops(route_rows: list[dict], crs) -> list[dict]:
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    out = []
    for r in route_rows:
        for s in r["stops"]:
            x, y = to_metric.transform(s["lon"], s["lat"])
            out.append(_stop("route", s["code"], s["name"], shapely.Point(x, y), crs, f"路线 {r['name']}"))
    return out


def stops_of_day(conn, county: str, team: dict, day: date) -> tuple[list[dict], object]:
    """(the team's stops on ``day``, the metric CRS their places are in)."""
    hot, schools, crs = places(conn, county)
    stops = [_stop("hotspot", c, n, g, crs)
             for c, n, g, t in zip(hot["code"], hot["name"], hot.geometry, hot["township_code"])
             if t == team["township_code"]]
    if len(schools):
        cal = school_calendar.calendar(conn, county, day, day)  # each school's own terms, holidays, 调休
        unit = "village_code" if team["kind"] == "village_volunteer" and team["village_code"] else "township_code"
        stops += [_stop("school", c, n, g, crs, SCHOOL_WINDOWS, arrive_m=0)  # g: the 200 m place
                  for c, n, g, a in zip(schools["code"], schools["name"], schools.geometry, schools[unit])
                  if a == team[unit] and cal.is_school_day(day, c)]
    stops += _route_stops(records.route_stops(conn, county, team["code"]), crs)
    return stops, crs


def _metric(points, crs) -> list:
    if not points:
        return []
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(*zip(*points))
    return shapely.points(list(zip(x, y)))


def member_day(conn, county: str, team_code: str | None, now: datetime) -> dict:
    """What a member's page shows: the team, today's route, stops with their states and
    today's check-ins of the team."""
    team = member_team(conn, county, team_code)
    day = now.astimezone(LOCAL).date()
    start, end = day_start(day), day_start(day) + timedelta(days=1)
    stops, crs = stops_of_day(conn, county, team, day)
    cal = school_calendar.calendar(conn, county, day, day)
    done = records.of_period(conn, county, start, end, team["code"])
    checked = {f"{c['stop_kind']}:{c['stop_code']}" for c in done}
    lonlat = records.team_points(conn, county, team["code"], start, end)
    points = _metric(lonlat, crs)
    for s in stops:
        s.pop("area")
        place = s.pop("place")
        arrived = len(points) > 0 and bool(shapely.intersects(place, points).any())
        s["state"] = "checked" if s["key"] in checked else ("arrived" if arrived else "todo")
        s["state_label"] = STATES[s["state"]]
    routes = [r for r in tracks.routes(conn, county) if r["team_code"] == team["code"]]
    return {"day": day.isoformat(), "team": {k: team[k] for k in ("code", "name", "lon", "lat")},
            "school_day": cal.is_school_day(day), "school_note": cal.note(day), "routes": routes, "stops": stops,
            "trail": [[round(x, 6), round(y, 6)] for x, y in lonlat],  # today's GPS points of the team
            "checkins": [public(c) for c in done]}


def public(row: dict) -> dict:
    """A check-in as the API and the pages show it."""
    return {**row, "at": row["at"].astimezone(LOCAL).isoformat(timespec="seconds"),
            "kind_label": KIND_LABELS.get(row["stop_kind"], row["stop_kind"]),
            "distance_m": None if row["distance_m"] is None else round(row["distance_m"], 1)}


def reencode(data: bytes) -> dict:
    """A photo as stored: JPEG, upright, no metadata, at most PHOTO_MAX_PX, with a thumbnail;
    InvalidInput (field 'photo') for anything that is not a picture or is too large."""
    if len(data) > PHOTO_MAX_BYTES:
        raise InvalidInput(f"照片过大：{len(data) / 1048576:.1f} MB，最多 10 MB", "photo")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in PHOTO_FORMATS:
                raise InvalidInput(f"照片格式 {img.format} 不支持（可用 JPEG、PNG、WebP）", "photo")
            if img.width * img.height > PHOTO_MAX_PIXELS:
                raise InvalidInput("照片像素过多（最多 5000 万像素）", "photo")
            img.load()
            upright = ImageOps.exif_transpose(img).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as err:
        if isinstance(err, InvalidInput):
            raise
        raise InvalidInput("上传的文件不是可识别的图片", "photo") from None
    upright.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
    out, thumb = io.BytesIO(), io.BytesIO()
    upright.save(out, "JPEG", quality=82, optimize=True)  # no exif=: nothing of the original's metadata
    small = upright.copy()
    small.thumbnail((THUMB_PX, THUMB_PX))
    small.save(thumb, "JPEG", quality=75)
    return {"content_type": "image/jpeg", "bytes": out.getvalue(), "thumb": thumb.getvalue(),
            "width": upright.width, "height": upright.height, "original_bytes": len(data)}


def _distance(stop: dict, where, crs) -> float | None:
    """Metres from where the member was to the stop's area (0 inside it)."""
    return None if where is None else float(shapely.distance(stop["area"], _metric([where], crs)[0]))


def check_in(conn, county: str, user: tuple[int, str], team_code: str | None, form, photo: bytes | None,
             now: datetime) -> dict:
    """Store a member's check-in at one of today's stops (``form``: a schemas.members.Checkin).
    Refused with InvalidInput naming the field, nothing stored: a stop not among today's, a
    photo that is not a picture or too large."""
    team = member_team(conn, county, team_code)
    stops, crs = stops_of_day(conn, county, team, now.astimezone(LOCAL).date())
    stop = next((s for s in stops if s["key"] == form.stop), None)
    if stop is None:
        raise InvalidInput(f"'{form.stop[:60]}' 不是本队今天要巡查的点位", "stop")
    picture = reencode(photo) if photo else None
    where = (form.lon, form.lat) if form.lon is not None and form.lat is not None else None
    checkin_id = records.add(conn, county, user, team["code"], stop, now, where, form.accuracy,
                             _distance(stop, where, crs), form.note or "")
    if picture:
        records.add_photo(conn, checkin_id, picture)
    return {"id": checkin_id, "stop": stop["key"], "name": stop["name"], "photo": picture is not None}


def day_list(conn, county: str, day: date) -> list[dict]:
    """Every check-in of the county on ``day`` (local), in time order."""
    start = day_start(day)
    return [public(c) for c in records.of_period(conn, county, start, start + timedelta(days=1))]
