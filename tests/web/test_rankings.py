"""Township rankings (issue 16, item 3) through the service and the API: preview, publish
(frozen, replace kept), consecutive counts from the previous published period, a tie at the
bottom, history, settings, bad input and forbidden roles (nothing written)."""
from __future__ import annotations

import math
from datetime import date

import pytest

from layers import rankings as store
from layers import remediation
from tests.conftest import basic
from tests.helpers import COUNTY, put, small_county, square
from web.services import rankings

TODAY = date(2026, 11, 20)
A, B = "410999001", "410999002"


@pytest.fixture
def county(app, conn, monkeypatch):
    """甲镇 has one remote village of three remediated on 2026-05-10; 乙乡 none."""
    small_county(conn)
    put(conn, "villages", [{"code": f"{A}001", "name": "村11", "remote": True, "population": 500,
                            "remediated_on": date(2026, 5, 10), "geometry": square(111.0, 33.0, 0.02)}])
    remediation.record_imported(conn, COUNTY)
    conn.commit()
    monkeypatch.setattr("web.api.rankings.today", lambda: TODAY)
    return app


def publish(client, period, role="admin", **body):
    return client.post(f"/api/rankings/{period}/publish", json=body, headers=basic(role))


def test_preview_scores_and_a_tie_at_the_bottom(county):
    client = county.test_client()
    q3 = client.get("/api/rankings?period=2026Q3", headers=basic("leader")).get_json()
    assert not q3["published"] and not q3["provisional"]
    by = {t["code"]: t for t in q3["townships"]}
    assert by[A]["rank"] == 1 and by[B]["rank"] == 2
    assert by[B]["bottom"] and not by[A]["bottom"]
    assert by[B]["flag"] == "约谈" and by[B]["consecutive"] == 1
    assert by[A]["inputs"]["remediation"]["value"] == pytest.approx(1 / 3, abs=1e-3)
    assert by[A]["inputs"]["problems"]["value"] is None        # nothing closed: weight spread
    q1 = client.get("/api/rankings?period=2026Q1", headers=basic("leader")).get_json()
    assert [t["rank"] for t in q1["townships"]] == [1, 1] and all(t["bottom"] for t in q1["townships"])
    now = client.get("/api/rankings?period=2026Q4", headers=basic("leader")).get_json()
    assert now["provisional"] is True
    default = client.get("/api/rankings", headers=basic("planner")).get_json()
    assert default["period"] == "2026Q3"


def test_publish_is_frozen_and_counts_run_on(county, conn):
    client = county.test_client()
    assert publish(client, "2026Q2").status_code == 201
    q3 = publish(client, "2026Q3")
    assert q3.status_code == 201
    by = {t["code"]: t for t in q3.get_json()["townships"]}
    assert (by[B]["consecutive"], by[B]["flag"]) == (2, "挂牌督办")
    assert (by[A]["consecutive"], by[A]["flag"]) == (0, None)
    before = store.count(conn)
    again = publish(client, "2026Q3")
    assert again.status_code == 409 and store.count(conn) == before
    assert publish(client, "2026Q2", replace=True).status_code == 409     # a later period is published
    replaced = publish(client, "2026Q3", replace=True)
    assert replaced.status_code == 201 and replaced.get_json()["replaced"] == 2
    assert store.replaced_count(conn, COUNTY, "2026Q3") == 2
    got = client.get("/api/rankings?period=2026Q3", headers=basic("leader")).get_json()
    assert got["published"] and got["published_by"] == "admin"
    hist = client.get(f"/api/rankings/history?township={B}", headers=basic("leader")).get_json()
    assert [(p["period"], p["consecutive"], p["flag"]) for p in hist["periods"]] == [
        ("2026Q2", 1, "约谈"), ("2026Q3", 2, "挂牌督办")]
    panel = rankings.latest_flags(conn, COUNTY)
    assert panel["period"] == "2026Q3" and [t["code"] for t in panel["bottom"]] == [B]


