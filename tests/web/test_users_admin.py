"""The admin page and /api/users: create users, change roles, disable and enable, reset
passwords, the audit log and its export; every route refused to the other roles and to
bad input, and a refusal changes nothing."""
from __future__ import annotations

import pytest

from tests.conftest import basic
from tests.web.test_refused_changes_nothing import fingerprint

ADMIN = basic("admin")
OTHERS = ("commander", "planner", "leader")
GOOD = "county-office-7"
NEW = {"name": "zhao", "role": "leader", "password": GOOD, "repeat": GOOD}
# (method, path, form or JSON body) of every route added for user management
PAGE_ROUTES = [("GET", "/admin/", None), ("POST", "/admin/users", NEW),
               ("POST", "/admin/users/leader/role", {"role": "planner"}),
               ("POST", "/admin/users/leader/disabled", {"disabled": "true"}),
               ("POST", "/admin/users/leader/password", {"password": GOOD, "repeat": GOOD}),
               ("GET", "/admin/audit", None), ("GET", "/admin/audit.csv", None)]
API_ROUTES = [("GET", "/api/users", None), ("POST", "/api/users", NEW), ("GET", "/api/users/leader", None),
              ("PATCH", "/api/users/leader", {"role": "planner"}),
              ("POST", "/api/users/leader/password", {"password": GOOD}), ("GET", "/api/audit", None)]


def send(client, method, path, body, headers, json=False):
    kwargs = {"json": body} if json else {"data": body}
    return client.open(path, method=method, headers=headers, **(kwargs if body is not None else {}))


@pytest.mark.parametrize("role", OTHERS)
def test_only_admins_may_use_the_user_routes(client, conn, role):
    before = fingerprint(conn)
    for method, path, body in PAGE_ROUTES + API_ROUTES:
        resp = send(client, method, path, body, basic(role), json=path.startswith("/api"))
        assert resp.status_code == 403, (role, method, path, resp.status_code)
    assert fingerprint(conn) == before


def test_strangers_are_sent_to_sign_in(client):
    for method, path, body in PAGE_ROUTES:
        resp = send(client, method, path, body, {})
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path
    for method, path, body in API_ROUTES:
        assert send(client, method, path, body, {}, json=True).status_code == 401, path


def users(client) -> dict:
    return {u["name"]: u for u in client.get("/api/users", headers=ADMIN).get_json()}


def audit(client, action=None) -> list[dict]:
    return client.get("/api/audit" + (f"?action={action}" if action else ""), headers=ADMIN).get_json()


def test_an_admin_creates_a_user_on_the_page(client):
    resp = client.post("/admin/users", data=NEW, headers=ADMIN)
    assert resp.status_code == 302
    assert users(client)["zhao"]["role"] == "leader"
    assert client.get("/api/layers", headers=basic("zhao", GOOD)).status_code == 200
    page = client.get("/admin/", headers=ADMIN).get_data(as_text=True)
    assert "zhao" in page and "已新建用户 zhao" in page
    (entry,) = audit(client, "user_created")
    assert entry["actor"] == "admin" and entry["target"] == "zhao" and entry["after"]["role"] == "leader"


@pytest.mark.parametrize("change, status, field, says", [
    ({"password": "aaaaaaaa", "repeat": "aaaaaaaa"}, 400, "password", "至少 10"),
    ({"password": "aaaaaaaaaa", "repeat": "aaaaaaaaaa"}, 400, "password", "不同的字符"),
    ({"password": "password123", "repeat": "password123"}, 400, "password", "常见"),
    ({"password": "Password", "repeat": "Password"}, 400, "password", "至少 10"),
    ({"name": "wanghua", "password": "WangHua-2026", "repeat": "WangHua-2026"}, 400, "password", "用户名"),
    ({"password": GOOD, "repeat": GOOD + "x"}, 400, "repeat", "不一致"),
    ({"name": "Admin"}, 409, "name", "已存在"),
    ({"name": " ＡＤＭＩＮ "}, 409, "name", "已存在"),
    ({"name": "x" * 100_000}, 400, "name", "过长"),
    ({"name": "y" * 65}, 400, "name", "64"),
    ({"name": "zhao\x07"}, 400, "name", "控制字符"),
    ({"name": "zhao\u200b"}, 400, "name", "控制字符"),
    ({"name": "zhao:li"}, 400, "name", "冒号"),
    ({"name": "   "}, 400, "name", "不能为空"),
    ({"role": "mayor"}, 400, "role", "mayor"),
])
def test_bad_new_users_are_refused_and_change_nothing(client, conn, change, status, field, says):
    before = fingerprint(conn)
    resp = client.post("/api/users", json={**NEW, **change}, headers=ADMIN)
    assert resp.status_code == status, resp.get_json()
    body = resp.get_json()
    assert says in body["message"] and (body.get("field") == field or status == 409), body
    page = client.post("/admin/users", data={**NEW, **change}, headers=ADMIN)
    assert page.status_code == status and says in page.get_data(as_text=True)
    assert fingerprint(conn) == before


