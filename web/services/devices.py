"""Patrol phones (issue 15): register and revoke devices, take the fixes they report, and
the commander's live view of teams, trails and events. No Flask: the adapters (the OsmAnd
endpoint, the devices page and API, the CLI) pass plain values.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from geo.calendar import LOCAL
from layers import audit
from layers import devices as records
from layers import live
from layers.errors import InvalidInput
from web.schemas.osmand import DeviceNew, Fix
from web.services import patrol

TOKEN_BYTES = 18  # 24 URL-safe characters
TRAIL_MINUTES = 15  # the live trail's reach back: the page's day tracks (built at load) hold the rest


def phone_url(base: str, token: str) -> str:
    """The URL to set as the server address in the phone's app."""
    return f"{base.rstrip('/')}/osmand/{token}"


def register(conn, county: str, new: DeviceNew, actor: str | None, address: str | None = None) -> tuple[dict, str]:
    """Register a device for a team of the county; (its row, its token — shown this once).
    Does not commit."""
    patrol.require_team(conn, county, new.team_code)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = records.add(conn, county, new.device_id, new.team_code, records.hash_token(token), new.label or "", actor)
    audit.record(conn, "device_added", actor=actor, target=new.device_id, address=address,
                 after={"county": county, "team": new.team_code, "label": new.label or "", "id": row["id"]})
    return row, token


def revoke(conn, county: str, ident: int, actor: str | None, address: str | None = None) -> dict:
    """Stop a device's token from working; FeatureNotFound when the county has no such device."""
    row = records.revoke(conn, county, ident, actor)
    audit.record(conn, "device_revoked", actor=actor, target=row["device_id"], address=address,
                 after={"county": county, "team": row["team_code"], "id": ident})
    return row


def listing(conn, county: str) -> list[dict]:
    return records.listing(conn, county)


def revoke_by_device_id(conn, county: str, device_id: str, actor: str | None) -> dict:
    """Revoke the device in use with this id in the county (the CLI names devices by id)."""
    for row in records.listing(conn, county):
        if row["device_id"] == device_id and row["revoked_at"] is None:
            return revoke(conn, county, row["id"], actor)
    raise InvalidInput(f"本县没有在用的设备 '{device_id}'", "device_id")


def take_fixes(conn, device: records.Device, fixes: list[Fix], max_accuracy_m: float) -> tuple[int, list]:
    """Store a device's fixes and the events they imply; (points added, events)."""
    return records.store_fixes(conn, device, [f.model_dump() for f in fixes], max_accuracy_m)


def _day(now: datetime) -> tuple[datetime, datetime]:
    start = datetime.combine(now.astimezone(LOCAL).date(), datetime.min.time(), LOCAL)
    return start, start + timedelta(days=1)


EVENT_WORDS = {("arrive", "hotspot"): "到达挂牌乱点", ("leave", "hotspot"): "离开挂牌乱点",
               ("arrive", "school"): "到达学校周边", ("leave", "school"): "离开学校周边"}


def _team(fix: dict, now: datetime, silent_s: float) -> dict:
    age = max(0.0, (now - fix["at"]).total_seconds())
    return {"code": fix["team"], "name": fix["name"], "lon": round(fix["lon"], 6), "lat": round(fix["lat"], 6),
            "at": fix["at"].astimezone(LOCAL).isoformat(), "age_s": round(age), "silent": age > silent_s,
            "battery": fix["battery"], "accuracy": fix["accuracy"], "device": fix["device"]}


def _event(e: dict) -> dict:
    return {"id": e["id"], "at": e["at"].astimezone(LOCAL).isoformat(), "team": e["team"],
            "team_name": e["team_name"] or e["team"], "kind": e["kind"], "place_kind": e["place_kind"],
            "place_code": e["place_code"], "place_name": e["place_name"] or e["place_code"],
            "lon": round(e["lon"], 6), "lat": round(e["lat"], 6),
            "what": f"{EVENT_WORDS[(e['kind'], e['place_kind'])]} {e['place_name'] or e['place_code']}"}


def _span(seconds: float) -> str:
    """30 秒, 15 分钟, 2 小时 5 分钟."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} 秒"
    if seconds < 3600:
        return f"{seconds // 60} 分钟"
    return f"{seconds // 3600} 小时 {seconds % 3600 // 60} 分钟"


def live_view(conn, county: str, now: datetime, silent_minutes: float, since: datetime | None = None) -> dict:
    """The live map's state at ``now``: teams' latest fixes of the day (silent after
    ``silent_minutes``), the trails of the last TRAIL_MINUTES (before the page's load the
    page's own day tracks draw them; with ``since``, only what arrived since), today's
    events (newest first) and the silent teams' alerts."""
    start, end = _day(now)
    silent_s = silent_minutes * 60
    teams = [_team(f, now, silent_s) for f in live.latest_fixes(conn, county, start, end)]
    alerts = [{"kind": "silent", "team": t["code"], "team_name": t["name"], "lon": t["lon"], "lat": t["lat"],
               "what": f"已 {_span(t['age_s'])}未上报位置（超过 {_span(silent_s)}即告警）"}
              for t in teams if t["silent"]]
    recent = max(start, (since or now) - timedelta(minutes=TRAIL_MINUTES))
    return {"as_of": now.astimezone(LOCAL).isoformat(), "day": start.date().isoformat(),
            "silent_minutes": silent_minutes, "teams": teams, "alerts": alerts,
            "trails": live.trails(conn, county, recent, end, since), "since": since.isoformat() if since else None,
            "events": [_event(e) for e in live.events(conn, county, start, end)]}
