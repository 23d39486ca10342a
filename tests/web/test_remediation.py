"""Remediation records, history, conflicts and the progress endpoint, on a real PostGIS."""
import csv
import io
import json

import pytest
from openpyxl import load_workbook

from tests.conftest import basic
from tests.helpers import small_county

A1, A2, A3 = "410999001001", "410999001002", "410999001003"
B1, B2, B3 = "410999002001", "410999002002", "410999002003"


@pytest.fixture
def county(app, conn):
    small_county(conn)
    return app


def change(client, code, version=None, role="planner", **fields):
    body = {"status": "remediated", "orderly": True, "services": True, "video": True, **fields,
            "version": version}
    return client.post(f"/api/remediation/villages/{code}", json=body, headers=basic(role))


def progress(client, day):
    resp = client.get(f"/api/remediation/progress?as_of={day}", headers=basic("leader"))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def test_progress_counts_from_the_confirmation_day_inclusive(county, client):
    assert change(client, A1, effective_on="2026-03-10").status_code == 201
    assert change(client, A2, effective_on="2026-06-30").status_code == 201
    assert change(client, B1, effective_on="2026-07-01").status_code == 201
    doc = progress(client, "2026-06-29")
    assert doc["county"] == {**doc["county"], "remote": 6, "remediated": 1}
    doc = progress(client, "2026-06-30")
    assert doc["plan_year"] == 2026
    assert doc["milestones"] == [{"date": "2026-06-30", "share": 0.6},
                                 {"date": "2026-12-31", "share": 1.0}]
    c = doc["county"]
    assert (c["remote"], c["remediated"], c["share"], c["target"]) == (6, 2, 0.3333, 0.6)
    assert c["on_track"] is False
    towns = {t["code"]: t for t in doc["townships"]}
    a = towns["410999001"]
    assert (a["remote"], a["remediated"], a["share"], a["on_track"]) == (3, 2, 0.6667, True)
    assert a["gap_pp"] == pytest.approx(6.7, abs=0.05)
    assert towns["410999002"]["remediated"] == 0
    assert progress(client, "2026-07-01")["county"]["remediated"] == 3
    assert progress(client, "2026-12-31")["county"]["target"] == 1.0
    assert progress(client, "2026-01-01")["county"]["target"] == 0.0


def test_ordinary_villages_have_no_remediation(county, client):
    resp = change(client, "410999001009")
    assert resp.status_code == 400 and "偏远村" in resp.get_json()["message"]
    assert change(client, "nope").status_code == 404


def test_leaders_only_read(county, client):
    assert change(client, A1, role="leader").status_code == 403
    assert change(client, A1, role="commander").status_code == 403
    assert change(client, A1, role="admin").status_code == 201


def test_bad_input_is_refused_and_changes_nothing(county, client):
    assert change(client, A1, status="done").status_code == 400
    assert change(client, A1, orderly="perhaps").status_code == 400
    assert change(client, A1, effective_on="2026-02-30").status_code == 400
    assert change(client, A1, effective_on="2999-01-01").status_code == 400
    history = client.get(f"/api/remediation/villages/{A1}/history", headers=basic("leader")).get_json()
    assert history == []
    bad = client.get("/api/remediation/progress?as_of=yesterday", headers=basic("leader"))
    assert bad.status_code == 400 and "as_of" in bad.get_json()["message"]


def test_second_writer_is_told_not_overwritten(county, client):
    first = change(client, A1, status="in_progress", effective_on="2026-04-01")
    version = first.get_json()["version"]
    # two planners both saw `version`; the first saves, the second is refused
    assert change(client, A1, version=version, effective_on="2026-05-01").status_code == 201
    late = change(client, A1, version=version, status="not_started", effective_on="2026-05-02")
    assert late.status_code == 409 and "他人修改" in late.get_json()["message"]
    rows = client.get("/api/remediation/villages?as_of=2026-06-01", headers=basic("leader")).get_json()
    assert {r["code"]: r["status"] for r in rows}[A1] == "remediated"


