"""The commander's patrol page and a printable plan in headless Chromium, offline."""
from __future__ import annotations

import pytest

from tests.browser.conftest import add_users, app_with_county, sign_in
from tests.web.test_patrol_pages import load_patrol_county

pytestmark = pytest.mark.browser

DRAWN = ("pt-route", "pt-track", "pt-hotspot", "pt-school", "pt-team")


def _load(url, county_code):
    from layers.db import transaction

    add_users(url)
    with transaction(url) as conn:
        load_patrol_county(conn)
    return "patrol"


@pytest.fixture(scope="module")
def live_app(database_url, tmp_path_factory):
    """The app on the small patrol county of tests/web/test_patrol_pages.py (not the demo)."""
    app = app_with_county(database_url, tmp_path_factory.mktemp("var"), _load)
    yield app
    app.extensions["countymap_db"].close()


def counts(page, names) -> dict[str, int]:
    return page.evaluate("(names) => Object.fromEntries(names.map("
                         "n => [n, document.querySelectorAll('path.' + n).length]))", list(names))


def test_commander_page_and_printable_plan(page):
    sign_in(page, "commander", then="/commander/patrol")
    page.wait_for_selector(".folium-map[data-api-pending='0'] path.pt-team", state="attached", timeout=30_000)
    drawn = counts(page, DRAWN)
    assert drawn == {"pt-route": 2, "pt-track": 2, "pt-hotspot": 2, "pt-school": 2, "pt-team": 2}, drawn
    alerts = page.locator("#patrol-alerts")
    assert alerts.is_visible()
    assert "河滩（H2）" in alerts.inner_text() and "乙乡`中学\\（S2）" in alerts.inner_text()
    assert "{{ 7*7 }}乙乡专职队（T2）" in page.locator("#alert-teams").inner_text()
    assert page.locator("#patrol-legend").is_visible() and "未巡" in page.locator("#patrol-legend").inner_text()
    assert page.locator(".leaflet-tile").count() == 0
    # a team's last position names the team
    page.locator("path.pt-team").last.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert "{{ 7*7 }}乙乡专职队" in popup.inner_text() and "最后位置" in popup.inner_text()
    page.screenshot(path="/tmp/patrol_commander.png")

    # the printable plan of 甲镇专职队: route, numbered stops, times; then saved as its route
    with page.expect_navigation():
        page.locator("#team-plans a", has_text="甲镇专职队").click()
    page.wait_for_selector("path.pt-plan-route", state="attached", timeout=30_000)
    assert page.locator(".leaflet-marker-pane .pt-stop span").all_inner_texts() == ["1", "2"]
    rows = page.locator("#plan-stops tbody tr")
    assert rows.count() == 4 and "08:" in rows.nth(1).inner_text()
    assert {"集市", "一小"} <= set(page.locator("#plan-stops tbody td:nth-child(3)").all_inner_texts())
    page.screenshot(path="/tmp/patrol_plan.png")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible() and not page.locator("#save-plan").is_visible()
    assert page.locator("#mapwrap").is_visible() and page.locator("path.pt-plan-route").is_visible()
    page.wait_for_timeout(200)
    box, route = page.locator("#mapwrap").bounding_box(), page.locator("path.pt-plan-route").bounding_box()
    assert box["x"] <= route["x"] and route["x"] + route["width"] <= box["x"] + box["width"]  # refitted
    page.screenshot(path="/tmp/patrol_plan_print.png", full_page=True)
    page.emulate_media(media="screen")
    page.fill("#save-plan input[name=code]", "T1-BROWSER")
    with page.expect_navigation():
        page.click("#save-plan button[type=submit]")
    assert "已保存巡逻路线 T1-BROWSER" in page.locator(".flash").inner_text()
    page.goto("/commander/patrol")
    page.wait_for_selector(".folium-map[data-api-pending='0'] path.pt-team", state="attached", timeout=30_000)
    assert counts(page, ["pt-route"])["pt-route"] == 3
    # a plan whose names carry braces, a backtick and a backslash (tooltips are JS template literals)
    page.goto("/commander/patrol/plan/T2")
    page.wait_for_selector("path.pt-plan-route", state="attached", timeout=30_000)
    page.locator(".leaflet-marker-pane .pt-stop-school").hover()
    assert "学校 乙乡`中学\\" in page.locator(".leaflet-tooltip").inner_text()

    log = page.log
    assert log.page_errors == [] and log.console_errors == []
    assert log.blocked == [], f"requests to other hosts: {log.blocked}"
