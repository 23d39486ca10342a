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


def _figures(page) -> dict:
    return {el.get_attribute("data-figure"): int(el.inner_text()) for el in page.locator("[data-figure]").all()}


def test_one_day_gives_the_same_figures_on_every_page_and_in_the_export(page, live_app):
    """The leader's page, the ledger, the coverage page and the XLSX export agree for a day,
    and each shows the villages confirmed on an exception to the video rule."""
    import io

    from openpyxl import load_workbook

    day = "2026-11-26"
    sign_in(page, "leader", then=f"/leader/remediation?as_of={day}")
    leader = _figures(page)
    assert set(leader) == {"remote", "remediated", "remediated_with_exception"}
    assert page.locator("#exceptions tbody tr").count() == max(leader["remediated_with_exception"], 1)
    page.goto(f"/planner/remediation?as_of={day}")
    assert _figures(page) == leader
    assert page.locator("#remote-villages tr.excepted").count() == leader["remediated_with_exception"]
    assert page.locator("#remote-villages tbody tr").count() == leader["remote"]
    page.goto(f"/leader/coverage?as_of={day}")
    page.wait_for_selector(".folium-map")
    assert _figures(page) == leader
    if leader["remediated_with_exception"]:
        assert page.locator("#coverage-exceptions tbody tr").count() == leader["remediated_with_exception"]
    book = load_workbook(io.BytesIO(page.request.get(f"/leader/remediation.xlsx?as_of={day}").body()))
    county_row = [c.value for c in book["偏远村整治进度"][book["偏远村整治进度"].max_row]]
    assert county_row[2:5] == [leader["remote"], leader["remediated"], leader["remediated_with_exception"]]
    assert book["按例外认定的村"].max_row - 2 == leader["remediated_with_exception"]
    if live_app.config["LOADED_COUNTY"] == "demo":
        # the demo's cameras: remediated villages mostly meet the default rule, a few honestly not
        assert 1 <= leader["remediated_with_exception"] <= leader["remediated"] // 4
    assert page.log.page_errors == [] and page.log.console_errors == [] and page.log.blocked == []


def test_siting_of_a_village_on_an_exception(page, live_app):
    """From the coverage page's exceptions to the village's siting: its 村口 on the map, the
    proposed cameras, and whether they would do (screenshots at a desk and on a phone)."""
    from tests.browser.test_every_page import SHOTS, SIZES

    if live_app.config["LOADED_COUNTY"] != "demo":
        pytest.skip("needs the demo county")
    sign_in(page, "planner", then="/leader/coverage?as_of=2026-11-26")
    with page.expect_navigation():
        page.locator("#coverage-exceptions tbody a").first.click()
    assert "/commander/siting?village=" in page.url
    page.wait_for_selector(".leaflet-overlay-pane path")
    assert page.locator("#village-check tbody tr").count() == 5 and page.locator("#proposed tbody tr").count() >= 1
    assert "加装以上" in page.locator("#village-siting").inner_text()
    assert page.locator(".leaflet-overlay-pane path").count() >= 3  # outline, roads, markers
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        page.wait_for_timeout(1500)  # the map settles after the resize
        page.screenshot(path=str(SHOTS / f"commander-siting-village-{size}.png"))
    assert page.log.page_errors == [] and page.log.console_errors == [] and page.log.blocked == []
