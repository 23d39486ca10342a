"""The planner's first screen (issue 12): the coming quarter's list and quota, the list in
force, remediation against the plan with the villages at risk, and what other users
changed since the planner's previous sign-in."""
import re

import pytest
from shapely.geometry import Point

from tests.conftest import basic
from tests.helpers import put, small_county
from tests.web.test_planner_pages import login


@pytest.fixture
def county(app, conn):
    small_county(conn)
    put(conn, "cameras", [{"code": "K1", "name": "村口一号", "kind": "fixed", "azimuth": 90.0, "fov": 60.0,
                           "range_m": 80.0, "status": "working", "networked": True, "installed_on": None,
                           "geometry": Point(111.01, 33.01)}])
    return app


def home(client) -> str:
    resp = client.get("/planner/")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def test_the_first_screen_answers_the_planners_questions(county, client):
    login(client, "planner")
    html = home(client)
    assert 'id="coming-list"' in html and "尚未开始" in html and "县级乱点 <b>0</b>/10" in html
    assert "乡镇配额达标 <b>0</b>/2 个乡镇" in html
    assert 'id="remediation-progress"' in html and "0/6（0.0%）" in html
    assert len(re.findall(r'<tr data-code="4109990', html)) == 6           # every remote village at risk
    assert "近 7 天他人的更新" in html and "没有他人的更新" in html           # a first visit
    assert "/map?preset=planner" in html
    # the figures are the API's for the same day
    api = client.get("/api/remediation/progress", headers=basic("leader")).get_json()
    assert f"{api['county']['remediated']}/{api['county']['remote']}" in html


def test_what_others_changed_since_the_last_visit(county, client):
    login(client, "planner")                                              # the visit before
    api = client.application.test_client()                               # no session: Basic credentials
    resp = api.post("/api/cameras/K1/status", json={"status": "faulty", "note": "镜头损坏"},
                       headers=basic("commander"))
    assert resp.status_code == 201, resp.get_json()
    lst = api.post("/api/hotspots/lists", json={"quarter": "2026Q4"}, headers=basic("planner"))
    assert lst.status_code == 201                                         # the planner's own: not listed
    again = client.application.test_client()
    login(again, "planner")                                               # this visit
    html = home(again)
    assert "自上次登录（" in html and "摄像机状态 <b>1</b>" in html and "整治记录 <b>0</b>" in html
    row = re.search(r'<table id="changes-table">.*?</table>', html, re.S).group(0)
    assert "村口一号" in row and "故障" in row and "commander" in row and "/commander/cameras/K1" in row


@pytest.mark.parametrize("role", ["leader", "commander", "admin"])
def test_other_roles_read_it(county, client, role):
    login(client, role)
    assert 'id="planner-home"' in home(client)


def test_strangers_sign_in_first(county, client):
    assert client.get("/planner/").status_code in (302, 401)
