"""Registering patrol phones (issue 15): the CLI prints the URL to set in the app, the
devices page and API (commanders and admins only) show it once and revoke; audit entries."""
from __future__ import annotations

import re

import pytest

from tests.conftest import basic
from tests.web.test_patrol_api import county  # noqa: F401

URL = re.compile(r"http://[^\s]+/osmand/([A-Za-z0-9_-]{20,})")


def audit_actions(conn) -> list[str]:
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT action FROM audit_log WHERE action LIKE 'device%' ORDER BY id")
        return [r[0] for r in cur.fetchall()]


def test_cli_add_list_revoke(county, app, runner, client, conn):  # noqa: F811
    out = runner.invoke(args=["device", "add", "123456", "--team", "T1", "--host", "patrol.example.cn"])
    assert out.exit_code == 0, out.output
    token = URL.search(out.output).group(1)
    assert "http://patrol.example.cn/osmand/" + token in out.output
    app.config["PUBLIC_URL"] = "https://map.county.gov.cn"
    second = runner.invoke(args=["device", "add", "A-2", "--team", "T2", "--label", "巡逻车"])
    assert "https://map.county.gov.cn/osmand/" in second.output
    again = runner.invoke(args=["device", "add", "123456", "--team", "T2"])
    assert again.exit_code != 0 and "已登记" in again.output
    assert runner.invoke(args=["device", "add", "x y", "--team", "T1"]).exit_code != 0
    assert runner.invoke(args=["device", "add", "777", "--team", "NOPE"]).exit_code != 0
    listing = runner.invoke(args=["device", "list"]).output
    assert "123456" in listing and "A-2" in listing and "在用" in listing
    assert client.get(f"/osmand/{token}?lat=33.0&lon=111.0&timestamp=1764032400").status_code == 200
    assert runner.invoke(args=["device", "revoke", "123456"]).exit_code == 0
    assert client.get(f"/osmand/{token}?lat=33.0&lon=111.0&timestamp=1764032460").status_code == 403
    assert runner.invoke(args=["device", "revoke", "123456"]).exit_code != 0
    assert "已停用" in runner.invoke(args=["device", "list"]).output
    # the id may be registered again (a new token); the old token stays refused
    assert runner.invoke(args=["device", "add", "123456", "--team", "T2"]).exit_code == 0
    assert client.get(f"/osmand/{token}?lat=33.0&lon=111.0&timestamp=1764032520").status_code == 403
    assert audit_actions(conn) == ["device_added", "device_added", "device_revoked", "device_added"]
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT token_hash FROM devices")
        assert all(token not in r[0] for r in cur.fetchall())  # only the hash is kept


def test_page_registers_shows_url_once_and_revokes(county, client, conn):  # noqa: F811
    h = basic("commander")
    page = client.get("/commander/devices", headers=h)
    assert page.status_code == 200 and "登记设备" in page.get_data(as_text=True)
    added = client.post("/commander/devices", data={"device_id": "123456", "team_code": "T1", "label": "张三"},
                        headers=h)
    text = added.get_data(as_text=True)
    assert added.status_code == 200 and URL.search(text) and "只显示这一次" in text
    token = URL.search(text).group(1)
    shown = client.get("/commander/devices", headers=h).get_data(as_text=True)
    assert "123456" in shown and token not in shown
    dup = client.post("/commander/devices", data={"device_id": "123456", "team_code": "T1"}, headers=h)
    assert dup.status_code == 409 and "已登记" in dup.get_data(as_text=True)
    bad = client.post("/commander/devices", data={"device_id": "", "team_code": "T1"}, headers=h)
    assert bad.status_code == 400 and "device_id" in bad.get_data(as_text=True)
    assert client.post("/commander/devices", data={"device_id": "9", "team_code": "NOPE"}, headers=h).status_code == 400
    ident = client.get("/api/devices", headers=h).get_json()["devices"][0]["id"]
    assert client.post(f"/commander/devices/{ident}/revoke", headers=h).status_code == 302
    assert "已停用" in client.get("/commander/devices", headers=h).get_data(as_text=True)
    assert client.post("/commander/devices/99999/revoke", headers=h).status_code == 404
    assert audit_actions(conn) == ["device_added", "device_revoked"]


