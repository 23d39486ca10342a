"""The OsmAnd protocol endpoint (issue 15, item 1) driven with requests exactly as Traccar
Client sends them: the points land in patrol_tracks, the visits and the arrive/leave events
they imply follow; resends are stored once; refusals store nothing and are never a 500."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from tests.conftest import basic
from tests.web.test_patrol_api import county  # noqa: F401  (teams T1, T2, school S1, hotspot H1)

DAY = "2026-11-25"
AT_HOT = (33.003, 111.043)      # inside hotspot H1
AWAY = (33.02, 111.03)          # far from every place
AT_SCHOOL = (33.0055, 111.0055)  # within 200 m of school S1


def unix(hour: int, minute: int, second: int = 0) -> int:
    """Unix seconds of DAY hh:mm:ss in Asia/Shanghai."""
    return int(datetime.fromisoformat(f"{DAY}T{hour:02d}:{minute:02d}:{second:02d}+08:00").timestamp())


def iso_utc(hour: int, minute: int) -> str:
    """DAY hh:mm (local) as Traccar Client 9 writes it: UTC with milliseconds and Z."""
    return datetime.fromtimestamp(unix(hour, minute), timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def classic_query(device: str, ts, lat: float, lon: float, accuracy: float = 12.0, batt: float = 85.0) -> str:
    """The query string Traccar Client (Android 8, iOS 6) appends to the server URL."""
    return (f"id={device}&timestamp={ts}&lat={lat}&lon={lon}&speed=0.0&bearing=0.0&altitude=112.0"
            f"&accuracy={accuracy}&batt={batt}")


def traccar9_body(device: str, hour: int, minute: int, lat: float, lon: float, accuracy: float = 5.0) -> dict:
    """The JSON body Traccar Client 9 POSTs (captured shape, values changed)."""
    return {"location": {"timestamp": iso_utc(hour, minute),
                         "coords": {"latitude": lat, "longitude": lon, "accuracy": accuracy, "speed": 1.2,
                                    "heading": 87.5, "altitude": 118.4, "ellipsoidal_altitude": 118.4,
                                    "altitude_accuracy": 3.1, "heading_accuracy": -1, "speed_accuracy": -1},
                         "is_moving": True, "uuid": "6f0d3a38-1c1e-4e5e-9a55-2b1e6e1f0a11", "event": "motionchange",
                         "odometer": 1520.3, "battery": {"level": 0.85, "is_charging": False},
                         "activity": {"type": "on_foot", "confidence": 100}, "extras": {}, "age": 32},
            "device_id": device}


def register(client, device="123456", team="T1", role="commander") -> str:
    """Register a phone through the API; the token of its URL."""
    resp = client.post("/api/devices", json={"device_id": device, "team_code": team, "label": "张三"},
                       headers=basic(role))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    url = resp.get_json()["url"]
    assert url.startswith("http://") and "/osmand/" in url
    return url.rsplit("/", 1)[1]


def stored(conn) -> list[tuple]:
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("""SELECT team_code, recorded_at, ST_Y(geom), ST_X(geom), props, township_code, village_code
                       FROM patrol_tracks ORDER BY recorded_at""")
        return cur.fetchall()


def events(conn) -> list[tuple]:
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT team_code, kind, place_kind, place_code, at FROM patrol_events ORDER BY at, id")
        return cur.fetchall()


def get_fix(client, token, minute, where, **kw):
    return client.get(f"/osmand/{token}?" + classic_query("123456", unix(9, minute), *where, **kw))


@pytest.fixture
def phone(county, client):  # noqa: F811
    return register(client)


def test_traccar_requests_give_points_visits_and_events(phone, client, conn):
    # Traccar Client (classic): GET with the query string, 13 minutes at the hotspot
    for minute in range(0, 13):
        resp = get_fix(client, phone, minute, AT_HOT)
        assert resp.status_code == 200 and resp.data == b""
    # Android Traccar Client posts the same parameters in the URL with an empty body
    resp = client.post(f"/osmand/{phone}?" + classic_query("123456", unix(9, 13), *AWAY), data=b"")
    assert resp.status_code == 200 and resp.data == b""
    # Traccar Client 9: JSON body with Content-Type application/json, one location, then a batch
    for minute in range(14, 20):
        resp = client.post(f"/osmand/{phone}", data=json.dumps(traccar9_body("123456", 9, minute, *AWAY)),
                           headers={"Content-Type": "application/json"})
        assert resp.status_code == 200 and resp.data == b""
    batch = {"location": [traccar9_body("123456", 9, m, *AT_SCHOOL)["location"] for m in range(20, 24)],
             "device_id": "123456"}
    assert client.post(f"/osmand/{phone}", json=batch).status_code == 200
    points = stored(conn)
    assert len(points) == 24 and {p[0] for p in points} == {"T1"}
    first = points[0]
    assert first[1] == datetime.fromisoformat(f"{DAY}T09:00:00+08:00")
    assert first[4]["batt"] == 85.0 and first[4]["accuracy"] == 12.0 and first[4]["device"] == "123456"
    assert first[5] == "410999001" and first[6] is not None  # township and village by location
    json_point = points[14][4]
    assert json_point["batt"] == 85.0 and json_point["speed"] == 1.2 and json_point["bearing"] == 87.5
    visits = client.get(f"/api/patrol/visits?from={DAY}T08:00:00%2B08:00&to={DAY}T12:00:00%2B08:00",
                        headers=basic("commander")).get_json()
    hot = {h["code"]: h for h in visits["hotspots"]}
    assert hot["H1"]["visits"] == 1 and hot["H1"]["dwell_min"] >= 12
    assert {s["code"]: s["visits"] for s in visits["schools"]}["S1"] == 1
    assert [(e[1], e[2], e[3]) for e in events(conn)] == [
        ("arrive", "hotspot", "H1"), ("leave", "hotspot", "H1"), ("arrive", "school", "S1")]
    assert events(conn)[1][4] == datetime.fromisoformat(f"{DAY}T09:13:00+08:00")
    live = client.get("/commander/live.json", headers=basic("commander"))
    assert live.status_code == 200  # today's view (the points are of another day)


def test_resent_points_stored_once_and_out_of_order_in_time(phone, client, conn):
    for minute in (30, 31, 29, 31, 30, 28):  # a phone resends its buffer after a dead zone
        assert get_fix(client, phone, minute, AWAY).status_code == 200
    assert client.post(f"/osmand/{phone}", json=traccar9_body("x", 9, 31, *AWAY)).status_code == 200  # same moment
    points = stored(conn)
    assert [p[1] for p in points] == [
        datetime.fromisoformat(f"{DAY}T09:{m}:00+08:00") for m in (28, 29, 30, 31)]
    assert events(conn) == []


def test_inaccurate_fix_kept_flagged_and_out_of_visits(phone, client, conn):
    for minute in range(0, 13):
        assert get_fix(client, phone, minute, AT_HOT, accuracy=500.0).status_code == 200
    points = stored(conn)
    assert len(points) == 13 and all(p[4]["flagged"] == "accuracy" for p in points)
    visits = client.get(f"/api/patrol/visits?from={DAY}T08:00:00%2B08:00&to={DAY}T12:00:00%2B08:00",
                        headers=basic("commander")).get_json()
    assert {h["code"]: h["visits"] for h in visits["hotspots"]}["H1"] == 0 and visits["points"] == 0
    assert events(conn) == []


def test_accuracy_limit_is_configurable(phone, app, client, conn):
    app.config["OSMAND_MAX_ACCURACY_M"] = 10
    assert get_fix(client, phone, 0, AT_HOT, accuracy=12.0).status_code == 200
    assert stored(conn)[0][4]["flagged"] == "accuracy"


def test_unknown_and_revoked_devices_refused_and_nothing_stored(phone, client, conn):
    resp = get_fix(client, "not-a-token", 0, AT_HOT)
    assert resp.status_code == 401 and "未登记" in resp.get_data(as_text=True)
    assert client.post("/osmand/nope", json=traccar9_body("123456", 9, 1, *AT_HOT)).status_code == 401
    ident = client.get("/api/devices", headers=basic("commander")).get_json()["devices"][0]["id"]
    assert client.post(f"/api/devices/{ident}/revoke", headers=basic("commander")).status_code == 200
    assert get_fix(client, phone, 0, AT_HOT).status_code == 403
    assert client.post(f"/osmand/{phone}", json=traccar9_body("123456", 9, 1, *AT_HOT)).status_code == 403
    assert client.get("/track/osmand?" + classic_query(phone, unix(9, 2), *AT_HOT)).status_code == 403
    assert stored(conn) == [] and events(conn) == []


def test_classic_path_takes_the_token_as_id(phone, app, client, conn):
    assert client.get("/track/osmand?" + classic_query(phone, unix(9, 0), *AT_HOT)).status_code == 200
    # a registered id alone works only where the county allows it (anyone knowing an id could report for it)
    assert client.get("/track/osmand?" + classic_query("123456", unix(9, 1), *AT_HOT)).status_code == 401
    assert client.get("/track/osmand?" + classic_query("999999", unix(9, 1), *AT_HOT)).status_code == 401
    app.config["OSMAND_CLASSIC_IDS"] = True
    assert client.post("/track/osmand?" + classic_query("123456", unix(9, 1), *AT_HOT)).status_code == 200
    assert client.get("/track/osmand?" + classic_query("999999", unix(9, 2), *AT_HOT)).status_code == 401
    resp = client.get(f"/track/osmand?timestamp={unix(9, 3)}&lat=33.0&lon=111.0")
    assert resp.status_code == 400 and "id" in resp.get_data(as_text=True)
    assert client.post("/track/osmand", json=traccar9_body(phone, 9, 4, *AWAY)).status_code == 200  # JSON, token as id
    assert client.post("/track/osmand", json=traccar9_body("555", 9, 5, *AWAY)).status_code == 401
    assert len(stored(conn)) == 3


BAD = [
    ("lat=NaN", "lat"), ("lat=200", "lat"), ("lon=-181", "lon"), ("lat=abc", "lat"),
    ("timestamp=9999-01-01T00:00:00Z", "timestamp"), ("timestamp=253402300800000", "timestamp"),
    ("timestamp=yesterday", "timestamp"), ("batt=150", "batt"), ("accuracy=inf", "accuracy"),
]


@pytest.mark.parametrize("change, field", BAD)
def test_bad_query_is_400_naming_the_field(phone, client, conn, change, field):
    values = dict(p.split("=", 1) for p in classic_query("123456", unix(9, 0), *AT_HOT).split("&"))
    key, value = change.split("=", 1)
    values[key] = value
    resp = client.get(f"/osmand/{phone}?" + "&".join(f"{k}={v}" for k, v in values.items()))
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert field in resp.get_data(as_text=True)
    assert stored(conn) == []


def test_missing_position_is_400(phone, client, conn):
    resp = client.get(f"/osmand/{phone}?id=123456&timestamp={unix(9, 0)}")
    assert resp.status_code == 400 and "lat" in resp.get_data(as_text=True)
    assert client.get(f"/osmand/{phone}").status_code == 400


@pytest.mark.parametrize("body", [
    "[]", json.dumps([traccar9_body("123456", 9, 0, *AT_HOT)]), "{", "null", '"text"',
    '{"location": {"timestamp": "2026-11-25T01:00:00Z", "coords": {"latitude": NaN, "longitude": 111.0}}}',
    '{"location": {"timestamp": "9999-11-25T01:00:00Z", "coords": {"latitude": 33.0, "longitude": 111.0}}}',
    '{"location": {"timestamp": "2026-11-25T01:00:00Z", "coords": {"latitude": 200, "longitude": 111.0}}}',
    '{"location": []}', '{"location": "here"}', '{"device_id": "123456"}',
    json.dumps({"location": [traccar9_body("1", 9, 0, *AT_HOT)["location"]] * 1001}),
    "[" * 100_000 + "]" * 100_000,
])
def test_bad_json_is_400_never_500(phone, client, conn, body):
    resp = client.post(f"/osmand/{phone}", data=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert stored(conn) == []


def test_huge_body_is_400(phone, client, conn):
    big = json.dumps({"location": traccar9_body("1", 9, 0, *AT_HOT)["location"], "pad": "x" * 2_000_000})
    resp = client.post(f"/osmand/{phone}", data=big, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and "body" in resp.get_data(as_text=True)
    form = client.post(f"/osmand/{phone}", data={"lat": "33.0", "lon": "111.0", "pad": "x" * 2_000_000})
    assert form.status_code == 400
    assert stored(conn) == []


def test_rate_limit_per_device(phone, app, client, conn):
    if app.extensions["countymap_throttle"].strategy is None:
        pytest.skip("rate limiting is off")
    app.config["OSMAND_LIMIT"] = "3 per minute"
    codes = [get_fix(client, phone, m, AWAY).status_code for m in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert len(stored(conn)) == 3


def test_no_session_needed_and_no_csrf(phone, app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    resp = client.post(f"/osmand/{phone}", data={"id": "123456", "lat": "33.0", "lon": "111.0",
                                                 "timestamp": str(unix(9, 0))})
    assert resp.status_code == 200 and "Set-Cookie" not in resp.headers


def test_live_feed_positions_battery_silence_trails_events(phone, app, client, conn):
    import time

    app.config["PATROL_SILENT_MINUTES"] = 5
    t0 = int(time.time())
    for ago, where in ((600, AWAY), (420, AT_HOT), (400, AT_HOT)):
        resp = client.get(f"/osmand/{phone}?" + classic_query("123456", t0 - ago, *where, batt=64.0))
        assert resp.status_code == 200
    assert client.get(f"/osmand/{phone}?" + classic_query("123456", t0 - 300, *AWAY, accuracy=900.0)).status_code == 200
    h = basic("commander")
    doc = client.get("/commander/live.json", headers=h).get_json()
    (team,) = doc["teams"]
    assert team["code"] == "T1" and team["name"] == "甲镇专职队" and team["battery"] == 64.0
    assert (team["lat"], team["lon"]) == AT_HOT and team["silent"] is True and 395 <= team["age_s"] <= 460
    assert team["color"] and doc["poll_s"] == 10 and doc["silent_minutes"] == 5
    assert [a["team"] for a in doc["alerts"]] == ["T1"] and "未上报" in doc["alerts"][0]["what"]
    assert [p[:2] for p in doc["trails"]["T1"]] == [[AWAY[1], AWAY[0]]] + [[AT_HOT[1], AT_HOT[0]]] * 2  # not flagged
    assert [p[2] for p in doc["trails"]["T1"]] == [t0 - 600, t0 - 420, t0 - 400]
    assert [(e["kind"], e["place_code"]) for e in doc["events"]] == [("arrive", "H1")]
    assert "到达挂牌乱点 集市" in doc["events"][0]["what"]
    later = client.get(f"/commander/live.json?since={doc['as_of'].replace('+', '%2B')}", headers=h).get_json()
    assert later["since"] and later["trails"]["T1"]  # the overlap: points received in the last minute again
    app.config["PATROL_SILENT_MINUTES"] = 60
    assert client.get("/commander/live.json", headers=h).get_json()["alerts"] == []
    assert client.get("/commander/live.json?since=yesterday", headers=h).status_code == 400
    for role in ("planner", "leader", "admin"):  # every role reads the commander's pages
        assert client.get("/commander/live.json", headers=basic(role)).status_code == 200


def test_phones_raise_the_tracks_version_at_most_once_a_minute(phone, client, conn):
    def version():
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("SELECT version, changed_at FROM layer_versions WHERE name = 'patrol_tracks'")
            return cur.fetchone()

    before = version()
    assert get_fix(client, phone, 0, AWAY).status_code == 200
    first = version()
    assert first == before   # the county's teams were written less than a minute ago
    for minute in range(1, 4):
        assert get_fix(client, phone, minute, AWAY).status_code == 200
    assert version() == first   # within the minute: kept pages stay
    with conn.cursor() as cur:   # a minute on
        cur.execute("UPDATE layer_versions SET changed_at = now() - interval '61 seconds' WHERE name = 'patrol_tracks'")
    conn.commit()
    assert get_fix(client, phone, 5, AWAY).status_code == 200
    assert version()[0] == first[0] + 1
    # any other writer raises it as before
    assert client.post("/api/patrol/tracks", json={"team_code": "T1", "points": [
        {"lon": 111.0, "lat": 33.0, "recorded_at": f"{DAY}T10:00:00+08:00"}]}, headers=basic("commander")).status_code == 201
    assert version()[0] > first[0] + 1


def test_flagged_fixes_left_out_of_the_track_tiles(phone, client):
    from tests.web.test_tiles import features, tile_of

    for minute, accuracy in ((0, 8.0), (1, 500.0), (2, 8.0), (3, 500.0), (4, 8.0)):
        where = (AWAY[0] + minute * 0.001, AWAY[1])
        assert get_fix(client, phone, minute, where, accuracy=accuracy).status_code == 200
    lines = features(client, "patrol_tracks", *tile_of(AWAY[1], AWAY[0], 12), query=f"?since={DAY}")
    assert [f["properties"]["points"] for f in lines] == [3]


def test_a_fix_lands_in_its_month_partition(phone, client, conn):
    """A phone's fix of a month with no partition yet makes the month; nothing waits in the
    default partition (visits read months by their bounds)."""
    from layers import track_partitions

    track_partitions.forget()
    late = int(datetime(2027, 3, 2, 1, 0, tzinfo=timezone.utc).timestamp())
    resp = client.get(f"/osmand/{phone}?" + classic_query("123456", late, *AWAY))
    assert resp.status_code == 200 and resp.get_data() == b""
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM patrol_tracks")
        assert [r[0] for r in cur.fetchall()] == ["patrol_tracks_y2027m03"]
