"""The header on a phone collapses into a menu; on a desk the other roles' pages open
from one menu; the map's legend starts closed on a phone and leaves the layer control free."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_phone_header_is_one_line_until_the_menu_opens(page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "planner", then="/planner/remediation")
    bar = page.locator("header.topbar")
    assert bar.bounding_box()["height"] < 60, "the header wraps"
    assert not page.locator("#topnav").is_visible()
    assert overflow(page) <= 0
    page.click("[data-menu-toggle]")
    assert page.locator("[data-menu-toggle]").get_attribute("aria-expanded") == "true"
    link = page.locator("#topnav nav a", has_text="季度乱点清单")
    assert link.is_visible() and overflow(page) <= 0
    page.click("#topnav summary")
    assert page.locator(".more-menu a", has_text="领导驾驶舱").is_visible()
    with page.expect_navigation():
        link.click()
    assert "/planner/hotspots" in page.url
    assert page.log.blocked == [] and page.log.page_errors == []


def test_desk_menu_of_other_pages(page):
    sign_in(page, "commander", then="/commander/cameras/list")
    assert not page.locator("[data-menu-toggle]").is_visible()
    assert page.locator("header.topbar").bounding_box()["height"] < 60
    menu = page.locator(".more-menu")
    assert not menu.is_visible()
    page.click("#topnav summary")
    assert menu.is_visible() and "（只读）" in menu.inner_text() and "整治台账" in menu.inner_text()
    assert page.log.page_errors == []


def test_phone_legend_starts_closed_and_opens(page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "leader", then="/map")
    page.wait_for_selector("[data-county-map=ready]", timeout=60_000)
    legend = page.locator(".cm-legend details")
    assert legend.get_attribute("open") is None
    layers = page.locator(".leaflet-control-layers")
    page.wait_for_function("!document.querySelector('.leaflet-control-layers')"
                           ".classList.contains('leaflet-control-layers-expanded')")
    assert layers.bounding_box()["height"] < 60  # folded into its button
    page.click(".leaflet-control-layers-toggle")
    assert page.locator(".leaflet-control-layers-list").is_visible()
    page.click(".cm-legend summary")
    assert legend.get_attribute("open") is not None
    assert overflow(page) <= 0


def test_phone_page_legend_folds_and_unfolds(page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "commander", then="/commander/")
    legend = page.locator(".maplegend").first
    legend.wait_for(timeout=60_000)
    folded = legend.bounding_box()["height"]
    assert "folded" in legend.get_attribute("class") and folded < 40
    legend.click()
    assert legend.bounding_box()["height"] > folded + 40
    assert page.log.page_errors == []