def test_history_and_revert_keep_everything(county, client):
    v1 = change(client, A1, status="in_progress", effective_on="2026-04-01").get_json()["version"]
    wrong = change(client, A1, version=v1, effective_on="2026-05-01").get_json()["event"]
    assert progress(client, "2026-05-15")["county"]["remediated"] == 1
    resp = client.post(f"/api/remediation/events/{wrong}/revert", json={"version": wrong},
                       headers=basic("planner"))
    assert resp.status_code == 201
    # the wrong change no longer counts on any day, yet stays in the history
    assert progress(client, "2026-05-15")["county"]["remediated"] == 0
    history = client.get(f"/api/remediation/villages/{A1}/history", headers=basic("leader")).get_json()
    assert [e["kind"] for e in history] == ["revert", "change", "change"]
    assert history[1]["reverted_by"] == history[0]["id"]
    assert history[0]["before"]["status"] == "remediated"
    assert history[0]["after"]["status"] == "in_progress"
    assert history[1]["user"] == "planner" and history[1]["before"]["status"] == "in_progress"
    again = client.post(f"/api/remediation/events/{wrong}/revert", json={"version": resp.get_json()["version"]},
                        headers=basic("planner"))
    assert again.status_code == 400


def test_past_as_of_gives_what_was_true_then(county, client):
    v = change(client, B2, effective_on="2026-02-01").get_json()["version"]
    change(client, B2, version=v, status="in_progress", effective_on="2026-08-01")  # withdrawn later
    assert progress(client, "2026-03-01")["county"]["remediated"] == 1
    assert progress(client, "2026-09-01")["county"]["remediated"] == 0


def test_projection_and_at_risk(county, client):
    # township A: three done in the 60 days before 1 Sep -> finished; B: one done long before
    for code, day in ((A1, "2026-07-10"), (A2, "2026-08-01"), (A3, "2026-08-20"), (B1, "2026-02-01")):
        assert change(client, code, effective_on=day).status_code == 201
    towns = {t["code"]: t for t in progress(client, "2026-09-01")["townships"]}
    assert towns["410999001"]["projection"]["done"] is True
    b = towns["410999002"]["projection"]
    assert b["finish"] is None and b["on_time"] is False
    risky = client.get("/api/remediation/at-risk?as_of=2026-09-01", headers=basic("leader")).get_json()
    assert {r["code"] for r in risky} == {B2, B3}


def test_imported_remediated_on_becomes_events(county, conn, client):
    from layers import remediation
    with conn.cursor() as cur:
        cur.execute("UPDATE villages SET remediated_on = '2026-03-03' WHERE code = %s", (B3,))
    assert remediation.record_imported(conn, "410999") == {"added": 1, "exceptions": []}  # no cameras yet
    assert remediation.record_imported(conn, "410999")["added"] == 0  # idempotent
    conn.commit()
    assert progress(client, "2026-03-02")["county"]["remediated"] == 0
    assert progress(client, "2026-03-03")["county"]["remediated"] == 1


