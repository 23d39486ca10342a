"""Patrol phones (issue 15): the devices that report positions over the OsmAnd protocol, the
fixes they send stored in patrol_tracks, and the arrive/leave events a fix implies.

A device belongs to one team; it is known by a per-device secret token of which only the
SHA-256 is kept (``token_hash``). ``store_fixes`` is the one place a phone's fix is written.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from psycopg2.extras import Json

from layers import track_partitions
from layers.errors import Conflict, FeatureNotFound

COLUMNS = ("id", "county_code", "device_id", "team_code", "label", "created_at", "created_by", "revoked_at",
           "revoked_by", "last_seen_at", "last_battery", "last_accuracy")
IN_FORCE = ("listed", "remediating")  # hotspot statuses patrols must still visit (as layers.frames)
SCHOOL_RADIUS_M = 200


@dataclass(frozen=True)
class Device:
    id: int
    county_code: str
    device_id: str
    team_code: str
    revoked: bool


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a device's token is kept."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _device(row) -> Device | None:
    return None if row is None else Device(row[0], row[1], row[2], row[3], row[4] is not None)


def by_token(conn, token_hash: str) -> Device | None:
    """The device with this token (revoked or not), or None."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, county_code, device_id, team_code, revoked_at FROM devices WHERE token_hash = %s",
                    (token_hash,))
        return _device(cur.fetchone())


def by_device_id(conn, device_id: str) -> Device | None:
    """The device in use with this id, else the latest revoked one with it, else None."""
    with conn.cursor() as cur:
        cur.execute("""SELECT id, county_code, device_id, team_code, revoked_at FROM devices WHERE device_id = %s
                       ORDER BY revoked_at IS NOT NULL, revoked_at DESC LIMIT 1""", (device_id,))
        return _device(cur.fetchone())


def add(conn, county: str, device_id: str, team_code: str, token_hash: str, label: str,
        actor: str | None) -> dict:
    """Register a device for a team; Conflict when its id is in use by another device. Does not commit."""
    with conn.cursor() as cur:
        cur.execute("SELECT county_code, team_code FROM devices WHERE device_id = %s AND revoked_at IS NULL",
                    (device_id,))
        used = cur.fetchone()
        if used is not None:
            raise Conflict(f"设备号 '{device_id}' 已登记（县 {used[0]}，巡防队 {used[1]}），请先停用旧设备")
        cur.execute(f"""INSERT INTO devices (county_code, device_id, team_code, token_hash, label, created_by)
                        VALUES (%s, %s, %s, %s, %s, %s) RETURNING {', '.join(COLUMNS)}""",
                    (county, device_id, team_code, token_hash, label, actor))
        return _row(cur.fetchone())


def revoke(conn, county: str, ident: int, actor: str | None) -> dict:
    """Stop a device's token from working (FeatureNotFound when the county has no such
    device; a revoked device stays revoked). Does not commit."""
    with conn.cursor() as cur:
        cur.execute(f"""UPDATE devices SET revoked_at = COALESCE(revoked_at, now()),
                               revoked_by = COALESCE(revoked_by, %s)
                        WHERE county_code = %s AND id = %s RETURNING {', '.join(COLUMNS)}""",
                    (actor, county, ident))
        row = cur.fetchone()
    if row is None:
        raise FeatureNotFound(f"没有编号为 {ident} 的设备")
    return _row(row)


def _row(row) -> dict:
    out = dict(zip(COLUMNS, row))
    for key in ("created_at", "revoked_at", "last_seen_at"):
        out[key] = out[key].isoformat() if out[key] else None
    return out


def listing(conn, county: str) -> list[dict]:
    """The county's devices, in use first, then by team and id."""
    with conn.cursor() as cur:
        cur.execute(f"""SELECT {', '.join(COLUMNS)} FROM devices WHERE county_code = %s
                        ORDER BY revoked_at IS NOT NULL, team_code, device_id, id""", (county,))
        return [_row(r) for r in cur.fetchall()]


INSERT_FIX = """
    INSERT INTO patrol_tracks (county_code, code, team_code, recorded_at, township_code, village_code, props, geom)
    SELECT %(county)s, %(code)s, %(team)s, %(at)s, COALESCE(v.township_code, w.code), v.code, %(props)s, f.geom
    FROM (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom) f
    LEFT JOIN LATERAL (SELECT code, township_code FROM villages
                       WHERE county_code = %(county)s AND ST_Intersects(geom, f.geom) LIMIT 1) v ON true
    LEFT JOIN LATERAL (SELECT code FROM townships
                       WHERE county_code = %(county)s AND ST_Intersects(geom, f.geom) LIMIT 1) w ON true
    ON CONFLICT DO NOTHING
    RETURNING id"""

