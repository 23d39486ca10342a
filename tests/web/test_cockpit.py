"""The leader's cockpit (issue 12, item 1): every indicator against its target and a
month before; the figures are the very ones the existing APIs give for the same date."""
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from shapely.geometry import Point

from geo.calendar import LOCAL, today
from tests.conftest import basic
from tests.helpers import put
from tests.web.test_patrol_api import county as patrol_county  # noqa: F401  (the fixture)
from tests.web.test_patrol_api import minutes, post_points
from tests.web.test_planner_pages import login

DAY = "2026-11-26"


@pytest.fixture
def county(patrol_county, conn):  # noqa: F811
    """The patrol tests' county (two townships, teams, a school, a listed hotspot) with two
    cameras, one of which a commander reports faulty, and an hour of patrol tracks."""
    put(conn, "cameras", [{"code": f"K{i}", "name": f"村口{i}号", "kind": "fixed", "azimuth": 90.0, "fov": 60.0,
                           "range_m": 80.0, "status": "working", "networked": i == 1, "installed_on": None,
                           "geometry": Point(111.01 + 0.1 * (i - 1), 33.01)} for i in (1, 2)])
    client = patrol_county.test_client()
    assert client.post("/api/cameras/K2/status", json={"status": "faulty"}, headers=basic("commander")).status_code == 201
    resp = post_points(client, "T1", minutes(0, 12, 111.043, 33.003, "2026-11-20")
                       + minutes(0, 12, 111.043, 33.003, "2026-10-20"))
    assert resp.status_code == 201
    return patrol_county


def api(client, url):
    resp = client.get(url, headers=basic("leader"))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()


def by_key(doc):
    return {i["key"]: i for i in doc["indicators"]}


def mean(rows):
    return round(sum(r["presence_rate"] for r in rows) / len(rows), 4) if rows else None


def window(day: date):
    end = datetime.combine(day + timedelta(days=1), time(), LOCAL)
    return (end - timedelta(days=30)).isoformat(), end.isoformat()


@pytest.mark.parametrize("day", [DAY, None])
def test_figures_are_the_apis_for_the_same_day(county, client, day):
    doc = api(client, "/api/cockpit" + (f"?date={day}" if day else ""))
    day = date.fromisoformat(day) if day else today()
    earlier = date(day.year, day.month - 1, day.day) if day.month > 1 else date(day.year - 1, 12, day.day)
    assert doc["date"] == day.isoformat() and doc["previous_date"] == earlier.isoformat()
    ind = by_key(doc)
    assert {i["key"] for i in doc["indicators"]} == {
        "remediation", "video", "cameras_working", "cameras_networked", "hotspots", "staffing",
        "patrol_hotspots", "patrol_schools", "r10_flags", "survey_daily", "disputes"}
    for i in doc["indicators"]:
        assert set(i) >= {"key", "label", "value", "target", "unit", "met", "previous", "detail_url"}
    progress = api(client, f"/api/remediation/progress?as_of={day}")["county"]
    before = api(client, f"/api/remediation/progress?as_of={earlier}")["county"]
    assert (ind["remediation"]["value"], ind["remediation"]["target"], ind["remediation"]["met"]) == (
        progress["share"], progress["target"], progress["on_track"])
    assert ind["remediation"]["previous"] == before["share"]
    assert ind["remediation"]["detail_url"] == f"/leader/remediation?as_of={day}"
    coverage = api(client, "/api/coverage")
    cams = coverage["cameras"]
    assert (ind["cameras_working"]["value"], ind["cameras_working"]["target"]) == (cams["working_share"], 0.98)
    assert (ind["cameras_networked"]["value"], ind["cameras_networked"]["target"]) == (cams["networked_share"], 1.0)
    assert cams["working_share"] == 0.5 and ind["cameras_working"]["met"] is False
    assert ind["cameras_working"]["detail_url"] == "/commander/cameras/list?status=problem"
    assert ind["video"]["value"] == coverage["county"]["video_covered_share"]
    quota = api(client, f"/api/hotspots/quota?quarter={doc['quarter']}")
    assert (ind["hotspots"]["value"], ind["hotspots"]["target"]) == (quota["county"]["selected"],
                                                                    quota["county"]["required"])
    assert ind["hotspots"]["detail_url"] == f"/leader/hotspots?quarter={doc['quarter']}"
    staffing = api(client, "/api/patrol/staffing")
    assert ind["staffing"]["value"] == sum(not t["met"] for t in staffing["townships"]) == 1
    start, end = window(day)
    visits = api(client, f"/api/patrol/visits?from={start}&to={end}".replace("+", "%2B"))
    assert ind["patrol_hotspots"]["value"] == mean(visits["hotspots"])
    assert ind["patrol_schools"]["value"] == mean(visits["schools"])
    assert ind["patrol_hotspots"]["detail_url"] == f"/commander/patrol?day={day}"
    start0, _ = window(day - timedelta(days=30))
    earlier_visits = api(client, f"/api/patrol/visits?from={start0}&to={start}".replace("+", "%2B"))
    assert ind["patrol_hotspots"]["previous"] == mean(earlier_visits["hotspots"])
    towns = {t["code"]: t for t in doc["townships"]}
    townships = api(client, f"/api/remediation/progress?as_of={day}")["townships"]
    assert {t["code"]: t["share"] for t in townships} == {c: t["remediation"] for c, t in towns.items()
                                                              if t["remediation"] is not None}
    assert towns["410999002"]["staffing"] == 9 and towns["410999002"]["staffing_met"] is False


