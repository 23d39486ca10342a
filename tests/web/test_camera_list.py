"""The cameras as a list beside the map (issue 12): filters, sort, pages, numbers rounded
for people, CSV and XLSX of every matching camera; every role reads; bad filters are 400."""
import csv
import io

import pytest
from openpyxl import load_workbook
from shapely.geometry import Point

from tests.conftest import basic
from tests.helpers import put, small_county
from tests.web.test_planner_pages import login


def camera(code, x, status="working", kind="fixed", networked=True, azimuth=180.7549852341149, range_m=1234.0):
    return {"code": code, "name": f"摄像机{code}", "kind": kind, "azimuth": azimuth, "fov": 60.0,
            "range_m": range_m, "status": status, "networked": networked, "installed_on": None,
            "geometry": Point(x, 33.01)}


@pytest.fixture
def county(app, conn):
    small_county(conn)
    rows = [camera(f"C{i:03d}", 111.001 + 0.0005 * i) for i in range(120)]            # 甲镇, working
    rows += [camera("F1", 111.15, "faulty", "dome", azimuth=None, range_m=80.0),      # 乙乡
             camera("O1", 111.16, "offline", "ptz", networked=False)]
    rows[-1]["fov"], rows[-1]["azimuth"] = 360.0, 359.6          # a dome sees all round: 360°, bearing 0°
    put(conn, "cameras", rows)
    return app


def get(client, query, role="leader"):
    resp = client.get(f"/api/cameras?{query}", headers=basic(role))
    assert resp.status_code == 200, resp.get_json()
    return resp


def test_filters_sort_and_pages(county, client):
    doc = get(client, "").get_json()
    assert (doc["total"], doc["pages"], len(doc["rows"])) == (122, 2, 100)
    assert [r["code"] for r in doc["rows"][:2]] == ["O1", "F1"]                  # offline, faulty first
    assert doc["rows"][0]["azimuth_text"] == "0°" and doc["rows"][0]["fov_text"] == "360°"
    assert doc["rows"][0]["range_text"] == "1.2 km"
    assert get(client, "sort=code").get_json()["rows"][0]["azimuth_text"] == "181°"
    assert doc["rows"][1]["azimuth_text"] == "—" and doc["rows"][1]["range_text"] == "80 m"
    assert doc["rows"][1]["fov_text"] == "60°"
    assert len(get(client, "page=2").get_json()["rows"]) == 22
    assert [r["code"] for r in get(client, "status=problem").get_json()["rows"]] == ["O1", "F1"]
    assert get(client, "status=working&township=410999002").get_json()["total"] == 0
    assert [r["code"] for r in get(client, "networked=0").get_json()["rows"]] == ["O1"]
    assert [r["code"] for r in get(client, "kind=dome").get_json()["rows"]] == ["F1"]
    assert get(client, "sort=code&order=desc").get_json()["rows"][0]["code"] == "O1"
    assert get(client, "township=410999002&sort=township").get_json()["total"] == 2
    assert get(client, "page=9").get_json()["rows"] == []                        # past the end: empty


@pytest.mark.parametrize("query, field", [("status=broken", "status"), ("kind=x", "kind"), ("sort=geom", "sort"),
                                          ("order=up", "order"), ("page=0", "page"), ("page=NaN", "page"),
                                          ("page=99999999", "page"), ("networked=yes", "networked"),
                                          ("format=pdf", "format"), ("township=" + "x" * 101, "township")])
def test_bad_filters_are_refused_naming_them(county, client, query, field):
    resp = client.get(f"/api/cameras?{query}", headers=basic("commander"))
    assert resp.status_code == 400 and resp.get_json()["field"] == field, resp.get_json()


def test_exports_hold_every_matching_camera(county, client):
    text = get(client, "format=csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == ["编码", "名称", "类型", "状态", "联网", "朝向"] and len(rows) == 123
    assert rows[1][:7] == ["O1", "摄像机O1", "云台", "离线", "否", "0°", "360°"]
    body = get(client, "format=xlsx&status=problem").get_data()
    ws = load_workbook(io.BytesIO(body)).active
    assert [r[0] for r in ws.iter_rows(min_row=3, values_only=True)] == ["O1", "F1"]


def test_the_page_lists_and_every_role_reads_it(county, client):
    assert client.get("/commander/cameras/list").status_code in (302, 401)         # strangers sign in first
    for role in ("commander", "leader", "planner", "admin"):
        other = client.application.test_client()
        login(other, role)
        html = other.get("/commander/cameras/list?status=problem").get_data(as_text=True)
        assert "共 2 台" in html and 'data-code="O1"' in html and "/commander/cameras/O1" in html
        assert "/api/cameras?format=xlsx&amp;status=problem" in html or "status=problem&amp;format=xlsx" in html
    login(client, "commander")
    html = client.get("/commander/cameras/list").get_data(as_text=True)
    assert "第 1/2 页" in html and 'id="next-page"' in html
    assert client.get("/commander/cameras/list?status=nonsense").status_code == 400
