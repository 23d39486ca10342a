"""Sign-in, HTTP Basic and roles."""
from tests.conftest import PASSWORD, basic


def test_pages_redirect_strangers_to_sign_in(client):
    for path in ("/", "/map", "/commander/", "/planner/", "/leader/"):
        resp = client.get(path)
        assert resp.status_code == 302, path
        assert "/login" in resp.headers["Location"]


def test_api_refuses_strangers_with_401(client):
    for path in ("/api/layers", "/ogc/"):
        resp = client.get(path)
        assert resp.status_code == 401, path
        assert resp.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_password_is_401(client):
    resp = client.get("/api/layers", headers=basic("leader", "wrong-password"))
    assert resp.status_code == 401


def test_basic_auth_opens_the_api(client):
    resp = client.get("/api/layers", headers=basic("leader"))
    assert resp.status_code == 200
    names = {row["name"] for row in resp.get_json()}
    assert {"townships", "villages", "cameras", "incidents", "hotspots"} <= names


def test_sign_in_form_then_pages_open(client):
    assert client.get("/login").status_code == 200
    resp = client.post("/login", data={"name": "planner", "password": "nope"})
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)
    resp = client.post("/login?next=/leader/", data={"name": "planner", "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/leader/")
    assert client.get("/leader/").status_code == 200


def test_static_files_are_open(client):
    assert client.get("/static/app.css").status_code == 200


def test_passwords_are_hashed(app, conn):
    with conn.cursor() as cur:
        cur.execute("SELECT password_hash FROM users WHERE name = 'admin'")
        (stored,) = cur.fetchone()
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_only_admins_manage_users(client):
    new = {"name": "zhao", "password": "long-enough-1", "role": "commander"}
    for role in ("commander", "planner", "leader"):
        assert client.get("/api/users", headers=basic(role)).status_code == 403
        assert client.post("/api/users", json=new, headers=basic(role)).status_code == 403
    assert client.get("/api/users", headers=basic("leader")).get_json()["error"] == "forbidden"
    resp = client.post("/api/users", json=new, headers=basic("admin"))
    assert resp.status_code == 201
    names = [u["name"] for u in client.get("/api/users", headers=basic("admin")).get_json()]
    assert "zhao" in names
    bad = client.post("/api/users", json={**new, "name": "qian", "role": "mayor"}, headers=basic("admin"))
    assert bad.status_code == 400 and "mayor" in bad.get_json()["message"]


def test_browser_posts_need_a_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    resp = client.post("/login", data={"name": "admin", "password": PASSWORD})
    assert resp.status_code == 400  # no token: refused, not signed in
    assert client.get("/map").status_code == 302


def test_error_pages_speak_chinese(client):
    page = client.get("/no-such-page", headers=basic("leader"))
    assert page.status_code == 404 and "页面不存在" in page.get_data(as_text=True)
    assert client.get("/api/no-such", headers=basic("leader")).get_json()["error"] == "not_found"
    refused = client.post("/planner/remediation/X", data={}, headers=basic("leader"))
    assert refused.status_code == 403 and "无权" in refused.get_data(as_text=True)


def test_an_expired_form_is_explained(app):
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"name": "planner", "password": PASSWORD, "csrf_token": token.group(1)})
    assert resp.status_code == 302  # signed in with the form's token
    resp = client.post("/logout")  # a signed-in browser post without the token
    assert resp.status_code == 400 and "表单已过期" in resp.get_data(as_text=True)
    assert client.get("/map").status_code == 200  # still signed in: nothing happened