def test_api_add_list_revoke_and_bad_input(county, client):  # noqa: F811
    h = basic("admin")
    resp = client.post("/api/devices", json={"device_id": "123456", "team_code": "T1"}, headers=h)
    assert resp.status_code == 201
    doc = resp.get_json()
    assert doc["url"].startswith("http://localhost/osmand/") and doc["device"]["team_code"] == "T1"
    assert "token_hash" not in doc["device"]
    listed = client.get("/api/devices", headers=h).get_json()["devices"]
    assert [d["device_id"] for d in listed] == ["123456"] and "token_hash" not in listed[0]
    for body, field in (({"device_id": "a b", "team_code": "T1"}, "device_id"), ({"device_id": "1"}, "team_code"),
                        ({"device_id": ["1"], "team_code": "T1"}, "device_id"),
                        ({"device_id": "1", "team_code": "NOPE"}, "team_code")):
        bad = client.post("/api/devices", json=body, headers=h)
        assert bad.status_code == 400 and field in bad.get_json()["message"] + bad.get_json().get("field", "")
    assert client.post("/api/devices", data="[1]", headers={**h, "Content-Type": "application/json"}).status_code == 400
    assert client.post("/api/devices", json={"device_id": "123456", "team_code": "T2"}, headers=h).status_code == 409
    ident = listed[0]["id"]
    assert client.post(f"/api/devices/{ident}/revoke", headers=h).get_json()["device"]["revoked_at"]
    assert client.post("/api/devices/424242/revoke", headers=h).status_code == 404
    assert len(client.get("/api/devices", headers=h).get_json()["devices"]) == 1


@pytest.mark.parametrize("role", ["planner", "leader"])
def test_other_roles_may_not_use_devices(county, client, conn, role):  # noqa: F811
    h = basic(role)
    assert client.get("/commander/devices", headers=h).status_code == 403
    assert client.post("/commander/devices", data={"device_id": "1", "team_code": "T1"}, headers=h).status_code == 403
    assert client.post("/commander/devices/1/revoke", headers=h).status_code == 403
    assert client.get("/api/devices", headers=h).status_code == 403
    assert client.post("/api/devices", json={"device_id": "1", "team_code": "T1"}, headers=h).status_code == 403
    assert client.post("/api/devices/1/revoke", headers=h).status_code == 403
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM devices")
        assert cur.fetchone()[0] == 0


def test_signed_out_is_sent_to_sign_in(county, client):  # noqa: F811
    assert client.get("/api/devices").status_code == 401
    assert client.get("/commander/devices").status_code == 302
    assert client.get("/commander/live.json").status_code in (302, 401)


def test_a_device_of_another_county_reports_there(county, app, runner, client, conn):  # noqa: F811
    from tests.helpers import put

    put(conn, "patrol_teams", [{"code": "B1", "name": "乙县专职队", "kind": "township_fulltime", "township_code": "411001001",
                                "village_code": None, "members": 15, "geometry": None}], county="411001")
    assert runner.invoke(args=["device", "add", "77", "--team", "B1"]).exit_code != 0  # not a team of 410999
    out = runner.invoke(args=["device", "add", "77", "--team", "B1", "--county", "411001"])
    token = URL.search(out.output).group(1)
    assert client.get(f"/osmand/{token}?lat=33.0&lon=111.0&timestamp=1764032400").status_code == 200
    with conn.cursor() as cur:
        cur.execute("SELECT county_code, team_code FROM patrol_tracks")
        assert cur.fetchall() == [("411001", "B1")]
    assert client.get("/api/devices", headers=basic("admin")).get_json()["devices"] == []  # 410999's admin
    assert "77" in runner.invoke(args=["device", "list", "--county", "411001"]).output
