"""One truth for remediation (R1, R2): confirmations refused when the village video rule
fails, exceptions, the counts everywhere, imports; the rule's admin API and page; siting."""
import csv
import io

import pytest
from openpyxl import load_workbook
from shapely.geometry import LineString, box

from tests.conftest import ROLES, basic
from tests.helpers import put, small_county
from tests.layers.test_coverage import cam

A1, A2, A3 = "410999001001", "410999001002", "410999001003"
B1 = "410999002001"
Y = 33.01
RULE = {"entrances_share": 1, "schools_share": 1, "main_junctions_share": 0.5, "min_working_cameras": 1}


@pytest.fixture
def county(app, conn):
    """small_county with cameras: A1 has a road entering from the west whose 村口 no camera
    sees (a dome in the village looks elsewhere); A2 has no road and one working dome (meets
    the default rule); the others have no camera (do not)."""
    small_county(conn)
    put(conn, "roads", [{"code": "R1", "name": "西进路", "class": "village",
                         "geometry": LineString([(110.995, Y), (111.015, Y)])}])
    put(conn, "cameras", [cam("C1", 111.01, y=33.003, kind="dome", fov=360, range_m=50),
                          cam("C2", 111.03, y=Y, kind="dome", fov=360, range_m=50)])
    return app


def confirm(client, code, role="planner", version=None, **fields):
    body = {"status": "remediated", "orderly": True, "services": True, "effective_on": "2026-03-10",
            "version": version, **fields}
    return client.post(f"/api/remediation/villages/{code}", json=body, headers=basic(role))


def history(client, code):
    return client.get(f"/api/remediation/villages/{code}/history", headers=basic("leader")).get_json()


def progress(client, day="2026-06-30"):
    return client.get(f"/api/remediation/progress?as_of={day}", headers=basic("leader")).get_json()


def test_confirmation_refused_with_the_unseen_entrance_and_the_siting_link(county, client):
    resp = confirm(client, A1)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    doc = resp.get_json()
    assert doc["field"] == "video" and doc["siting"] == f"/commander/siting?village={A1}"
    assert doc["reasons"] == ["村口未在监控范围内：村西西进路村口（111.00000, 33.01000）（0/1 在监控范围内，要求全部）"]
    assert "西进路" in doc["message"] and "例外" in doc["message"]
    assert history(client, A1) == [] and progress(client)["county"]["remediated"] == 0  # nothing changed
    # 管理有序 not met: refused whatever the cameras say, no exception possible
    resp = confirm(client, A2, orderly=False)
    assert resp.status_code == 422 and resp.get_json()["field"] == "orderly"
    assert confirm(client, A2, orderly=False, exception_note="说明").status_code == 422
    # B1 has no camera at all
    resp = confirm(client, B1)
    assert resp.status_code == 422 and "正常工作的摄像机 0 台" in resp.get_json()["reasons"][0]


def test_an_exception_with_a_note_is_recorded_and_counted(county, client):
    assert confirm(client, A2).status_code == 201  # meets the rule
    resp = confirm(client, A1, exception_note="村口摄像机已安装，尚未录入图层")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    (event,) = history(client, A1)
    assert event["after"]["exception_note"] == "村口摄像机已安装，尚未录入图层"
    assert event["after"]["video"] is False and "西进路" in event["after"]["exception_reasons"][0]
    doc = progress(client)
    assert (doc["county"]["remediated"], doc["county"]["remediated_with_exception"]) == (2, 1)
    towns = {t["code"]: t for t in doc["townships"]}
    assert (towns["410999001"]["remediated"], towns["410999001"]["remediated_with_exception"]) == (2, 1)
    assert towns["410999002"]["remediated_with_exception"] == 0
    assert progress(client, "2026-03-09")["county"]["remediated_with_exception"] == 0
    rows = {r["code"]: r for r in client.get("/api/remediation/villages?as_of=2026-06-30",
                                              headers=basic("leader")).get_json()}
    assert rows[A1]["excepted"] is True and rows[A2]["excepted"] is False
    assert rows[A1]["video_source"] == "computed" and rows[A1]["video_failed"] == ["entrances"]
    # an exception where nothing needs excepting, or for a village not being confirmed: 400
    bad = confirm(client, A3, status="in_progress", exception_note="x")
    assert bad.status_code == 400 and bad.get_json()["field"] == "exception_note"
    a2_version = history(client, A2)[0]["id"]
    bad = confirm(client, A2, version=a2_version, exception_note="x", effective_on="2026-04-01")
    assert bad.status_code == 400 and "无需按例外" in bad.get_json()["message"]
    assert confirm(client, A1, role="leader", exception_note="x").status_code == 403
    assert confirm(client, A1, exception_note="x" * 2001).status_code == 400


