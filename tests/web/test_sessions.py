"""Sessions live on the server: a copied cookie stops working after sign-out, a password
change or reset, and when the user is disabled; a role change shows at once."""
from __future__ import annotations

from tests.conftest import PASSWORD, basic
from tests.web.test_auth import sign_in


def copy_cookies(source, target) -> None:
    """Give ``target`` every cookie ``source`` holds (what a thief copying them would do)."""
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def signed_in_pair(app, name="planner", password=PASSWORD):
    """Two clients sharing one signed-in session: the user's browser, and a copy of its cookie."""
    browser = app.test_client()
    assert sign_in(browser, name, password).status_code == 302
    thief = app.test_client()
    copy_cookies(browser, thief)
    assert thief.get("/map").status_code == 200  # the copy works while the session lives
    return browser, thief


def live_sessions(conn, name) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id"
                    " WHERE u.name = %s AND s.revoked_at IS NULL", (name,))
        n = cur.fetchone()[0]
    conn.rollback()
    return n


def test_a_copied_cookie_stops_working_after_sign_out(app, conn):
    browser, thief = signed_in_pair(app)
    assert live_sessions(conn, "planner") == 1
    assert browser.post("/logout").status_code == 302
    assert live_sessions(conn, "planner") == 0
    resp = thief.get("/map")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert thief.get("/api/layers").status_code == 401
    assert browser.get("/map").status_code == 302


def test_the_cookie_holds_a_token_not_the_user_id(app, conn):
    browser, _ = signed_in_pair(app)
    with conn.cursor() as cur:
        cur.execute("SELECT token_hash FROM sessions")
        (digest,) = cur.fetchone()
    conn.rollback()
    assert len(bytes(digest)) == 32  # SHA-256 of the token; the token itself is only in the cookie


def test_a_password_change_ends_every_other_session(app, conn):
    browser, thief = signed_in_pair(app)
    other_device = app.test_client()
    sign_in(other_device)
    resp = browser.post("/account/password", data={"current": PASSWORD, "password": "a-new-passphrase-9",
                                                    "repeat": "a-new-passphrase-9"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert thief.get("/map").status_code == 302
    assert other_device.get("/map").status_code == 302
    assert browser.get("/map").status_code == 200  # the browser that changed it stays signed in
    assert live_sessions(conn, "planner") == 1
    assert sign_in(app.test_client(), "planner", PASSWORD).status_code == 401
    assert sign_in(app.test_client(), "planner", "a-new-passphrase-9").status_code == 302


def test_a_password_change_is_refused_with_a_wrong_current_or_weak_new_password(app, conn):
    browser, thief = signed_in_pair(app)
    for data, field in (({"current": "wrong-password", "password": "a-new-passphrase-9", "repeat": "a-new-passphrase-9"},
                         "当前密码不正确"),
                        ({"current": PASSWORD, "password": "a-new-passphrase-9", "repeat": "another-one-99"}, "不一致"),
                        ({"current": PASSWORD, "password": "password123", "repeat": "password123"}, "常见"),
                        ({"current": PASSWORD, "password": "short", "repeat": "short"}, "至少 10")):
        resp = browser.post("/account/password", data=data)
        assert resp.status_code == 400 and field in resp.get_data(as_text=True), data
    assert thief.get("/map").status_code == 200  # nothing changed
    assert browser.get("/account/password").status_code == 200


def test_an_admins_reset_ends_the_users_sessions(app, client, conn):
    _, thief = signed_in_pair(app)
    resp = client.post("/api/users/planner/password", json={"password": "county-reset-42"}, headers=basic("admin"))
    assert resp.status_code == 200 and resp.get_json()["sessions_revoked"] == 1
    assert thief.get("/map").status_code == 302


def test_disabling_a_user_ends_their_sessions_and_basic_access(app, client):
    _, thief = signed_in_pair(app)
    assert client.get("/api/layers", headers=basic("planner")).status_code == 200
    resp = client.patch("/api/users/planner", json={"disabled": True}, headers=basic("admin"))
    assert resp.status_code == 200 and resp.get_json()["disabled"] is True
    assert thief.get("/map").status_code == 302
    assert client.get("/api/layers", headers=basic("planner")).status_code == 401  # even from memory
    assert sign_in(app.test_client()).status_code == 401
    client.patch("/api/users/planner", json={"disabled": False}, headers=basic("admin"))
    assert sign_in(app.test_client()).status_code == 302


def test_a_role_change_shows_at_once(app, client):
    browser, _ = signed_in_pair(app, "leader")
    assert browser.post("/planner/remediation/X", data={}).status_code == 403
    client.patch("/api/users/leader", json={"role": "planner"}, headers=basic("admin"))
    assert browser.post("/planner/remediation/X", data={}).status_code != 403


def test_signing_in_again_ends_the_browsers_previous_session(app, conn):
    browser, thief = signed_in_pair(app)
    assert sign_in(browser).status_code == 302
    assert thief.get("/map").status_code == 302
    assert browser.get("/map").status_code == 200
