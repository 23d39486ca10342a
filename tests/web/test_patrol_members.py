"""Patrol members (issue 15, item 5): a role that may open its own page only, today's stops
and their states, check-ins with a photo (EXIF stripped) and a note, the commander's list."""
from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from PIL import Image

from geo.calendar import LOCAL
from layers import checkins
from tests.conftest import PASSWORD, basic, password_hash
from tests.helpers import COUNTY
from tests.web.test_patrol_pages import DAY, load_patrol_county
from web.auth import OPEN_ENDPOINTS, PATROL_ENDPOINTS

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LOCAL)  # DAY, a Wednesday (a school day), after T1's morning


def add_member(url: str, name: str, team: str) -> None:
    from layers.db import transaction

    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO users (name, password_hash, role, team_code) VALUES (%s, %s, 'patrol', %s)",
                    (name, password_hash(), team))


@pytest.fixture
def county(app, conn, monkeypatch):
    """The small patrol county on DAY at 10:00; members m1 (team T1), m1b (T1) and m2 (T2);
    T1's route P1 names one stop of its own."""
    load_patrol_county(conn)
    with conn.cursor() as cur:
        cur.execute("""UPDATE patrol_routes SET props = '{"stops": [{"code": "K1", "name": "桥头",
                       "lon": 111.03, "lat": 33.002}, {"code": 5}]}' WHERE code = 'P1'""")
    conn.commit()
    url = app.config["RESOLVED_DATABASE_URL"]
    for name, team in (("m1", "T1"), ("m1b", "T1"), ("m2", "T2")):
        add_member(url, name, team)
    monkeypatch.setattr("web.pages.patrol.now", lambda: NOW)
    return app


def jpeg_with_exif(size=(2400, 1800)) -> bytes:
    img = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretMaker"   # Make
    exif[0x0112] = 6               # Orientation: turned
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def post_checkin(client, who="m1", photo: bytes | None = None, name="p.jpg", **fields):
    data = {"stop": "hotspot:H1", "note": "巡查正常", "lon": "111.042", "lat": "33.003", "accuracy": "8", **fields}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), name)
    return client.post("/patrol/me/checkins", data=data, headers={**basic(who), "Accept": "application/json"},
                       content_type="multipart/form-data")


def stored(conn) -> tuple[int, int]:
    conn.rollback()
    return checkins.count(conn)


def sample_url(rule) -> str:
    url = rule.rule
    for name, conv in rule._converters.items():
        kind = type(conv).__name__
        value = "1" if kind == "IntegerConverter" else ("a/b.json" if kind == "PathConverter" else "x")
        url = re.sub(rf"<[^>]*\b{name}>", value, url)
    return url


def test_a_member_may_open_nothing_but_their_page(county, client, conn):
    before = stored(conn)
    checked = 0
    for rule in county.url_map.iter_rules():
        if rule.endpoint in OPEN_ENDPOINTS or rule.endpoint in PATROL_ENDPOINTS:
            continue
        url = sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = client.open(url, method=method, headers=basic("m1"), json={} if method != "GET" else None)
            assert resp.status_code == 403, (method, url, resp.status_code)
            checked += 1
    assert checked > 120
    assert stored(conn) == before
    for url in ("/map", "/ogc/collections/patrol_tracks/items", "/tiles/patrol_tracks/10/820/410.mvt",
                "/exports/hotspots/2026Q4.csv", "/api/patrol/checkins", "/no/such/page"):
        assert client.get(url, headers=basic("m1")).status_code == 403, url
    assert client.get("/patrol/me", headers=basic("m1")).status_code == 200
    assert client.get("/patrol/me/data", headers=basic("m1")).status_code == 200
    home = client.get("/", headers=basic("m1"))
    assert home.status_code == 302 and home.headers["Location"].endswith("/patrol/me")


