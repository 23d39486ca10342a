"""The Content-Security-Policy in Chromium: maps still draw with their nonce'd scripts and
no violation, a script without the nonce is refused, and the handlers that used to be
inline (confirm before saving, go back) work from static JS."""
from __future__ import annotations

import pytest

from tests.browser.conftest import add_users, app_with_county, sign_in

pytestmark = pytest.mark.browser

WATCH_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || e.sample)));"""


def _load(url, county_code):
    from tests.web.test_maps import load_small_county

    add_users(url)
    load_small_county(url, county_code)
    return "small"


@pytest.fixture(scope="module")
def live_app(database_url, tmp_path_factory):
    """The app on the small county of tests/web/test_maps.py (quicker than the demo)."""
    app = app_with_county(database_url, tmp_path_factory.mktemp("var"), _load)
    yield app
    app.extensions["countymap_db"].close()


def wait_for_map(page) -> None:
    """Leaflet ran the page's nonce'd script: the map has panes and drew features."""
    page.wait_for_selector(".folium-map svg path", state="attached", timeout=60_000)


def violations(page) -> list[str]:
    return page.evaluate("window.__csp")


@pytest.mark.parametrize("role, path", [("admin", "/map"), ("commander", "/commander/cameras"),
                                        ("leader", "/leader/coverage"), ("planner", "/map?preset=planner")])
def test_maps_draw_under_the_csp_without_violations(page, role, path):
    page.add_init_script(WATCH_CSP)
    sign_in(page, role, then=path)
    response = page.reload()
    assert "'nonce-" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    wait_for_map(page)
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert page.log.page_errors == [] and page.log.console_errors == [], page.log.console_errors
    assert page.log.blocked == []


def test_a_script_without_the_nonce_is_refused(page):
    page.add_init_script(WATCH_CSP)
    sign_in(page, "admin", then="/map")
    wait_for_map(page)
    with pytest.raises(Exception):
        page.add_script_tag(content="window.__injected = 1;")
    assert page.evaluate("window.__injected") is None
    assert any(v.startswith("script-src") for v in violations(page)), violations(page)


def test_confirm_before_saving_works_from_static_js(page, live_app):
    page.add_init_script(WATCH_CSP)
    sign_in(page, "commander", then="/commander/cameras/C1")
    answers = []

    def answer(dialog, accept):
        answers.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.select_option("#camera-form select[name=status]", "faulty")
    page.once("dialog", lambda d: answer(d, False))
    page.click("#camera-form button[type=submit]")
    page.wait_for_timeout(300)
    assert answers == ["确认修改 东关路口 的状态？"]
    assert "暂无记录" in page.inner_text("#camera-history")  # dismissed: nothing sent
    page.once("dialog", lambda d: answer(d, True))
    with page.expect_navigation():
        page.click("#camera-form button[type=submit]")
    assert "已保存" in page.inner_text(".flash") and "故障" in page.inner_text("#camera-history")
    assert violations(page) == [] and page.log.console_errors == []


def test_the_error_pages_back_link_works(page):
    sign_in(page, "leader", then="/map")
    page.goto("/no-such-page")
    with page.expect_navigation():
        page.click("a[data-back]")
    assert page.url.endswith("/map")
