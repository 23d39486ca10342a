"""Pages print for the monthly meeting (issue 12, item 7): A4, the title, the county and the
date on top, no navigation or forms, the map with its legend, scale and a north arrow."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/leader/coverage", "/commander/cameras/list?status=problem"])
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
