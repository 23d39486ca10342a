"""The map shell in headless Chromium: layers draw from vector tiles, controls and popups
work, nothing leaves the host."""
from __future__ import annotations

import pytest

from layers.catalog import LAYERS
from tests.browser.conftest import sign_in
from web.maps import SECTOR_TITLE

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/map_shell.png"
# Layers whose features must be drawn from their tiles in the 'all' view at the county's
# extent (camera sectors from zoom 13 on).
DRAWN = ("townships", "villages", "cameras", "incidents", "schools", "roads",
         "patrol_teams", "patrol_routes", "patrol_tracks", "hotspots")

MAP = "window[document.querySelector('.folium-map').id]"


def settle(page) -> None:
    """Wait until every overlay on the map has its tiles (polled: the CSP forbids the eval
    wait_for_function needs)."""
    for _ in range(600):
        if page.evaluate("CountyVector.settled()"):
            break
        page.wait_for_timeout(50)
    page.wait_for_timeout(100)


def wait_for_map(page) -> None:
    page.wait_for_selector(".folium-map[data-county-map=ready]", timeout=60_000)
    settle(page)


def path_counts(page) -> dict[str, int]:
    """Features drawn per overlay (CountyVector.drawn: 0 for overlays switched off)."""
    counts = page.evaluate("CountyVector.drawn()")
    return {name: counts.get(name, 0) for name in (*DRAWN, "camera_sectors")}


def click_at(page, lat: float, lon: float) -> None:
    """A click on the map at lat/lon."""
    x, y = page.evaluate(f"""(() => {{ const m = {MAP}; const p = m.latLngToContainerPoint([{lat}, {lon}]);
        const r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }})()""")
    page.mouse.click(x, y)


def bounds(page) -> list[float]:
    return page.evaluate(f"(() => {{ const b = {MAP}.getBounds();"
                         f" return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }})()")


def assert_clean(page) -> None:
    log = page.log
    assert log.page_errors == []
    assert log.console_errors == []
    assert log.blocked == [], f"requests to other hosts: {log.blocked}"


def test_map_shell_draws_every_layer_offline(page, live_app):
    sign_in(page, then="/map")
    wait_for_map(page)
    drawn_after = page.evaluate("performance.now()") / 1000
    size = page.evaluate("performance.getEntriesByType('navigation')[0].transferSize") / 1e6
    print(f"\n/map ({live_app.config['LOADED_COUNTY']} county): {size:.2f} MB, "
          f"drawn {drawn_after:.1f} s after navigation")

    counts = path_counts(page)
    assert all(counts[name] > 0 for name in DRAWN), counts

    overlay_labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    text = " ".join(overlay_labels)
    for layer in LAYERS.values():
        assert layer.title in text, (layer.title, overlay_labels)
    assert SECTOR_TITLE in text

    legend = page.locator(".cm-legend")
    assert legend.is_visible() and "图例" in legend.inner_text()
    assert "偏远村" in legend.inner_text() and "正常" in legend.inner_text()
    scale = page.locator(".leaflet-control-scale-line")
    assert scale.count() == 1 and scale.is_visible()
    assert scale.inner_text().strip().endswith(("m", "km"))
    assert page.locator("img.leaflet-tile").count() == 0  # no base map configured (vector tiles are canvases)
    page.screenshot(path=SCREENSHOT)

    # 乡镇定位: the map fits the chosen township, and 全县 goes back.
    county = bounds(page)
    select = page.locator(".cm-township-zoom select")
    assert "乡镇定位" in page.locator(".cm-township-zoom").inner_text()
    options = select.locator("option").all_inner_texts()
    assert options[0] == "全县" and len(options) > 2
    select.select_option(index=2)
    for _ in range(100):  # polled from here: the page's CSP forbids the eval wait_for_function needs
        if page.evaluate(f"{MAP}.getZoom() > 0 && !{MAP}._animatingZoom"):
            break
        page.wait_for_timeout(50)
    page.wait_for_timeout(400)
    town = bounds(page)
    assert town != county
    assert (town[2] - town[0]) < (county[2] - county[0])  # zoomed in
    page.screenshot(path=SCREENSHOT.replace(".png", "_township.png"))
    select.select_option(index=0)
    page.wait_for_timeout(400)
    assert bounds(page) == pytest.approx(county, abs=1e-6)

    # Close up on a camera: sectors are drawn to scale around it; a click on it fetches its
    # OGC item and the popup reads in Chinese, as the item says.
    camera = page.evaluate("fetch('/ogc/collections/cameras/items?limit=1&f=json').then(r => r.json())")
    camera = camera["features"][0]
    lon, lat = camera["geometry"]["coordinates"]
    page.evaluate(f"{MAP}.setView([{lat}, {lon}], 18, {{animate: false}})")
    settle(page)
    assert path_counts(page)["camera_sectors"] > 0
    page.screenshot(path=SCREENSHOT.replace(".png", "_closeup.png"))
    click_at(page, lat, lon)
    popup = page.locator(".leaflet-popup-content table.cm-popup")
    popup.wait_for(timeout=5_000)
    body = page.locator(".leaflet-popup-content").inner_text()
    assert "状态" in body and "可视距离(米)" in body and camera["properties"]["code"] in body
    status = {"working": "正常", "faulty": "故障", "offline": "离线"}[camera["properties"]["status"]]
    assert status in body
    assert page.locator(f".folium-map[data-popup-code='{camera['properties']['code']}']").count() == 1

    assert_clean(page)
    origin = page.url.split("/map")[0]
    assert all(u.startswith(origin) for u in page.log.requests), page.log.requests


@pytest.mark.parametrize("path, on, off", [
    ("/map?preset=commander", ("patrol_routes", "patrol_tracks", "cameras", "hotspots"), ("incidents",)),
    ("/map?preset=planner", ("incidents", "hotspots"), ("patrol_tracks", "camera_sectors")),
    ("/map?preset=leader", ("villages", "cameras"), ("incidents", "patrol_tracks")),
])
def test_views_draw_their_layers(page, path, on, off):
    sign_in(page, then=path)
    wait_for_map(page)
    counts = path_counts(page)
    assert all(counts[name] > 0 for name in on), counts
    assert all(counts[name] == 0 for name in off), counts
    assert_clean(page)


def test_popup_text_is_written_as_the_server_writes_it(page):
    """The browser's popup text (static/vector_layers.js) equals web.maps.text.display_value
    for the OGC items of every layer: labels of coded values, times in Asia/Shanghai,
    bearings, distances, yes/no, names beside codes."""
    import html

    from layers.catalog import overlays
    from tests.web.test_maps import setup_of, tile_overlays
    from web.maps import display_value

    sign_in(page, then="/map")
    wait_for_map(page)
    source = page.content()
    options, names = tile_overlays(source), setup_of(source)["names"]
    compared = 0
    for name, _, look, layer in overlays():
        columns = options[name]["columns"]
        if not columns or name == "patrol_tracks":
            continue
        items = page.evaluate(f"fetch('/ogc/collections/{layer.name}/items?limit=30&f=json').then(r => r.json())")
        for item in items["features"]:
            props = item["properties"]
            shown = page.evaluate("""([cols, props, names]) => cols.map(c => CountyVector.text(c, props[c[0]], names))""",
                                  [columns, props, names])
            expected = [html.unescape(display_value(layer.column(c[0]) or look_column(look, c[0]), props.get(c[0]),
                                                    names, look)) for c in columns]
            assert shown == expected, (name, props)
            compared += len(columns)
    assert compared > 500


def look_column(look, name):
    return next(c for c in look.popup or () if c.name == name)
