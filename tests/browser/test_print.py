"""Pages print for the monthly meeting (issue 12, item 7): A4, the title, the county and the
date on top, no navigation or forms, the map with its legend, scale and a north arrow."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/leader/coverage", "/commander/cameras/list?status=problem",
                                  "/commander/patrol?day=2026-11-26"])
def test_a_page_prints_with_title_county_date_and_north_arrow(page, live_app, path):
    sign_in(page, "leader", then=path)
    page.emulate_media(media="print")
    head = page.locator(".print-head")
    assert head.is_visible() and live_app.config["COUNTY_NAME"] in head.inner_text() and "打印于" in head.inner_text()
    assert not page.locator("header.topbar").is_visible()
    assert page.locator("form").evaluate_all("fs => fs.every(f => getComputedStyle(f).display === 'none')")
    if page.locator(".mapwrap").count():
        arrow = page.evaluate("getComputedStyle(document.querySelector('.mapwrap'), '::after').content")
        assert "北" in arrow
        assert page.locator(".leaflet-control-scale").is_visible() and page.locator(".maplegend").is_visible()
    page.set_viewport_size({"width": 1123, "height": 794})         # A4 landscape at 96 dpi
    page.screenshot(path=f"var/screenshots/print{path.split('?')[0].replace('/', '-')}.png")
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
    assert page.log.blocked == [] and page.log.page_errors == []


@pytest.mark.parametrize("path, link", [("/leader/coverage", "/leader/coverage.xlsx"),
                                        ("/commander/patrol?day=2026-11-26", "/commander/patrol.xlsx?day=2026-11-26")])
def test_export_and_print_buttons(page, live_app, path, link):
    """导出 XLSX downloads the page's workbook; 打印 opens the print dialog (window.print,
    bound by app.js from data-print: no inline handler); neither is printed."""
    sign_in(page, "leader", then=path)
    with page.expect_download() as download:
        page.click("text=导出 XLSX")
    assert link in download.value.url
    assert download.value.suggested_filename.endswith(".xlsx")
    page.evaluate("() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; }")
    page.click("button[data-print]")
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    assert not page.locator(".page-actions").is_visible()
    assert page.log.blocked == [] and page.log.page_errors == []
