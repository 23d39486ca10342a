"""The header's county selector in Chromium (issue 14, item 5): a user of two counties
chooses the other one and the page comes back showing it; nothing overflows at 390 px."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import add_users, app_with_county, sign_in
from tests.web.scope_counties import A, B, NAMES, add_user, load_two_counties

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _load(url: str, county_code: str) -> str:
    add_users(url)
    load_two_counties(url)
    add_user(url, "both", "commander", [A, B])
    return "two"


@pytest.fixture(scope="module")
def live_app(database_url, tmp_path_factory):
    app = app_with_county(database_url, tmp_path_factory.mktemp("var"), _load)
    yield app
    app.extensions["countymap_db"].close()


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)], ids=["desk", "phone"])
def test_switching_county_in_the_header(page, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, "both", then="/commander/cameras/list")
    select = page.locator("select[data-county-switch]")
    assert select.input_value() == A
    assert NAMES[A] in page.locator(".brand").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"county-switch-{size[0]}.png"))
    with page.expect_navigation():
        select.select_option(B)  # chosen: the form goes at once (static/county_switch.js)
    assert page.url.endswith("/commander/cameras/list")
    assert NAMES[B] in page.locator(".brand").inner_text()
    assert page.locator("select[data-county-switch]").input_value() == B
    assert NAMES[B] in page.content() and NAMES[A] + "东关" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    page.screenshot(path=str(SHOTS / f"county-switch-{size[0]}-after.png"))
    assert page.log.page_errors == [] and page.log.console_errors == [] and page.log.blocked == []
