"""The grid staffing page: townships and short villages, a township's villages, a village's
posts and changes, setting a post from the form, refusals (nothing written)."""
from __future__ import annotations

from tests.conftest import basic
from tests.web.test_grids import V1, count, county, grid_csv, halves, load  # noqa: F401  (the fixture)


def test_the_page_lists_townships_and_short_villages(county, conn, tmp_path):
    load(conn, grid_csv(tmp_path, halves()))
    client = county.test_client()
    resp = client.get("/grids/staffing", headers=basic("leader"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and len(resp.data) < 150_000
    assert "甲镇" in html and "不达标的村（7）" in html and "缺驻村民警；缺法律顾问" in html
    assert 'id="staff-form"' not in html                                  # leaders read
    html = client.get("/grids/staffing?township=410999002", headers=basic("planner")).get_data(as_text=True)
    assert "本乡镇各村（3）" in html and 'id="staff-form"' in html
    html = client.get(f"/grids/staffing?village={V1}", headers=basic("commander")).get_data(as_text=True)
    assert "网格员（网格 G1）：张三" in html
    assert client.get("/grids/staffing?township=" + "x" * 101, headers=basic("leader")).status_code == 400


def test_setting_a_post_from_the_form(county, conn, tmp_path):
    load(conn, grid_csv(tmp_path, halves()))
    client = county.test_client()
    form = {"role": "police", "village_code": V1, "name": "王警官", "phone": "13900000000"}
    resp = client.post("/grids/staffing", data=form, headers=basic("planner"))
    assert resp.status_code == 302 and f"village={V1}" in resp.headers["Location"]
    html = client.get(resp.headers["Location"], headers=basic("planner")).get_data(as_text=True)
    assert "驻村民警：王警官" in html and "空缺 → 王警官" in html
    before = count(conn, "SELECT count(*) FROM village_staff_changes")
    bad = client.post("/grids/staffing", data={**form, "since": "2026-13-01"}, headers=basic("planner"))
    assert bad.status_code == 400 and "since" in bad.get_data(as_text=True)
    bad = client.post("/grids/staffing", data={**form, "village_code": "nowhere"}, headers=basic("admin"))
    assert bad.status_code == 400 and "village_code" in bad.get_data(as_text=True)
    for user in ("leader", "commander"):
        assert client.post("/grids/staffing", data=form, headers=basic(user)).status_code == 403
    assert count(conn, "SELECT count(*) FROM village_staff_changes") == before
