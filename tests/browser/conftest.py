"""Browser fixtures: the app on a loopback port, and headless Chromium that may not leave it.

Each module gets its own copy of the demo county (loaded once per session, see
``demo_county`` in tests/conftest.py). Every request the page makes to
a host other than 127.0.0.1/localhost is aborted and recorded.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD, app_on_demo_copy, create_test_users, serve, truncate_all

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--lang=zh-CN"]  # date inputs read as a county user sees them (年/月/日)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def add_users(url: str) -> None:
    """Empty the database and add one test user per role (password PASSWORD) and a patrol
    member of the demo's first team."""
    from layers.db import transaction

    truncate_all(url)
    with transaction(url) as conn:
        create_test_users(conn)


def app_with_county(database_url, var_dir, load):
    """The app on an emptied database with the test users and what ``load(url, county)``
    writes; ``app.config['LOADED_COUNTY']`` is what ``load`` returns. Close its pool after."""
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                      "VAR_DIR": str(var_dir)})
    app.config["LOADED_COUNTY"] = load(app.config["RESOLVED_DATABASE_URL"], app.config["COUNTY_CODE"])
    return app


@pytest.fixture(scope="module")
def live_app(demo_county, tmp_path_factory):
    """The app on a copy of the demo county, for this module alone."""
    with app_on_demo_copy(demo_county, tmp_path_factory.mktemp("var"), WTF_CSRF_ENABLED=True) as app:
        yield app


@pytest.fixture(scope="module")
def live_server(live_app):
    """Base URL of the app served by werkzeug on a free loopback port, in a thread."""
    with serve(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageLog:
    """What a page did: errors, console errors, requests, blocked requests."""

    def __init__(self):
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []


@pytest.fixture
def page(chromium, live_server):
    """A fresh page (1400x900, zh-CN) that can only reach the app; ``page.log`` records."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN",
                                   base_url=live_server)
    log = PageLog()

    def route(r):
        url = r.request.url
        log.requests.append(url)
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and \
                urlsplit(url).hostname not in LOCAL_HOSTS:
            log.blocked.append(url)
            return r.abort()
        return r.continue_()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
    pg.on("console", lambda msg: msg.type == "error" and log.console_errors.append(msg.text))
    pg.log = log
    yield pg
    context.close()


def sign_in(page, name: str = "admin", password: str = PASSWORD, then: str = "/") -> None:
    """Sign in through the /login form, which then opens ``then``."""
    page.goto(f"/login?next={then}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/login" not in page.url, "sign-in failed"
