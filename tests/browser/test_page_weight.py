"""Every map page of the demo county stays light in Chromium: its HTML under 150 KB (the
map's data comes from tiles and APIs after the page), nothing asked of another host, the
map's data all arrived, and the time until the map answers is printed."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

BUDGET = 150_000
# (role, page, what marks the map as drawn)
MAP_PAGES = [
    ("admin", "/map", ".folium-map[data-county-map=ready]"),
    ("commander", "/map?preset=commander", ".folium-map[data-county-map=ready]"),
    ("planner", "/map?preset=planner", ".folium-map[data-county-map=ready]"),
    ("leader", "/map?preset=leader", ".folium-map[data-county-map=ready]"),
    ("commander", "/commander/", ".folium-map"),
    ("commander", "/commander/cameras", ".folium-map"),
    ("commander", "/commander/patrol?day=2026-11-26", ".folium-map[data-api-pending='0']"),
    ("commander", "/commander/siting?village=410999002202", ".folium-map"),
    ("leader", "/leader/remediation?as_of=2026-11-26", ".folium-map[data-api-pending='0']"),
    ("leader", "/leader/coverage", ".folium-map[data-api-pending='0']"),
    ("leader", "/leader/hotspots?quarter=2026Q3", ".folium-map[data-api-pending='0']"),
    ("planner", "/planner/hotspots?quarter=2026Q4", ".folium-map[data-api-pending='0']"),
    ("patrol", "/patrol/me", "#member-map path.leaflet-interactive"),
]


def settled(page) -> bool:
    return page.evaluate("!window.CountyVector || CountyVector.settled()")


@pytest.mark.parametrize("role, path, ready", MAP_PAGES, ids=[p for _, p, _ in MAP_PAGES])
def test_map_page_is_light_and_local(page, live_app, role, path, ready):
    if live_app.config["LOADED_COUNTY"] != "demo":
        pytest.skip("needs the demo county")
    sign_in(page, role, then="/account/password")
    page.goto(path)
    page.wait_for_selector(ready, state="attached", timeout=60_000)
    drawn_at = page.evaluate("performance.now()")
    html = page.evaluate("performance.getEntriesByType('navigation')[0].decodedBodySize")
    for _ in range(600):
        if settled(page):
            break
        page.wait_for_timeout(50)
    page.wait_for_load_state("networkidle")
    print(f"\n{path}: HTML {html / 1e3:.1f} KB, map ready {drawn_at / 1e3:.2f} s after navigation")
    assert 0 < html < BUDGET, f"{path} is {html / 1e3:.1f} KB"
    assert page.locator(".folium-map[data-api-failed]").count() == 0
    log = page.log
    assert log.blocked == [] and log.page_errors == [] and log.console_errors == [], \
        (log.blocked, log.page_errors, log.console_errors)
