"""The coverage and patrol pages export to XLSX with the figures the page and the API show
(issue 12, item 7); bad input is a 400 naming the field; every signed-in role may read;
text from the data is written as text, never a formula. Numbers for people on the pages
and in the camera popup (issue 12, item 6)."""
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pyproj import Geod
from shapely.geometry import LineString, Point

from tests.conftest import basic
from tests.helpers import put, square
from tests.layers.test_coverage import Y, cam
from tests.web.test_patrol_pages import DAY, load_patrol_county

ROLES = ("commander", "planner", "leader", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(client, url, role="leader"):
    resp = client.get(url, headers=basic(role))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == XLSX and "attachment" in resp.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(resp.data))


def rows(ws, start=3):
    return list(ws.iter_rows(min_row=start, values_only=True))


@pytest.fixture
def coverage_county(app, conn):
    put(conn, "townships", [{"code": "410999001", "name": "甲镇", "geometry": square(110.9, 32.9, 0.3)}])
    put(conn, "villages", [
        {"code": "V1", "name": "一村", "remote": True, "population": 1, "remediated_on": None,
         "geometry": square(111.0, 33.0, 0.05)},
        {"code": "V2", "name": "=HYPERLINK(\"http://x\")", "remote": True, "population": 1, "remediated_on": None,
         "geometry": square(111.1, 33.0, 0.05)}])
    put(conn, "roads", [{"code": "R1", "name": "东西路", "class": "county",
                         "geometry": LineString([(111.0, Y), (111.15, Y)])},
                        {"code": "R2", "name": "南北路", "class": "village",
                         "geometry": LineString([(111.02, 33.0), (111.02, 33.05)])}])
    put(conn, "cameras", [cam("D", 111.02, kind="dome", fov=360, range_m=100),
                          cam("A", 111.03, azimuth=180.7549852341149, range_m=1234.0),
                          cam("X", 111.04, kind="dome", fov=360, status="offline")])
    put(conn, "schools", [{"code": "S1", "name": "一小", "geometry": Point(111.0205, Y)}])
    return app