def test_role_changes_are_recorded_before_and_after(client):
    resp = client.post("/admin/users/leader/role", data={"role": "planner"}, headers=ADMIN)
    assert resp.status_code == 302 and users(client)["leader"]["role"] == "planner"
    (entry,) = audit(client, "role_changed")
    assert entry["before"] == {"role": "leader"} and entry["after"] == {"role": "planner"}
    resp = client.patch("/api/users/LEADER", json={"role": "commander"}, headers=ADMIN)
    assert resp.status_code == 200 and resp.get_json() == {"name": "leader", "role": "commander", "disabled": False}


@pytest.mark.parametrize("method, path, body, status, says", [
    ("POST", "/admin/users/leader/role", {"role": "mayor"}, 400, "mayor"),
    ("POST", "/admin/users/leader/role", {}, 400, "role"),
    ("POST", "/admin/users/nobody/role", {"role": "planner"}, 404, "nobody"),
    ("POST", "/admin/users/admin/role", {"role": "leader"}, 400, "自己"),
    ("POST", "/admin/users/leader/disabled", {"disabled": "perhaps"}, 400, "disabled"),
    ("POST", "/admin/users/leader/disabled", {}, 400, "disabled"),
    ("POST", "/admin/users/admin/disabled", {"disabled": "true"}, 400, "自己"),
    ("POST", "/admin/users/nobody/disabled", {"disabled": "true"}, 404, "nobody"),
    ("POST", "/admin/users/leader/password", {"password": "leader-2026x", "repeat": "leader-2026x"}, 400, "用户名"),
    ("POST", "/admin/users/leader/password", {"password": GOOD, "repeat": "other-one-123"}, 400, "不一致"),
    ("POST", "/admin/users/leader/password", {}, 400, "password"),
    ("POST", "/admin/users/nobody/password", {"password": GOOD, "repeat": GOOD}, 404, "nobody"),
    ("GET", "/admin/audit?before=abc", None, 400, "before"),
    ("GET", "/admin/audit?action=bogus", None, 400, "action"),
    ("GET", "/admin/audit.csv?before=0", None, 400, "before"),
])
def test_bad_page_changes_are_refused_and_change_nothing(client, conn, method, path, body, status, says):
    before = fingerprint(conn)
    resp = send(client, method, path, body, ADMIN)
    assert resp.status_code == status and says in resp.get_data(as_text=True), resp.get_data(as_text=True)[:400]
    assert fingerprint(conn) == before