def test_a_stale_confirmation_is_told_of_the_conflict_first(county, client):
    version = confirm(client, A1, status="in_progress").get_json()["version"]
    assert confirm(client, A1, version=version, status="in_progress", effective_on="2026-03-11").status_code == 201
    assert confirm(client, A1, version=version).status_code == 409


def test_the_same_figures_on_every_page_and_export(county, client):
    confirm(client, A2)
    confirm(client, A1, exception_note="摄像机已装未录入")
    figures = {"remote": "6", "remediated": "2", "remediated_with_exception": "1"}
    for url in ("/leader/remediation?as_of=2026-06-30", "/planner/remediation?as_of=2026-06-30",
                "/leader/coverage?as_of=2026-06-30"):
        page = client.get(url, headers=basic("leader")).get_data(as_text=True)
        for name, value in figures.items():
            assert f'data-figure="{name}">{value}<' in page, (url, name)
        assert "摄像机已装未录入" in page, url  # the exception is shown
    ws = load_workbook(io.BytesIO(client.get("/leader/remediation.xlsx?as_of=2026-06-30",
                                             headers=basic("leader")).data))
    table = ws["偏远村整治进度"]
    assert [c.value for c in table[2]][2:5] == ["偏远村数", "已整治", "其中按例外认定"]
    assert [c.value for c in table[table.max_row]][2:5] == [6, 2, 1]  # the county, last
    excepted = ws["按例外认定的村"]
    assert excepted.cell(3, 1).value == A1 and excepted.cell(3, 6).value == "摄像机已装未录入"
    text = client.get("/leader/remediation.csv?as_of=2026-06-30", headers=basic("leader")).get_data(as_text=True)
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[-1][2:5] == ["6", "2", "1"]
    # before the confirmations, every place says none
    page = client.get("/planner/remediation?as_of=2026-03-09", headers=basic("planner")).get_data(as_text=True)
    assert 'data-figure="remediated">0<' in page


def test_planner_form_refuses_with_reasons_then_takes_an_exception(county, client):
    url = f"/planner/remediation/{A1}"
    page = client.get(url, headers=basic("planner")).get_data(as_text=True)
    assert "村西西进路村口" in page and f"/commander/siting?village={A1}" in page and 'name="exception_note"' in page
    form = {"status": "remediated", "orderly": "true", "services": "true", "effective_on": "2026-05-05",
            "version": ""}
    resp = client.post(url, data=form, headers=basic("planner"))
    assert resp.status_code == 422 and "西进路" in resp.get_data(as_text=True)
    assert history(client, A1) == []
    resp = client.post(url, data={**form, "exception_note": "已装未录入"}, headers=basic("planner"))
    assert resp.status_code == 302
    assert history(client, A1)[0]["after"]["exception_note"] == "已装未录入"
    assert "按例外认定" in client.get(url, headers=basic("leader")).get_data(as_text=True)


# --- the rule: API, admin page, applied everywhere -------------------------------------------

def test_rule_api_reads_for_all_and_changes_for_admins_only(county, client):
    doc = client.get("/api/video-rule", headers=basic("leader")).get_json()
    assert {k: doc[k] for k in RULE} == RULE and doc["updated_by"] is None
    assert "村口全部" in doc["video_covered"]
    new = {**RULE, "entrances_share": 0, "min_working_cameras": 1}
    for role in ("commander", "planner", "leader"):
        assert client.put("/api/video-rule", json=new, headers=basic(role)).status_code == 403
    for bad, field in (({**new, "entrances_share": 1.2}, "entrances_share"),
                       ({**new, "schools_share": "all"}, "schools_share"),
                       ({**new, "min_working_cameras": 51}, "min_working_cameras"),
                       ({**new, "min_working_cameras": 1.5}, "min_working_cameras"),
                       ({k: v for k, v in new.items() if k != "main_junctions_share"}, "main_junctions_share")):
        resp = client.put("/api/video-rule", json=bad, headers=basic("admin"))
        assert resp.status_code == 400 and field in resp.get_json()["message"], bad
    assert client.get("/api/video-rule", headers=basic("leader")).get_json()["updated_by"] is None  # unchanged
    assert confirm(client, A1).status_code == 422
    resp = client.put("/api/video-rule", json=new, headers=basic("admin"))
    assert resp.status_code == 200 and resp.get_json()["entrances_share"] == 0
    assert resp.get_json()["updated_by"] == "admin"
    # applied everywhere: the coverage report and the confirmation
    villages = {v["code"]: v for v in client.get("/api/coverage", headers=basic("leader")).get_json()["villages"]}
    assert villages[A1]["video_covered"] is True
    assert confirm(client, A1).status_code == 201
    (entry,) = client.get("/api/audit?action=video_rule_changed", headers=basic("admin")).get_json()
    assert entry["before"]["entrances_share"] == 1 and entry["after"]["entrances_share"] == 0


