"""The problem list's pages: the list with filters and overdue in red, a problem with its
history and the buttons of the steps the user may take, the form to list one."""
from __future__ import annotations

from datetime import date

from layers import problems as store
from tests.conftest import basic
from tests.web.test_problems import county, new, problem_in, step  # noqa: F401  (the fixture)


def test_the_list_flags_overdue_and_filters(county, monkeypatch):
    client = county.test_client()
    late = problem_in(client, "handling")
    problem_in(client, "closed")
    monkeypatch.setattr("web.pages.problems.today", lambda: date(2026, 12, 1))
    monkeypatch.setattr("web.api.problems.today", lambda: date(2026, 12, 1))
    resp = client.get("/problems/", headers=basic("leader"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and len(resp.data) < 150_000
    assert f'<tr data-id="{late}" class="overdue-row">' in html and "逾期" in html
    assert "列出新问题" not in html                                     # leaders read
    assert "/api/problems?format=geojson" in html
    assert 'id="problem-stats"' in html and "<td>甲镇</td>" in html and "回访满意率" in html and "<td>县住建局</td>" in html
    html = client.get("/problems/?overdue=on&state=handling", headers=basic("planner")).get_data(as_text=True)
    assert html.count('class="overdue-row"') == 1 and "列出新问题" in html
    assert client.get("/problems/?state=nothing", headers=basic("planner")).status_code == 400


def test_the_detail_shows_the_history_and_the_users_buttons(county):
    client = county.test_client()
    pid = problem_in(client, "assigned")
    html = client.get(f"/problems/{pid}", headers=basic("commander")).get_data(as_text=True)
    assert "列单" in html and "县住建局" in html and 'data-to="handling"' in html
    html = client.get(f"/problems/{pid}", headers=basic("leader")).get_data(as_text=True)
    assert "step-form" not in html and "不由您的角色办理" in html
    assert client.get("/problems/99999", headers=basic("leader")).status_code == 404


def test_a_step_from_the_page_and_a_stale_one(county, conn):
    client = county.test_client()
    pid = problem_in(client, "assigned")
    form = {"to": "handling", "expected": "assigned", "version": "2", "note": "已派人"}
    resp = client.post(f"/problems/{pid}/steps", data=form, headers=basic("commander"))
    assert resp.status_code == 302
    before = store.count(conn)
    resp = client.post(f"/problems/{pid}/steps", data=form, headers=basic("planner"))
    assert resp.status_code == 409 and "已被他人处理" in resp.get_data(as_text=True)
    resp = client.post(f"/problems/{pid}/steps", data={**form, "to": "closed", "expected": "handling",
                                                       "version": "3"}, headers=basic("planner"))
    assert resp.status_code == 409
    resp = client.post(f"/problems/{pid}/steps", data={"to": "callback"}, headers=basic("planner"))
    assert resp.status_code == 400
    assert client.post(f"/problems/{pid}/steps", data={**form, "to": "callback", "expected": "handling"},
                       headers=basic("leader")).status_code == 403
    assert store.count(conn) == before


def test_listing_from_the_form(county, conn):
    client = county.test_client()
    html = client.get("/problems/new?source=checkin&source_ref=1", headers=basic("commander")).get_data(as_text=True)
    assert 'value="1"' in html and "政法委列单" not in html
    resp = client.post("/problems/new", data={"source": "planner", "title": "夜市噪声", "category": "治安",
                                              "lon": "111.015", "lat": "33.01"}, headers=basic("planner"))
    assert resp.status_code == 302 and "/problems/" in resp.headers["Location"]
    before = store.count(conn)
    resp = client.post("/problems/new", data={"source": "planner", "title": "夜市噪声", "lon": "NaN", "lat": "33"},
                       headers=basic("planner"))
    assert resp.status_code == 400
    assert client.post("/problems/new", data={"source": "planner", "title": "x", "lon": "111.015", "lat": "33.01"},
                       headers=basic("commander")).status_code == 403
    assert client.get("/problems/new", headers=basic("leader")).status_code == 403
    assert store.count(conn) == before


def test_the_checkin_list_links_to_a_new_problem(county):
    html = county.test_client().get("/commander/checkins?day=2026-11-19", headers=basic("commander")).get_data(as_text=True)
    assert "/problems/new?source=checkin&amp;source_ref=" in html


def test_an_incident_popup_links_to_a_new_problem(county):
    client = county.test_client()
    assert "source=incident" in client.get("/map?preset=planner", headers=basic("planner")).get_data(as_text=True)
    assert "source=incident" not in client.get("/map?preset=leader", headers=basic("leader")).get_data(as_text=True)
