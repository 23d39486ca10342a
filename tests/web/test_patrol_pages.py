"""Patrol pages: the commander's map page and the printable plan, on a small county."""
import re
from datetime import datetime, timedelta

import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from tests.conftest import basic
from tests.helpers import put, small_county, square
from web.maps.patrol import STATUS

A1 = "410999001001"
DAY = "2026-11-25"   # a Wednesday: a school day
EVIL = "{{ 7*7 }}乙乡专职队"


def track(team, day, start, end, lon, lat):
    """One GPS point a minute from ``start`` to ``end`` (HH:MM, local time) at one place."""
    t0 = pd.Timestamp(f"{day} {start}", tz="Asia/Shanghai")
    n = int((pd.Timestamp(f"{day} {end}", tz="Asia/Shanghai") - t0) / pd.Timedelta(minutes=1)) + 1
    return [{"code": f"{team}@{(t0 + pd.Timedelta(minutes=i)).isoformat()}", "team_code": team,
             "recorded_at": t0 + pd.Timedelta(minutes=i), "geometry": Point(lon + i * 1e-5, lat)}
            for i in range(n)]


def load_patrol_county(conn, day=DAY):
    """Two townships with a team each (the second short and with braces in its name), a
    volunteer team, two listed hotspots, two schools, roads, routes and a day of tracks."""
    small_county(conn)
    put(conn, "patrol_teams", [
        {"code": "T1", "name": "甲镇专职队", "kind": "township_fulltime", "township_code": "410999001",
         "village_code": None, "members": 16, "geometry": Point(111.001, 33.002)},
        {"code": "T2", "name": EVIL, "kind": "township_fulltime", "township_code": "410999002",
         "village_code": None, "members": 9, "geometry": Point(111.15, 33.002)},
        {"code": "V1", "name": "村1义务队", "kind": "village_volunteer", "township_code": "410999001",
         "village_code": A1, "members": 4, "geometry": None}])
    put(conn, "schools", [{"code": "S1", "name": "一小", "geometry": Point(111.005, 33.005)},
                          {"code": "S2", "name": "乙乡`中学\\", "geometry": Point(111.17, 33.005)}])
    put(conn, "hotspots", [
        {"code": "H1", "quarter": "2026Q4", "level": "township", "township_code": "410999001", "name": "集市",
         "status": "listed", "unit": "派出所", "deadline": None, "carried_from": None,
         "geometry": square(111.041, 33.001, 0.004)},
        {"code": "H2", "quarter": "2026Q4", "level": "township", "township_code": "410999002", "name": "河滩",
         "status": "remediating", "unit": "派出所", "deadline": None, "carried_from": None,
         "geometry": square(111.131, 33.001, 0.004)}])
    put(conn, "roads", [
        {"code": "R1", "name": "主路", "class": "county",
         "geometry": LineString([(111.0, 33.002), (111.19, 33.002)])},
        {"code": "R2", "name": "支路", "class": "village",
         "geometry": LineString([(111.005, 33.002), (111.005, 33.01)])}])
    put(conn, "patrol_routes", [
        {"code": "P1", "name": "甲镇日间", "team_code": "T1", "shift": "08:00-16:00",
         "geometry": LineString([(111.0, 33.002), (111.06, 33.002)])},
        {"code": "P2", "name": "乙乡夜巡", "team_code": "T2", "shift": "18:00-24:00",
         "geometry": LineString([(111.12, 33.002), (111.18, 33.002)])}])
    # T1: 12 minutes at H1, then 3 at the school S1; T2: late in the day 3 km off its route
    put(conn, "patrol_tracks", track("T1", day, "09:00", "09:12", 111.042, 33.003)
        + track("T1", day, "09:30", "09:33", 111.0055, 33.0055)
        + track("T2", day, "23:20", "23:50", 111.15, 33.03))


@pytest.fixture
def county(app, conn):
    load_patrol_county(conn)
    return app