def test_publish_refusals_write_nothing(county, conn):
    client = county.test_client()
    before = store.count(conn)
    for period, field in (("2026Q4", "period"), ("2026-10", "period"), ("2026Q9", "period"), ("2027Q1", "period")):
        resp = publish(client, period)
        assert resp.status_code == 400 and resp.get_json()["field"] == field, period
    assert publish(client, "2026Q1").status_code == 201
    gap = publish(client, "2026Q3")     # 2026Q2 not published: counts would silently restart
    assert gap.status_code == 400 and gap.get_json()["field"] == "period"
    assert store.count(conn)[1] == before[1] + 2


@pytest.mark.parametrize("query,field", [("period=2026Q5", "period"), ("period=2026-13", "period"),
                                         ("period=2027Q1", "period"), ("period=2026-12", "period"),
                                         ("period=" + "9" * 40, "period"), ("period=1999Q1", "period")])
def test_bad_ranking_queries(county, query, field):
    resp = county.test_client().get(f"/api/rankings?{query}", headers=basic("leader"))
    assert resp.status_code == 400 and resp.get_json()["field"] == field


def test_history_bad_input(county):
    client = county.test_client()
    assert client.get("/api/rankings/history", headers=basic("leader")).get_json()["field"] == "township"
    assert client.get("/api/rankings/history?township=nope", headers=basic("leader")).status_code == 404


@pytest.mark.parametrize("body,field", [
    ({"period_kind": "year", "weights": {"problems": 1}}, "period_kind"),
    ({"period_kind": "month", "weights": {"nope": 1}}, "weights"),
    ({"period_kind": "month", "weights": {"problems": -1}}, "weights.problems"),
    ({"period_kind": "month", "weights": {"problems": "NaN"}}, "weights.problems"),
    ({"period_kind": "month", "weights": {"problems": 0, "hotspots": 0}}, "weights"),
    ({"period_kind": "month", "weights": {"problems": 1}, "bottom_places": 0}, "bottom_places"),
    ({"period_kind": "month", "weights": [1]}, "weights"),
])
def test_bad_config_refused_nothing_written(county, conn, body, field):
    before = store.count(conn)
    resp = county.test_client().put("/api/rankings/config", json=body, headers=basic("admin"))
    assert resp.status_code == 400 and resp.get_json()["field"] == field
    assert store.count(conn) == before


def test_config_saved_with_history(county, conn):
    client = county.test_client()
    got = client.get("/api/rankings/config", headers=basic("admin")).get_json()
    assert got["default"] and set(got["weights"]) == {"safety", "satisfaction", "problems", "remediation", "coverage",
                                                      "hotspots", "screening", "staffing"}
    assert {k: w for k, w in got["weights"].items() if w != 1} == {"safety": 2, "satisfaction": 2}
    assert got["period_kind"] == "quarter"
    body = {"period_kind": "month", "weights": {"problems": 2, "remediation": 0}, "bottom_places": 2}
    saved = client.put("/api/rankings/config", json=body, headers=basic("admin")).get_json()
    assert saved["weights"]["problems"] == 2 and saved["weights"]["hotspots"] == 0 and saved["updated_by"] == "admin"
    client.put("/api/rankings/config", json={**body, "bottom_places": 1}, headers=basic("admin"))
    assert len(store.config_history(conn, COUNTY)) == 2
    month = client.get("/api/rankings?period=2026-09", headers=basic("leader")).get_json()
    assert month["kind"] == "month" and month["config"]["bottom_places"] == 1
    assert not math.isnan(month["townships"][0]["score"] or 0)


@pytest.mark.parametrize("role", ["leader", "planner", "commander"])
def test_only_admins_publish_and_configure(county, conn, role):
    client = county.test_client()
    before = store.count(conn)
    assert publish(client, "2026Q3", role=role).status_code == 403
    assert client.get("/api/rankings/config", headers=basic(role)).status_code == 403
    body = {"period_kind": "month", "weights": {"problems": 1}}
    assert client.put("/api/rankings/config", json=body, headers=basic(role)).status_code == 403
    assert store.count(conn) == before


def test_signed_out_refused(county):
    client = county.test_client()
    assert client.get("/api/rankings?period=2026Q3").status_code == 401
    assert client.post("/api/rankings/2026Q3/publish").status_code == 401
