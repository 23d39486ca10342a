"""Failed sign-ins are throttled per account and per address (form and HTTP Basic alike),
answered 429 with Retry-After, recorded in the audit log; unknown names take as long as
real ones; successful sign-ins are never slowed."""
from __future__ import annotations

import statistics
import time

from tests.conftest import PASSWORD, basic
from tests.web.test_auth import sign_in

ACCOUNT_LIMIT, ADDRESS_LIMIT = 10, 30  # web/security.py's defaults, per 15 minutes


def from_address(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def audit_actions(conn, target=None) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("SELECT action FROM audit_log WHERE %s::text IS NULL OR target = %s ORDER BY id",
                    (target, target))
        rows = [r[0] for r in cur.fetchall()]
    conn.rollback()
    return rows


def test_the_right_password_after_many_wrong_ones_is_refused(client, conn):
    for _ in range(ACCOUNT_LIMIT):
        assert sign_in(client, "planner", "wrong-password").status_code == 401
    resp = sign_in(client, "planner", PASSWORD)
    assert resp.status_code == 429
    assert 1 <= int(resp.headers["Retry-After"]) <= 15 * 60
    assert "登录失败次数过多" in resp.get_data(as_text=True)
    assert client.get("/map").status_code == 302  # not signed in
    actions = audit_actions(conn, "planner")
    assert actions.count("sign_in_failed") == ACCOUNT_LIMIT - 1 and actions.count("sign_in_throttled") == 1


def test_basic_credentials_are_throttled_too_and_answered_in_json(client):
    codes = [client.get("/api/layers", headers=basic("leader", f"guess-{i}")).status_code for i in range(100)]
    assert codes[:ACCOUNT_LIMIT] == [401] * ACCOUNT_LIMIT
    assert set(codes[ACCOUNT_LIMIT:]) == {429}
    resp = client.get("/ogc/collections", headers=basic("leader"))
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    body = resp.get_json()
    assert body["error"] == "too_many_requests" and "登录失败次数过多" in body["message"]


def test_the_form_and_basic_share_the_account_count(client):
    for i in range(ACCOUNT_LIMIT // 2):
        sign_in(client, "leader", f"guess-{i}")
        client.get("/api/layers", headers=basic("LEADER", f"guess-{i}"))
    assert client.get("/api/layers", headers=basic("leader")).status_code == 429


def test_one_address_trying_many_accounts_is_throttled(app):
    client = from_address(app.test_client(), "10.0.0.66")
    for i in range(ADDRESS_LIMIT):
        assert sign_in(client, f"nobody-{i}", "wrong-password").status_code == 401
    assert sign_in(client, "admin", PASSWORD).status_code == 429
    # other addresses are not held back by it
    assert sign_in(from_address(app.test_client(), "10.0.0.67"), "admin", PASSWORD).status_code == 302


def test_an_account_locked_from_one_address_is_locked_from_all(app):
    attacker = from_address(app.test_client(), "10.0.0.66")
    for _ in range(ACCOUNT_LIMIT):
        sign_in(attacker, "commander", "wrong-password")
    assert sign_in(from_address(app.test_client(), "10.0.0.68"), "commander", PASSWORD).status_code == 429
    assert sign_in(from_address(app.test_client(), "10.0.0.68"), "planner", PASSWORD).status_code == 302


def test_successful_sign_ins_are_not_counted(app, client):
    for _ in range(3 * ADDRESS_LIMIT):
        assert client.get("/api/layers", headers=basic("leader")).status_code == 200
    for _ in range(ACCOUNT_LIMIT + 2):
        assert sign_in(app.test_client(), "planner", PASSWORD).status_code == 302


def _timed(client, name, password) -> float:
    start = time.perf_counter()
    resp = client.get("/api/layers", headers=basic(name, password))
    elapsed = time.perf_counter() - start
    assert resp.status_code == 401
    return elapsed


def test_unknown_names_take_as_long_as_real_ones(client):
    """Before: a wrong password for a real user took 207 ms, an unknown user 1.3 ms."""
    _timed(client, "warm-up-name", "x")
    real = [_timed(client, "planner", f"wrong-{i}") for i in range(7)]
    unknown = [_timed(client, f"no-such-user-{i}", f"wrong-{i}") for i in range(7)]
    ratio = statistics.median(unknown) / statistics.median(real)
    assert 0.6 < ratio < 1.6, (statistics.median(real), statistics.median(unknown))
