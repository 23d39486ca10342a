"""The header's search box in headless Chromium (issue 12, item 5): pinyin initials typed
in the box, a hit chosen with the keyboard; the map flies there, or the hit's page opens,
or the county map opens at the place; on a phone the box folds into an icon. No request
leaves the host."""
from __future__ import annotations

from pathlib import Path

import psycopg2
import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_map_shell import MAP, assert_clean, bounds, wait_for_map

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
BOX = "#cm-search-input"


@pytest.fixture
def demo(live_app):
    if live_app.config["LOADED_COUNTY"] != "demo":
        pytest.skip("needs the demo county")
    return live_app


def village(app, name="韩岩村"):
    with psycopg2.connect(app.config["RESOLVED_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT code, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM villages"
                    " WHERE name = %s", (name,))
        found = cur.fetchone()
    conn.close()
    return found


def type_and_wait(page, text: str) -> list[str]:
    page.locator(BOX).fill("")
    page.locator(BOX).press_sequentially(text, delay=40)
    page.wait_for_selector("#cm-search-list [role=option]", timeout=10_000)
    assert page.locator(BOX).get_attribute("aria-expanded") == "true"
    return page.locator("#cm-search-list [role=option] .cm-search-name").all_inner_texts()


def inside(box: list[float], lon: float, lat: float) -> bool:
    south, west, north, east = box
    return south <= lat <= north and west <= lon <= east


def test_initials_then_enter_flies_the_map(page, demo):
    code, lon, lat = village(demo)
    sign_in(page, "commander", then="/map")
    wait_for_map(page)
    assert not inside(bounds(page), 111.0, 40.0)
    names = type_and_wait(page, "hyc")
    assert names[0] == "韩岩村"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")           # back to the first
    assert page.locator("#cm-search-opt-0").get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_selector(f".folium-map[data-search-shown='{code}']", timeout=10_000)
    assert "/map" in page.url
    view = bounds(page)
    assert inside(view, lon, lat)
    assert view[2] - view[0] < 0.1            # zoomed in on the village, not the county
    assert page.locator("path.cm-search-flash").count() == 1
    assert "韩岩村" in page.locator(".leaflet-popup-content").inner_text()
    assert page.locator("#cm-search-list").is_hidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "search-map-desk.png"))
    assert_clean(page)


def test_without_a_map_the_planner_opens_the_village_page(page, demo):
    code, lon, lat = village(demo)
    sign_in(page, "planner", then="/planner/remediation")
    type_and_wait(page, "hyc")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/planner/remediation/{code}")      # a planner edits the village
    assert_clean(page)


def test_without_a_map_or_a_page_the_county_map_opens_there(page, demo):
    code, lon, lat = village(demo)
    sign_in(page, "leader", then="/commander/cameras/list")      # no map on this page
    type_and_wait(page, "韩岩")
    page.keyboard.press("Escape")
    assert page.locator("#cm-search-list").is_hidden()
    page.keyboard.press("ArrowDown")                              # shown again, the first chosen
    assert page.locator("#cm-search-opt-0").get_attribute("aria-selected") == "true"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/map#" in page.url
    wait_for_map(page)
    page.wait_for_timeout(300)
    assert inside(bounds(page), lon, lat) and page.evaluate(f"{MAP}.getZoom()") >= 13
    assert page.locator("path.cm-search-flash").count() == 1
    assert_clean(page)


def test_camera_code_opens_its_page_from_a_list(page, demo):
    sign_in(page, "leader", then="/commander/cameras/list")
    with psycopg2.connect(demo.config["RESOLVED_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT code, name FROM cameras ORDER BY code LIMIT 1")
        code, name = cur.fetchone()
    conn.close()
    assert type_and_wait(page, code)[0] == name
    with page.expect_navigation():
        page.locator("#cm-search-opt-0").click()
    assert page.url.endswith(f"/commander/cameras/{code}")
    assert_clean(page)


def test_phone_folds_the_box_into_an_icon(page, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "leader", then="/leader/remediation")
    toggle = page.locator(".cm-search-toggle")
    assert toggle.is_visible() and page.locator(BOX).is_hidden()
    toggle.click()
    assert page.locator(BOX).is_visible()
    box = page.locator(BOX).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    type_and_wait(page, "hyc")
    listbox = page.locator("#cm-search-list").bounding_box()
    assert listbox["x"] >= 0 and listbox["x"] + listbox["width"] <= 390
    assert page.evaluate("document.querySelector('.cm-search').getBoundingClientRect().right") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "search-phone.png"))
    assert_clean(page)
