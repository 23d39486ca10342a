"""Navigation by role, the one map page's presets, the old map URLs, the site icon."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ROLES, basic


def nav_of(html: str) -> tuple[list[str], str]:
    """(the own links' labels, the 其他页面 menu's text)."""
    nav = re.search(r'<nav aria-label="本角色页面">(.*?)</nav>', html, re.S).group(1)
    own_part, _, menu = nav.partition('<details class="more">')
    return re.findall(r">([^<>]+)</a>", own_part), menu


@pytest.mark.parametrize("role, first, absent", [
    ("commander", "指挥首页", "系统管理"), ("planner", "规划首页", "系统管理"),
    ("leader", "领导驾驶舱", "系统管理"), ("admin", "系统管理", None)])
def test_each_role_sees_its_own_pages_first(client, role, first, absent):
    html = client.get("/map", headers=basic(role)).get_data(as_text=True)
    own, menu = nav_of(html)
    assert own[0] == first and "地图" in own
    assert own.count("地图") == 1 and "地图</a>" not in menu  # the map once, among the own pages
    if absent:
        assert absent not in html
        assert "（只读）" in menu  # others' pages are read-only for them
    else:
        assert "（只读）" not in menu
    others = {"commander": "领导驾驶舱", "planner": "巡防指挥", "leader": "季度乱点清单", "admin": "巡防指挥"}[role]
    assert others in menu


def test_current_page_marked(client):
    html = client.get("/planner/remediation", headers=basic("planner")).get_data(as_text=True)
    assert re.search(r'<a href="/planner/remediation" aria-current="page">整治台账</a>', html)


@pytest.mark.parametrize("role, preset", [("commander", "commander"), ("planner", "planner"),
                                          ("leader", "leader"), ("admin", "all")])
def test_one_map_page_opens_with_the_roles_preset(client, role, preset):
    html = client.get("/map", headers=basic(role)).get_data(as_text=True)
    current = re.search(r'<a href="/map\?preset=(\w+)" aria-current="true">', html)
    assert current and current.group(1) == preset


def test_presets_switch_layers_and_bad_preset_is_refused(client):
    pages = {p: client.get(f"/map?preset={p}", headers=basic("admin")) for p in ("all", "planner")}
    assert all(r.status_code == 200 for r in pages.values())
    assert pages["all"].get_data() != pages["planner"].get_data()
    for bad in ("everything", "<script>", "1"):
        resp = client.get(f"/map?preset={bad}", headers=basic("admin"))
        assert resp.status_code == 400 and "preset" in resp.get_data(as_text=True)


@pytest.mark.parametrize("role", ["planner", "commander", "leader"])
def test_old_map_urls_redirect(client, role):
    resp = client.get(f"/{role}/map", headers=basic(role))
    assert resp.status_code == 301 and resp.headers["Location"].endswith(f"/map?preset={role}")


def test_favicon_served_without_sign_in(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 301
    icon = client.get(resp.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


@pytest.mark.parametrize("role", ROLES)
def test_map_page_needs_sign_in_only(client, role):
    assert client.get("/map").status_code in (302, 401)
    assert client.get("/map", headers=basic(role)).status_code == 200
