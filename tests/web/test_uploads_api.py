"""Imports through the browser's API: upload, check (nothing written), report, write."""
from __future__ import annotations

import io
import time

import openpyxl
import pytest

from layers.db import transaction
from tests.conftest import basic
from tests.data.test_importer import IN_V1, IN_V2, township_frame, village_frame, write
from data.importer import import_file

HEADER = ["点位编号", "点位名称", "经度", "纬度", "设备类型", "朝向", "视场角", "监控距离", "状态", "是否联网"]
GOOD = [["C1", "张村村口", IN_V1[0], IN_V1[1], "枪机", 180, 60, 80, "正常", "是"],
        ["C2", "李庄村口", IN_V2[0], IN_V2[1], "球机", 90, 90, 60, "离线", "否"]]
BAD = GOOD + [["C3", "坏一", IN_V2[0], IN_V2[1], "激光", 90, 90, 60, "正常", "是"],
              ["C4", "坏二", IN_V2[0], "北纬", "球机", 90, 90, 60, "正常", "是"],
              ["C5", "坏三", IN_V2[0], IN_V2[1], "球机", 400, 90, 60, "正常", "也许"]]


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def county(app, tmp_path):
    url = app.config["RESOLVED_DATABASE_URL"]
    with transaction(url) as conn:
        import_file(conn, "townships", write(township_frame(), tmp_path / "t.gpkg"), county_code=app.config["COUNTY_CODE"])
        import_file(conn, "villages", write(village_frame(), tmp_path / "v.gpkg"), county_code=app.config["COUNTY_CODE"])
    return url


def upload(client, body: bytes, name="摄像机台账.xlsx", role="admin"):
    return client.post("/api/imports/uploads", headers=basic(role),
                       data={"file": (io.BytesIO(body), name), "layer": "cameras"}, content_type="multipart/form-data")


def wait(client, token, stages=("checked", "written", "failed")) -> dict:
    for _ in range(300):
        state = client.get(f"/api/imports/uploads/{token}", headers=basic("admin")).get_json()
        if state["stage"] in stages:
            return state
        time.sleep(0.1)
    raise AssertionError(f"still {state['stage']}")


def cameras(url) -> list:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT code, kind, status FROM cameras ORDER BY code")
        return cur.fetchall()


def test_bad_file_checked_reported_whole_and_nothing_written(client, county):
    resp = upload(client, workbook(BAD))
    assert resp.status_code == 201
    token = resp.get_json()["token"]
    assert client.post(f"/api/imports/uploads/{token}/write", headers=basic("admin")).status_code == 409
    assert client.post(f"/api/imports/uploads/{token}/check", headers=basic("admin"),
                       json={"layer": "cameras"}).status_code == 202
    state = wait(client, token)
    report = state["report"]
    assert state["stage"] == "checked" and report["problem_count"] == 4 and report["rows"] == 5
    assert report["mapping"]["点位编号"] == "code" and report["crs_used"] == "EPSG:4326"
    rows = {(p["row"], p["column"]) for p in report["report"]}
    assert rows == {(4, "设备类型"), (5, "纬度"), (6, "朝向"), (6, "是否联网")}
    assert len(report["preview"]["features"]) == 5 and report["extent"][0] == pytest.approx(IN_V1[0])
    xlsx = client.get(f"/api/imports/uploads/{token}/report.xlsx", headers=basic("admin"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert {r[0] for r in values if isinstance(r[0], int)} == {4, 5, 6}
    assert any("激光" in str(r[3]) for r in values)
    refused = client.post(f"/api/imports/uploads/{token}/write", headers=basic("admin"))
    assert refused.status_code == 409 and "4 个问题" in refused.get_json()["message"]
    assert cameras(county) == []


def test_clean_file_written_on_confirmation_with_hand_matched_column(client, county):
    body = workbook([row[:1] + row[1:] for row in GOOD])
    token = upload(client, body).get_json()["token"]
    # 点位名称 left unread by hand: the cameras get no name, which the layer requires
    client.post(f"/api/imports/uploads/{token}/check", headers=basic("admin"),
                json={"layer": "cameras", "columns": {"点位名称": None}})
    assert wait(client, token)["report"]["problem_count"] > 0
    client.post(f"/api/imports/uploads/{token}/check", headers=basic("admin"), json={"layer": "cameras"})
    assert wait(client, token)["report"]["problem_count"] == 0
    assert cameras(county) == []  # checked, not written
    assert client.post(f"/api/imports/uploads/{token}/write", headers=basic("admin")).status_code == 202
    state = wait(client, token, ("written", "failed"))
    assert state["stage"] == "written" and state["result"]["added"] == 2
    assert cameras(county) == [("C1", "fixed", "working"), ("C2", "dome", "offline")]
    again = client.post(f"/api/imports/uploads/{token}/check", headers=basic("admin"), json={"layer": "cameras"})
    assert again.status_code == 409
    assert client.delete(f"/api/imports/uploads/{token}", headers=basic("admin")).status_code == 204
    assert client.get(f"/api/imports/uploads/{token}", headers=basic("admin")).status_code == 404


@pytest.mark.parametrize("role", ["commander", "planner", "leader"])
def test_only_admins(client, county, role):
    assert upload(client, workbook(GOOD), role=role).status_code == 403
    token = upload(client, workbook(GOOD)).get_json()["token"]
    for method, path in (("get", ""), ("post", "/check"), ("post", "/write"), ("get", "/report.xlsx"),
                         ("delete", "")):
        assert getattr(client, method)(f"/api/imports/uploads/{token}{path}", headers=basic(role),
                                       json={"layer": "cameras"}).status_code == 403
    assert client.get("/api/imports/uploads/x" * 1).status_code == 401


def test_bad_input(client, county, app):
    h = basic("admin")
    assert client.post("/api/imports/uploads", headers=h, data={}, content_type="multipart/form-data").status_code == 400
    assert upload(client, b"MZ", name="virus.exe").status_code == 400
    assert upload(client, b"x", name="../../etc/passwd.csv").get_json()["file"] == "passwd.csv"
    token = upload(client, workbook(GOOD)).get_json()["token"]
    for body in ({"layer": "parks"}, {"layer": "cameras", "crs": "EPSG:99999"}, {"layer": ["cameras"]},
                 {"layer": "cameras", "encoding": "latin1"}, {"layer": "cameras", "columns": {"a": "code", "b": "code"}},
                 {"layer": "cameras", "columns": {"a": "nonsense"}}, [1, 2], {"layer": "cameras", "sheet": "x" * 500}):
        assert client.post(f"/api/imports/uploads/{token}/check", headers=h, json=body).status_code == 400, body
    for bad in ("nope", "a" * 70, "..%2F..%2Fsecret_key"):
        assert client.get(f"/api/imports/uploads/{bad}", headers=h).status_code == 404
    app.config["IMPORT_MAX_BYTES"] = 1000
    assert upload(client, workbook(GOOD * 50)).status_code == 413
