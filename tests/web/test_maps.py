"""The map shell: rendered HTML, local assets only, titles, popups, views, tiles."""
from __future__ import annotations

import importlib.util
import json
import re
from html.parser import HTMLParser

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from layers import store
from layers.catalog import LAYERS
from layers.db import transaction
from tests.conftest import basic
from layers.catalog import overlays as catalog_overlays
from web.maps import SECTOR_TITLE, display_value

COUNTY = "410999"
TILE_URL = "http://tiles.county.lan/{z}/{x}/{y}.png"
LATEST = pd.Timestamp("2026-05-20 18:00", tz="Asia/Shanghai")
X0, Y0 = 111.60, 33.80


def _frame(rows, geometry):
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geometry, crs="EPSG:4326")
    frame["props"] = [{} for _ in range(len(frame))]
    return frame


def small_county() -> dict[str, gpd.GeoDataFrame]:
    """A two-township county with a few features of every layer (EPSG:4326)."""
    t = LATEST
    track_times = [t - pd.Timedelta(minutes=m) for m in (30, 20, 10)]
    return {
        "townships": _frame([{"code": "T1", "name": "城关镇"}, {"code": "T2", "name": "河口乡"}],
                            [box(X0, Y0, X0 + 0.1, Y0 + 0.1), box(X0 + 0.1, Y0, X0 + 0.3, Y0 + 0.1)]),
        "villages": _frame([
            {"code": "V1", "name": "东关村", "township_code": "T1", "remote": False, "population": 2100},
            {"code": "V2", "name": "石岭村", "township_code": "T2", "remote": True, "population": 380},
            {"code": "V3", "name": "柳沟村", "township_code": "T2", "remote": True, "population": 420,
             "remediated_on": "2026-04-10"},
        ], [box(X0, Y0, X0 + 0.05, Y0 + 0.05), box(X0 + 0.1, Y0, X0 + 0.15, Y0 + 0.05),
            box(X0 + 0.2, Y0, X0 + 0.25, Y0 + 0.05)]),
        "cameras": _frame([
            {"code": "C1", "name": "东关路口", "kind": "fixed", "azimuth": 90.0, "fov": 60.0,
             "range_m": 150.0, "status": "working", "networked": True, "installed_on": "2024-05-01"},
            {"code": "C2", "name": "石岭村委", "kind": "dome", "azimuth": None, "fov": 360.0,
             "range_m": 80.0, "status": "faulty", "networked": True},
            {"code": "C3", "name": "柳沟桥", "kind": "checkpoint", "azimuth": 0.0, "fov": 40.0,
             "range_m": 120.0, "status": "offline", "networked": False},
        ], [Point(X0 + 0.02, Y0 + 0.02), Point(X0 + 0.12, Y0 + 0.02), Point(X0 + 0.22, Y0 + 0.02)]),
        "incidents": _frame([
            {"code": "I1", "occurred_at": t, "category": "theft"},
            {"code": "I2", "occurred_at": t - pd.Timedelta(days=30), "category": "telecom_fraud"},
            {"code": "I3", "occurred_at": t - pd.Timedelta(days=200), "category": "assault"},
        ], [Point(X0 + 0.03, Y0 + 0.03), Point(X0 + 0.13, Y0 + 0.03), Point(X0 + 0.23, Y0 + 0.03)]),
        "schools": _frame([{"code": "S1", "name": "<b>城关一小</b>"}, {"code": "S2", "name": "河口中学"}],
                          [Point(X0 + 0.04, Y0 + 0.06), box(X0 + 0.14, Y0 + 0.06, X0 + 0.145, Y0 + 0.065)]),
        "roads": _frame([
            {"code": "R1", "name": "G209", "class": "national"},
            {"code": "R2", "name": "X012", "class": "county"},
            {"code": "R3", "name": "石岭路", "class": "village"},
            {"code": "R4", "name": "{{ 7*7 }}路", "class": "{% if 1 %}机耕路{% endif %}"},
        ], [LineString([(X0, Y0 + 0.07), (X0 + 0.3, Y0 + 0.07)]),
            LineString([(X0 + 0.1, Y0), (X0 + 0.1, Y0 + 0.1)]),
            LineString([(X0 + 0.2, Y0 + 0.02), (X0 + 0.25, Y0 + 0.02)]),
            LineString([(X0 + 0.12, Y0 + 0.02), (X0 + 0.12, Y0 + 0.07)])]),
        "patrol_teams": _frame([
            {"code": "P1", "name": "城关镇专职巡防队", "kind": "township_fulltime", "township_code": "T1",
             "members": 16},
            {"code": "P2", "name": "石岭村义务巡防队", "kind": "village_volunteer", "township_code": "T2",
             "village_code": "V2", "members": 4},
            {"code": "P3", "name": "河口乡专职巡防队", "kind": "township_fulltime", "township_code": "T2",
             "members": 15},
        ], [Point(X0 + 0.05, Y0 + 0.05), Point(X0 + 0.12, Y0 + 0.04), None]),
        "patrol_routes": _frame([{"code": "L1", "name": "城关夜巡", "team_code": "P1", "shift": "夜班"}],
                                [LineString([(X0 + 0.01, Y0 + 0.01), (X0 + 0.05, Y0 + 0.08)])]),
        "patrol_tracks": _frame(
            [{"team_code": "P1", "recorded_at": tt} for tt in track_times]
            + [{"team_code": "P1", "recorded_at": t - pd.Timedelta(days=3)}],
            [Point(X0 + 0.01, Y0 + 0.01), Point(X0 + 0.02, Y0 + 0.03), Point(X0 + 0.03, Y0 + 0.05),
             Point(X0 + 0.2, Y0 + 0.09)]),
        "hotspots": _frame([
            {"code": "H1", "quarter": "2026Q2", "level": "county", "name": "东关夜市", "status": "listed",
             "unit": "城关派出所", "deadline": "2026-06-30"},
            {"code": "H2", "quarter": "2026Q1", "level": "township", "name": "河口集市", "status": "delisted"},
        ], [box(X0 + 0.03, Y0 + 0.03, X0 + 0.035, Y0 + 0.035), box(X0 + 0.13, Y0 + 0.03, X0 + 0.135, Y0 + 0.035)]),
        "grids": _frame([{"code": "G1", "name": "东关村第1网格", "village_code": "V1", "member": "张三"}],
                        [box(X0 + 0.03, Y0 + 0.03, X0 + 0.035, Y0 + 0.035)]),
    }


