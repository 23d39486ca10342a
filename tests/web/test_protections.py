"""Browser protections: security headers and the CSP nonce, cookies (HttpOnly, SameSite,
Secure behind HTTPS), CSRF even with Basic credentials, and no package metadata served."""
from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, basic
from tests.web.test_maps import county as map_county  # noqa: F401  (fixture)
from tests.web.test_refused_changes_nothing import county  # noqa: F401  (fixture)
from tests.web.test_auth import csrf_token, sign_in
from web.security import tile_source

PAGES = ["/map", "/commander/", "/commander/cameras", "/commander/patrol", "/planner/", "/planner/remediation",
         "/planner/hotspots?quarter=2026Q3", "/leader/", "/leader/coverage", "/leader/hotspots?quarter=2026Q3",
         "/leader/remediation?as_of=2026-06-30", "/commander/cameras/C1",
         "/admin/", "/admin/audit", "/account/password", "/ogc/?f=html", "/no-such-page"]


def csp_of(resp) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else ""
            for d in (p.strip() for p in resp.headers["Content-Security-Policy"].split(";")) if d}


def test_every_answer_carries_the_protective_headers(client):
    for resp in (client.get("/login"), client.get("/api/layers", headers=basic("leader")),
                 client.get("/map", headers=basic("admin"))):
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        csp = csp_of(resp)
        assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
        assert csp["default-src"] == "'self'" and csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
        assert re.fullmatch(r"'self' 'nonce-[\w-]{20,}'", csp["script-src"]), csp["script-src"]
        assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]
        assert "Strict-Transport-Security" not in resp.headers  # plain http: no HSTS


def test_every_inline_script_carries_this_requests_nonce(map_county, client):
    nonces = set()
    for path in PAGES:
        resp = client.get(path, headers=basic("admin"))
        assert resp.status_code in (200, 404), path
        page = resp.get_data(as_text=True)
        nonce = re.search(r"'nonce-([\w-]+)'", resp.headers["Content-Security-Policy"]).group(1)
        nonces.add(nonce)
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag or f'nonce="{nonce}"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+\s*=", page, re.I), (path, re.search(r"\son[a-z]+\s*=.{40}", page, re.I))
        assert "javascript:" not in page, path
    assert len(nonces) == len(PAGES)  # a new nonce for every request


def test_the_map_page_nonces_foliums_header_scripts(map_county, client):
    page = client.get("/map", headers=basic("admin")).get_data(as_text=True)
    assert re.search(r'<script nonce="[\w-]+">\s*L_NO_TOUCH', page)


def test_tile_servers_may_serve_images():
    assert tile_source("http://tiles.county.local/{z}/{x}/{y}.png") == "http://tiles.county.local"
    assert tile_source("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=K") \
        == "https://*.tianditu.gov.cn"
    assert tile_source("/tiles/{z}/{x}/{y}.png") is None and tile_source("") is None
    assert tile_source("http://{s}:8080/{z}/{x}/{y}.png") == "http:"


def test_the_csp_lets_the_configured_tiles_in(database_url, tmp_path):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "t", "VAR_DIR": str(tmp_path),
                      "TILE_URL": "https://t{s}.tianditu.gov.cn/img_w/wmts?x={x}&y={y}&l={z}"})
    try:
        assert "https://*.tianditu.gov.cn" in csp_of(app.test_client().get("/login"))["img-src"]
    finally:
        app.extensions["countymap_db"].close()


def session_cookie(resp) -> str:
    return next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    cookie = session_cookie(sign_in(client))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.fixture
def https_app(database_url, tmp_path):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "t", "VAR_DIR": str(tmp_path),
                      "WTF_CSRF_ENABLED": False, "HTTPS": "1", "PROXY": 1})
    yield app
    app.extensions["countymap_db"].close()


def test_behind_https_the_cookie_is_secure_and_http_is_redirected(app, https_app):
    client = https_app.test_client()
    resp = client.get("/login")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("https://")
    resp = client.post("/login", data={"name": "planner", "password": PASSWORD}, base_url="https://map.county.local")
    assert resp.status_code == 302
    assert "Secure" in session_cookie(resp) and "HttpOnly" in session_cookie(resp)
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_proxy_its_forwarded_headers_are_trusted(https_app, conn):
    client = https_app.test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.7", "X-Forwarded-Host": "map.county.local"}
    resp = client.post("/login", data={"name": "planner", "password": "wrong-password"}, headers=headers)
    assert resp.status_code == 401  # answered, not redirected: the proxy said https
    with conn.cursor() as cur:
        cur.execute("SELECT address FROM audit_log WHERE action = 'sign_in_failed'")
        assert cur.fetchone()[0] == "192.0.2.7"  # the client's address, for the log and the throttle
    conn.rollback()
    resp = client.post("/login", data={"name": "planner", "password": PASSWORD}, headers=headers)
    assert "Secure" in session_cookie(resp)


def camera_status(conn) -> str:
    with conn.cursor() as cur:
        cur.execute("SELECT status FROM cameras WHERE code = 'C1'")
        status = cur.fetchone()[0]
    conn.rollback()
    return status


def test_a_form_post_with_basic_credentials_needs_the_csrf_token(county, app, conn):
    """Before: any request carrying an Authorization header skipped CSRF, so a cross-site
    form riding on a browser's remembered Basic credentials changed a camera."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    resp = client.post("/commander/cameras/C1", data={"status": "faulty"}, headers=basic("commander"))
    assert resp.status_code == 400
    resp = client.post("/api/cameras/C1/status", data={"status": "faulty"}, headers=basic("commander"))
    assert resp.status_code == 400 and resp.get_json()["error"] == "bad_request"
    assert camera_status(conn) == "working"
    # JSON with Basic credentials (what API clients send; browsers cannot send it across sites)
    resp = client.post("/api/cameras/C1/status", json={"status": "faulty"}, headers=basic("commander"))
    assert resp.status_code == 201 and camera_status(conn) == "faulty"


def test_a_signed_in_browser_needs_the_token_for_json_too(county, app, conn):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = csrf_token(client)
    assert client.post("/login", data={"name": "commander", "password": PASSWORD, "csrf_token": token}).status_code == 302
    assert client.post("/api/cameras/C1/status", json={"status": "offline"}).status_code == 400
    assert camera_status(conn) == "working"
    token = csrf_token(client, "/commander/cameras/C1")
    resp = client.post("/api/cameras/C1/status", json={"status": "offline"}, headers={"X-CSRFToken": token})
    assert resp.status_code == 201 and camera_status(conn) == "offline"


@pytest.mark.parametrize("path", ["leaflet/package.json", "leaflet/README.md", "leaflet/src/Leaflet.js",
                                  "leaflet/CHANGELOG.md", "leaflet/LICENSE", "leaflet/dist/../package.json",
                                  "leaflet/dist/../src/Leaflet.js", "leaflet/dist", "package.json",
                                  ".package-lock.json", "leaflet/dist/nothing.js"])
def test_package_metadata_and_sources_are_not_served(client, path):
    assert client.get(f"/vendor/{path}").status_code == 404


def test_the_built_assets_the_pages_use_are_served(client):
    for path in ("leaflet/dist/leaflet.js", "leaflet/dist/leaflet.css", "leaflet/dist/images/layers.png"):
        resp = client.get(f"/vendor/{path}")
        assert resp.status_code == 200, path
        resp.close()
