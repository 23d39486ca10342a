"""Opinion calls through the import page (issue 16 item 1): the upload keeps no phone number
or name from the moment it is known to be calls, the calls are hashed with the app's own
key, and the private layer never shows anywhere a map, the OGC API or a search reads."""
from __future__ import annotations

import hashlib
import hmac
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from data.importer.phones import phone_key
from layers.db import transaction
from tests.conftest import basic
from tests.web.test_uploads_api import county, wait  # noqa: F401 - the fixture

SECRETS = ("13800138000", "13900139000", "张三", "李四")


def calls_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年3月民意调查"])                      # a title row above the header
    sheet.append(["通话时间", "行政村编码", "安全感", "满意度", "电话", "受访者姓名", "意见建议"])
    sheet.append(["2026-03-05 09:10", "410999001001", "很安全", "很满意", 13800138000, "张三", "多巡逻"])
    sheet.append(["2026-03-05 09:20", "410999002001", 4, "一般", "139 0013 9000", "李四", None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def kept_text(var_dir: str) -> str:
    """Everything kept under var/imports, a workbook's parts unpacked."""
    parts = []
    for path in Path(var_dir, "imports").rglob("*"):
        if not path.is_file():
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as book:
                parts.extend(book.read(n).decode("utf-8", "replace") for n in book.namelist())
        else:
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_an_upload_of_calls_keeps_no_number_or_name(client, county, app):  # noqa: F811
    resp = client.post("/api/imports/uploads", headers=basic("admin"), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(calls_xlsx()), "民调.xlsx"), "layer": "survey_calls"})
    assert resp.status_code == 201, resp.get_json()
    token = resp.get_json()["token"]
    text = kept_text(app.config["VAR_DIR"])
    assert "通话时间" in text                  # the file is there, readable
    for secret in SECRETS:
        assert secret not in text
    assert client.post(f"/api/imports/uploads/{token}/check", headers=basic("admin"),
                       json={"layer": "survey_calls"}).status_code == 202
    state = wait(client, token)
    assert state["report"]["problem_count"] == 0, state["report"]["problems"]
    assert state["report"]["mapping"]["电话"] == "phone_hash"
    assert client.post(f"/api/imports/uploads/{token}/write", headers=basic("admin")).status_code == 202
    state = wait(client, token, ("written", "failed"))
    assert state["stage"] == "written" and state["result"]["added"] == 2, state
    for secret in SECRETS:
        assert secret not in kept_text(app.config["VAR_DIR"])
    key = phone_key(app.config["VAR_DIR"])    # the app's key: the form's repeat check sees these calls
    with transaction(county) as conn, conn.cursor() as cur:
        cur.execute("SELECT safety, satisfaction, phone_hash, problems FROM survey_calls ORDER BY called_at")
        assert cur.fetchall() == [
            (5, 5, hmac.new(key, b"13800138000", hashlib.sha256).hexdigest(), "多巡逻"),
            (4, 3, hmac.new(key, b"13900139000", hashlib.sha256).hexdigest(), "")]


def test_a_number_column_matched_by_hand_is_hashed_at_the_check(client, county, app):  # noqa: F811
    body = "调查时间,村编码,安全感,满意度,受访号\n2026-03-05 09:10,410999001001,5,5,13800138000\n".encode("gbk")
    resp = client.post("/api/imports/uploads", headers=basic("admin"), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(body), "calls.csv")})
    token = resp.get_json()["token"]
    assert client.post(f"/api/imports/uploads/{token}/check", headers=basic("admin"), json={
        "layer": "survey_calls", "encoding": "gbk", "columns": {"受访号": "phone_hash"}}).status_code == 202
    state = wait(client, token)
    assert state["report"]["problem_count"] == 0, state["report"]["problems"]
    assert "13800138000" not in kept_text(app.config["VAR_DIR"])


@pytest.mark.parametrize("role", ["planner", "commander", "leader"])
def test_only_admins_upload_calls(client, county, role):  # noqa: F811
    resp = client.post("/api/imports/uploads", headers=basic(role), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(calls_xlsx()), "民调.xlsx"), "layer": "survey_calls"})
    assert resp.status_code == 403


def test_an_unreadable_calls_upload_is_refused_and_not_kept(client, county, app):  # noqa: F811
    resp = client.post("/api/imports/uploads", headers=basic("admin"), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"PK\x03\x04 not a workbook 13800138000"), "民调.xlsx"),
                             "layer": "survey_calls"})
    assert resp.status_code == 400 and "电话" in resp.get_json()["message"], resp.get_json()
    assert "13800138000" not in kept_text(app.config["VAR_DIR"])


def test_the_calls_layer_is_never_exposed(client, county, app):  # noqa: F811
    from data.importer import import_file
    from tests.data.test_importer import _csv

    path = _csv(Path(app.config["VAR_DIR"]).parent / "c.csv",
                "编号,调查时间,村编码,安全感,满意度\nDH-SECRET-1,2026-03-05 09:10,410999001001,5,5\n")
    with transaction(county) as conn:
        import_file(conn, "survey_calls", path, county_code=app.config["COUNTY_CODE"])
    admin = basic("admin")
    names = [c["id"] for c in client.get("/ogc/collections?f=json", headers=admin).get_json()["collections"]]
    assert "villages" in names and "survey_calls" not in names
    for url in ("/ogc/collections/survey_calls", "/ogc/collections/survey_calls/items",
                "/ogc/collections/survey_calls/schema", "/ogc/collections/survey_calls/items/DH-SECRET-1",
                "/tiles/survey_calls/10/830/410.mvt",
                "/tiles/survey_calls.json"):
        assert client.get(url, headers=admin).status_code == 404, url
    for url in ("/api/layers", "/ogc/api?f=json", "/map", "/api/search?q=DH-SECRET"):
        resp = client.get(url, headers=admin)
        assert resp.status_code == 200, url
        assert "survey_calls" not in resp.get_data(as_text=True) and "DH-SECRET" not in resp.get_data(as_text=True)
    # the import page offers it, with its template
    assert "民意调查电话" in client.get("/admin/imports", headers=admin).get_data(as_text=True)
    template = client.get("/admin/imports/templates/survey_calls.xlsx", headers=admin)
    assert template.status_code == 200
    heads = next(openpyxl.load_workbook(io.BytesIO(template.data)).active.iter_rows(values_only=True))
    assert "安全感" in heads and "满意度" in heads


def test_the_command_line_hashes_with_the_apps_key(runner, county, app, tmp_path):  # noqa: F811
    from tests.data.test_importer import _csv

    path = _csv(tmp_path / "calls.csv", "调查时间,村编码,安全感,满意度,电话\n2026-03-05 09:10,410999001001,5,4,13800138000\n")
    result = runner.invoke(args=["import", "survey_calls", str(path)])
    assert result.exit_code == 0, result.output
    key = phone_key(app.config["VAR_DIR"])
    with transaction(county) as conn, conn.cursor() as cur:
        cur.execute("SELECT phone_hash FROM survey_calls")
        assert cur.fetchall() == [(hmac.new(key, b"13800138000", hashlib.sha256).hexdigest(),)]
    bad = runner.invoke(args=["import", "survey_calls", str(path), "--replace"])
    assert bad.exit_code == 1 and "不能清空后替换" in bad.output