@pytest.mark.parametrize("method, path, body, status, field", [
    ("PATCH", "/api/users/leader", {}, 400, "body"),
    ("PATCH", "/api/users/leader", {"role": "mayor"}, 400, "role"),
    ("PATCH", "/api/users/leader", {"role": ["admin"]}, 400, "role"),
    ("PATCH", "/api/users/leader", {"disabled": "perhaps"}, 400, "disabled"),
    ("PATCH", "/api/users/admin", {"disabled": True}, 400, "disabled"),
    ("PATCH", "/api/users/nobody", {"role": "planner"}, 404, None),
    ("GET", "/api/users/nobody", None, 404, None),
    ("POST", "/api/users/leader/password", {"password": "short"}, 400, "password"),
    ("POST", "/api/users/leader/password", {}, 400, "password"),
    ("POST", "/api/users/leader/password", [1, 2], 400, "body"),
    ("POST", "/api/users", {"name": "a", "role": "leader"}, 400, "password"),
    ("GET", "/api/audit?limit=0", None, 400, "limit"),
    ("GET", "/api/audit?limit=5000", None, 400, "limit"),
    ("GET", "/api/audit?action=bogus", None, 400, "action"),
])
def test_bad_api_changes_are_refused_and_change_nothing(client, conn, method, path, body, status, field):
    before = fingerprint(conn)
    resp = send(client, method, path, body, ADMIN, json=True)
    assert resp.status_code == status, resp.get_json()
    assert resp.get_json().get("field") == field or field is None, resp.get_json()
    assert fingerprint(conn) == before


def test_disable_enable_and_reset_on_the_page(client):
    assert client.post("/admin/users/planner/disabled", data={"disabled": "true"}, headers=ADMIN).status_code == 302
    assert users(client)["planner"]["disabled"] is True
    page = client.get("/admin/", headers=ADMIN).get_data(as_text=True)
    assert 'class="disabled" data-user="planner"' in page
    assert client.post("/admin/users/planner/disabled", data={"disabled": "false"}, headers=ADMIN).status_code == 302
    assert client.post("/admin/users/planner/password", data={"password": GOOD, "repeat": GOOD},
                       headers=ADMIN).status_code == 302
    assert client.get("/api/layers", headers=basic("planner", GOOD)).status_code == 200
    actions = [e["action"] for e in audit(client)]
    assert actions[:3] == ["password_reset", "user_enabled", "user_disabled"]


def test_the_audit_log_never_holds_a_password_or_hash(client, conn):
    client.post("/api/users", json=NEW, headers=ADMIN)
    client.post("/api/users/zhao/password", json={"password": "second-secret-9"}, headers=ADMIN)
    client.get("/api/layers", headers=basic("zhao", "third-guess-77"))
    with conn.cursor() as cur:
        cur.execute("SELECT string_agg(t::text, ' ') FROM audit_log t")
        text = cur.fetchone()[0]
    conn.rollback()
    for secret in (GOOD, "second-secret-9", "third-guess-77", "$argon2", "scrypt:"):
        assert secret not in text
    assert "sign_in_failed" in text and "zhao" in text


def test_the_audit_log_is_append_only(conn):
    import psycopg2

    with conn.cursor() as cur:
        cur.execute("INSERT INTO audit_log (action) VALUES ('signed_in')")
        with pytest.raises(psycopg2.Error, match="append-only"):
            cur.execute("UPDATE audit_log SET actor = 'someone else'")
    conn.rollback()


def test_the_audit_page_and_export(client):
    client.post("/api/users", json=NEW, headers=ADMIN)
    client.get("/api/layers", headers=basic("=HYPERLINK(1)", "guess-password"))
    page = client.get("/admin/audit", headers=ADMIN).get_data(as_text=True)
    assert "新建用户" in page and "zhao" in page and "登录失败" in page
    only = client.get("/admin/audit?action=user_created", headers=ADMIN).get_data(as_text=True)
    assert "新建用户" in only and "audit-sign_in_failed" not in only
    resp = client.get("/admin/audit.csv", headers=ADMIN)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff编号,时间,操作人,操作,对象")
    assert "新建用户" in text and "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def test_the_audit_log_pages_back(client, conn):
    from layers import audit as audit_layer

    for i in range(205):
        audit_layer.record(conn, "sign_in_failed", target=f"n{i}")
    conn.commit()
    page = client.get("/admin/audit", headers=ADMIN).get_data(as_text=True)
    assert 'id="audit-older"' in page
    first = client.get("/api/audit?limit=5", headers=ADMIN).get_json()
    older = client.get(f"/api/audit?limit=5&before={first[-1]['id']}", headers=ADMIN).get_json()
    assert [e["target"] for e in first] == [f"n{i}" for i in range(204, 199, -1)]
    assert [e["target"] for e in older] == [f"n{i}" for i in range(199, 194, -1)]
