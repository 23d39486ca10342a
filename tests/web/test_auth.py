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
