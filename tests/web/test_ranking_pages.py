"""Township ranking pages: the leader's table with flags and history (and XLSX), the admin's
settings and publishing (refusals explained, nothing written), the cockpit's panel."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from layers import rankings as store
from tests.conftest import basic
from tests.helpers import COUNTY
from tests.web.test_rankings import A, B, TODAY, county, publish  # noqa: F401  (the fixture)


def _today(monkeypatch):
    monkeypatch.setattr("web.pages.rankings.today", lambda: TODAY)


def test_leader_page_shows_flags_and_history(county, monkeypatch):
    _today(monkeypatch)
    client = county.test_client()
    assert publish(client, "2026Q2").status_code == 201 and publish(client, "2026Q3").status_code == 201
    resp = client.get("/rankings/?period=2026Q3", headers=basic("leader"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and len(resp.data) < 150_000
    assert f'<tr data-code="{B}" class="bottom-row">' in html and "挂牌督办" in html and "已发布" in html
    assert 'id="rankings-history"' in html and "<polyline" in html and "2026Q2" in html
    preview = client.get("/rankings/?period=2026Q4", headers=basic("planner")).get_data(as_text=True)
    assert "期间未结束" in preview
    assert client.get("/rankings/?period=2026Q9", headers=basic("leader")).status_code == 400
    assert client.get("/rankings/?period=2027-01", headers=basic("leader")).status_code == 400
    xlsx = client.get("/rankings/export.xlsx?period=2026Q3", headers=basic("commander"))
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.data))
    rows = list(wb["乡镇排名"].iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == [A, B] and rows[1][-1] == "挂牌督办"
    assert client.get("/rankings/export.xlsx?period=bad", headers=basic("leader")).status_code == 400


def test_admin_page_saves_settings_and_publishes(county, conn, monkeypatch):
    _today(monkeypatch)
    client = county.test_client()
    html = client.get("/rankings/settings", headers=basic("admin")).get_data(as_text=True)
    assert 'name="weight_problems"' in html and 'name="bottom_places"' in html
    form = {"period_kind": "quarter", "bottom_places": "1", "weight_problems": "2", "weight_remediation": "1",
            "weight_coverage": "0", "weight_hotspots": "1"}
    assert client.post("/rankings/settings", data=form, headers=basic("admin")).status_code == 302
    assert store.config(conn, COUNTY)["weights"]["problems"] == 2
    before = store.count(conn)
    for bad in ({"weight_problems": "-1"}, {"weight_problems": "nan"}, {"bottom_places": "0"},
                {"weight_problems": "0", "weight_remediation": "0", "weight_hotspots": "0"}):
        resp = client.post("/rankings/settings", data={**form, **bad}, headers=basic("admin"))
        assert resp.status_code == 400 and "未保存" in resp.get_data(as_text=True)
    assert store.count(conn) == before
    done = client.post("/rankings/publish", data={"period": "2026Q3"}, headers=basic("admin"))
    assert done.status_code == 302 and "period=2026Q3" in done.headers["Location"]
    again = client.post("/rankings/publish", data={"period": "2026Q3"}, headers=basic("admin"))
    assert again.status_code == 409 and "不会被覆盖" in again.get_data(as_text=True)
    assert client.post("/rankings/publish", data={"period": "2026Q3", "replace": "on"},
                       headers=basic("admin")).status_code == 302
    assert store.replaced_count(conn, COUNTY, "2026Q3") == 2


def test_only_admins_change_and_patrol_members_read_nothing(county, conn):
    client = county.test_client()
    before = store.count(conn)
    for role in ("leader", "planner", "commander"):
        assert client.get("/rankings/settings", headers=basic(role)).status_code == 403
        assert client.post("/rankings/settings", data={"period_kind": "month", "weight_problems": "1"},
                           headers=basic(role)).status_code == 403
        assert client.post("/rankings/publish", data={"period": "2026Q3"}, headers=basic(role)).status_code == 403
    assert store.count(conn) == before
    assert client.get("/rankings/").status_code in (302, 401)


def test_cockpit_panel_shows_the_latest_published_bottom(county, monkeypatch):
    client = county.test_client()
    html = client.get("/leader/?date=2026-11-20", headers=basic("leader")).get_data(as_text=True)
    assert 'id="ck-ranking"' in html and "尚未发布" in html
    assert publish(client, "2026Q2").status_code == 201 and publish(client, "2026Q3").status_code == 201
    html = client.get("/leader/?date=2026-11-20", headers=basic("leader")).get_data(as_text=True)
    assert "乙乡 挂牌督办（连续 2 期）" in html and "/rankings/?period=2026Q3" in html
    assert "2026Q2：乙乡约谈" in html
    doc = client.get("/api/cockpit?date=2026-11-20", headers=basic("leader")).get_json()
    assert doc["ranking"]["period"] == "2026Q3" and doc["ranking"]["bottom"][0]["code"] == B
