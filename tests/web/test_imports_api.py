"""GET /api/imports and POST /api/imports/<id>/undo (admins), and the CLI's ``imports`` and
``import-undo``: roles, bad input, an undo answered with its history entry, a second undo
refused with 409, CSRF for a signed-in browser."""
from __future__ import annotations

import pytest

from data.importer import import_file
from tests.conftest import PASSWORD, basic
from tests.layers.test_import_history import TOWNSHIPS, cameras_file, snapshot
from tests.helpers import put
from tests.web.test_auth import csrf_token


@pytest.fixture
def imported(app, conn, tmp_path):
    """Two imports of cameras (the second adds one and updates one); the rows before it."""
    county = app.config["COUNTY_CODE"]
    put(conn, "townships", TOWNSHIPS)
    import_file(conn, "cameras", cameras_file(tmp_path / "c1.csv", [("C1", "fixed", 90, 60, 111.55)]),
                county_code=county, actor="admin")
    conn.commit()
    before = snapshot(conn, "cameras")
    second = import_file(conn, "cameras", cameras_file(tmp_path / "c2.csv", [
        ("C1", "fixed", 200, 60, 111.55), ("C2", "dome", "", 360, 111.65)]), county_code=county, actor="admin")
    conn.commit()
    return second.import_id, before


@pytest.mark.parametrize("role", ["commander", "planner", "leader"])
def test_only_admins_see_and_undo_imports(client, imported, role, conn):
    import_id, before = imported
    assert client.get("/api/imports", headers=basic(role)).status_code == 403
    assert client.post(f"/api/imports/{import_id}/undo", json={}, headers=basic(role)).status_code == 403
    assert len(snapshot(conn, "cameras")) == 2
    assert client.get("/api/imports").status_code in (302, 401)


def test_admin_lists_and_undoes_the_last_import(client, imported, conn):
    import_id, before = imported
    doc = client.get("/api/imports", headers=basic("admin")).get_json()
    first, second = doc["imports"][1], doc["imports"][0]
    assert second["id"] == import_id and second["undoable"] and not first["undoable"]
    assert second["layer_title"] and second["kind"] == "import" and len(second["checksum"]) == 64
    assert (second["rows_added"], second["rows_updated"]) == (1, 1) and second["file_name"] == "c2.csv"
    refused = client.post(f"/api/imports/{first['id']}/undo", json={}, headers=basic("admin"))
    assert refused.status_code == 409 and "最近一次导入" in refused.get_json()["message"]
    resp = client.post(f"/api/imports/{import_id}/undo", json={}, headers=basic("admin"))
    assert resp.status_code == 201, resp.get_json()
    undo = resp.get_json()
    assert undo["undoes"] == import_id and undo["kind"] == "undo" and undo["actor"] == "admin"
    conn.rollback()
    assert snapshot(conn, "cameras") == before
    again = client.post(f"/api/imports/{import_id}/undo", json={}, headers=basic("admin"))
    assert again.status_code == 409 and "已被撤销" in again.get_json()["message"]
    of_undo = client.post(f"/api/imports/{undo['id']}/undo", json={}, headers=basic("admin"))
    assert of_undo.status_code == 409
    listed = client.get("/api/imports?layer=cameras&limit=2", headers=basic("admin")).get_json()
    assert [e["id"] for e in listed["imports"]] == [undo["id"], import_id] and listed["next_before"] == import_id
    older = client.get(f"/api/imports?before={import_id}", headers=basic("admin")).get_json()
    assert [e["id"] for e in older["imports"]] == [first["id"]] and older["imports"][0]["undoable"]


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "1.5", "99999999999999999999"])
def test_a_bad_id_is_a_400_naming_it(client, imported, bad):
    resp = client.post(f"/api/imports/{bad}/undo", json={}, headers=basic("admin"))
    assert resp.status_code == 400 and resp.get_json()["field"] == "id"


def test_an_unknown_id_is_a_404(client, imported, conn):
    resp = client.post("/api/imports/99999/undo", json={}, headers=basic("admin"))
    assert resp.status_code == 404 and "99999" in resp.get_json()["message"]


@pytest.mark.parametrize("query,field", [("layer=rivers", "layer"), ("limit=0", "limit"), ("limit=abc", "limit"),
                                         ("limit=501", "limit"), ("before=-1", "before"), ("before=x", "before")])
def test_bad_list_parameters_are_a_400_naming_them(client, imported, query, field):
    resp = client.get(f"/api/imports?{query}", headers=basic("admin"))
    assert resp.status_code == 400 and resp.get_json()["field"] == field


def test_a_signed_in_browser_needs_the_csrf_token(app, imported, conn):
    import_id, before = imported
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = csrf_token(client)
    assert client.post("/login", data={"name": "admin", "password": PASSWORD, "csrf_token": token}).status_code == 302
    assert client.post(f"/api/imports/{import_id}/undo", json={}).status_code == 400
    conn.rollback()
    assert snapshot(conn, "cameras") != before
    token = csrf_token(client, "/admin/users")
    assert client.post(f"/api/imports/{import_id}/undo", json={}, headers={"X-CSRFToken": token}).status_code == 201
    conn.rollback()
    assert snapshot(conn, "cameras") == before


def test_cli_lists_and_undoes(runner, imported, conn, tmp_path):
    import_id, before = imported
    listed = runner.invoke(args=["imports", "--layer", "cameras"])
    assert listed.exit_code == 0 and f"#{import_id}" in listed.output and "c2.csv" in listed.output
    done = runner.invoke(args=["import-undo", "cameras", "--actor", "王五"])
    assert done.exit_code == 0, done.output
    assert f"已撤销第 {import_id} 次导入" in done.output and "王五" in done.output
    conn.rollback()
    assert snapshot(conn, "cameras") == before
    runner.invoke(args=["import-undo", "cameras"])       # the first import: the layer is empty
    refused = runner.invoke(args=["import-undo", "cameras"])
    assert refused.exit_code == 1 and "没有可以撤销的导入" in refused.output
    unknown = runner.invoke(args=["import-undo", "rivers"])
    assert unknown.exit_code == 1
    path = cameras_file(tmp_path / "c3.csv", [("C9", "fixed", 90, 60, 111.55)])
    result = runner.invoke(args=["import", "cameras", str(path), "--actor", "李四"])
    assert result.exit_code == 0, result.output
    assert "李四" in runner.invoke(args=["imports"]).output