def test_trend_is_the_figure_a_month_earlier(county, client):
    """K2 went faulty today: a month ago both cameras worked; the patrol at the hotspot
    on 20 November counts in the last 30 days, the one on 20 October in the 30 before."""
    ind = by_key(api(client, "/api/cockpit"))
    assert ind["cameras_working"]["value"] == 0.5 and ind["cameras_working"]["previous"] == 1.0
    assert ind["cameras_networked"]["previous"] == 0.5
    past = by_key(api(client, f"/api/cockpit?date={DAY}"))
    assert past["patrol_hotspots"]["value"] == round(1 / 30, 4)
    assert past["patrol_hotspots"]["previous"] == round(1 / 30, 4)
    assert past["video"]["previous"] is None and past["staffing"]["previous"] is None


@pytest.mark.parametrize("bad", ["2026-13-01", "1800-01-01", "3000-01-01", "yesterday", "2026-11-26T10:00"])
def test_bad_dates_are_refused(county, client, bad):
    resp = client.get(f"/api/cockpit?date={bad}", headers=basic("leader"))
    assert resp.status_code == 400 and "date" in resp.get_json()["message"]
    login(client, "leader")
    assert client.get(f"/leader/?date={bad}").status_code == 400
    assert client.get(f"/leader/cockpit.xlsx?date={bad}").status_code == 400


def test_page_shows_the_apis_figures(county, client):
    login(client, "leader")
    resp = client.get(f"/leader/?date={DAY}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert len(resp.data) < 150_000 and "<script>" not in html
    doc = api(client, f"/api/cockpit?date={DAY}")
    for i in doc["indicators"]:
        card = re.search(rf'<a class="ck-card [^"]*" href="([^"]*)"\s+id="ind-{i["key"]}"[^>]*>(.*?)</a>', html, re.S)
        assert card, i["key"]
        assert card.group(1).replace("&amp;", "&") == i["detail_url"]
        value = "—" if i["value"] is None else (f"{i['value'] * 100:.1f}%" if i["unit"] == "share" else f"{i['value']:g}")
        assert f'<span class="ck-value">{value}</span>' in card.group(2)
        assert "目标" in card.group(2) or i["target"] is None
    assert html.count('<tr data-code="') == len(doc["townships"]) == 2
    township_map = re.search(r'<svg[^>]*id="ck-svg">(.*?)</svg>', html, re.S).group(1)
    assert township_map.count("<path d=") == 2 and 'id="ck-indicator"' in html
    assert 'href="/map?preset=leader"' in html and "/leader/cockpit.xlsx?date=2026-11-26" in html
    assert "data-refresh" not in html


def test_wall_screen(county, client):
    login(client, "leader")
    html = client.get("/leader/?wall=1").get_data(as_text=True)
    assert "cockpit-wall" in html and 'data-refresh="300"' in html and 'name="date"' not in html
    resp = client.get("/leader/wall")
    assert resp.status_code == 302 and "wall=1" in resp.headers["Location"]
    assert client.get("/leader/?wall=maybe").status_code == 400


def test_xlsx_export(county, client):
    login(client, "leader")
    resp = client.get(f"/leader/cockpit.xlsx?date={DAY}")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    doc = api(client, f"/api/cockpit?date={DAY}")
    sheet = wb["指标"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [i["label"] for i in doc["indicators"]]
    assert [r[1] for r in rows] == [i["value"] for i in doc["indicators"]]
    assert sheet.cell(row=3, column=2).number_format == "0.0%"
    assert [r[1] for r in wb["乡镇排名"].iter_rows(min_row=3, values_only=True)] == [
        t["name"] for t in doc["townships"]]


@pytest.mark.parametrize("role", ["leader", "commander", "planner", "admin"])
def test_every_role_reads_it(county, client, role):
    login(client, role)
    assert 'id="cockpit"' in client.get("/leader/").get_data(as_text=True)
    assert client.get("/api/cockpit", headers=basic(role)).status_code == 200


def test_strangers_sign_in_first(county, client):
    assert client.get("/leader/").status_code in (302, 401)
    assert client.get("/api/cockpit").status_code == 401
    assert client.get("/leader/cockpit.xlsx").status_code in (302, 401)


def test_an_empty_county_still_shows(app, client):
    doc = api(client, f"/api/cockpit?date={DAY}")
    assert doc["townships"] == [] and len(doc["indicators"]) == 11
    login(client, "leader")
    assert client.get("/leader/").status_code == 200
    assert client.get("/leader/cockpit.xlsx").status_code == 200
