"""A patrol member's page on a phone (390×844) in headless Chromium, offline: sign in, see
today's stops on the map and in the list, check in with a note and a small PNG, see the
stop turn 已打卡; the commander sees the check-in with its photo. Screenshots of both pages
at both sizes go to var/screenshots/."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import LOCAL_HOSTS, PageLog, add_users, app_with_county, sign_in
from tests.web.test_patrol_members import NOW, add_member, png
from tests.web.test_patrol_pages import DAY, load_patrol_county

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE, DESK = (390, 844), (1440, 900)
HERE = {"latitude": 33.003, "longitude": 111.042, "accuracy": 12}  # inside 集市 (H1)


def _load(url, county_code):
    from layers.db import transaction

    add_users(url)
    with transaction(url) as conn:
        load_patrol_county(conn)
        with conn.cursor() as cur:
            cur.execute("""UPDATE patrol_routes SET props = '{"stops": [{"code": "K1", "name": "桥头",
                           "lon": 111.03, "lat": 33.002}]}' WHERE code = 'P1'""")
    add_member(url, "m1", "T1")
    return "patrol"


@pytest.fixture(scope="module")
def live_app(database_url, tmp_path_factory):
    """The small patrol county on DAY at 10:00 (a school day), member m1 of team T1."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("web.pages.patrol.now", lambda: NOW)
        app = app_with_county(database_url, tmp_path_factory.mktemp("var"), _load)
        yield app
        app.extensions["countymap_db"].close()


@pytest.fixture
def phone(chromium, live_server):
    """A phone-sized page that allowed geolocation (at H1) and can reach only the app."""
    context = chromium.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, locale="zh-CN",
                                   base_url=live_server, permissions=["geolocation"], geolocation=HERE,
                                   is_mobile=True, has_touch=True)
    log = PageLog()

    def route(r):
        if urlsplit(r.request.url).hostname not in LOCAL_HOSTS and urlsplit(r.request.url).scheme.startswith("http"):
            log.blocked.append(r.request.url)
            return r.abort()
        return r.continue_()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
    pg.on("console", lambda msg: msg.type == "error" and log.console_errors.append(msg.text))
    pg.log = log
    yield pg
    context.close()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (w, h) in (("phone", PHONE), ("desk", DESK)):
        page.set_viewport_size({"width": w, "height": h})
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})


def test_member_checks_in_on_a_phone(phone, tmp_path):
    page = phone
    sign_in(page, "m1", then="/")
    assert page.url.endswith("/patrol/me")
    page.wait_for_selector("#member-map path.leaflet-interactive", state="attached", timeout=30_000)
    stops = page.locator("#stops li.stop")
    assert stops.count() == 3
    assert page.locator('li[data-stop="hotspot:H1"] .badge').inner_text() == "已到"
    assert page.locator('li[data-stop="route:K1"] .badge').inner_text() == "未到"
    assert page.locator("#member-map path.leaflet-interactive").count() >= 7  # route, trail, three stops, base, me
    page.wait_for_function("document.querySelector('#geo-state').classList.contains('on')", timeout=15_000)
    assert page.locator('li[data-stop="route:K1"] input[name=lat]').input_value() == "33.003000"
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page is {wide} px wider than the phone"
    shoot(page, "member-page")

    item = page.locator('li[data-stop="route:K1"]')
    item.locator("summary").click()
    item.locator("textarea[name=note]").fill("桥头有积水，已提醒村里")
    photo = tmp_path / "small.png"
    photo.write_bytes(png())
    item.locator("input[name=photo]").set_input_files(str(photo))
    with page.expect_navigation():
        item.locator("button[type=submit]").click()
    page.wait_for_selector('li[data-stop="route:K1"][data-state="checked"]', timeout=30_000)
    assert page.locator('li[data-stop="route:K1"] .badge').inner_text() == "已打卡"
    assert "已在“桥头”打卡（含照片）" in page.locator(".flash").inner_text()
    assert "桥头有积水" in page.locator("#checkins").inner_text()
    shoot(page, "member-page-checked")
    log = page.log
    assert log.page_errors == [] and log.console_errors == [], (log.page_errors, log.console_errors)
    assert log.blocked == []


def test_a_big_photo_is_made_smaller_before_it_is_sent_and_a_refusal_is_shown(phone, tmp_path, live_app):
    import numpy as np
    from PIL import Image

    page = phone
    sign_in(page, "m1", then="/patrol/me")
    big = tmp_path / "big.png"  # 2400×1800 of noise: about 13 MB, over the 10 MB a photo may have
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (1800, 2400, 3), dtype=np.uint8)).save(big)
    assert big.stat().st_size > 10 * 1024 * 1024
    item = page.locator('li[data-stop="school:S1"]')
    item.locator("summary").click()
    item.locator("input[name=photo]").set_input_files(str(big))
    with page.expect_navigation(timeout=60_000):
        item.locator("button[type=submit]").click()
    page.wait_for_selector('li[data-stop="school:S1"][data-state="checked"]', timeout=30_000)
    from layers.db import transaction
    with transaction(live_app.config["RESOLVED_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT p.width, p.height, p.original_bytes FROM patrol_checkin_photos p"
                    " JOIN patrol_checkins c ON c.id = p.checkin_id WHERE c.stop_code = 'S1'")
        width, height, sent = cur.fetchone()
    assert (width, height) == (1600, 1200) and sent < 3 * 1024 * 1024, (width, height, sent)

    bad = tmp_path / "bad.png"
    bad.write_text("not a picture")
    item = page.locator('li[data-stop="hotspot:H1"]')
    if item.locator("details[open]").count() == 0:
        item.locator("summary").click()
    item.locator("input[name=photo]").set_input_files(str(bad))
    item.locator("button[type=submit]").click()
    error = item.locator(".checkin-error")
    error.wait_for(timeout=15_000)
    assert "不是可识别的图片" in error.inner_text()
    assert item.get_attribute("data-state") != "checked"
    assert page.log.page_errors == []


def test_commander_sees_the_check_in_with_its_photo(page):
    sign_in(page, "commander", then=f"/commander/checkins?day={DAY}")
    page.wait_for_selector("#checkin-table")
    rows = page.locator("#checkin-table tbody tr[data-id]")
    if rows.count() == 0:
        pytest.skip("runs after the member's check-in")
    assert "桥头" in rows.first.inner_text() and "m1" in rows.first.inner_text()
    page.wait_for_function("[...document.querySelectorAll('img.thumb')].every(i => i.complete && i.naturalWidth > 0)")
    shoot(page, "member-commander-checkins")
    assert page.log.page_errors == [] and page.log.console_errors == []


def test_names_from_the_county_data_are_shown_as_text(phone, live_app):
    from layers.db import transaction

    evil = '<img id="evil" src="x">集市'
    with transaction(live_app.config["RESOLVED_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("UPDATE hotspots SET name = %s WHERE code = 'H1'", (evil,))
    try:
        page = phone
        sign_in(page, "m1", then="/patrol/me")
        page.wait_for_selector("#member-map path.leaflet-interactive", state="attached", timeout=30_000)
        for path in page.locator("#member-map path.leaflet-interactive").all():
            path.dispatch_event("mouseover")
        assert page.evaluate("document.getElementById('evil')") is None
        assert evil in page.locator("#member-map .leaflet-tooltip-pane").inner_text()
        assert evil in page.locator('li[data-stop="hotspot:H1"]').inner_text()
    finally:
        with transaction(live_app.config["RESOLVED_DATABASE_URL"]) as conn, conn.cursor() as cur:
            cur.execute("UPDATE hotspots SET name = '集市' WHERE code = 'H1'")
