"""Every URL that worked before web/ was reshaped still works, with the same methods.

ROUTES is the list the app answered before the reshaping (rule and methods, as
``flask routes`` shows them); the app may add routes, never drop one.
"""
from __future__ import annotations

import re

from tests.conftest import basic

ROUTES = [
    "/ GET",
    "/api/cameras/<code>/history GET",
    "/api/cameras/<code>/status POST",
    "/api/coverage GET,POST",
    "/api/coverage/gaps GET,POST",
    "/api/coverage/siting GET",
    "/api/coverage/worst GET",
    "/api/hotspots/<code>/evaluation GET",
    "/api/hotspots/<code>/history GET",
    "/api/hotspots/<code>/status POST",
    "/api/hotspots/candidates GET",
    "/api/hotspots/density GET",
    "/api/hotspots/grid GET",
    "/api/hotspots/listed GET",
    "/api/hotspots/lists GET",
    "/api/hotspots/lists POST",
    "/api/hotspots/lists/<int:list_id> GET",
    "/api/hotspots/lists/<int:list_id>/items POST",
    "/api/hotspots/lists/<int:list_id>/items/<code> DELETE",
    "/api/hotspots/lists/<int:list_id>/items/<code> PATCH",
    "/api/hotspots/lists/<int:list_id>/publish POST",
    "/api/hotspots/quota GET",
    "/api/hotspots/r10 GET",
    "/api/layers GET",
    "/api/patrol/alerts GET",
    "/api/patrol/routes POST",
    "/api/patrol/routes/plan GET",
    "/api/patrol/staffing GET",
    "/api/patrol/tracks POST",
    "/api/patrol/visits GET",
    "/api/remediation/at-risk GET",
    "/api/remediation/events/<int:event_id>/revert POST",
    "/api/remediation/progress GET",
    "/api/remediation/villages GET",
    "/api/remediation/villages/<code> POST",
    "/api/remediation/villages/<code>/history GET",
    "/api/users GET",
    "/api/users POST",
    "/commander/ GET",
    "/commander/cameras GET",
    "/commander/cameras/<code> GET",
    "/commander/cameras/<code> POST",
    "/commander/patrol GET",
    "/commander/patrol/plan/<team_code> GET",
    "/commander/patrol/plan/<team_code> POST",
    "/exports/hotspots/<quarter>.<fmt> GET",
    "/exports/hotspots/<quarter>.xlsx GET",
    "/leader/ GET",
    "/leader/coverage GET",
    "/leader/hotspots GET",
    "/leader/remediation GET",
    "/leader/remediation-chart.<fmt> GET",
    "/leader/remediation.csv GET",
    "/leader/remediation.xlsx GET",
    "/login GET,POST",
    "/logout POST",
    "/map GET",
    "/ogc/ GET",
    "/ogc/api GET",
    "/ogc/collections GET",
    "/ogc/collections/<name> GET",
    "/ogc/collections/<name>/items GET",
    "/ogc/collections/<name>/items/<path:code> GET",
    "/ogc/collections/<name>/schema GET",
    "/ogc/conformance GET",
    "/planner/ GET",
    "/planner/hotspots GET",
    "/planner/hotspots/draft POST",
    "/planner/hotspots/evaluation/<code> GET",
    "/planner/hotspots/items POST",
    "/planner/hotspots/items/<code> POST",
    "/planner/hotspots/items/<code>/remove POST",
    "/planner/hotspots/publish POST",
    "/planner/hotspots/status/<code> POST",
    "/planner/remediation GET",
    "/planner/remediation/<code> GET",
    "/planner/remediation/<code> POST",
    "/planner/remediation/<code>/revert/<int:event_id> POST",
    "/static/<path:filename> GET",
    "/vendor/<path:filename> GET",
]


def current_routes(app) -> set[str]:
    return {f"{r.rule} {','.join(sorted(r.methods - {'HEAD', 'OPTIONS'}))}" for r in app.url_map.iter_rules()}


def test_every_route_of_before_is_still_there(app):
    missing = sorted(set(ROUTES) - current_routes(app))
    assert missing == []


def test_every_page_and_document_without_parameters_answers(app, client):
    """GET routes that need no value answer (200, or a redirect to their default), never 5xx."""
    for route in ROUTES:
        rule, methods = route.split(" ")
        if "GET" not in methods.split(",") or "<" in rule or rule.startswith(("/static", "/vendor")):
            continue
        resp = client.get(rule, headers=basic("admin"))
        assert resp.status_code < 500, (rule, resp.status_code)
        assert resp.status_code in (200, 302, 308) or rule.startswith("/api/"), (rule, resp.status_code)


def test_routes_under_a_user_belong_to_that_users_blueprint(app):
    for rule in app.url_map.iter_rules():
        first = re.match(r"^/([a-z]+)", rule.rule)
        if first and first.group(1) in ("commander", "planner", "leader", "admin", "api", "ogc"):
            assert rule.endpoint.split(".")[0] == first.group(1), (rule.rule, rule.endpoint)