def test_signed_in_with_the_form_a_member_lands_on_their_page(county, client):
    resp = client.post("/login?next=/", data={"name": "m1", "password": PASSWORD})
    assert resp.status_code == 302
    page = client.get("/", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "我的巡逻" in html and "甲镇专职队" in html
    assert 'id="search' not in html and "其他页面" not in html  # nothing else is offered
    assert "geolocation=(self)" in page.headers.get("Permissions-Policy", "")
    refused = client.get("/commander/")
    assert refused.status_code == 403 and "巡防队员只能使用" in refused.get_data(as_text=True)


def test_the_page_lists_todays_stops_with_their_states(county, client):
    day = client.get("/patrol/me/data", headers=basic("m1")).get_json()
    assert day["day"] == DAY and day["team"]["code"] == "T1" and day["school_day"]
    states = {s["key"]: s["state"] for s in day["stops"]}
    # T1's township: H1 (visited 09:00–09:12), S1 (09:30, inside its 200 m), the route's K1 (not reached)
    assert states == {"hotspot:H1": "arrived", "school:S1": "arrived", "route:K1": "todo"}
    assert [r["code"] for r in day["routes"]] == ["P1"]
    assert len(day["trail"]) == 13 + 4 and day["trail"][0] == [111.042, 33.003]  # 09:00–09:12, 09:30–09:33
    other = client.get("/patrol/me/data", headers=basic("m2")).get_json()
    assert {s["key"] for s in other["stops"]} == {"hotspot:H2", "school:S2"}  # H2 is remediating: in force
    html = client.get("/patrol/me", headers=basic("m1")).get_data(as_text=True)
    assert html.count('name="photo" accept="image/*" capture="environment"') == 3
    assert len(html.encode()) < 150_000


def test_check_in_with_a_photo_strips_exif_and_shows_to_the_commander(county, client, conn):
    resp = post_checkin(client, photo=jpeg_with_exif())
    assert resp.status_code == 201, resp.get_data(as_text=True)
    done = resp.get_json()
    assert done["stop"] == "hotspot:H1" and done["photo"]
    assert stored(conn) == (1, 1)
    day = client.get("/patrol/me/data", headers=basic("m1")).get_json()
    assert {s["key"]: s["state"] for s in day["stops"]}["hotspot:H1"] == "checked"
    assert client.get("/patrol/me/data", headers=basic("m1b")).get_json()["checkins"][0]["note"] == "巡查正常"
    photo = client.get(f"/patrol/photos/{done['id']}", headers=basic("m1"))
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert b"SecretMaker" not in photo.data
    img = Image.open(io.BytesIO(photo.data))
    assert dict(img.getexif()) == {} and max(img.size) == 1600 and img.size == (1200, 1600)  # turned upright
    thumb = client.get(f"/patrol/photos/{done['id']}?size=thumb", headers=basic("commander"))
    assert thumb.status_code == 200 and max(Image.open(io.BytesIO(thumb.data)).size) == 320
    listed = client.get(f"/api/patrol/checkins?day={DAY}", headers=basic("commander")).get_json()
    row = listed["checkins"][0]
    assert row["stop_code"] == "H1" and row["user_name"] == "m1" and row["distance_m"] == 0.0
    assert row["photo"] == f"/patrol/photos/{done['id']}" and row["accuracy_m"] == 8
    page = client.get(f"/commander/checkins?day={DAY}", headers=basic("admin")).get_data(as_text=True)
    assert "集市" in page and "巡查正常" in page and f"/patrol/photos/{done['id']}?size=thumb" in page


def test_a_check_in_without_photo_or_position(county, client, conn):
    resp = post_checkin(client, stop="route:K1", note="", lon="", lat="", accuracy="")
    assert resp.status_code == 201
    row = client.get(f"/api/patrol/checkins?day={DAY}", headers=basic("commander")).get_json()["checkins"][0]
    assert row["stop_kind"] == "route" and row["lon"] is None and row["distance_m"] is None and row["photo"] is None
    form = client.post("/patrol/me/checkins", data={"stop": "school:S1"}, headers=basic("m1"))
    assert form.status_code == 302 and form.headers["Location"].endswith("/patrol/me#stops")
    assert stored(conn) == (2, 0)


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 90, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("fields, photo, field", [
    ({"stop": "hotspot:H2"}, None, "stop"),                  # another township's hotspot
    ({"stop": "hotspot:NOPE"}, None, "stop"),
    ({"stop": "bogus"}, None, "stop"),
    ({"note": "长" * 501}, None, "note"),
    ({"lon": "111.042", "lat": ""}, None, "lat"),
    ({"lon": "120.5", "lat": "40.0"}, None, "lat"),           # far outside the county
    ({"accuracy": "-3"}, None, "accuracy"),
    ({}, b"%PDF-1.4 not a picture", "photo"),
    ({}, b"", "photo"),
    ({}, png() + b"\0" * (10 * 1024 * 1024), "photo"),        # over 10 MB
])
def test_bad_check_ins_are_refused_naming_the_field(county, client, conn, fields, photo, field):
    resp = post_checkin(client, photo=photo, **fields)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["field"] == field
    assert stored(conn) == (0, 0)


def test_a_20_mb_photo_is_refused_and_nothing_stored(county, client, conn):
    resp = post_checkin(client, photo=png() + b"\0" * (20 * 1024 * 1024))
    assert resp.status_code == 413
    assert "照片最多 10 MB" in resp.get_data(as_text=True)
    assert stored(conn) == (0, 0)


def test_a_check_in_without_the_csrf_token_is_refused(county, client, conn):
    county.config["WTF_CSRF_ENABLED"] = True
    client.post("/login", data={"name": "m1", "password": PASSWORD})  # refused too: no token, nothing signed in
    resp = client.post("/patrol/me/checkins", data={"stop": "hotspot:H1"}, headers=basic("m1"))
    assert resp.status_code == 400 and "校验码" in resp.get_data(as_text=True)
    assert stored(conn) == (0, 0)


def test_only_commanders_and_admins_see_the_check_ins(county, client):
    for role in ("planner", "leader"):
        for url in ("/commander/checkins", f"/api/patrol/checkins?day={DAY}"):
            assert client.get(url, headers=basic(role)).status_code == 403, (role, url)
    for role in ("commander", "admin"):
        assert client.get("/commander/checkins", headers=basic(role)).status_code == 200
    assert client.get("/api/patrol/checkins?day=2026-13-01", headers=basic("commander")).status_code == 400
    assert client.get("/api/patrol/checkins?day=x", headers=basic("commander")).get_json()["field"] == "day"
    bad_day = client.get("/commander/checkins?day=2026-02-30", headers=basic("commander"))
    assert bad_day.status_code == 400 and "day" in bad_day.get_data(as_text=True)
    for role in ("commander", "planner", "leader", "admin"):
        assert client.get("/patrol/me", headers=basic(role)).status_code == 403
        assert client.get("/patrol/me/data", headers=basic(role)).status_code == 403
        assert client.post("/patrol/me/checkins", data={"stop": "hotspot:H1"}, headers=basic(role)).status_code == 403


def test_a_member_sees_only_their_own_photos(county, client):
    done = post_checkin(client, photo=png()).get_json()
    url = f"/patrol/photos/{done['id']}"
    assert client.get(url, headers=basic("m1")).status_code == 200
    assert client.get(url, headers=basic("m2")).status_code == 403     # team T2
    assert client.get(url, headers=basic("m1b")).status_code == 403    # the member's own only
    for role in ("planner", "leader"):
        assert client.get(url, headers=basic(role)).status_code == 403
    assert client.get(url, headers=basic("admin")).status_code == 200
    assert client.get("/patrol/photos/999", headers=basic("commander")).status_code == 404
    bad = client.get(f"{url}?size=huge", headers=basic("m1"))
    assert bad.status_code == 400 and "size" in bad.get_data(as_text=True)


def test_admins_and_the_cli_make_members(county, client, runner, conn):
    body = {"name": "m9", "password": "long-enough-9", "role": "patrol"}
    resp = client.post("/api/users", json=body, headers=basic("admin"))
    assert resp.status_code == 400 and resp.get_json()["field"] == "team_code"
    resp = client.post("/api/users", json={**body, "team_code": "NOPE"}, headers=basic("admin"))
    assert resp.status_code == 400 and resp.get_json()["field"] == "team_code"
    resp = client.post("/api/users", json={**body, "team_code": "T2"}, headers=basic("admin"))
    assert resp.status_code == 201 and resp.get_json()["team_code"] == "T2"
    assert client.get("/patrol/me/data", headers=basic("m9", "long-enough-9")).get_json()["team"]["code"] == "T2"
    admin_page = client.get("/admin/", headers=basic("admin")).get_data(as_text=True)
    assert '<option value="T1">甲镇专职队</option>' in admin_page  # the teams to choose from
    page = client.post("/admin/users", data={"name": "m10", "password": "long-enough-10", "repeat": "long-enough-10",
                                             "role": "patrol", "team_code": "T1"}, headers=basic("admin"))
    assert page.status_code == 302
    changed = client.patch("/api/users/planner", json={"role": "patrol", "team_code": "T1"}, headers=basic("admin"))
    assert changed.status_code == 200 and changed.get_json()["team_code"] == "T1"
    assert client.get("/planner/", headers=basic("planner")).status_code == 403
    back = client.patch("/api/users/planner", json={"role": "planner"}, headers=basic("admin")).get_json()
    assert "team_code" not in back
    out = runner.invoke(args=["user", "create", "m11", "--role", "patrol", "--team", "T1"],
                        input="long-enough-11\nlong-enough-11\n")
    assert out.exit_code == 0, out.output
    assert "巡防队：T1" in out.output
    bad = runner.invoke(args=["user", "create", "m12", "--role", "patrol"], input="long-enough-12\nlong-enough-12\n")
    assert bad.exit_code != 0 and "巡防队" in bad.output
    bad = runner.invoke(args=["user", "create", "m12", "--role", "patrol", "--team", "ZZ"],
                        input="long-enough-12\nlong-enough-12\n")
    assert bad.exit_code != 0 and "ZZ" in bad.output
    assert client.get("/patrol/me", headers=basic("m11", "long-enough-11")).status_code == 200


def test_nav_offers_the_commander_the_check_ins(county, client):
    html = client.get("/commander/", headers=basic("commander")).get_data(as_text=True)
    assert 'href="/commander/checkins"' in html and "/patrol/me" not in html


def test_a_team_without_points_today_has_every_stop_to_do(county, client, monkeypatch):
    monkeypatch.setattr("web.pages.patrol.now", lambda: datetime(2026, 11, 26, 10, 0, tzinfo=LOCAL))
    day = client.get("/patrol/me/data", headers=basic("m1")).get_json()
    assert {s["key"]: s["state"] for s in day["stops"]} == {"hotspot:H1": "todo", "school:S1": "todo",
                                                            "route:K1": "todo"}
    assert client.get("/patrol/me", headers=basic("m1")).status_code == 200


def test_a_member_of_a_team_the_county_lacks_is_told_so(county, client):
    add_member(county.config["RESOLVED_DATABASE_URL"], "m3", "GONE")
    page = client.get("/patrol/me", headers=basic("m3"))
    assert page.status_code == 400 and "GONE" in page.get_data(as_text=True)
    data = client.get("/patrol/me/data", headers={**basic("m3"), "Accept": "application/json"})
    assert data.status_code == 400 and data.get_json()["field"] == "team_code"
    resp = client.post("/patrol/me/checkins", data={"stop": "hotspot:H1"}, headers=basic("m3"))
    assert resp.status_code == 400


def test_schools_are_stops_on_the_county_school_days_only(county, client, conn):
    from layers import school_calendar

    school_calendar.set_day(conn, "410999", NOW.date(), "holiday", "校庆", "test")
    conn.commit()
    day = client.get("/patrol/me/data", headers=basic("m1")).get_json()
    assert {s["key"] for s in day["stops"]} == {"hotspot:H1", "route:K1"}
    assert not day["school_day"] and day["school_note"] == "今日非上学日（校庆）"
    assert "今日非上学日（校庆）" in client.get("/patrol/me", headers=basic("m1")).get_data(as_text=True)
    resp = post_checkin(client, stop="school:S1")
    assert resp.status_code == 400 and resp.get_json()["field"] == "stop"


def test_a_picture_of_too_many_pixels_is_refused(county, client, conn):
    out = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(out, "PNG")  # small as a file, 60 million pixels once opened
    resp = post_checkin(client, photo=out.getvalue(), name="bomb.png")
    assert resp.status_code == 400 and resp.get_json()["field"] == "photo"
    assert "像素" in resp.get_json()["message"]
    assert stored(conn) == (0, 0)


def test_an_inaccurate_fix_does_not_mark_a_stop_reached(county, client, conn):
    """A phone fix flagged as inaccurate (issue 15, item 1) at the route stop K1 neither
    reaches it nor joins the trail."""
    with conn.cursor() as cur:
        cur.execute("""INSERT INTO patrol_tracks (county_code, code, team_code, recorded_at, props, geom)
                       VALUES (%s, 'flag-k1', 'T1', %s, '{"flagged": "accuracy"}',
                               ST_SetSRID(ST_MakePoint(111.03, 33.002), 4326))""",
                    (COUNTY, datetime(2026, 11, 25, 9, 45, tzinfo=LOCAL)))
    conn.commit()
    day = client.get("/patrol/me/data", headers=basic("m1")).get_json()
    assert {s["key"]: s["state"] for s in day["stops"]}["route:K1"] == "todo"
    assert [111.03, 33.002] not in day["trail"]
