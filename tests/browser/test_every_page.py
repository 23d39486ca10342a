"""Every page, as the user it is for, at a desk (1440×900) and on a phone (390×844).

Each page opens without page or console errors and without a request to another host;
a screenshot of each is kept under var/screenshots/ for people to look at.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SIZES = {"desk": (1440, 900), "phone": (390, 844)}
# (role, path, what must be on it)
PAGES = [
    ("admin", "/admin/", "#users"),
    ("admin", "/admin/audit", "#audit-log"),
    ("admin", "/admin/imports", "#upload-form"),
    ("admin", "/admin/categories", "#category-map"),
    ("admin", "/admin/calendar?year=2026", "#month-counts"),
    ("leader", "/account/password", "#change-password"),
    ("admin", "/map", ".folium-map"),
    ("leader", "/map?preset=leader", ".map-presets"),
    ("commander", "/commander/", "#alerts"),
    ("commander", "/commander/hotspots/list?status=active", "#hotspot-table"),
    ("commander", "/commander/teams/list?day=2026-11-26", "#team-table"),
    ("commander", "/commander/cameras", "#camera-counts"),
    ("commander", "/commander/cameras/list?status=problem", "#camera-table"),
    ("commander", "/commander/siting", "#failing-villages"),
    ("commander", "/commander/patrol?day=2026-11-26", "#patrol-summary"),
    ("commander", "/commander/devices", "#device-table"),
    ("commander", "/commander/checkins?day=2026-11-26", "#checkin-table"),
    ("patrol", "/patrol/me", "#member-page #stops"),
    ("planner", "/planner/", "#planner-home"),
    ("planner", "/map?preset=planner", ".folium-map"),
    ("planner", "/planner/remediation", "#remote-villages"),
    ("planner", "/planner/hotspots?quarter=2026Q4", "#candidates"),
    ("leader", "/leader/", "#ck-rank"),
    ("leader", "/leader/wall", ".cockpit-wall #ck-svg"),
    ("leader", "/leader/remediation?as_of=2026-11-26", ".chart"),
    ("leader", "/leader/coverage", ".folium-map"),
    ("leader", "/leader/hotspots?quarter=2026Q3", ".folium-map"),
    ("leader", "/ogc/?f=html", "main"),
    ("planner", "/problems/", "#problem-list[data-drawn]"),
    ("leader", "/problems/?overdue=on", "#problem-table"),
    ("planner", "/problems/28", "#problem-steps"),
    ("leader", "/problems/52", "#problem-steps"),
    ("commander", "/problems/new?source=checkin", "#problem-new"),
    ("planner", "/survey/", "#survey-entry"),
    ("leader", "/survey/plan", "#sv-plan-villages"),
    ("planner", "/disputes/?period=2026-11", "#cadence-township"),
    ("leader", "/disputes/?period=2026Q3", "#dispute-targets"),
    ("leader", "/rankings/?period=2026Q3", "#rankings-table"),
    ("admin", "/rankings/settings", "#ranking-config"),
    ("planner", "/grids/staffing", "#staff-form"),
    ("leader", "/grids/staffing?township=410999001", "#village-staffing"),
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role, path, marker", PAGES, ids=[p for _, p, _ in PAGES])
def test_page_opens_clean(page, live_app, role, path, marker, size):
    if live_app.config["LOADED_COUNTY"] != "demo":
        pytest.skip("needs the demo county")
    page.set_viewport_size({"width": SIZES[size][0], "height": SIZES[size][1]})
    sign_in(page, role, then=path)
    page.wait_for_selector(marker, state="attached", timeout=60_000)
    page.wait_for_load_state("networkidle")
    log = page.log
    assert log.page_errors == [] and log.console_errors == [], (log.page_errors, log.console_errors)
    assert log.blocked == [], f"requests to other hosts: {log.blocked}"
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page is {wide} px wider than the {size} screen"
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = path.strip("/").replace("?", "-").replace("=", "-").replace("/", "-") or "home"
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))