def load_small_county(url: str, county: str = COUNTY) -> None:
    """Write ``small_county()`` to the database at ``url`` and commit."""
    from data.loader import track_codes

    frames = small_county()
    frames["patrol_tracks"]["code"] = track_codes(frames["patrol_tracks"])
    with transaction(url) as conn:
        for name, layer in LAYERS.items():
            store.upsert_layer(conn, layer, frames[name], county, replace=True)
        store.locate(conn, county)


def demo_available() -> bool:
    return importlib.util.find_spec("data.demo") is not None


class _Assets(HTMLParser):
    """src of <script> and href of <link> tags."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def asset_urls(page: str) -> list[str]:
    parser = _Assets()
    parser.feed(page)
    return parser.urls


def overlays(page: str) -> dict[str, str]:
    """{title: JS variable} of the layer control's overlays."""
    block = re.search(r"overlays\s*:\s*\{(.*?)\},\s*\};", page, re.S).group(1)
    return {json.loads(k): v for k, v in re.findall(r'("(?:[^"\\]|\\.)*")\s*:\s*(\w+),', block)}


def tile_overlays(page: str) -> dict[str, dict]:
    """{source name: options} of the page's vector tile overlays (static/vector_layers.js)."""
    found = [json.loads(o) for o in re.findall(r"CountyVector\.layer\(\w+, (\{.*\})\);", page)]
    return {o["name"]: o for o in found}