def test_page_shows_staffing_alerts_and_visits(county, client):
    resp = client.get("/commander/patrol", headers=basic("leader"))  # the latest day with tracks
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f"巡防指挥 · {DAY}" in html
    # R7: 甲镇 16 of 15, 乙乡 9 of 15; all 7 villages short of 6 (6 without a team)
    rows = re.findall(r"<tr class=\"(ok|behind)\"><td>([^<]+)</td><td>(\d+)</td><td>15</td>", html)
    assert ("ok", "甲镇", "16") in rows and ("behind", "乙乡", "9") in rows
    assert "行政村 7 个，义务队员达标 0 个" in html and "不足 7 个" in html
    assert "没有义务巡防队 6 个" in html
    # alerts: H2 never visited, S2 not visited on a school day, T2 off its route
    alerts = html[html.index('id="patrol-alerts"'):html.index('id="staffing"')]
    assert "河滩（H2）" in alerts and "集市" not in alerts
    assert "乙乡`中学\\（S2）" in alerts and "一小" not in alerts
    assert re.search(r"\{\{ 7\*7 \}\}乙乡专职队（T2）：距路线 \d+(\.\d)? (m|km)", alerts)
    # a week of visits: H1 once for 12 minutes, one day in seven with a stop of 10 minutes
    visits = html[html.index('id="visit-table"'):html.index("</table>", html.index('id="visit-table"'))]
    assert re.search(r"<td>集市</td><td>1</td><td>12.0</td><td>1</td><td>[\d.]+</td><td>14.3%</td>", visits)
    assert re.search(r"<td>河滩</td><td>0</td><td>0.0</td><td>0</td><td>168.0</td><td>0.0%</td>", visits)
    # the map: status colours, last positions, plan links, nothing from a CDN
    assert "已巡（停留≥10分钟）" in html and "巡防队最后位置" in html
    assert "/commander/patrol/plan/T1?start=08:00" in html and "无驻地位置" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_page_day_and_status_colours(county, client):
    html = client.get(f"/commander/patrol?day={DAY}", headers=basic("commander")).get_data(as_text=True)
    assert "已巡 1，短暂经过 0，<b class=\"behind\">未巡 1</b>" in html      # hotspots
    assert "学校 2 所，已巡 0，短暂经过 1，未巡 1" in html
    assert "#1a9641" in html and "#d7191c" in html and "#fdae61" in html
    later = client.get("/commander/patrol?day=2026-11-27", headers=basic("commander")).get_data(as_text=True)
    assert "未巡 2" in later and "轨迹" in later
    assert client.get("/commander/patrol?day=25.11.2026", headers=basic("commander")).status_code == 400


def test_braces_in_data_are_not_evaluated(county, client):
    for url in ("/commander/patrol", "/commander/patrol/plan/T2"):
        html = client.get(url, headers=basic("commander")).get_data(as_text=True)
        assert "49乙乡" not in html
        assert "{{ 7*7 }}乙乡专职队" in html                        # in the page's own HTML
    # the map's labels, fetched after the page, are escaped HTML (braces as entities)
    places = client.get(f"/commander/patrol/places?day={DAY}", headers=basic("commander")).get_json()
    labels = [f["properties"]["label"] for f in places["positions"]["features"]]
    assert any(label.startswith("&#123;&#123; 7*7 &#125;&#125;乙乡专职队") for label in labels), labels
    lines = client.get(f"/commander/tracks?day={DAY}", headers=basic("commander")).get_json()
    assert any("&#123;&#123; 7*7 &#125;&#125;" in f["properties"]["popup"] for f in lines["tracks"]["features"])


def test_patrol_map_places_come_after_the_page(county, client):
    """The patrol page holds no features; its map's places and positions come from
    /commander/patrol/places for the same day, coloured by visit status."""
    html = client.get(f"/commander/patrol?day={DAY}", headers=basic("commander")).get_data(as_text=True)
    assert f"/commander/patrol/places?day={DAY}" in html and "最后位置 " not in html   # no team's popup inline
    for role in ("commander", "planner", "leader", "admin"):   # every signed-in role reads pages
        resp = client.get(f"/commander/patrol/places?day={DAY}", headers=basic(role))
        assert resp.status_code == 200, role
    places = resp.get_json()
    assert {k: len(v["features"]) for k, v in places.items()} == {"positions": 2, "hotspots": 2, "schools": 2}
    assert {f["properties"]["color"] for f in places["hotspots"]["features"]} <= {c for c, _ in STATUS.values()}
    assert client.get(f"/commander/patrol/places?day={DAY}").status_code in (302, 401)   # signed out
    for bad in ("2026-13-01", "9999-12-31x", "[]", "NaN"):
        resp = client.get(f"/commander/patrol/places?day={bad}", headers=basic("commander"))
        assert resp.status_code == 400 and "day" in resp.get_data(as_text=True), bad