# The places a fix is in and the team's previous (unflagged) fix was in: a difference is an
# arrival or a departure. Listed hotspots of the latest quarter still in force, and schools
# within SCHOOL_RADIUS_M (point or grounds); only places near either fix are looked at.
EVENTS = """
    WITH fix AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom),
    prev AS (SELECT p.geom FROM patrol_tracks p
             WHERE p.county_code = %(county)s AND p.team_code = %(team)s AND p.recorded_at < %(at)s
               AND p.recorded_at > %(at)s - interval '1 day' AND NOT p.props ? 'flagged'
             ORDER BY p.recorded_at DESC LIMIT 1),
    near AS (SELECT ST_Collect(g) AS box FROM (SELECT geom AS g FROM fix UNION ALL SELECT geom FROM prev) x),
    places AS (
        SELECT 'hotspot'::text AS place_kind, h.code, h.name,
               ST_Intersects(h.geom, f.geom) AS now_in,
               COALESCE((SELECT ST_Intersects(h.geom, prev.geom) FROM prev), false) AS was_in
        FROM hotspots h, fix f, near n
        WHERE h.county_code = %(county)s AND h.status = ANY(%(in_force)s)
          AND h.quarter = (SELECT max(quarter) FROM hotspots WHERE county_code = %(county)s)
          AND h.geom && ST_Expand(n.box, 0.01)
        UNION ALL
        SELECT 'school', s.code, s.name,
               ST_DWithin(s.geom::geography, f.geom::geography, %(radius)s),
               COALESCE((SELECT ST_DWithin(s.geom::geography, prev.geom::geography, %(radius)s) FROM prev), false)
        FROM schools s, fix f, near n
        WHERE s.county_code = %(county)s AND s.geom && ST_Expand(n.box, 0.01))
    INSERT INTO patrol_events (county_code, team_code, device_id, kind, place_kind, place_code, place_name, at, geom)
    SELECT %(county)s, %(team)s, %(device)s, CASE WHEN now_in THEN 'arrive' ELSE 'leave' END,
           place_kind, code, name, %(at)s, (SELECT geom FROM fix)
    FROM places WHERE now_in <> was_in
    ON CONFLICT DO NOTHING
    RETURNING kind, place_kind, place_code"""


# Pages kept from the data see the phones' new fixes within a minute (not at every fix).
RAISE_VERSION = """
    INSERT INTO layer_versions AS v (name, version) VALUES ('patrol_tracks', 1)
    ON CONFLICT (name) DO UPDATE SET version = v.version + 1, changed_at = now()
    WHERE v.changed_at < now() - interval '1 minute'"""


def fix_code(device_id: str, at: datetime) -> str:
    """The track point's code: the same for a fix the phone sends again."""
    return f"osmand:{device_id}@{at.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}"


def store_fixes(conn, device: Device, fixes: list[dict], max_accuracy_m: float) -> tuple[int, list[tuple]]:
    """Store a device's fixes ({at, lon, lat, speed, bearing, altitude, accuracy, batt}) in
    patrol_tracks for its team, in time order, each once (a resent fix is skipped); a fix
    less accurate than ``max_accuracy_m`` is kept flagged ({"flagged": "accuracy"}) and
    makes no event. patrol_tracks' version (layers.versions) is raised at most once a
    minute. Returns (points added, events [(kind, place_kind, place_code)]). Does not commit."""
    added, events = 0, []
    ordered = sorted(fixes, key=lambda f: f["at"])
    if ordered:  # the months' partitions (a resent fix may be of last month); cheap once known
        track_partitions.ensure_months(conn, ordered[0]["at"], ordered[-1]["at"])
    with conn.cursor() as cur:
        cur.execute("SELECT set_config('countymap.versions_coarse', 'on', true)")  # see migration 0016
        for fix in ordered:
            props = {k: fix[k] for k in ("speed", "bearing", "altitude", "accuracy", "batt") if fix.get(k) is not None}
            props["device"] = device.device_id
            flagged = fix.get("accuracy") is not None and fix["accuracy"] > max_accuracy_m
            if flagged:
                props["flagged"] = "accuracy"
            values = {"county": device.county_code, "team": device.team_code, "device": device.device_id,
                      "code": fix_code(device.device_id, fix["at"]), "at": fix["at"], "lon": fix["lon"],
                      "lat": fix["lat"], "props": Json(props), "in_force": list(IN_FORCE),
                      "radius": SCHOOL_RADIUS_M}
            cur.execute(INSERT_FIX, values)
            if cur.fetchone() is None:
                continue  # sent before
            added += 1
            if not flagged:
                cur.execute(EVENTS, values)
                events += cur.fetchall()
        cur.execute("SELECT set_config('countymap.versions_coarse', 'off', true)")
        if added:
            cur.execute(RAISE_VERSION)
        last = ordered[-1]
        cur.execute("""UPDATE devices SET last_seen_at = greatest(last_seen_at, %s),
                              last_battery = COALESCE(%s, last_battery), last_accuracy = COALESCE(%s, last_accuracy)
                       WHERE id = %s""", (last["at"], last.get("batt"), last.get("accuracy"), device.id))
    return added, events
