"""The map shell in headless Chromium: layers draw, controls work, nothing leaves the host."""
from __future__ import annotations

import pytest

from layers.catalog import LAYERS
from tests.browser.conftest import sign_in
from web.maps import SECTOR_TITLE

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/map_shell.png"
# Layers whose features must be on screen as SVG paths (class cm-<layer>) in the 'all' view.
DRAWN = ("townships", "villages", "cameras", "camera_sectors", "incidents", "schools", "roads",
         "patrol_teams", "patrol_routes", "patrol_tracks", "hotspots")

MAP = "window[document.querySelector('.folium-map').id]"


def wait_for_map(page) -> None:
    page.wait_for_selector(".folium-map[data-county-map=ready]", timeout=60_000)
    page.wait_for_selector("path.cm-townships", state="attached", timeout=60_000)


def path_counts(page) -> dict[str, int]:
    return page.evaluate("""(names) => Object.fromEntries(names.map(
        n => [n, document.querySelectorAll('path.cm-' + n).length]))""", list(DRAWN))


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
    assert page.locator(".leaflet-tile").count() == 0  # no base map configured
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

    # Close up on a camera: sectors are drawn to scale around the markers.
    page.evaluate(f"""(() => {{
        const map = {MAP}; let first = null;
        map.eachLayer(l => {{ if (!first && l.options && l.options.className === 'cm-cameras') first = l; }});
        map.setView(first.getLatLng(), 17, {{animate: false}});
    }})()""")
    page.wait_for_timeout(300)
    page.screenshot(path=SCREENSHOT.replace(".png", "_closeup.png"))

    # A camera's popup reads in Chinese.
    page.locator("path.cm-cameras").first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    body = popup.inner_text()
    assert "状态" in body and "可视距离(米)" in body
    assert any(v in body for v in ("正常", "故障", "离线"))

    assert_clean(page)
    origin = page.url.split("/map")[0]
    assert all(u.startswith(origin) for u in page.log.requests), page.log.requests


@pytest.mark.parametrize("path, on, off", [
    ("/commander/", ("patrol_routes", "patrol_tracks", "cameras", "hotspots"), ("incidents",)),
    ("/planner/map", ("incidents", "hotspots"), ("patrol_tracks", "camera_sectors")),
    ("/leader/map", ("villages", "camera_sectors", "cameras"), ("incidents", "patrol_tracks")),
])
def test_views_draw_their_layers(page, path, on, off):
    sign_in(page, then=path)
    wait_for_map(page)
    counts = path_counts(page)
    assert all(counts[name] > 0 for name in on), counts
    assert all(counts[name] == 0 for name in off), counts
    assert_clean(page)
