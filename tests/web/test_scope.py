"""Users' counties (issue 14, item 5): switching county in the header, ?county= on OGC and
tiles, refusals for counties out of scope and bad codes, and the CLI that sets a scope."""
from __future__ import annotations

import mapbox_vector_tile
import pytest

from layers import users
from layers.db import transaction
from tests.conftest import PASSWORD, ROLES, basic
from tests.web.scope_counties import A, B, NAMES, add_user, centre, load_two_counties
from tests.web.test_tiles import tile_of


@pytest.fixture
def two(app):
    app.config["COUNTY_NAME"] = NAMES[A]
    url = app.config["RESOLVED_DATABASE_URL"]
    load_two_counties(url)
    add_user(url, "both", "commander", [A, B])
    add_user(url, "b_only", "leader", [B])
    return app


def sign_in(client, name):
    resp = client.post("/login", data={"name": name, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)


def village_codes(client, query="", headers=None) -> set[str]:
    resp = client.get(f"/ogc/collections/villages/items?f=json{query}", headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {f["id"] for f in resp.get_json()["features"]}


def found(client, name) -> list[str]:
    resp = client.get(f"/api/search?q={name}")
    assert resp.status_code == 200
    return [h["name"] for h in resp.get_json()]


def test_a_user_of_both_sees_a_then_b_after_switching(two, client):
    sign_in(client, "both")
    assert village_codes(client) == {f"{A}V1", f"{A}V2", f"{A}V3"}
    assert found(client, "东关村") == [f"{NAMES[A]}东关村"]
    page = client.get("/map").get_data(as_text=True)
    assert f'<option value="{B}">{NAMES[B]}</option>' in page and f"{NAMES[A]}平安建设一张图" in page
    resp = client.post("/account/county", data={"county": B, "next": "/map"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/map")
    assert village_codes(client) == {f"{B}V1", f"{B}V2", f"{B}V3"}
    assert found(client, "东关村") == [f"{NAMES[B]}东关村"]
    page = client.get("/map").get_data(as_text=True)
    assert f"{NAMES[B]}平安建设一张图" in page and NAMES[A] + "平安" not in page
    assert client.get("/api/cockpit").status_code == 200


def test_a_county_out_of_scope_is_refused_and_nothing_changes(two, client):
    sign_in(client, "b_only")
    assert village_codes(client) == {f"{B}V1", f"{B}V2", f"{B}V3"}  # the configured A is not theirs
    assert "county-switch" not in client.get("/map").get_data(as_text=True)  # one county: no selector
    resp = client.post("/account/county", data={"county": A})
    assert resp.status_code == 403 and A in resp.get_data(as_text=True)
    assert village_codes(client) == {f"{B}V1", f"{B}V2", f"{B}V3"}


@pytest.mark.parametrize("data", [{}, {"county": ""}, {"county": "41099"}, {"county": "abcdef"},
                                  {"county": "4109990"}, {"county": "410999 "}, {"county": "41099９"}])
def test_bad_county_codes_are_refused_naming_the_field(two, client, data):
    sign_in(client, "both")
    resp = client.post("/account/county", data=data)
    assert resp.status_code == 400
    assert "county" in resp.get_data(as_text=True)
    assert village_codes(client) == {f"{A}V1", f"{A}V2", f"{A}V3"}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_switches_within_its_scope_only(two, client, role):
    """Users without a scope have the configured county: they may choose it, not B."""
    sign_in(client, role)
    assert client.post("/account/county", data={"county": A}).status_code == 302
    resp = client.post("/account/county", data={"county": B})
    assert resp.status_code == 403 and B in resp.get_data(as_text=True)
    assert village_codes(client) == {f"{A}V1", f"{A}V2", f"{A}V3"}


def test_switching_needs_sign_in_and_the_csrf_token(two, client):
    resp = client.post("/account/county", data={"county": B})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    sign_in(client, "both")
    two.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/account/county", data={"county": B}).status_code == 400
    two.config["WTF_CSRF_ENABLED"] = False
    assert village_codes(client) == {f"{A}V1", f"{A}V2", f"{A}V3"}


def test_next_stays_on_this_site(two, client):
    sign_in(client, "both")
    resp = client.post("/account/county", data={"county": B, "next": "//evil.example/"})
    assert resp.status_code == 302 and "evil" not in resp.headers["Location"]


def test_county_in_the_query_on_ogc_and_tiles(two, client):
    both, b_only = basic("both"), basic("b_only")
    assert village_codes(client, f"&county={B}", both) == {f"{B}V1", f"{B}V2", f"{B}V3"}
    assert village_codes(client, f"&county={A}", both) == {f"{A}V1", f"{A}V2", f"{A}V3"}
    assert village_codes(client, "", b_only) == {f"{B}V1", f"{B}V2", f"{B}V3"}
    links = client.get(f"/ogc/collections?county={B}&f=json", headers=both).get_json()["collections"][0]["links"]
    page = client.get(f"/ogc/collections/villages/items?county={B}&limit=1&f=json", headers=both).get_json()
    for link in links + page["links"]:  # QGIS follows the links: they keep the county, once
        assert link["href"].count(f"county={B}") == 1, link
    resp = client.get(f"/ogc/collections/villages/items?county={A}", headers=b_only)
    assert resp.status_code == 403 and A in resp.get_data(as_text=True)
    resp = client.get("/ogc/collections/villages/items?county=abc", headers=both)
    assert resp.status_code == 400 and "county" in resp.get_data(as_text=True)
    _, x, y = tile_of(*centre(A), 12)
    resp = client.get(f"/tiles/villages/12/{x}/{y}.mvt?county={A}", headers=both)
    assert resp.status_code == 200
    codes = {f["properties"]["code"] for f in mapbox_vector_tile.decode(resp.data)["villages"]["features"]}
    assert codes and all(c.startswith(A) for c in codes)
    assert client.get(f"/tiles/villages/12/{x}/{y}.mvt?county={B}", headers=both).status_code == 204
    assert client.get(f"/tiles/villages/12/{x}/{y}.mvt?county={A}", headers=b_only).status_code == 403
    tilejson = client.get(f"/tiles/villages.json?county={B}", headers=both).get_json()
    assert tilejson["tiles"][0].endswith(f"?county={B}")


def test_cli_sets_and_shows_a_scope(two, runner):
    result = runner.invoke(args=["user", "create", "zhao", "--role", "leader", "--counties", f"{B},{A},{B}"],
                           input="Scope-pass-9q\nScope-pass-9q\n")
    assert result.exit_code == 0, result.output
    url = two.config["RESOLVED_DATABASE_URL"]
    with transaction(url) as conn:
        assert users.find_user(conn, "zhao").counties == (B, A)
    result = runner.invoke(args=["user", "scope", "zhao", "--counties", B])
    assert result.exit_code == 0 and B in result.output
    assert runner.invoke(args=["user", "scope", "zhao"]).output.strip() == f"zhao: {B}"
    result = runner.invoke(args=["user", "scope", "zhao", "--configured"])
    assert result.exit_code == 0
    with transaction(url) as conn:
        assert users.find_user(conn, "zhao").counties is None
    assert runner.invoke(args=["county", "name", B, " 丙县 "]).exit_code == 0
    assert f'<option value="{B}">丙县</option>' in _page_of_both(two)


def _page_of_both(app) -> str:
    client = app.test_client()
    sign_in(client, "both")
    return client.get("/map").get_data(as_text=True)


@pytest.mark.parametrize("args", [["user", "scope", "both", "--counties", "41099x"],
                                  ["user", "scope", "both", "--counties", ","],
                                  ["user", "scope", "nobody", "--counties", B],
                                  ["county", "name", "4109", "某县"], ["county", "name", B, " "]])
def test_cli_refuses_bad_codes_and_names(two, runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    with transaction(two.config["RESOLVED_DATABASE_URL"]) as conn:
        assert users.find_user(conn, "both").counties == (A, B)


def test_cli_create_refuses_a_bad_code_before_asking_the_password(two, runner):
    result = runner.invoke(args=["user", "create", "qian", "--role", "leader", "--counties", "12345"])
    assert result.exit_code != 0 and "12345" in result.output
    with transaction(two.config["RESOLVED_DATABASE_URL"]) as conn:
        assert users.find_user(conn, "qian") is None


def test_the_admin_page_shows_and_sets_a_users_counties(two, client):
    sign_in(client, "admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert f'value="{A},{B}"' in page and 'placeholder="本县（配置）"' in page
    resp = client.post("/admin/users/b_only/counties", data={"counties": f"{B}, {A}"})
    assert resp.status_code == 302
    with transaction(two.config["RESOLVED_DATABASE_URL"]) as conn:
        assert users.find_user(conn, "b_only").counties == (B, A)
    assert client.post("/admin/users/b_only/counties", data={"counties": ""}).status_code == 302
    with transaction(two.config["RESOLVED_DATABASE_URL"]) as conn, conn.cursor() as cur:
        assert users.find_user(conn, "b_only").counties is None
        cur.execute("SELECT before, after FROM audit_log WHERE action = 'user_scope_changed' ORDER BY id")
        assert cur.fetchall() == [({"counties": [B]}, {"counties": [B, A]}), ({"counties": [B, A]}, {"counties": None})]


@pytest.mark.parametrize("counties", ["4109", "410999;411001", "x" * 50_000, "410999,,411001"])
def test_the_admin_page_refuses_bad_codes(two, client, counties):
    sign_in(client, "admin")
    resp = client.post("/admin/users/both/counties", data={"counties": counties})
    assert resp.status_code == 400
    text = resp.get_data(as_text=True)
    assert "counties" in text or "县级行政区划代码" in text
    resp = client.post("/admin/users/both/counties", data={"counties": counties}, headers={"Accept": "application/json"})
    assert resp.status_code == 400 and resp.get_json()["field"] == "counties"
    assert client.post("/admin/users/nobody/counties", data={"counties": B}).status_code == 404
    with transaction(two.config["RESOLVED_DATABASE_URL"]) as conn:
        assert users.find_user(conn, "both").counties == (A, B)


@pytest.mark.parametrize("role", ["commander", "planner", "leader"])
def test_only_admins_set_counties(two, client, role):
    sign_in(client, role)
    assert client.post("/admin/users/b_only/counties", data={"counties": A}).status_code == 403
    with transaction(two.config["RESOLVED_DATABASE_URL"]) as conn:
        assert users.find_user(conn, "b_only").counties == (B,)