def setup_of(page: str) -> dict:
    return json.loads(re.search(r"CountyVector\.setup\(\w+, (\{.*\})\);", page).group(1))


@pytest.fixture
def county(app):
    load_small_county(app.config["RESOLVED_DATABASE_URL"], app.config["COUNTY_CODE"])
    return app


def get_page(client, path="/map") -> str:
    resp = client.get(path, headers=basic("admin"))
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_scripts_and_styles_come_from_the_app(county, client):
    page = get_page(client)
    urls = asset_urls(page)
    assert "/vendor/leaflet/dist/leaflet.js" in urls and "/vendor/leaflet/dist/leaflet.css" in urls
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert not re.search(r"https?://", page), re.findall(r"https?://[^\s\"']+", page)
    for name in ("jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers", "@font-face"):
        assert name not in page.lower()
    for url in urls:
        assert client.get(url, headers=basic("admin")).status_code == 200, url


def test_every_layer_is_an_overlay_with_its_chinese_title(county, client):
    titles = overlays(get_page(client))
    for layer in LAYERS.values():
        assert any(t.startswith(layer.title) for t in titles), (layer.title, list(titles))
    assert SECTOR_TITLE in titles
    assert "警情（近90天）" in titles and "巡逻轨迹（2026-05-20）" in titles


def test_overlays_come_from_tiles_with_their_popups_labels(county, client):
    page = get_page(client)
    layers = tile_overlays(page)
    assert set(layers) == {name for name, *_ in catalog_overlays()}
    for name in ("cameras", "villages", "hotspots", "roads", "patrol_teams"):
        labels = {c[1] for c in layers[name]["columns"]}
        assert {c.label for c in LAYERS[name].columns} <= labels, name
        assert layers[name]["url"] == f"/tiles/{name}/{{z}}/{{x}}/{{y}}.mvt"
        assert layers[name]["item"] == f"/ogc/collections/{name}/items/__CODE__?f=json"
    cameras = {c[0]: c for c in layers["cameras"]["columns"]}
    assert cameras["status"][3] == {"working": "正常", "faulty": "故障", "offline": "离线"}
    assert cameras["azimuth"][2] == "bearing" and cameras["range_m"][2] == "distance"
    assert cameras["installed_on"][2] == "date" and cameras["networked"][2] == "bool"
    roads = {c[0]: c for c in layers["roads"]["columns"]}
    assert roads["class"][3]["national"] == "国道"
    # the windows as the tiles take them: incidents of 90 days, tracks of the latest day
    assert layers["incidents"]["url"].endswith("?since=2026-02-19&until=2026-05-20")
    assert layers["patrol_tracks"]["url"].endswith("?since=2026-05-20&until=2026-05-20")
    assert layers["patrol_tracks"]["item"] is None
    names = setup_of(page)["names"]
    assert names["township_code"] == {"T1": "城关镇", "T2": "河口乡"}
    assert names["team_code"]["P1"] == "城关镇专职巡防队"
    # no feature on the page: no coordinates of the data
    assert "111.62" not in page and '"Feature"' not in page