def test_exports(county, client):
    change(client, A1, effective_on="2026-03-10")
    csv_resp = client.get("/leader/remediation.csv?as_of=2026-06-30", headers=basic("leader"))
    rows = list(csv.reader(io.StringIO(csv_resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][1] == "乡镇" and len(rows) == 4 and rows[-1][2] == "6"
    xlsx = client.get("/leader/remediation.xlsx?as_of=2026-06-30", headers=basic("leader"))
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    assert ws.cell(2, 2).value == "乡镇" and ws.cell(3, 4).value == 1
    svg = client.get("/leader/remediation-chart.svg?as_of=2026-06-30", headers=basic("leader"))
    assert svg.status_code == 200 and b"<svg" in svg.data[:500]
    png = client.get("/leader/remediation-chart.png?as_of=2026-06-30", headers=basic("leader"))
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_leader_page_shows_chart_table_and_map(county, client):
    change(client, A1, effective_on="2026-03-10")
    page = client.get("/leader/remediation?as_of=2026-06-30", headers=basic("leader"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in text and 'id="township-ranking"' in text and "甲镇" in text
    name = "偏远村整治状态"  # the status map's layer, written raw or JSON-escaped by folium
    assert name in text or json.dumps(name)[1:-1] in text
    assert "修改整治状态" not in text  # leaders get no edit links


def test_planner_form_saves_and_a_stale_form_is_refused(county, client):
    url = f"/planner/remediation/{A2}"
    assert client.get(url, headers=basic("leader")).status_code == 200
    form = {"status": "in_progress", "orderly": "true", "effective_on": "2026-05-05", "version": "", "note": "开始整治"}
    assert client.post(url, data=form, headers=basic("leader")).status_code == 403
    resp = client.post(url, data=form, headers=basic("planner"))
    assert resp.status_code == 302
    stale = client.post(url, data={**form, "status": "remediated"}, headers=basic("planner"))
    assert stale.status_code == 409 and "已被他人修改" in stale.get_data(as_text=True)
    history = client.get(f"/api/remediation/villages/{A2}/history", headers=basic("leader")).get_json()
    assert len(history) == 1 and history[0]["after"]["note"] == "开始整治" and history[0]["after"]["orderly"]
    bad = client.post(url, data={**form, "version": str(history[0]["id"]), "effective_on": "bad"},
                      headers=basic("planner"))
    assert bad.status_code == 400 and "effective_on" in bad.get_data(as_text=True)


def test_video_criterion_is_computed_once_there_are_cameras(county, client, conn):
    from shapely.geometry import LineString, Point

    from tests.helpers import put
    change(client, A1, status="in_progress", video=True, effective_on="2026-04-01")
    rows = {r["code"]: r for r in client.get("/api/remediation/villages?as_of=2026-05-01",
                                              headers=basic("leader")).get_json()}
    assert rows[A1]["video"] is True and rows[A1]["video_source"] == "recorded"
    # village A1 spans 111.00-111.02 E; a 374 m road in it, a dome covering 200 m of it
    put(conn, "roads", [{"code": "R1", "name": "路", "class": "village",
                         "geometry": LineString([(111.005, 33.01), (111.009, 33.01)])}])
    put(conn, "cameras", [{"code": "C1", "name": "C1", "kind": "dome", "azimuth": None, "fov": 360,
                           "range_m": 100, "status": "working", "networked": True, "installed_on": None,
                           "geometry": Point(111.0061, 33.01)}])
    rows = {r["code"]: r for r in client.get("/api/remediation/villages?as_of=2026-05-01",
                                              headers=basic("leader")).get_json()}
    assert rows[A1]["video_source"] == "computed" and rows[A1]["video_recorded"] is True
    assert rows[A1]["video"] is True  # no road crosses its border, and it has a working camera
    assert rows[A2]["video"] is False  # no working camera


def test_names_from_files_cannot_run_code_in_the_map(county, client, conn):
    with conn.cursor() as cur:
        cur.execute("UPDATE villages SET name = '{{ 7*7 }}村<script>x</script>' WHERE code = %s", (A1,))
    conn.commit()
    from tests.web.test_page_layers import with_layers

    page = client.get("/leader/remediation?as_of=2026-06-30", headers=basic("planner")).get_data(as_text=True)
    page = with_layers(client, page, basic("planner"))   # with the map's features, fetched after the page
    assert "49村" not in page and "<script>x</script>" not in page
    assert "&#123;&#123; 7*7" in page  # braces as entities in the popup


def test_a_quote_in_a_name_cannot_break_out_of_the_confirmation(county, client, conn):
    with conn.cursor() as cur:
        cur.execute("UPDATE villages SET name = %s WHERE code = %s", ("x');alert(1);('", A1))
    conn.commit()
    page = client.get(f"/planner/remediation/{A1}", headers=basic("planner")).get_data(as_text=True)
    assert "x');alert(1);('" not in page
    assert 'data-confirm="确认保存 x&#39;);alert(1);(&#39; 的整治记录？"' in page  # an escaped attribute
    assert "onsubmit" not in page and "confirm(" not in page  # app.js reads it; no inline script
