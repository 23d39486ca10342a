"""The commander's live map in headless Chromium (issue 15, item 2): a phone posts positions
to the OsmAnd endpoint over HTTP while the page is open; the team's marker moves to them
without a reload, an arrival at a listed hotspot shows in the alert list, and once the team
is silent longer than PATROL_SILENT_MINUTES its marker turns grey and an alert appears."""
from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import app_with_county, sign_in
from tests.browser.test_patrol_page import _load  # the small patrol county of tests/web/test_patrol_pages.py
from tests.conftest import basic

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"
SILENT_S = 8


@pytest.fixture(scope="module")
def live_app(database_url, tmp_path_factory):
    app = app_with_county(database_url, tmp_path_factory.mktemp("var"), _load)
    app.config.update(LIVE_POLL_S=1, PATROL_SILENT_MINUTES=SILENT_S / 60)
    yield app
    app.extensions["countymap_db"].close()


def post_fix(base: str, token: str, lat: float, lon: float) -> int:
    """A fix as Traccar Client sends it: POST to the server URL with the parameters appended."""
    query = (f"id=123456&timestamp={int(time.time())}&lat={lat}&lon={lon}&speed=0.0&bearing=0.0"
             f"&altitude=112.0&accuracy=8.0&batt=76.0")
    req = urllib.request.Request(f"{base}/osmand/{token}?{query}", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.read() == b""
        return resp.status


def marker(page, team: str):
    return page.evaluate("(t) => { const m = window.countymapLive && window.countymapLive.markers[t];"
                         " if (!m) return null; const p = m.getLatLng();"
                         " return {lat: p.lat, lon: p.lng, silent: !!m.silent, fill: m.options.fillColor}; }", team)


def wait_marker(page, team: str, lat: float, lon: float, timeout_s: float = 15):
    end = time.time() + timeout_s
    while time.time() < end:
        got = marker(page, team)
        if got and abs(got["lat"] - lat) < 1e-6 and abs(got["lon"] - lon) < 1e-6:
            return got
        page.wait_for_timeout(250)
    raise AssertionError(f"marker of {team} not at {lat}, {lon}: {marker(page, team)}")


def test_marker_moves_as_points_arrive_then_greys_when_silent(live_app, live_server, page):
    resp = live_app.test_client().post("/api/devices", json={"device_id": "123456", "team_code": "T1"},
                                       headers=basic("commander"))
    token = resp.get_json()["url"].rsplit("/", 1)[1]
    sign_in(page, "commander", then="/commander/")
    page.wait_for_function("() => window.countymapLive && window.countymapLive.polls > 0")
    before = page.evaluate("() => document.querySelectorAll('.alert').length")

    assert post_fix(live_server, token, 33.02, 111.03) == 200
    first = wait_marker(page, "T1", 33.02, 111.03)
    assert first["silent"] is False and first["fill"] != "#9e9e9e"
    assert post_fix(live_server, token, 33.003, 111.043) == 200     # into hotspot H1
    wait_marker(page, "T1", 33.003, 111.043)
    page.wait_for_selector(".alert-event.event-arrive", timeout=10_000)
    assert "集市" in page.locator(".alert-event").first.inner_text()
    assert page.evaluate("() => window.countymapLive.trails['T1'].getLatLngs().length") >= 2
    tooltip = page.evaluate("() => window.countymapLive.markers['T1'].getTooltip().getContent()")
    assert "电量 76%" in tooltip and "上报于" in tooltip
    page.locator("#live-teams summary").click()
    assert "电量 76%" in page.locator('#live-teams li[data-team="T1"]').inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "commander-live-1440.png"))

    page.wait_for_function("() => window.countymapLive.markers['T1'].silent === true", timeout=(SILENT_S + 10) * 1000)
    grey = marker(page, "T1")
    assert grey["fill"] == "#9e9e9e" and (grey["lat"], grey["lon"]) == (33.003, 111.043)
    page.wait_for_selector('.alert-silent[data-live="silent-T1"]', timeout=5_000)
    assert "未上报" in page.locator('.alert-silent[data-live="silent-T1"]').inner_text()
    page.wait_for_selector('#live-teams li.silent[data-team="T1"]', timeout=5_000)
    assert page.evaluate("() => document.querySelectorAll('.alert').length") > before
    page.locator('.alert-silent[data-live="silent-T1"] button.locate').click()   # the alert's 定位 works
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "commander-live-silent-1440.png"))

    assert post_fix(live_server, token, 33.004, 111.044) == 200    # reports again: colour back, alert gone
    page.wait_for_function("() => window.countymapLive.markers['T1'].silent === false", timeout=10_000)
    page.wait_for_selector('.alert-silent[data-live="silent-T1"]', state="detached", timeout=5_000)
    page.wait_for_function("() => { const p = window.countymapLive.trails['T1'].getLatLngs();"
                           " const e = p[p.length - 1]; return p.length >= 3 && e.lat === 33.004 && e.lng === 111.044; }",
                           timeout=5_000)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "commander-live-390.png"), full_page=True)
    assert page.log.page_errors == [] and page.log.console_errors == [] and page.log.blocked == []


def test_register_on_the_page_then_the_phone_reports(live_app, live_server, page):
    sign_in(page, "commander", then="/commander/devices")
    page.fill("input[name=device_id]", "860001")
    page.select_option("select[name=team_code]", "T2")
    page.fill("input[name=label]", "巡逻车 1")
    with page.expect_navigation():
        page.click("#device-form button[type=submit]")
    url = page.locator("#phone-url").inner_text()
    assert url.startswith(live_server + "/osmand/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "commander-devices-added-1440.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "commander-devices-added-390.png"), full_page=True)
    assert post_fix(live_server, url.rsplit("/", 1)[1], 33.01, 111.16) == 200
    page.goto("/commander/devices")
    row = page.locator("#device-table tr", has_text="860001").inner_text()
    assert "巡逻车 1" in row and "76%" in row and "在用" in row
    assert url not in page.content()   # the URL is shown once
    with page.expect_navigation():
        page.locator("#device-table tr", has_text="860001").locator("button.revoke").click()
    assert "已停用" in page.locator("#device-table tr", has_text="860001").inner_text()
    assert page.log.page_errors == [] and page.log.console_errors == [] and page.log.blocked == []
