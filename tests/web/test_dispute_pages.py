"""The dispute-screening page: the cadence with missing slots in red, the targets, the
form to record a screening (refusals explained, nothing written), removal on the day."""
from __future__ import annotations

from datetime import date

from geo.calendar import today as real_today
from layers import disputes as store
from tests.conftest import basic
from tests.helpers import COUNTY
from tests.web.test_disputes import TODAY, county, post  # noqa: F401  (the fixture)


def _today(monkeypatch, day=TODAY):
    for module in ("web.pages.disputes", "web.api.disputes"):
        monkeypatch.setattr(f"{module}.today", lambda: day)


def test_the_page_flags_missing_slots_and_shows_the_targets(county, monkeypatch):
    _today(monkeypatch)
    client = county.test_client()
    assert post(client).status_code == 201
    resp = client.get("/disputes/", headers=basic("leader"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and len(resp.data) < 150_000
    assert '<tr data-code="410999002" class="has-missing">' in html
    assert html.count('class="slot slot-missing"') == 1 and html.count('class="slot slot-done"') == 1
    assert 'id="target-civil_to_criminal"' in html and "目标 ≤ -10%" in html and "目标 ≤ -20%" in html
    assert 'id="screening-form"' not in html                      # leaders read
    html = client.get("/disputes/?period=2026Q4", headers=basic("commander")).get_data(as_text=True)
    assert html.count('class="slot slot-missing"') == 4 + 1 + 1    # Oct: both halves ×2 townships and the county; Nov 1–15 乙乡
    assert client.get("/disputes/?period=2026-13", headers=basic("planner")).status_code == 400
    assert client.get("/disputes/").status_code in (302, 401)


def test_a_screening_from_the_form_and_a_refused_one(county, conn, monkeypatch):
    _today(monkeypatch)
    client = county.test_client()
    html = client.get("/disputes/", headers=basic("planner")).get_data(as_text=True)
    assert 'id="screening-form"' in html and 'value="village|410999001001"' in html
    form = {"unit": "township|410999002", "screened_on": "2026-11-10", "disputes_found": "3", "resolved": "1"}
    resp = client.post("/disputes/screenings", data=form, headers=basic("planner"))
    assert resp.status_code == 302 and "period=2026-11" in resp.headers["Location"]
    assert store.count(conn) == (1, 0)
    for bad in ({"resolved": "4"}, {"unit": "county|410999001"}, {"unit": "township|410998001"},
                {"screened_on": "2026-11-21"}, {"disputes_found": "NaN"}, {"unit": ""}):
        resp = client.post("/disputes/screenings", data={**form, **bad}, headers=basic("planner"))
        assert resp.status_code == 400 and "未保存" in resp.get_data(as_text=True), bad
    assert store.count(conn) == (1, 0)
    for role in ("leader", "commander"):
        assert client.post("/disputes/screenings", data=form, headers=basic(role)).status_code == 403
    assert store.count(conn) == (1, 0)


def test_removal_from_the_page_on_the_day(county, conn, monkeypatch):
    _today(monkeypatch, real_today())
    client = county.test_client()
    sid = post(client, screened_on=date(2026, 11, 3).isoformat()).get_json()["id"]
    html = client.get("/disputes/?period=2026-11", headers=basic("planner")).get_data(as_text=True)
    assert f"/disputes/screenings/{sid}/delete" in html
    assert client.post(f"/disputes/screenings/{sid}/delete", headers=basic("leader")).status_code == 403
    assert client.post(f"/disputes/screenings/{sid}/delete", headers=basic("planner")).status_code == 302
    assert client.post(f"/disputes/screenings/{sid}/delete", headers=basic("planner")).status_code == 404
    assert store.listing(conn, COUNTY, date(2026, 1, 1), date(2027, 1, 1)) == []