def test_admin_page_sets_the_rule(county, client):
    page = client.get("/admin/", headers=basic("admin")).get_data(as_text=True)
    assert 'id="video-rule-form"' in page and 'name="min_working_cameras"' in page
    before = client.get("/leader/coverage", headers=basic("leader")).get_data(as_text=True)
    assert "村口全部" in before  # built and kept until the data (the rule included) changes
    form = {"entrances_share": "0.5", "schools_share": "1", "main_junctions_share": "0", "min_working_cameras": "2"}
    for role in ("commander", "planner", "leader"):
        assert client.post("/admin/video-rule", data=form, headers=basic(role)).status_code == 403
    bad = client.post("/admin/video-rule", data={**form, "min_working_cameras": "x"}, headers=basic("admin"))
    assert bad.status_code == 400 and "min_working_cameras" in bad.get_data(as_text=True)
    assert client.post("/admin/video-rule", data=form, headers=basic("admin")).status_code == 302
    doc = client.get("/api/video-rule", headers=basic("planner")).get_json()
    assert (doc["entrances_share"], doc["min_working_cameras"]) == (0.5, 2)
    client.get("/admin/", headers=basic("admin"))  # shows (and clears) the flashed message
    page = client.get("/leader/coverage", headers=basic("leader")).get_data(as_text=True)
    assert "村口至少 50%" in page and "<td>至少 2 台</td>" in page  # the kept page was rebuilt


# --- siting -----------------------------------------------------------------------------------

def test_village_check_and_siting(county, client):
    doc = client.get(f"/api/coverage/villages/{A1}", headers=basic("commander")).get_json()
    assert (doc["entrances"], doc["seen_entrances"], doc["working_cameras"]) == (1, 0, 1)
    assert doc["entrances_detail"][0]["roads"] == ["西进路"] and doc["video_covered"] is False
    siting = client.get(f"/api/coverage/villages/{A1}/siting", headers=basic("leader")).get_json()
    assert len(siting["proposed"]) == 1 and siting["proposed"][0]["lon"] == pytest.approx(111.0)
    assert siting["with_proposed"]["video_covered"] is True
    assert client.get("/api/coverage/villages/NOPE", headers=basic("leader")).status_code == 404
    assert client.get("/api/coverage/villages/NOPE/siting", headers=basic("leader")).status_code == 404
    bad = client.post(f"/api/coverage/villages/{A1}", json={"proposed": [{"lon": 1, "lat": 1}]},
                      headers=basic("leader"))
    assert bad.status_code == 400
    for role in ROLES:
        page = client.get(f"/commander/siting?village={A1}", headers=basic(role))
        assert page.status_code == 200, role
        text = page.get_data(as_text=True)
        assert "村西西进路村口" in text and "建议加装的摄像机" in text and "加装以上 1 台后" in text
    listing = client.get("/commander/siting", headers=basic("planner")).get_data(as_text=True)
    assert f"/commander/siting?village={A1}" in listing and f"village={A2}" not in listing
    assert client.get("/commander/siting?village=NOPE", headers=basic("leader")).status_code == 404
    assert client.get("/commander/siting?village=%01", headers=basic("leader")).status_code == 400


# --- imports ----------------------------------------------------------------------------------

def test_imported_dates_whose_rule_fails_are_exceptions_named_in_the_warnings(county, conn, tmp_path):
    import geopandas as gpd

    from data.importer import import_file
    frame = gpd.GeoDataFrame({"code": [A1, A2], "name": ["村11", "村12"], "remote": [True, True],
                              "population": [500, 500], "remediated_on": ["2026-02-01", "2026-02-02"]},
                             geometry=[box(111.0, 33.0, 111.02, 33.02), box(111.02, 33.0, 111.04, 33.02)],
                             crs="EPSG:4326")
    path = tmp_path / "villages.geojson"
    frame.to_file(path, driver="GeoJSON")
    result = import_file(conn, "villages", path, county_code="410999")
    (warning,) = [w for w in result.warnings if "例外" in w]
    assert "1 个偏远村" in warning and f"村11（{A1}）" in warning and "西进路" in warning and "村12" not in warning
    with conn.cursor() as cur:
        cur.execute("SELECT village_code, kind, exception_note FROM remediation_events ORDER BY village_code")
        assert cur.fetchall() == [(A1, "import", "导入时视频覆盖未达标"), (A2, "import", None)]