def test_coverage_workbook_equals_the_api(coverage_county, client):
    doc = client.get("/api/coverage", headers=basic("leader")).get_json()
    progress = client.get("/api/remediation/progress?as_of=2026-11-30", headers=basic("leader")).get_json()
    wb = workbook(client, "/leader/coverage.xlsx?as_of=2026-11-30")
    assert wb.sheetnames == ["指标", "乡镇排名", "未达标偏远村", "偏远村整治"]
    ws = wb["指标"]
    assert "2026-11-30" in ws["A1"].value and ws["B3"].number_format == "0.0%"
    ind = {r[0]: r for r in rows(ws) if r and r[0]}
    c, k = doc["cameras"], doc["county"]
    assert ind["完好率"][1:4] == (c["working_share"], c["working"], c["total"])
    assert c["total"] == 3 and c["working"] == 2
    assert ind["完好率"][5] == "未达标" and ind["联网率"][1:4] == (1.0, 3, 3) and ind["联网率"][5] == "达标"
    assert ind["道路交叉口覆盖"][1:4] == (k["junction_share"], k["covered_junctions"], k["junctions"])
    assert ind["学校覆盖"][1] == k["schools_covered_share"]
    assert ind["视频覆盖达标村（全部行政村）"][1:4] == (k["video_covered_share"], k["video_covered"], k["villages"])
    (town,) = rows(wb["乡镇排名"])
    t = doc["townships"][0]
    assert town[:6] == (1, "410999001", "甲镇", t["video_covered"], t["villages"], t["video_covered_share"])
    failing = [v for v in doc["villages"] if v["remote"] and not v["video_covered"]]
    got = rows(wb["未达标偏远村"])
    assert [r[0] for r in got] == [v["code"] for v in failing] and "V2" in [r[0] for r in got]
    cell = next(c for c in wb["未达标偏远村"]["B"] if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"                                        # a village's name is not a formula
    rem = {r[0]: r[1] for r in rows(wb["偏远村整治"]) if r and r[0]}
    p = progress["county"]
    assert (rem["偏远村"], rem["已整治"], rem["其中按例外认定"]) == (p["remote"], p["remediated"],
                                                                p["remediated_with_exception"])


def test_coverage_page_has_export_print_and_numbers_for_people(coverage_county, client):
    html = client.get("/leader/coverage?as_of=2026-11-30", headers=basic("leader")).get_data(as_text=True)
    assert 'href="/leader/coverage.xlsx?as_of=2026-11-30"' in html and "data-print" in html
    assert "66.7%（2/3）" in html and "page_actions.css" in html
    assert not re.search(r"\d\.\d{3,}", re.sub(r"<script.*?</script>", "", html, flags=re.S))


def test_camera_popup_shows_whole_degrees_and_distances(coverage_county, client):
    """The camera map's popup writes 朝向 as a whole bearing, 视场 as an angle and 可视距离
    as 850 m / 1.2 km (the browser writes them as web.numbers does: tests/browser/
    test_map_shell.py compares the two on every layer)."""
    from tests.web.test_maps import tile_overlays

    html = client.get("/commander/cameras", headers=basic("commander")).get_data(as_text=True)
    columns = {c[0]: c for c in tile_overlays(html)["cameras"]["columns"]}
    assert columns["azimuth"][2] == "bearing" and columns["fov"][2] == "angle"
    assert columns["range_m"][2] == "distance"


@pytest.mark.parametrize("url, field", [("/leader/coverage.xlsx?as_of=2026-13-01", "as_of"),
                                        ("/leader/coverage.xlsx?as_of=x", "as_of"),
                                        ("/commander/patrol.xlsx?day=25.11.2026", "day"),
                                        ("/commander/patrol.xlsx?day=2026-02-30", "day"),
                                        ("/commander/patrol.xlsx?day=" + "9" * 60, "day")])
def test_bad_input_is_400_naming_the_field(app, client, url, field):
    resp = client.get(url, headers=basic("leader"))
    assert resp.status_code == 400 and field in resp.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/leader/coverage.xlsx", "/commander/patrol.xlsx"])
def test_every_role_reads_and_strangers_do_not(app, client, url):
    for role in ROLES:
        workbook(client, url, role)
    resp = client.get(url)
    assert resp.status_code in (302, 401) and resp.mimetype != XLSX
    assert client.get(url, headers=basic("leader", "wrong")).status_code == 401


@pytest.fixture
def patrol_county(app, conn):
    load_patrol_county(conn)
    return app


def test_patrol_workbook_equals_the_page_and_the_api(patrol_county, client):
    wb = workbook(client, f"/commander/patrol.xlsx?day={DAY}", "commander")
    assert wb.sheetnames == ["概况", "乱点巡查", "学校巡查", "巡防队", "告警"]
    assert DAY in wb["概况"]["A1"].value
    summary = {r[0]: r[1:] for r in rows(wb["概况"])}
    html = client.get(f"/commander/patrol?day={DAY}", headers=basic("commander")).get_data(as_text=True)
    assert "已巡 1，短暂经过 0，<b class=\"behind\">未巡 1</b>" in html
    assert summary["挂牌乱点"] == (2, 1, 0, 1) and summary["学校（200米范围）"] == (2, 0, 1, 1)
    day = date.fromisoformat(DAY)
    week = client.get(f"/api/patrol/visits?from={day - timedelta(days=6)}T00:00:00%2B08:00"
                      f"&to={day + timedelta(days=1)}T00:00:00%2B08:00", headers=basic("leader")).get_json()
    for sheet, key in (("乱点巡查", "hotspots"), ("学校巡查", "schools")):
        got = {r[0]: r for r in rows(wb[sheet])}
        assert set(got) == {r["code"] for r in week[key]}
        for r in week[key]:
            assert got[r["code"]][2:4] == (r["visits"], r["dwell_min"]) and got[r["code"]][6] == r["presence_rate"]
    assert wb["乱点巡查"]["G3"].number_format == "0.0%"
    teams = {r[0]: r for r in rows(wb["巡防队"])}
    assert set(teams) == {"T1", "T2"} and teams["T1"][2] == 17 and teams["T2"][1] == "{{ 7*7 }}乙乡专职队"
    # T1: 13 points 1e-5° apart at H1, then 3.4 km to the school S1 and 3 more points there
    at_h1 = [(111.042 + i * 1e-5, 33.003) for i in range(13)]
    at_s1 = [(111.0055 + i * 1e-5, 33.0055) for i in range(4)]
    lons, lats = zip(*(at_h1 + at_s1))
    assert teams["T1"][3:5] == ("09:00", "09:33")
    assert teams["T1"][5] == pytest.approx(Geod(ellps="WGS84").line_length(lons, lats) / 1000, rel=0.01)
    assert teams["T2"][6] == "是" and teams["T1"][6] == "否" and teams["T2"][7] > 2000
    alerts = client.get(f"/api/patrol/alerts?now={DAY}T23:59:59.999999%2B08:00&hours=24",
                        headers=basic("leader")).get_json()
    got = [(r[0], r[1]) for r in rows(wb["告警"])]
    assert [c for kind, c in got if kind == "未巡查的挂牌乱点"] == [x["code"] for x in alerts["hotspots_unvisited"]]
    assert [c for kind, c in got if kind == "上学日未巡查的学校"] == [x["code"] for x in alerts["schools_unvisited"]]
    assert [c for kind, c in got if kind == "偏离路线的巡防队"] == [x["team"] for x in alerts["teams_off_route"]] == ["T2"]
    assert teams["T2"][7:9] == (alerts["teams_off_route"][0]["distance_m"], alerts["teams_off_route"][0]["share_off"])


def test_patrol_page_has_export_print_and_team_distance(patrol_county, client):
    html = client.get(f"/commander/patrol?day={DAY}", headers=basic("leader")).get_data(as_text=True)
    assert f'href="/commander/patrol.xlsx?day={DAY}"' in html and "data-print" in html
    table = html[html.index('id="team-distance"'):html.index("</table>", html.index('id="team-distance"'))]
    assert "甲镇专职队" in table and re.search(r"<td>\d+(\.\d)? (m|km)</td>", table)
    assert re.search(r"距路线 \d+(\.\d)? (m|km)，近1小时 [\d.]+% 的定位点偏离", html)
