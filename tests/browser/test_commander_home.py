"""The commander's first screen in headless Chromium, offline: 定位 on an alert flies the
map there and highlights it; hotspots show as markers at county zoom."""
from __future__ import annotations

import pytest
from shapely.geometry import Point

from tests.browser.conftest import add_users, app_with_county, sign_in
from tests.web.test_patrol_pages import load_patrol_county

pytestmark = pytest.mark.browser


def _load(url, county_code):
    from layers import coverage
    from layers.db import transaction
    from tests.helpers import put

    add_users(url)
    with transaction(url) as conn:
        load_patrol_county(conn)
        put(conn, "cameras", [{"code": "K0", "name": "路口", "kind": "fixed", "azimuth": 90.0, "fov": 60.0,
                               "range_m": 100.0, "status": "working", "networked": True, "installed_on": None,
                               "geometry": Point(111.02, 33.004)}])
        coverage.set_camera_status(conn, "410999", "K0", "offline", "值班员", "")
    return "patrol"


@pytest.fixture(scope="module")
def live_app(database_url, tmp_path_factory):
    """The app on the small patrol county of tests/web/test_patrol_pages.py (not the demo)."""
    app = app_with_county(database_url, tmp_path_factory.mktemp("var"), _load)
    yield app
    app.extensions["countymap_db"].close()


def view(page) -> dict:
    name = page.locator("#commander-home").get_attribute("data-map")
    return page.evaluate("(n) => { const m = window[n], c = m.getCenter(); "
                         "return {lat: c.lat, lon: c.lng, zoom: m.getZoom()}; }", name)


def locate(page, code) -> dict:
    before = view(page)
    page.locator(f'.alert[data-code="{code}"] button.locate').click()
    page.wait_for_function("(z) => { const n = document.getElementById('commander-home').dataset.map;"
                           " return !window[n]._animatingZoom && window[n].getZoom() > z; }", arg=before["zoom"])
    page.wait_for_timeout(900)   # the fly animation ends
    return view(page)


def test_locate_flies_the_map_to_the_alert_and_highlights_it(page):
    sign_in(page, "commander", then="/commander/")
    page.wait_for_selector("path.ch-team", state="attached", timeout=30_000)
    page.wait_for_selector("#commander-home[data-lines-drawn]", state="attached", timeout=30_000)  # fetched
    drawn = page.evaluate("() => ['ch-hotspot', 'ch-hotspot-marker', 'ch-track', 'ch-team', 'ch-route'].map("
                          "n => document.querySelectorAll('path.' + n).length)")
    assert drawn == [2, 2, 2, 2, 2], drawn
    assert page.locator(".alert").count() == 4                      # T2, H2, S2, K0
    at = locate(page, "H2")                                         # the hotspot 111.131–111.135, 33.001–33.005
    assert 111.131 < at["lon"] < 111.135 and 33.001 < at["lat"] < 33.005 and at["zoom"] >= 14, at
    assert page.locator("path.ch-highlight").count() == 1 and page.locator("path.ch-highlight-area").count() == 1
    assert page.locator('.alert[data-code="H2"]').get_attribute("class").endswith("selected")
    page.screenshot(path="/tmp/commander_home_locate.png")
    page.evaluate("() => { const n = document.getElementById('commander-home').dataset.map; window[n].setZoom(11); }")
    page.wait_for_timeout(500)
    at = locate(page, "K0")
    assert at["lon"] == pytest.approx(111.02, abs=1e-3) and at["lat"] == pytest.approx(33.004, abs=1e-3), at
    assert page.locator("path.ch-highlight").count() == 1 and page.locator("path.ch-highlight-area").count() == 0
    with page.expect_navigation():
        page.locator('.alert[data-code="K0"] a.act').click()
    assert page.url.endswith("/commander/cameras/K0")
    log = page.log
    assert log.page_errors == [] and log.console_errors == [], (log.page_errors, log.console_errors)
    assert log.blocked == [], f"requests to other hosts: {log.blocked}"
