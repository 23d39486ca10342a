"""The leader's remediation page in headless Chromium: chart, ranking table and map draw."""
import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_leader_page_draws_chart_table_and_map(page, live_app):
    sign_in(page, "leader", then="/leader/remediation?as_of=2026-06-30")
    page.wait_for_selector("#township-ranking tbody tr")
    rows = page.locator("#township-ranking tbody tr")
    towns = live_app.config["LOADED_COUNTY"]
    assert rows.count() >= (10 if towns == "demo" else 1)
    # the burn-up chart: an inline SVG with the two curves and the milestone markers
    chart = page.locator("#burnup svg")
    assert chart.count() == 1 and page.locator("#burnup svg path").count() > 10
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    # the map of remote villages coloured by status
    page.wait_for_selector(".leaflet-overlay-pane path")
    assert page.locator(".leaflet-overlay-pane path").count() > 5
    summary = page.locator(".summary").inner_text()
    assert "全县偏远村" in summary and "计划目标 60.0%" in summary
    # changing the as-of date redraws everything for that day
    page.fill("input[name=as_of]", "2026-12-31")
    with page.expect_navigation():
        page.click("form.asof button")
    assert "计划目标 100.0%" in page.locator(".summary").inner_text()
    # exports answer
    for link in ("表格 XLSX", "表格 CSV", "图表 PNG", "图表 SVG"):
        href = page.locator(f"a:has-text('{link}')").get_attribute("href")
        assert page.request.get(href).status == 200, link
    assert page.log.page_errors == [] and page.log.console_errors == []
    assert page.log.blocked == []
    page.screenshot(path="/tmp/remediation_leader.png", full_page=False)
