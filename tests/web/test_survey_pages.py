"""Opinion calls' pages: the entry form, the week's plan and its files, the anonymised
export (what it holds per role), bad input and refused roles."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from geo.calendar import LOCAL
from layers import survey as store
from tests.conftest import basic
from tests.helpers import COUNTY, small_county

HASH = "ab" * 32


@pytest.fixture
def county(app, conn):
    small_county(conn)
    store.save_question(conn, COUNTY, {"key": "police", "text": "最近见到民警巡逻吗", "kind": "yesno", "position": 1,
                                       "active": True}, "admin")
    store.insert(conn, COUNTY, {"called_at": datetime(2026, 12, 1, 9, 41, tzinfo=LOCAL), "village_code": "410999001001",
                                "caller": "坐席07", "safety": 4, "satisfaction": 2, "phone_hash": HASH,
                                "answers": {"police": True}, "problems": "=夜里路灯不亮"}, "planner")
    conn.commit()
    return app


def test_the_entry_form_shows_the_count_the_villages_and_the_questions(county):
    html = county.test_client().get("/survey/", headers=basic("planner")).get_data(as_text=True)
    assert 'id="sv-count"' in html and "/ 50" in html and "尚差" in html
    assert "最近见到民警巡逻吗" in html and "410999001009" in html and '"p": "ptc"' in html.replace('"p":"ptc"', '"p": "ptc"')
    assert len(html.encode()) < 150_000


@pytest.mark.parametrize("url, allowed, refused", [
    ("/survey/", ("planner", "admin"), ("leader", "commander")),
    ("/survey/plan?week=2026-W49", ("planner", "admin", "leader"), ("commander",)),
    ("/survey/plan.csv?week=2026-W49", ("planner", "leader"), ("commander",)),
    ("/survey/plan.xlsx", ("planner", "leader"), ("commander",)),
    ("/survey/export.csv?from=2026-12-01&to=2026-12-02", ("planner", "leader"), ("commander",)),
    ("/survey/export.xlsx", ("admin", "leader"), ("commander",)),
])
def test_who_may_open_each_page(county, url, allowed, refused):
    client = county.test_client()
    for role in allowed:
        assert client.get(url, headers=basic(role)).status_code == 200, (role, url)
    for role in refused:
        assert client.get(url, headers=basic(role)).status_code == 403, (role, url)
    assert client.get(url).status_code in (302, 401)


@pytest.mark.parametrize("url, field", [("/survey/plan?week=2026-W99", "week"), ("/survey/plan.csv?week=x", "week"),
                                        ("/survey/export.csv?from=2026-02-30", "from"),
                                        ("/survey/export.xlsx?from=2026-12-02&to=2026-12-01", "to")])
def test_bad_input_is_400_naming_the_field(county, url, field):
    resp = county.test_client().get(url, headers=basic("leader"))
    assert resp.status_code == 400 and field in resp.get_data(as_text=True)


def test_the_plan_page_and_files_sum_to_the_week(county):
    client = county.test_client()
    html = client.get("/survey/plan?week=2026-W49", headers=basic("leader")).get_data(as_text=True)
    assert "2026-W49" in html and "<th>350</th>" in html
    text = client.get("/survey/plan.csv?week=2026-W49", headers=basic("planner")).get_data(as_text=True)
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("乡镇,") and sum(int(line.split(",")[5]) for line in lines[1:]) == 350
    book = load_workbook(io.BytesIO(client.get("/survey/plan.xlsx?week=2026-W49", headers=basic("leader")).data))
    assert sum(r[5] for r in book.active.iter_rows(min_row=3, values_only=True)) == 350


def test_the_export_is_anonymised_and_free_text_is_for_planners(county):
    client = county.test_client()
    url = "/survey/export.csv?from=2026-12-01&to=2026-12-02"
    planner = client.get(url, headers=basic("planner")).get_data(as_text=True)
    leader = client.get(url, headers=basic("leader")).get_data(as_text=True)
    for text in (planner, leader):
        head, row = text.lstrip("\ufeff").strip().splitlines()
        assert row.startswith("2026-12-01,410999001,甲镇,410999001001,") and ",4,2,是" in row
        assert HASH not in text and "坐席07" not in text and "09:41" not in text
    assert "反映的问题" in planner and "'=夜里路灯不亮" in planner
    assert "路灯" not in leader and "反映的问题" not in leader
    book = load_workbook(io.BytesIO(client.get("/survey/export.xlsx?from=2026-12-01&to=2026-12-02",
                                               headers=basic("leader")).data))
    cells = [c for r in book.active.iter_rows(values_only=True) for c in r]
    assert "2026-12-01" in cells and HASH not in cells and "坐席07" not in cells