def test_braces_and_markup_in_data_are_not_evaluated(county, client):
    page = get_page(client)
    legend = json.loads(re.search(r"CountyMap\.shell\(\w+, (\{.*\})\);", page).group(1))["legend"]
    assert "其他道路" in legend  # unknown road classes
    assert "{{" not in page and "{%" not in page
    names = setup_of(page)["names"]
    assert names["village_code"]["V1"] == "东关村"
    # a village named with braces or markup reaches the browser as text, intact
    with transaction(county.config["RESOLVED_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("UPDATE villages SET name = %s WHERE code = 'V1'", ("{{ 7*7 }}<b>村</b>",))
    page = get_page(client)
    assert setup_of(page)["names"]["village_code"]["V1"] == "{{ 7*7 }}<b>村</b>"
    setup_call = re.findall(r"CountyVector\.setup\(\w+, (.*)", page)[0]  # without the random map id
    assert "49" not in setup_call and "<b>村" not in page


def test_legend_counts_come_from_the_database(county, client):
    legend = json.loads(re.search(r"CountyMap\.shell\(\w+, (\{.*\})\);", get_page(client)).group(1))["legend"]
    rows = dict(re.findall(r'</span>([^<]+) <span class="note">([\d,]+)</span>', legend))
    assert rows["偏远村（未整治）"] == "1" and rows["偏远村（已整治）"] == "1" and rows["行政村"] == "1"
    assert rows["正常"] == "1" and rows["故障"] == "1" and rows["离线"] == "1"
    assert "2026-02-19 至 2026-05-20，共 2 起" in legend   # the third incident is 200 days old


def test_legend_scale_and_township_zoom(county, client):
    page = get_page(client)
    assert "CountyMap.shell(" in page
    shell = json.loads(re.search(r"CountyMap\.shell\(\w+, (\{.*\})\);", page).group(1))
    assert [t["name"] for t in shell["townships"]] == ["城关镇", "河口乡"]
    assert "图例" in shell["legend"] and "偏远村（未整治）" in shell["legend"]
    assert "故障" in shell["legend"] and "国道" in shell["legend"]
    assert shell["bounds"] == [[pytest.approx(Y0), pytest.approx(X0)],
                               [pytest.approx(Y0 + 0.1), pytest.approx(X0 + 0.3)]]


def test_tiles_only_when_configured(county, client, app):
    assert "L.tileLayer" not in get_page(client)
    app.config.update(TILE_URL=TILE_URL, TILE_ATTRIBUTION="县电子政务外网底图")
    page = get_page(client)
    assert "L.tileLayer" in page and json.dumps(TILE_URL) in page
    others = [u for u in re.findall(r"https?://[^\s\"']+", page) if not u.startswith("http://tiles.county.lan/")]
    assert others == []


@pytest.mark.parametrize("path, shown, hidden", [
    ("/map", {"警情（近90天）", SECTOR_TITLE, "巡逻轨迹（2026-05-20）"}, set()),
    ("/map?preset=commander", {"巡逻路线", "巡防队", "巡逻轨迹（2026-05-20）", "视频监控"}, {"警情（近90天）"}),
    ("/map?preset=planner", {"治安乱点", "警情（近90天）"}, {"巡逻轨迹（2026-05-20）"}),
    ("/map?preset=leader", {"行政村", SECTOR_TITLE}, {"巡逻轨迹（2026-05-20）", "警情（近90天）"}),
])
def test_views_switch_on_their_layers(county, client, path, shown, hidden):
    page = get_page(client, path)
    control = overlays(page)
    assert {layer.title for layer in LAYERS.values()} <= {t.split("（")[0] for t in control}
    added = {t for t, var in control.items() if re.search(rf"\b{var}\.addTo\(", page)}
    assert shown <= added and not hidden & added


def test_empty_county_still_renders(app, client):
    page = get_page(client)
    titles = overlays(page)
    assert "乡镇（无数据）" in titles
    assert not re.search(r"https?://", page)


def test_display_values():
    cam = LAYERS["cameras"]
    assert display_value(cam.column("status"), "offline") == "离线"
    assert display_value(cam.column("networked"), False) == "否"
    assert display_value(cam.column("azimuth"), None) == ""
    inc = LAYERS["incidents"]
    assert display_value(inc.column("occurred_at"), "2026-05-20T02:00:00+00:00") == "2026-05-20 10:00"


@pytest.mark.skipif(not demo_available(), reason="data/demo.py not there yet")
def test_demo_county_page_weight(demo_app):
    page = get_page(demo_app.test_client())
    size = len(page.encode("utf-8"))
    print(f"\ndemo county /map page: {size / 1e3:.1f} KB")
    assert size < 150e3
    assert not re.search(r"https?://", page)
    titles = overlays(page)
    assert all(not t.endswith("（无数据）") for t in titles), titles
