"""The leader's cockpit in Chromium (issue 12, item 1): one screen at 1440×900 with every
indicator and its target, the ranking sorts, the map recolours, stacked on a phone, the
wall screen, and a print of it."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

KEYS = ["remediation", "video", "cameras_working", "cameras_networked", "hotspots", "staffing",
        "patrol_hotspots", "patrol_schools", "r10_flags"]
SIZE = "({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight," \
       " vw: window.innerWidth, vh: window.innerHeight})"


def open_cockpit(page, path="/leader/", width=1440, height=900):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "leader", then=path)
    page.wait_for_selector("#ck-rank")
    page.wait_for_load_state("networkidle")
    return page.evaluate(SIZE)


def fills(page) -> dict:
    return page.eval_on_selector_all("#ck-svg path", "ps => Object.fromEntries(ps.map(p => "
                                                      "[p.dataset.code, getComputedStyle(p).fill]))")


def test_one_screen_at_the_desk(page, live_app):
    size = open_cockpit(page)
    assert size["w"] <= size["vw"] and size["h"] <= size["vh"], size           # no scroll either way
    for key in KEYS:
        card = page.locator(f"#ind-{key}")
        assert card.is_visible(), key
        box = card.bounding_box()
        assert box["y"] + box["height"] <= 900, key
        text = card.inner_text()
        assert "目标" in text or "看趋势" in text, (key, text)
        assert "上月" in text
    assert page.locator("#ck-svg").is_visible() and page.locator("#ck-rank").is_visible()
    origin = page.url.split("/leader")[0]
    assert page.log.blocked == [] and all(u.startswith(origin) for u in page.log.requests), page.log.requests
    assert page.log.page_errors == [] and page.log.console_errors == []


def test_ranking_sorts_and_map_recolours(page, live_app):
    open_cockpit(page)
    rows = page.locator("#ck-rank tbody tr")
    if rows.count() < 2:
        pytest.skip("needs two townships")

    def column(key):
        idx = page.eval_on_selector_all("#ck-rank thead th", f"hs => hs.findIndex(h => h.dataset.sort === '{key}')")
        return page.eval_on_selector_all(
            "#ck-rank tbody tr", f"rs => rs.map(r => r.cells[{idx}].dataset.v).map(v => v === '' ? null : +v)")
    page.click("#ck-rank th[data-sort=remediation]")
    values = [v for v in column("remediation") if v is not None]
    assert values == sorted(values, reverse=True)
    page.click("#ck-rank th[data-sort=remediation]")
    values = [v for v in column("remediation") if v is not None]
    assert values == sorted(values)
    page.click("#ck-rank th[data-sort=staffing]")
    values = [v for v in column("staffing") if v is not None]
    assert values == sorted(values, reverse=True)
    page.select_option("#ck-indicator", "remediation")
    before = fills(page)
    assert len(set(before.values())) > 1 and page.get_attribute("#cockpit", "data-coloured-by") == "remediation"
    page.select_option("#ck-indicator", "staffing")
    after = fills(page)
    assert page.get_attribute("#cockpit", "data-coloured-by") == "staffing"
    assert after != before, (before, after)


def test_stacks_on_a_phone(page, live_app):
    size = open_cockpit(page, width=390, height=844)
    wide = page.evaluate("Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right"
                         " > 391).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)")
    assert size["w"] <= 390, (size, wide)
    first, second = (page.locator(f"#ind-{k}").bounding_box() for k in KEYS[:2])
    assert first["x"] + first["width"] <= 390 and second["x"] + second["width"] <= 390
    rank, svg = page.locator(".ck-rank").bounding_box(), page.locator("#ck-svg").bounding_box()
    assert rank["y"] >= svg["y"] + svg["height"] - 1                      # the ranking below the map
    page.screenshot(path="var/screenshots/leader-cockpit-phone-full.png", full_page=True)


def test_wall_screen(page, live_app):
    size = open_cockpit(page, "/leader/wall", 1920, 1080)
    assert "wall=1" in page.url and not page.locator("header.topbar").is_visible()
    assert page.get_attribute("#cockpit", "data-refresh") == "300"
    assert size["w"] <= size["vw"] and size["h"] <= size["vh"], size
    big = page.eval_on_selector("#ind-remediation .ck-value", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert big >= 30
    page.screenshot(path="var/screenshots/leader-wall-1920.png")


def test_prints(page, live_app):
    open_cockpit(page)
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible() and page.locator(".print-head").is_visible()
    assert all(page.locator(f"#ind-{k}").is_visible() for k in KEYS)
    page.set_viewport_size({"width": 1123, "height": 794})
    page.screenshot(path="var/screenshots/print-leader-cockpit.png", full_page=True)
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf[:4] == b"%PDF"
