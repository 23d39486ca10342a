"""The school calendar: API, admin page, CSV import and export, and its use by the school
alerts and the visit statistics."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import basic
from tests.web.test_patrol_api import county, minutes, post_points  # noqa: F401  (fixture)
from tests.web.test_refused_changes_nothing import fingerprint

ROOT = Path(__file__).resolve().parents[2]
ADMIN = basic("admin")
OTHERS = ("commander", "planner", "leader")
HOLIDAYS = (ROOT / "data/calendar/holidays-2026.csv").read_bytes()
TERMS = (ROOT / "data/calendar/terms-demo.csv").read_bytes()
TERM = {"name": "2026秋季学期", "starts": "2026-09-01", "ends": "2027-01-22"}


def load_files(client):
    for raw in (HOLIDAYS, TERMS):
        resp = client.post("/admin/calendar/import", data={"text": raw.decode(), "confirm": "1", "scope": "national"},
                           headers=ADMIN)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]


def audit_actions(conn) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("SELECT action FROM audit_log ORDER BY id")
        out = [r[0] for r in cur.fetchall()]
    conn.rollback()
    return out


def test_every_role_that_sees_schools_reads_the_year(client):
    load_files(client)
    for role in (*OTHERS, "admin"):
        doc = client.get("/api/calendar?year=2026", headers=basic(role)).get_json()
        assert doc["year"] == 2026 and len(doc["days"]) == 39 and len(doc["terms"]) == 3, role
    oct1 = next(d for d in doc["days"] if d["date"] == "2026-10-01")
    assert oct1 == {**oct1, "kind": "holiday", "name": "国庆节", "scope": "national"}
    assert doc["months"][7]["school_days"] == 0 and doc["months"][9]["school_days"] == 18  # August, October
    assert client.get("/api/calendar?year=1999", headers=ADMIN).status_code == 400
    assert client.get("/api/calendar?year=abc", headers=ADMIN).status_code == 400
    assert client.get("/api/calendar").status_code == 401


def test_admin_adds_and_removes_days_and_terms(client, conn):
    body = {"days": [{"date": "2026-11-20", "kind": "节假日", "name": "县庆"}], "terms": [TERM]}
    resp = client.post("/api/calendar", json=body, headers=ADMIN)
    assert resp.status_code == 201
    doc = resp.get_json()
    assert doc["days"][0]["kind"] == "holiday" and doc["days"][0]["scope"] == "county"
    term_id = doc["terms"][0]["id"]
    year = client.get("/api/calendar?year=2026", headers=ADMIN).get_json()
    assert [d["date"] for d in year["days"]] == ["2026-11-20"] and year["terms"][0]["name"] == "2026秋季学期"
    assert client.delete("/api/calendar?date=2026-11-20", headers=ADMIN).status_code == 200
    assert client.delete("/api/calendar?date=2026-11-20", headers=ADMIN).status_code == 404
    assert client.delete(f"/api/calendar?term_id={term_id}", headers=ADMIN).status_code == 200
    assert client.get("/api/calendar?year=2026", headers=ADMIN).get_json()["terms"] == []
    assert audit_actions(conn) == ["calendar_day_set", "school_term_set", "calendar_day_removed", "school_term_removed"]


@pytest.mark.parametrize("body, field", [
    ({}, "body"),
    ({"days": [{"date": "2026-11-20", "kind": "vacation"}]}, "days[0].kind"),
    ({"days": [{"date": "1999-11-20", "kind": "holiday"}]}, "days[0].date"),
    ({"days": [{"date": "2026-11-20", "kind": "holiday", "scope": "world"}]}, "days[0].scope"),
    ({"terms": [{**TERM, "ends": "2026-08-01"}]}, "terms[0]"),
    ({"terms": [{**TERM, "name": ""}]}, "terms[0].name"),
    ({"days": [{"date": "2026-11-20", "kind": "holiday"}], "terms": [{**TERM, "starts": "nope"}]}, "terms[0].starts"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(client, conn, body, field):
    before = fingerprint(conn)
    resp = client.post("/api/calendar", json=body, headers=ADMIN)
    assert resp.status_code == 400 and resp.get_json()["field"] == field, resp.get_json()
    assert fingerprint(conn) == before


def test_bad_deletes_are_refused(client):
    assert client.delete("/api/calendar", headers=ADMIN).status_code == 400
    assert client.delete("/api/calendar?date=2026-10-01&term_id=1", headers=ADMIN).status_code == 400
    assert client.delete("/api/calendar?date=2026-02-30", headers=ADMIN).status_code == 400
    assert client.delete("/api/calendar?term_id=99", headers=ADMIN).status_code == 404


WRITES = [("post", "/api/calendar", {"days": [{"date": "2026-11-20", "kind": "holiday"}]}),
          ("delete", "/api/calendar?date=2026-10-01&scope=national", None),
          ("get", "/admin/calendar", None),
          ("get", "/admin/calendar.csv", None),
          ("post", "/admin/calendar/days", {"date": "2026-11-20", "kind": "holiday"}),
          ("post", "/admin/calendar/days/remove", {"date": "2026-10-01", "scope": "national"}),
          ("post", "/admin/calendar/terms", TERM),
          ("post", "/admin/calendar/terms/1", TERM),
          ("post", "/admin/calendar/terms/1/remove", {}),
          ("post", "/admin/calendar/import", {"text": HOLIDAYS.decode(), "confirm": "1"})]


@pytest.mark.parametrize("role", OTHERS)
def test_only_admins_write_or_open_the_page(client, conn, role):
    load_files(client)
    before = fingerprint(conn)
    for method, path, body in WRITES:
        kwargs = {"json": body} if path.startswith("/api") else {"data": body}
        resp = getattr(client, method)(path, headers=basic(role), **kwargs)
        assert resp.status_code == 403, (role, method, path, resp.status_code)
    assert fingerprint(conn) == before


def test_the_page_shows_the_year_and_its_forms_work(client, conn):
    load_files(client)
    html = client.get("/admin/calendar?year=2026", headers=ADMIN).get_data(as_text=True)
    assert 'id="school-calendar"' in html and "国庆节" in html and "2026秋季学期" in html
    assert len(html.encode()) < 150_000
    resp = client.post("/admin/calendar/days", data={"date": "2026-11-20", "kind": "holiday", "name": "县庆",
                                                     "scope": "county"}, headers=ADMIN)
    assert resp.status_code == 302 and "year=2026" in resp.headers["Location"]
    assert "县庆" in client.get("/admin/calendar?year=2026", headers=ADMIN).get_data(as_text=True)
    doc = client.get("/api/calendar?year=2026", headers=ADMIN).get_json()
    term = next(t for t in doc["terms"] if t["name"] == "2026春季学期")
    resp = client.post(f"/admin/calendar/terms/{term['id']}", data={**TERM, "name": "2026春季学期",
                                                                     "starts": "2026-03-02", "ends": "2026-07-03"},
                       headers=ADMIN)
    assert resp.status_code == 302
    dup = client.post(f"/admin/calendar/terms/{term['id']}", data=TERM, headers=ADMIN)  # a name taken
    assert dup.status_code == 409
    doc = client.get("/api/calendar?year=2026", headers=ADMIN).get_json()
    assert next(t for t in doc["terms"] if t["id"] == term["id"])["ends"] == "2026-07-03"
    assert client.post("/admin/calendar/days", data={"date": "2026-11-20", "kind": "x"}, headers=ADMIN).status_code == 400
    assert client.post("/admin/calendar/terms", data={**TERM, "ends": "2026-01-01"}, headers=ADMIN).status_code == 400
    assert client.get("/admin/calendar?year=3000", headers=ADMIN).status_code == 400


def test_csv_import_previews_then_writes(client, conn):
    text = "日期,类型,名称\n2026-10-01,节假日,国庆节\n2026-10-10,调休上班,国庆节调休\n"
    before = fingerprint(conn)
    resp = client.post("/admin/calendar/import", data={"file": (__import__("io").BytesIO(text.encode("gbk")), "h.csv"),
                                                       "scope": "county"}, headers=ADMIN)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="import-preview"' in html and "新增 2" in html
    assert "2026-10-10 调休上班 国庆节调休" in html
    assert fingerprint(conn) == before  # a preview writes nothing
    resp = client.post("/admin/calendar/import", data={"text": text, "scope": "county", "confirm": "1"}, headers=ADMIN)
    assert resp.status_code == 302
    days = client.get("/api/calendar?year=2026", headers=ADMIN).get_json()["days"]
    assert [(d["date"], d["kind"], d["scope"]) for d in days] == [("2026-10-01", "holiday", "county"),
                                                                  ("2026-10-10", "workday", "county")]
    assert audit_actions(conn)[-1] == "calendar_imported"
    terms = "name,starts,ends,school_code\n2026秋季学期,2026-09-01,2027-01-22,\n"
    client.post("/admin/calendar/import", data={"text": terms, "confirm": "1"}, headers=ADMIN)
    changed = terms.replace("2027-01-22", "2027-01-29")
    html = client.post("/admin/calendar/import", data={"text": changed}, headers=ADMIN).get_data(as_text=True)
    assert "修改 1" in html and "2026秋季学期 2026-09-01 至 2027-01-29（全县学校）" in html


def test_bad_csv_rows_are_named_and_nothing_is_written(client, conn):
    text = "date,kind,name\n2026-10-01,holiday,国庆节\n2026-10-32,holiday,x\n2026-10-10,maybe,y\n"
    before = fingerprint(conn)
    for data in ({"text": text, "confirm": "1"}, {"file": (__import__("io").BytesIO(text.encode()), "bad.csv")}):
        resp = client.post("/admin/calendar/import", data=data, headers=ADMIN)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400 and "第 3 行 字段 date" in html and "第 4 行 字段 kind" in html
    assert fingerprint(conn) == before
    assert client.post("/admin/calendar/import", data={}, headers=ADMIN).status_code == 400  # no file
    utf16 = {"file": (__import__("io").BytesIO("date".encode("utf-16")), "u.csv")}
    resp = client.post("/admin/calendar/import", data=utf16, headers=ADMIN)
    assert resp.status_code == 400 and "UTF-8 或 GBK" in resp.get_data(as_text=True)
    assert fingerprint(conn) == before


def test_export_reads_back(client):
    load_files(client)
    resp = client.get("/admin/calendar.csv?year=2026", headers=ADMIN)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    lines = resp.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "date,kind,name" and len(lines) == 40 and "2026-10-10,workday,国庆节调休上班" in lines
    terms = client.get("/admin/calendar.csv?what=terms", headers=ADMIN).get_data(as_text=True)
    assert "2026秋季学期,2026-09-01,2027-01-22," in terms
    assert client.get("/admin/calendar.csv?what=all", headers=ADMIN).status_code == 400


def test_cli_import_and_export(app, runner, tmp_path):
    path = tmp_path / "h.csv"
    path.write_bytes(HOLIDAYS)
    out = runner.invoke(args=["calendar", "import", str(path), "--dry-run"])
    assert out.exit_code == 0 and "新增 39" in out.output and "未写入" in out.output
    out = runner.invoke(args=["calendar", "import", str(path)])
    assert out.exit_code == 0 and "新增 39" in out.output
    out = runner.invoke(args=["calendar", "import", str(path)])
    assert "未变 39" in out.output
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2026-10-01,holidayx,a\n", encoding="utf-8")
    out = runner.invoke(args=["calendar", "import", str(bad)])
    assert out.exit_code == 1 and "第 2 行 字段 kind" in out.output
    out = runner.invoke(args=["calendar", "export", "--year", "2026"])
    assert out.exit_code == 0 and out.output.splitlines()[0] == "date,kind,name" and len(out.output.splitlines()) == 40


def test_no_school_alert_on_a_holiday_or_in_the_summer_break(county, client):  # noqa: F811
    load_files(client)
    ask = "/api/patrol/alerts?now={}T20:00:00%2B08:00"
    doc = client.get(ask.format("2026-10-01"), headers=basic("commander")).get_json()
    assert doc["school_day"] is False and doc["schools_unvisited"] == []
    assert doc["school_note"] == "今日非上学日（国庆节）"
    doc = client.get(ask.format("2026-08-04"), headers=basic("commander")).get_json()  # a Tuesday in the break
    assert doc["school_day"] is False and doc["schools_unvisited"] == [] and "寒暑假" in doc["school_note"]
    doc = client.get(ask.format("2026-10-10"), headers=basic("commander")).get_json()  # 调休 Saturday
    assert doc["school_day"] is True and [s["code"] for s in doc["schools_unvisited"]] == ["S1"]
    assert doc["school_note"] is None
    html = client.get("/commander/?day=2026-10-01", headers=basic("commander")).get_data(as_text=True)
    assert "今日非上学日（国庆节）" in html and 'data-code="S1"' not in html
    html = client.get("/commander/patrol?day=2026-10-01", headers=basic("commander")).get_data(as_text=True)
    assert "今日非上学日（国庆节）" in html


def test_visits_count_school_days_and_rate_schools_over_them(county, client):  # noqa: F811
    load_files(client)
    # 15 minutes at the school and at the hotspot on Thursday 8 October
    post_points(client, "T1", minutes(0, 15, 111.0055, 33.0055, day="2026-10-08")
                + minutes(20, 35, 111.043, 33.003, day="2026-10-08"))
    doc = client.get("/api/patrol/visits?from=2026-09-28T00:00:00&to=2026-10-12T00:00:00",
                     headers=basic("leader")).get_json()
    # 28–30 Sept, 8–9 Oct and the make-up Saturday 10 Oct; not the national holiday, not Sunday 11 Oct
    assert doc["days"] == 14 and doc["school_days"] == 6
    (hot,), (school,) = doc["hotspots"], doc["schools"]
    assert hot["presence_rate"] == round(1 / 14, 4)     # hotspots: every calendar day, as before
    assert school["presence_rate"] == round(1 / 6, 4) and school["school_days"] == 6
    doc = client.get("/api/patrol/visits?from=2026-10-01T00:00:00&to=2026-10-08T00:00:00",
                     headers=basic("leader")).get_json()
    assert doc["days"] == 7 and doc["school_days"] == 0 and doc["schools"][0]["presence_rate"] == 0.0
    # a change to the calendar shows at once in the kept report (the tables' versions)
    assert client.delete("/api/calendar?date=2026-10-07&scope=national", headers=ADMIN).status_code == 200
    doc = client.get("/api/patrol/visits?from=2026-10-01T00:00:00&to=2026-10-08T00:00:00",
                     headers=basic("leader")).get_json()
    assert doc["school_days"] == 1  # Wednesday 7 October is now an ordinary school day


def test_ids_out_of_range_are_not_found_never_a_failure(client):
    huge = 10 ** 20
    assert client.delete(f"/api/calendar?term_id={huge}", headers=ADMIN).status_code in (400, 404)
    for path in (f"/admin/calendar/terms/{huge}", f"/admin/calendar/terms/{huge}/remove"):
        assert client.post(path, data=TERM, headers=ADMIN).status_code in (400, 404), path