def test_plan_lists_stops_with_clock_times(county, client):
    expected = client.get("/api/patrol/routes/plan?team=T1", headers=basic("leader")).get_json()
    resp = client.get("/commander/patrol/plan/T1?start=08:30&stops=hotspots,schools", headers=basic("leader"))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    table = html[html.index('id="plan-stops"'):html.index("</table>", html.index('id="plan-stops"'))]
    start = datetime(2000, 1, 1, 8, 30)
    for stop in expected["stops"]:
        arrive = start + timedelta(minutes=stop["arrival_min"])
        leave = start + timedelta(minutes=stop["departure_min"])
        kind = {"hotspot": "乱点", "school": "学校"}[stop["kind"]]
        assert (f"<td>{stop['order']}</td><td>{kind}</td><td>{stop['name']}</td>"
                f"<td>{arrive:%H:%M}</td><td>{leave:%H:%M}</td>") in table
    assert f"全程 <b>{expected['length_m'] / 1000:.1f} 公里</b>" in html and "可在班次内完成" in html
    assert "pt-stop pt-stop-hotspot" in html and "pt-plan-route" in html
    assert "@media print" in client.get("/static/patrol.css").get_data(as_text=True)
    assert 'id="save-plan"' not in html                      # leaders plan, they do not save
    only = client.get("/commander/patrol/plan/T1?start=08:00&stops=schools", headers=basic("planner"))
    stops = only.get_data(as_text=True).split('id="plan-stops"')[1]
    assert "一小" in stops and "集市" not in stops
    assert client.get("/commander/patrol/plan/T1?start=8h", headers=basic("leader")).status_code == 400
    assert client.get("/commander/patrol/plan/NOPE", headers=basic("leader")).status_code == 404
    assert client.get("/commander/patrol/plan/V1", headers=basic("leader")).status_code == 400  # no base


def test_commander_saves_plan_as_route(county, client, conn):
    page = client.get("/commander/patrol/plan/T1?start=08:00", headers=basic("commander")).get_data(as_text=True)
    assert 'id="save-plan"' in page and 'value="08:00-16:00"' in page
    form = {"start": "08:00", "stops": "hotspots,schools", "stop_minutes": "15", "shift_minutes": "480",
            "code": "T1-P0800", "name": "甲镇计划路线", "shift": "08:00-16:00"}
    assert client.post("/commander/patrol/plan/T1", data=form, headers=basic("leader")).status_code == 403
    assert client.post("/commander/patrol/plan/T1", data=form, headers=basic("planner")).status_code == 403
    resp = client.post("/commander/patrol/plan/T1", data=form, headers=basic("commander"))
    assert resp.status_code == 302 and "/commander/patrol/plan/T1?start=08:00" in resp.headers["Location"]
    with conn.cursor() as cur:
        cur.execute("SELECT team_code, name, shift, township_code, ST_Length(geom::geography),"
                    " props->>'saved_by' FROM patrol_routes WHERE code = 'T1-P0800'")
        team, name, shift, town, length, who = cur.fetchone()
    plan = client.get("/api/patrol/routes/plan?team=T1", headers=basic("commander")).get_json()
    assert (team, name, shift, town, who) == ("T1", "甲镇计划路线", "08:00-16:00", "410999001", "commander")
    assert length == pytest.approx(plan["length_m"], rel=0.01)
    # saving again updates; a code that belongs to another team's route is refused
    client.post("/commander/patrol/plan/T1", data={**form, "shift": "09:00-17:00"}, headers=basic("commander"))
    client.post("/commander/patrol/plan/T1", data={**form, "code": "P2"}, headers=basic("admin"))
    with conn.cursor() as cur:
        cur.execute("SELECT code, team_code, shift FROM patrol_routes ORDER BY code")
        assert cur.fetchall() == [("P1", "T1", "08:00-16:00"), ("P2", "T2", "18:00-24:00"),
                                  ("T1-P0800", "T1", "09:00-17:00")]
    missing = client.post("/commander/patrol/plan/T1", data={**form, "name": " "}, headers=basic("commander"))
    assert missing.status_code == 302


def test_page_of_an_empty_county(app, client):
    resp = client.get("/commander/patrol", headers=basic("commander"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "挂牌乱点 0 个" in html and 'id="patrol-alerts"' in html
    assert "行政村 0 个" in html and "没有挂牌或整治中的乱点" in html


@pytest.mark.parametrize("unit, tz", [("ns", None), ("us", None), ("s", None), ("us", "Asia/Shanghai")])
def test_drawn_track_breaks_at_gaps_whatever_the_time_unit(unit, tz):
    import numpy as np
    import pandas as pd

    from web.maps.patrol import track_features

    times = pd.DatetimeIndex(pd.to_datetime(["2026-01-01 08:00", "2026-01-01 08:01", "2026-01-01 08:10",
                                             "2026-01-01 09:00", "2026-01-01 09:01"]).as_unit(unit))
    if tz:
        times = times.tz_localize(tz)
    team = np.array(["A"] * 5)
    lines, positions = track_features(team, times, np.linspace(111.5, 111.6, 5), np.array([33.8, 33.81, 33.8, 33.81, 33.8]), {}, {})
    assert [len(part) for part in lines[0]["geometry"]["coordinates"]] == [3, 2]  # broken at the 50-minute gap
    assert len(positions) == 1
