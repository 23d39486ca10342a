"""Sign-in, HTTP Basic and roles; server-side sessions; the `next` redirect; hashes."""
import re

import pytest

from tests.conftest import PASSWORD, basic


def sign_in(client, name="planner", password=PASSWORD, next_=None):
    path = "/login" + (f"?next={next_}" if next_ is not None else "")
    return client.post(path, data={"name": name, "password": password})


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
        body = resp.get_json()
        assert body["error"] == "unauthorized" and body["code"] == "Unauthorized"
        assert body["message"] and body["description"]


def test_browsers_get_no_basic_challenge_unless_they_sent_credentials(client):
    """A browser's fetch (Sec-Fetch-*) to the API gets 401 without the Basic pop-up;
    a client that sent credentials, and GDAL or curl (no Sec-Fetch-*), get the challenge."""
    browser = {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "empty"}
    resp = client.get("/api/layers", headers=browser)
    assert resp.status_code == 401 and "WWW-Authenticate" not in resp.headers
    assert resp.get_json()["code"] == "Unauthorized"
    resp = client.get("/api/layers", headers={**browser, **basic("leader", "wrong-password")})
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/ogc/", headers={"User-Agent": "GDAL/3.6.2"}).headers["WWW-Authenticate"].startswith("Basic")


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


def test_names_sign_in_in_any_case_and_width(client):
    assert sign_in(client, "PLANNER").status_code == 302
    assert client.get("/api/layers", headers=basic("Ｌｅａｄｅｒ")).status_code == 200


@pytest.mark.parametrize("target", [
    "/%09/evil.example/phish", "//evil.example/phish", "/\\evil.example", "/%5Cevil.example",
    "https://evil.example/", "http:/evil.example", "javascript:alert(1)", "/%0a/evil.example",
    "/%0d%0a/evil.example", "/%20/evil.example", "%2F%2Fevil.example", "///evil.example", "evil.example",
])
def test_next_never_leaves_the_site(client, target):
    resp = sign_in(client, next_=target)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/", (target, resp.headers["Location"])


def test_next_keeps_a_path_and_query_of_this_site(client):
    resp = sign_in(client, next_="/planner/hotspots%3Fquarter%3D2026Q3")
    assert resp.headers["Location"] == "/planner/hotspots?quarter=2026Q3"


def test_static_files_are_open(client):
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/app.js").status_code == 200


def test_passwords_are_argon2(app, client, conn):
    client.post("/api/users", json={"name": "zhao", "password": "long-enough-1", "role": "leader"},
                headers=basic("admin"))
    with conn.cursor() as cur:
        cur.execute("SELECT password_hash FROM users WHERE name = 'zhao'")
        (stored,) = cur.fetchone()
    assert "long-enough-1" not in stored and stored.startswith("$argon2id$")


def test_old_hashes_are_upgraded_at_the_next_sign_in(app, client, conn):
    from werkzeug.security import generate_password_hash

    with conn.cursor() as cur:
        cur.execute("INSERT INTO users (name, password_hash, role) VALUES ('old', %s, 'leader')",
                    (generate_password_hash("an-old-password"),))
    conn.commit()
    assert sign_in(client, "old", "wrong-password").status_code == 401
    with conn.cursor() as cur:
        cur.execute("SELECT password_hash FROM users WHERE name = 'old'")
        assert cur.fetchone()[0].startswith("scrypt:")  # a wrong password changes nothing
    conn.rollback()
    assert sign_in(client, "old", "an-old-password").status_code == 302
    with conn.cursor() as cur:
        cur.execute("SELECT password_hash FROM users WHERE name = 'old'")
        assert cur.fetchone()[0].startswith("$argon2id$")
    conn.rollback()
    assert client.get("/api/layers", headers=basic("old", "an-old-password")).status_code == 200


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


def csrf_token(client, path="/login") -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_an_expired_form_is_explained(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    resp = client.post("/login", data={"name": "planner", "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert resp.status_code == 302  # signed in with the form's token
    resp = client.post("/logout")  # a signed-in browser post without the token
    assert resp.status_code == 400 and "表单已过期" in resp.get_data(as_text=True)
    assert client.get("/map").status_code == 200  # still signed in: nothing happened
