"""The planner's quarterly hotspot page in headless Chromium: layers draw, a candidate is
picked through its form, the draft and the quota follow; nothing leaves the host."""
from __future__ import annotations

import pytest

from tests.browser.conftest import add_users, app_with_county, sign_in

pytestmark = pytest.mark.browser

URL = "/planner/hotspots?quarter=2026Q4"
SCREENSHOT = "/tmp/planner_hotspots.png"


def _load(url, county_code):
    import psycopg2

    from tests.helpers import put, small_county
    from tests.web.test_planner_pages import incidents

    add_users(url)
    conn = psycopg2.connect(url)
    small_county(conn)
    put(conn, "incidents", incidents(40, 60, "2026-08-10", 1, "q3-") + incidents(10, 60, "2026-05-10", 2, "q2-"))
    conn.close()
    return "small"


@pytest.fixture(scope="module")
def live_app(database_url, tmp_path_factory):
    """The app on the small county with a cluster of thefts in 甲镇 in 2026Q3."""
    app = app_with_county(database_url, tmp_path_factory.mktemp("var"), _load)
    yield app
    app.extensions["countymap_db"].close()


def count(page, css: str) -> int:
    return page.locator(css).count()


def test_planner_picks_a_candidate_and_the_quota_follows(page, live_server):
    sign_in(page, "planner", then=URL)
    page.wait_for_selector("path.pl-candidate", state="attached", timeout=30_000)
    assert count(page, "path.pl-grid") > 0 and count(page, "path.pl-candidate") > 0
    assert count(page, "path.pl-townships") == 2 and count(page, "path.pl-draft") == 0
    assert count(page, "path.pl-density") == 0                     # second view: off until chosen
    page.locator(".leaflet-control-layers-overlays label", has_text="核密度").locator("input").check()
    assert count(page, "path.pl-density") > 0

    candidates = page.locator("#candidates")
    assert candidates.is_visible() and candidates.locator("tbody tr").count() >= 10
    first = candidates.locator("tbody tr").first
    assert "甲镇" in first.inner_text() and "显著" in first.inner_text()
    quota = page.locator("#quota-table")
    quota.scroll_into_view_if_needed()
    assert quota.is_visible()
    assert quota.locator("tr[data-scope=county] td.selected").inner_text() == "0"
    assert "县级乱点 0 个" in page.locator("#shortfall").inner_text()

    # 定位 fits the map to the candidate
    zoom = page.evaluate("window[document.querySelector('.folium-map').id].getZoom()")
    first.locator("button.locate").click()
    page.wait_for_timeout(400)
    assert page.evaluate("window[document.querySelector('.folium-map').id].getZoom()") > zoom

    # 加入清单: open the form, name it; added in place (no dialog, no reload)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    page.wait_for_selector("#planner-hotspots[data-ready='1']", state="attached", timeout=30_000)
    page.evaluate("window.__sameDocument = true")
    first.locator("details.add summary a").click()
    form = first.locator("form.add-form")
    form.locator("input[name=name]").fill("团结街夜市")
    form.locator("select[name=level]").select_option("county")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("path.pl-draft", state="attached", timeout=30_000)
    assert dialogs == [] and page.evaluate("window.__sameDocument") is True
    assert "已加入 1 个候选乱点" in page.locator("#batch-status").inner_text()
    assert count(page, "path.pl-draft") == 1
    assert page.locator("#draft-items input[name=name]").first.input_value() == "团结街夜市"
    assert page.locator("#quota-table tr[data-scope=county] td.selected").inner_text() == "1"
    assert "县级乱点 1 个" in page.locator("#shortfall").inner_text()
    assert "已在清单" in page.locator("#candidates tbody tr").first.inner_text()
    page.screenshot(path=SCREENSHOT)

    log = page.log
    assert log.page_errors == [] and log.console_errors == []
    assert log.blocked == [], f"requests to other hosts: {log.blocked}"
    assert all(u.startswith(live_server) for u in log.requests), log.requests
