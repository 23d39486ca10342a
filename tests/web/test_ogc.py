"""OGC API - Features (read) under /ogc, against the real database, and read by GDAL."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from layers import store
from layers.catalog import LAYERS
from layers.db import transaction
from tests.conftest import PASSWORD, basic, serve

COUNTY = "410999"  # the app's default COUNTY_CODE
OTHER_COUNTY = "410000"
CST = timezone(timedelta(hours=8))
CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
N_INCIDENTS = 25
TRACK_TIMES = [datetime(2026, 11, 20, 8, 0, tzinfo=CST) + timedelta(minutes=5 * i)
               for i in range(3)]
TRACK_CODE = "T001@2026-11-20T08:00:00+08:00"


def _frame(rows: list[dict], geoms=None):
    df = pd.DataFrame(rows)
    df["props"] = [{} for _ in rows] if "props" not in df else df["props"]
    if geoms is None:
        return df
    return gpd.GeoDataFrame(df, geometry=list(geoms), crs="EPSG:4326")


def _incident_time(i: int) -> datetime:
    return datetime(2026, 11, 1, 10, 0, tzinfo=CST) + timedelta(days=i)


def county_frames() -> dict:
    """A small known county: at least one feature in every layer."""
    incidents = [{"code": f"I{i:03d}", "occurred_at": _incident_time(i),
                  "category": "theft" if i % 2 else "dispute"} for i in range(N_INCIDENTS)]
    return {
        "townships": _frame([{"code": "T1", "name": "东镇"}, {"code": "T2", "name": "西镇"}],
                            [box(113.0, 34.0, 113.1, 34.1), box(113.2, 34.0, 113.3, 34.1)]),
        "villages": _frame([{"code": "V1", "name": "一村", "township_code": "T1", "remote": True,
                             "population": 120, "remediated_on": date(2026, 5, 1),
                             "props": {"note": "extra column"}}],
                           [box(113.0, 34.0, 113.05, 34.05)]),
        # whole numbers first, a fraction on a later page: GDAL must read a real field
        "cameras": _frame([{"code": f"C{i}", "name": f"摄像机{i}", "kind": "dome",
                            "azimuth": 90.0 if i < 3 else 45.5, "fov": 60.0, "range_m": 100.0,
                            "status": "working", "networked": True,
                            "installed_on": date(2026, 1, i)} for i in range(1, 4)],
                          [Point(113.01 + 0.01 * i, 34.05) for i in range(1, 4)]),
        "incidents": _frame(incidents, [Point(113.001 + 0.01 * i, 34.02) for i in range(N_INCIDENTS)]),
        "schools": _frame([{"code": "S1", "name": "一小"}, {"code": "S2", "name": "二中"}],
                          [Point(113.02, 34.03), box(113.22, 34.02, 113.23, 34.03)]),
        "roads": _frame([{"code": "R1", "name": "县道", "class": "county"}],
                        [LineString([(113.0, 34.0), (113.3, 34.1)])]),
        "patrol_teams": _frame([
            {"code": "P1", "name": "东镇专职队", "kind": "township_fulltime",
             "township_code": "T1", "members": 15},
            {"code": "P2", "name": "一村义务队", "kind": "village_volunteer",
             "township_code": "T1", "village_code": "V1", "members": 6}]),
        "patrol_routes": _frame([{"code": "PR1", "name": "东线", "team_code": "P1", "shift": "day"}],
                                [LineString([(113.01, 34.01), (113.05, 34.05)])]),
        "patrol_tracks": _frame([{"code": f"T001@{t.isoformat()}", "team_code": "T001",
                                  "recorded_at": t} for t in TRACK_TIMES],
                                [Point(113.02 + 0.001 * i, 34.03) for i in range(3)]),
        "hotspots": _frame([{"code": "H1", "quarter": "2026Q3", "level": "county",
                             "name": "车站周边", "status": "listed", "unit": "派出所",
                             "deadline": date(2026, 12, 31)}],
                           [box(113.03, 34.03, 113.04, 34.04)]),
        "grids": _frame([{"code": "G1", "name": "一村第1网格", "village_code": "V1", "member": "张三",
                          "member_phone": "13800000000"}], [box(113.0, 34.0, 113.05, 34.05)]),
    }


@pytest.fixture
def county(app):
    """The known county, committed (the app reads through its own connections)."""
    frames = county_frames()
    assert set(frames) == set(LAYERS)
    with transaction(app.config["RESOLVED_DATABASE_URL"]) as conn:
        for name, frame in frames.items():
            store.upsert_layer(conn, LAYERS[name], frame, COUNTY)
        # a feature of another county, where ours are: never served
        store.upsert_layer(conn, LAYERS["incidents"], _frame(
            [{"code": "X001", "occurred_at": _incident_time(0), "category": "theft"}],
            [Point(113.001, 34.02)]), OTHER_COUNTY)
    return frames


def get(client, path, role="leader", **kw):
    return client.get(path, headers={**basic(role), **kw.pop("headers", {})}, **kw)


def links(doc, rel):
    return [link for link in doc["links"] if link["rel"] == rel]


def codes(doc):
    return [f["id"] for f in doc["features"]]


# --- landing, conformance, API description --------------------------------


def test_landing_page_links(client):
    resp = get(client, "/ogc/")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    doc = resp.get_json()
    assert doc["title"]
    rels = {link["rel"]: link for link in doc["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    for rel, path in (("service-desc", "/ogc/api"), ("conformance", "/ogc/conformance"),
                      ("data", "/ogc/collections")):
        assert urlsplit(rels[rel]["href"]).path == path
    # the landing page without its slash, as clients are given it
    assert get(client, "/ogc").status_code == 200


def test_conformance_classes(client):
    doc = get(client, "/ogc/conformance").get_json()
    assert {CONF + c for c in ("core", "geojson", "html", "oas30")} <= set(doc["conformsTo"])


def _resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            assert part in node, f"unresolved $ref {ref}"
            node = node[part]
    return node


def _check_refs(doc, node):
    if isinstance(node, dict):
        if "$ref" in node:
            _resolve(doc, node)
        for value in node.values():
            _check_refs(doc, value)
    elif isinstance(node, list):
        for value in node:
            _check_refs(doc, value)


def test_openapi_document_describes_every_path(client):
    resp = get(client, "/ogc/api")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    doc = json.loads(resp.get_data(as_text=True))
    assert doc["openapi"].startswith("3.0.")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert urlsplit(doc["servers"][0]["url"]).path == "/ogc"
    _check_refs(doc, doc)
    expected = {"/", "/conformance", "/api", "/collections"}
    for name, layer in LAYERS.items():
        expected |= {f"/collections/{name}", f"/collections/{name}/items",
                     f"/collections/{name}/schema",
                     f"/collections/{name}/items/{{featureId}}"}
    assert expected <= set(doc["paths"])
    op_ids = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            op_ids.append(op["operationId"])
            assert "200" in op["responses"], path
            for resp_ in op["responses"].values():
                assert "description" in _resolve(doc, resp_)
            params = [_resolve(doc, p) for p in op.get("parameters", [])]
            for p in params:
                assert {"name", "in", "schema"} <= set(p), (path, p)
                if p["in"] == "path":
                    assert p["required"] is True and "{" + p["name"] + "}" in path
    assert len(op_ids) == len(set(op_ids))
    items = doc["paths"]["/collections/incidents/items"]["get"]["parameters"]
    names = {_resolve(doc, p)["name"] for p in items}
    queryable = {"code", "occurred_at", "category", "focus", "township_code", "village_code", "civil_to_criminal",
                 "dispute_homicide"}
    assert names == {"f", "bbox", "bbox-crs", "crs", "limit", "offset", "datetime", "sortby", "properties",
                     "skipGeometry", "filter", "filter-lang", "filter-crs"} | queryable
    limit = _resolve(doc, {"$ref": "#/components/parameters/limit"})
    assert limit["schema"]["maximum"] == 10000 and limit["schema"]["default"] == 100
    town_items = doc["paths"]["/collections/townships/items"]["get"]["parameters"]
    assert "datetime" not in {_resolve(doc, p)["name"] for p in town_items}
    # every error an operation can answer is documented, as OGC's exception
    exception = doc["components"]["schemas"]["exception"]
    assert exception["required"] == ["code", "description"]
    for path, item in doc["paths"].items():
        errors = {"400", "401", "429", "500", "503"} | ({"404"} if "{featureId}" in path else set())
        assert set(item["get"]["responses"]) == {"200"} | errors, path
        for status in errors:
            content = _resolve(doc, item["get"]["responses"][status])["content"]
            assert content == {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}


# --- collections ------------------------------------------------------------


def test_collections_with_extents(client, county):
    doc = get(client, "/ogc/collections").get_json()
    by_id = {c["id"]: c for c in doc["collections"]}
    assert set(by_id) == set(LAYERS)
    assert links(doc, "self")
    for name, c in by_id.items():
        assert c["title"] == LAYERS[name].title and c["description"]
        assert c["itemType"] == "feature" and c["crs"][0] == CRS84 and c["storageCrs"] == CRS84
        rels = {(link["rel"], link["type"]) for link in c["links"]}
        assert {("items", "application/geo+json"), ("self", "application/json"),
                ("alternate", "text/html")} <= rels
    bbox = by_id["townships"]["extent"]["spatial"]["bbox"][0]
    assert bbox == pytest.approx([113.0, 34.0, 113.3, 34.1], abs=1e-4)
    assert by_id["townships"]["extent"]["spatial"]["crs"] == CRS84
    assert "temporal" not in by_id["townships"]["extent"]
    interval = by_id["incidents"]["extent"]["temporal"]["interval"][0]
    assert datetime.fromisoformat(interval[0]) == _incident_time(0)
    assert datetime.fromisoformat(interval[1]) == _incident_time(N_INCIDENTS - 1)
    cams = by_id["cameras"]["extent"]["temporal"]["interval"][0]
    assert cams[0].startswith("2026-01-01T00:00:00") and cams[1].startswith("2026-01-03")
    assert "spatial" not in by_id["patrol_teams"].get("extent", {})


def test_one_collection_and_unknown(client, county):
    resp = get(client, "/ogc/collections/hotspots")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["id"] == "hotspots" and doc["title"] == "治安乱点"
    assert doc["extent"]["spatial"]["bbox"][0] == pytest.approx([113.03, 34.03, 113.04, 34.04],
                                                                abs=1e-4)
    item_link = [link for link in links(doc, "items") if link["type"] == "application/geo+json"]
    # a bare URL: GDAL appends "/{id}" to it
    assert item_link[0]["href"] == "http://localhost/ogc/collections/hotspots/items"
    for path in ("/ogc/collections/nope", "/ogc/collections/nope/items",
                 "/ogc/collections/nope/items/X"):
        resp = get(client, path)
        assert resp.status_code == 404, path
        assert "nope" in resp.get_json()["message"]


def test_feature_schema(client):
    doc = get(client, "/ogc/collections/cameras").get_json()
    described = [link for link in doc["links"] if link["rel"].lower() == "describedby"]
    assert described[0]["type"] == "application/schema+json"
    resp = get(client, urlsplit(described[0]["href"]).path)
    assert resp.status_code == 200 and resp.mimetype == "application/schema+json"
    schema = json.loads(resp.get_data(as_text=True))
    props = schema["properties"]["properties"]["properties"]
    assert list(props)[:2] == ["code", "name"]
    assert props["azimuth"]["type"] == "number" and props["range_m"]["type"] == "number"
    assert props["networked"]["type"] == "boolean"
    assert props["installed_on"] == {"title": "安装日期", "type": "string", "format": "date"}
    assert props["status"]["enum"] == ["working", "faulty", "offline"]
    teams = json.loads(get(client, "/ogc/collections/patrol_teams/schema").get_data(as_text=True))
    assert teams["properties"]["geometry"]["type"] == "null"
    assert teams["properties"]["properties"]["properties"]["members"]["type"] == "integer"
    tracks = json.loads(get(client, "/ogc/collections/patrol_tracks/schema").get_data(as_text=True))
    assert tracks["properties"]["properties"]["properties"]["recorded_at"]["format"] == "date-time"
    assert get(client, "/ogc/collections/nope/schema").status_code == 404


def test_empty_layer_still_has_a_collection(client):
    doc = get(client, "/ogc/collections/incidents").get_json()
    assert doc["id"] == "incidents"
    assert doc["extent"]["temporal"]["interval"] == [[None, None]]
    items = get(client, "/ogc/collections/incidents/items").get_json()
    assert items["features"] == [] and items["numberMatched"] == 0
    assert not links(items, "next")


# --- items ------------------------------------------------------------------


def test_items_are_geojson_of_this_county(client, county):
    resp = get(client, "/ogc/collections/incidents/items")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    doc = resp.get_json()
    assert doc["type"] == "FeatureCollection"
    assert doc["numberMatched"] == N_INCIDENTS and doc["numberReturned"] == N_INCIDENTS
    assert "X001" not in codes(doc)
    assert datetime.fromisoformat(doc["timeStamp"].replace("Z", "+00:00"))
    first = doc["features"][0]
    assert first["type"] == "Feature" and first["id"] == "I000"
    assert first["geometry"] == {"type": "Point", "coordinates": [113.001, 34.02]}
    assert datetime.fromisoformat(first["properties"]["occurred_at"]) == _incident_time(0)
    assert first["properties"]["category"] == "dispute"
    village = get(client, "/ogc/collections/villages/items").get_json()["features"][0]
    assert village["properties"]["remediated_on"] == "2026-05-01"
    assert village["properties"]["remote"] is True
    assert village["properties"]["note"] == "extra column"
    assert village["geometry"]["type"] == "MultiPolygon"
    teams = get(client, "/ogc/collections/patrol_teams/items").get_json()
    assert codes(teams) == ["P1", "P2"]
    assert all(f["geometry"] is None for f in teams["features"])


def _query(href):
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def test_paging_with_limit_offset_and_links(client, county):
    doc = get(client, "/ogc/collections/incidents/items?limit=10").get_json()
    assert codes(doc) == [f"I{i:03d}" for i in range(10)]
    assert doc["numberMatched"] == N_INCIDENTS and doc["numberReturned"] == 10
    assert not links(doc, "prev")
    seen = codes(doc)
    nxt = [link for link in links(doc, "next") if link["type"] == "application/geo+json"]
    while nxt:
        href = nxt[0]["href"]
        assert _query(href)["limit"] == "10"
        doc = get(client, href).get_json()
        assert links(doc, "prev")
        seen += codes(doc)
        nxt = [link for link in links(doc, "next") if link["type"] == "application/geo+json"]
    assert seen == [f"I{i:03d}" for i in range(N_INCIDENTS)]
    assert doc["numberReturned"] == 5
    doc = get(client, "/ogc/collections/incidents/items?limit=10&offset=20").get_json()
    assert codes(doc) == [f"I{i:03d}" for i in range(20, 25)] and not links(doc, "next")
    prev = [link for link in links(doc, "prev") if link["type"] == "application/geo+json"]
    assert _query(prev[0]["href"])["offset"] == "10"
    doc = get(client, "/ogc/collections/incidents/items?offset=100").get_json()
    assert doc["features"] == [] and doc["numberMatched"] == N_INCIDENTS
    # the maximum is served; above it is refused, as the OpenAPI document says
    doc = get(client, "/ogc/collections/incidents/items?limit=10000").get_json()
    assert doc["numberReturned"] == N_INCIDENTS
    assert _query(links(doc, "self")[0]["href"])["limit"] == "10000"
    for above in ("10001", "99999999999999999999"):
        resp = get(client, "/ogc/collections/incidents/items?limit=" + above)
        assert resp.status_code == 400 and resp.get_json()["code"] == "InvalidParameterValue"


def test_next_link_keeps_the_filters(client, county):
    doc = get(client, "/ogc/collections/incidents/items?limit=2&bbox=113.0,34.0,113.1,34.1"
                      "&datetime=2026-11-01/..").get_json()
    assert doc["numberMatched"] == 10  # I000..I009 lie west of 113.1
    query = _query(links(doc, "next")[0]["href"])
    assert query["bbox"] == "113.0,34.0,113.1,34.1" and query["datetime"] == "2026-11-01/.."
    assert query["offset"] == "2"


def test_bbox_filter(client, county):
    doc = get(client, "/ogc/collections/incidents/items?bbox=113.0,34.0,113.045,34.1").get_json()
    assert codes(doc) == ["I000", "I001", "I002", "I003", "I004"]
    doc = get(client, "/ogc/collections/schools/items?bbox=113.225,34.025,113.3,34.1").get_json()
    assert codes(doc) == ["S2"]  # the polygon reaches into the box
    # a diagonal road whose envelope, but not line, meets the box is left out
    doc = get(client, "/ogc/collections/roads/items?bbox=113.0,34.08,113.02,34.1").get_json()
    assert codes(doc) == []
    doc = get(client, "/ogc/collections/roads/items?bbox=113.1,34.0,113.2,34.1").get_json()
    assert codes(doc) == ["R1"]
    # six numbers: heights are ignored
    doc = get(client, "/ogc/collections/schools/items?bbox=113.0,34.0,0,113.1,34.1,100").get_json()
    assert codes(doc) == ["S1"]
    doc = get(client, "/ogc/collections/townships/items?bbox=100,20,101,21").get_json()
    assert doc["numberMatched"] == 0


def test_bbox_beyond_the_world_is_cut_to_it(client, county):
    """Any four (or six) numbers are a box: what lies beyond ±180/±90 is read as the edge,
    a south edge north of the north edge holds nothing, west > east crosses 180°."""
    items = "/ogc/collections/townships/items?bbox="
    assert get(client, items + "-1e308,-1e308,1e308,1e308").get_json()["numberMatched"] == 2
    assert get(client, items + "113,34,200,35").get_json()["numberMatched"] == 2
    assert codes(get(client, items + "113.15,-95,999,34.05").get_json()) == ["T2"]
    assert codes(get(client, items + "113.25,-90,113.05,90").get_json()) == ["T1", "T2"]  # across 180°
    doc = get(client, items + "113,34.1,113.1,34").get_json()
    assert doc["numberMatched"] == 0 and doc["features"] == []


def test_datetime_filter(client, county):
    url = "/ogc/collections/incidents/items?datetime="
    # an instant
    doc = get(client, url + "2026-11-03T02:00:00Z").get_json()
    assert codes(doc) == ["I002"]
    doc = get(client, url + "2026-11-03T10:00:00%2B08:00").get_json()
    assert codes(doc) == ["I002"]
    doc = get(client, url + "2026-11-03T10:00:01%2B08:00").get_json()
    assert codes(doc) == []
    # a date is the whole local day (GDAL sends it as "2026-11-03T")
    assert codes(get(client, url + "2026-11-03").get_json()) == ["I002"]
    assert codes(get(client, url + "2026-11-03T").get_json()) == ["I002"]
    # closed interval, both ends included
    doc = get(client, url + "2026-11-03T10:00:00%2B08:00/2026-11-05T10:00:00%2B08:00").get_json()
    assert codes(doc) == ["I002", "I003", "I004"]
    # open ends
    doc = get(client, url + "2026-11-23T00:00:00Z/..").get_json()
    assert codes(doc) == ["I022", "I023", "I024"]
    doc = get(client, url + "../2026-11-02T12:00:00%2B08:00").get_json()
    assert codes(doc) == ["I000", "I001"]
    doc = get(client, url + "/2026-11-01").get_json()
    assert codes(doc) == ["I000"]
    assert get(client, url + "../..").get_json()["numberMatched"] == N_INCIDENTS
    # an unencoded '+' arrives as a space: still read as the offset
    assert codes(get(client, url + "2026-11-03T10:00:00+08:00").get_json()) == ["I002"]
    # an interval that ends before it starts holds nothing; the calendar's ends are served
    for empty in ("2026-11-05/2026-11-01", "2026-11-03T10:00:00Z/2026-11-03T09:00:00Z", "9999-12-31",
                  "0001-01-01T00:00:00%2B15:59", "9999-12-31T23:59:59.999999999-15:59/.."):
        resp = get(client, url + empty)
        assert resp.status_code == 200 and resp.get_json()["numberMatched"] == 0, empty
    assert get(client, url + "0001-01-01/9999-12-31").get_json()["numberMatched"] == N_INCIDENTS
    assert codes(get(client, url + "2028-02-29/..").get_json()) == []
    # dates of cameras' installation: a day meets an interval when they overlap
    cams = "/ogc/collections/cameras/items?datetime="
    assert codes(get(client, cams + "2026-01-02T15:00:00%2B08:00").get_json()) == ["C2"]
    assert codes(get(client, cams + "2026-01-02T12:00:00Z/..").get_json()) == ["C2", "C3"]
    assert codes(get(client, cams + "../2026-01-01").get_json()) == ["C1"]
    # within one day, but ending before it starts: nothing, though the day meets both ends
    assert codes(get(client, cams + "2026-01-02T15:00:00%2B08:00/2026-01-02T10:00:00%2B08:00").get_json()) == []
    tracks = "/ogc/collections/patrol_tracks/items?datetime=2026-11-20T00:05:00Z/2026-11-20T00:10:00Z"
    assert codes(get(client, tracks).get_json()) == [
        "T001@2026-11-20T08:05:00+08:00", "T001@2026-11-20T08:10:00+08:00"]


BAD_QUERIES = [
    ("bbox=1,2,3", "bbox"),
    ("bbox=a,b,c,d", "bbox"),
    ("bbox=113,34,113.1", "bbox"),
    ("bbox=113,34,0,113.1,34.1", "bbox"),
    ("bbox=113,34,0,113.1,34.1,1,2", "bbox"),
    ("bbox=nan,34,113.1,35", "bbox"),
    ("bbox=inf,34,113.1,35", "bbox"),
    ("bbox=113,34,113.1,", "bbox"),
    ("bbox=1_13,34,113.1,35", "bbox"),
    ("limit=0", "limit"),
    ("limit=-1", "limit"),
    ("limit=ten", "limit"),
    ("limit=1.5", "limit"),
    ("limit=10001", "limit"),
    ("limit=%2B5", "limit"),
    ("limit=%D9%A3", "limit"),  # an Arabic-Indic three
    ("offset=-1", "offset"),
    ("offset=x", "offset"),
    ("offset=99999999999999999999", "offset"),
    ("datetime=yesterday", "datetime"),
    ("datetime=2026-13-01", "datetime"),
    ("datetime=2026-11-01/2026-11-02/2026-11-03", "datetime"),
    ("datetime=..", "datetime"),
    ("datetime=", "datetime"),
    ("datetime=2026-02-29", "datetime"),
    ("datetime=2100-02-29", "datetime"),
    ("datetime=0000-01-01", "datetime"),
    ("datetime=2026-11-20T24:00:00Z", "datetime"),
    ("datetime=2026-11-20T08:00:00%2B16:00", "datetime"),
    ("datetime=%202026-11-20", "datetime"),
    ("f=xml", "f"),
    ("colour=red", "colour"),
    ("limit=1&limit=2", "limit"),
]


def test_bad_parameters_are_400(client, county):
    # one test for all cases: each test pays for a fresh app and database
    for query, word in BAD_QUERIES:
        resp = get(client, "/ogc/collections/incidents/items?" + query)
        assert resp.status_code == 400, query
        body = resp.get_json()
        assert body["error"] == "bad_request" and body["code"] == "InvalidParameterValue", query
        assert word in body["message"], (query, body["message"])
    # datetime where the layer has no time
    resp = get(client, "/ogc/collections/townships/items?datetime=2026-11-01")
    assert resp.status_code == 400
    assert "datetime" in resp.get_json()["message"]
    # every path refuses what it does not declare (OGC /req/core/query-param-unknown)
    for path in ("/ogc/", "/ogc/conformance", "/ogc/api", "/ogc/collections", "/ogc/collections/cameras",
                 "/ogc/collections/cameras/schema", "/ogc/collections/cameras/items/C1"):
        for query in ("colour=red", "f=json&f=json", "limit=10"):
            resp = get(client, f"{path}?{query}")
            assert resp.status_code == 400, (path, query)
            assert set(resp.get_json()) >= {"code", "description"}, (path, query)
    for path in ("/ogc/api", "/ogc/collections/cameras/schema"):
        assert get(client, path + "?f=html").status_code == 400, path


# --- one item ---------------------------------------------------------------


def test_one_item_by_code(client, county):
    doc = get(client, "/ogc/collections/hotspots/items/H1").get_json()
    assert doc["type"] == "Feature" and doc["id"] == "H1"
    assert doc["properties"]["deadline"] == "2026-12-31"
    assert doc["properties"]["name"] == "车站周边"
    assert {"self", "collection"} <= {link["rel"] for link in doc["links"]}
    resp = get(client, f"/ogc/collections/patrol_tracks/items/{TRACK_CODE}")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    track = resp.get_json()
    assert track["id"] == TRACK_CODE
    assert datetime.fromisoformat(track["properties"]["recorded_at"]) == TRACK_TIMES[0]
    # the same code percent-encoded, as a careful client sends it
    encoded = TRACK_CODE.replace("@", "%40").replace(":", "%3A").replace("+", "%2B")
    assert get(client, f"/ogc/collections/patrol_tracks/items/{encoded}").get_json()["id"] == TRACK_CODE
    # the self link leads back to it
    self_href = links(track, "self")[0]["href"]
    assert get(client, self_href).get_json()["id"] == TRACK_CODE
    assert get(client, "/ogc/collections/patrol_teams/items/P2").get_json()["geometry"] is None


def test_missing_item_is_404(client, county):
    resp = get(client, "/ogc/collections/hotspots/items/H999")
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    assert "H999" in resp.get_json()["message"]
    # a feature of another county is not found here
    assert get(client, "/ogc/collections/incidents/items/X001").status_code == 404
    assert get(client, "/ogc/collections/hotspots/items/H1?colour=red").status_code == 400


# --- formats ----------------------------------------------------------------


def test_html_pages(client, county):
    for path in ("/ogc/?f=html", "/ogc/conformance?f=html", "/ogc/collections?f=html",
                 "/ogc/collections/cameras?f=html", "/ogc/collections/cameras/items?f=html",
                 "/ogc/collections/cameras/items/C1?f=html",
                 f"/ogc/collections/patrol_tracks/items/{TRACK_CODE}?f=html",
                 "/ogc/collections/patrol_teams/items?f=html"):
        resp = get(client, path)
        assert resp.status_code == 200, path
        assert resp.mimetype == "text/html", path
        html = resp.get_data(as_text=True)
        scripts = re.findall(r'<script\b[^>]*\bsrc="(/static/[^"]*)"', html)
        assert html.count("<script") == len(scripts), path  # the app's own files only, no CDN
        for url in re.findall(r'(?:href|src)="(https?:[^"]*)"', html):
            assert url.startswith("http://localhost/"), (path, url)
    html = get(client, "/ogc/collections/cameras/items?f=html").get_data(as_text=True)
    assert "摄像机1" in html and "球机" in html and "安装日期" in html
    html = get(client, "/ogc/collections/incidents/items?f=html&limit=10").get_data(as_text=True)
    assert "下一页" in html and "共 25 个" in html
    html = get(client, "/ogc/collections?f=html").get_data(as_text=True)
    for layer in LAYERS.values():
        assert layer.title in html


def test_accept_negotiation(client, county):
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    assert get(client, "/ogc/collections/cameras/items", headers=browser).mimetype == "text/html"
    assert get(client, "/ogc/", headers=browser).mimetype == "text/html"
    geo = {"Accept": "application/geo+json"}
    assert get(client, "/ogc/collections/cameras/items", headers=geo).mimetype == "application/geo+json"
    assert get(client, "/ogc/collections/cameras/items",
               headers={"Accept": "*/*"}).mimetype == "application/geo+json"
    # f wins over Accept
    resp = get(client, "/ogc/collections/cameras/items?f=json", headers=browser)
    assert resp.mimetype == "application/geo+json"
    assert get(client, "/ogc/collections?f=json", headers=browser).mimetype == "application/json"


# --- sign-in ----------------------------------------------------------------


def test_every_endpoint_needs_sign_in(client, county):
    for path in ("/ogc", "/ogc/", "/ogc/api", "/ogc/conformance", "/ogc/collections",
                 "/ogc/collections/incidents", "/ogc/collections/incidents/schema",
                 "/ogc/collections/incidents/items",
                 "/ogc/collections/incidents/items/I001", "/ogc/collections/incidents/items?f=html",
                 "/ogc/collections/nope"):
        resp = client.get(path)
        assert resp.status_code == 401, path
        assert resp.headers["WWW-Authenticate"].startswith("Basic"), path
        assert b"I001" not in resp.data
    resp = client.get("/ogc/collections/incidents/items", headers=basic("leader", "wrong"))
    assert resp.status_code == 401
    for role in ("commander", "planner", "leader", "admin"):
        assert get(client, "/ogc/collections/incidents/items", role=role).status_code == 200


def test_throttled_sign_in_is_a_documented_429(client):
    """Wrong passwords, again and again: the sign-in throttle answers 429 with Retry-After,
    as OGC's exception, as the OpenAPI document says every operation may."""
    for _ in range(100):
        resp = client.get("/ogc/collections", headers=basic("leader", "wrong"))
        if resp.status_code != 401:
            break
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    assert {"code", "description"} <= set(resp.get_json())
    assert resp.mimetype == "application/json"


# --- GDAL -------------------------------------------------------------------


@pytest.fixture
def live_server(app):
    """The test app on a free loopback port, in a background thread."""
    with serve(app) as url:
        yield url


def _gdal(tool: str, *args: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is missing: install Debian's gdal-bin (make install)"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    cmd = [path, "--config", "GDAL_HTTP_AUTH", "BASIC",
           "--config", "GDAL_HTTP_USERPWD", f"leader:{PASSWORD}",
           "--config", "GDAL_HTTP_TIMEOUT", "30", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_gdal_reads_every_layer(live_server, county):
    dataset = f"OAPIF:{live_server}/ogc"
    summary = _gdal("ogrinfo", "-ro", "-al", "-so", dataset)
    for name in LAYERS:
        assert f"Layer name: {name}\n" in summary, name
    # every layer's features, through GDAL's paging (a small page size forces next links)
    for name, frame in county.items():
        out = _gdal("ogr2ogr", "-f", "GeoJSON", "/vsistdout/", dataset, name,
                    "-oo", "PAGE_SIZE=2")
        doc = json.loads(out)
        assert len(doc["features"]) == len(frame), name
        got = sorted(str(f["properties"]["code"]) for f in doc["features"])
        assert got == sorted(frame["code"]), name
        if LAYERS[name].geometry:
            assert all(f["geometry"] for f in doc["features"]), name
        if name == "cameras":
            azimuths = {f["properties"]["code"]: f["properties"]["azimuth"] for f in doc["features"]}
            assert azimuths == {"C1": 90, "C2": 90, "C3": 45.5}
    # field types come from the schema, not from the first page
    summary = _gdal("ogrinfo", "-ro", "-so", dataset, "cameras")
    assert "azimuth: Real" in summary and "installed_on: Date" in summary
    assert "networked: Integer(Boolean)" in summary
    # GDAL sends a filter on a date field to the server (a CQL filter: occurred_at >= '2026-11-23T')
    out = _gdal("ogrinfo", "-ro", "-q", "-al", "-where", "occurred_at >= '2026-11-23'",
                dataset, "incidents")
    assert out.count("OGRFeature(incidents)") == 3
    out = _gdal("ogrinfo", "-ro", "-q", "-al", "-where", "installed_on <= '2026-01-02'",
                dataset, "cameras")
    assert out.count("OGRFeature(cameras)") == 2
    # and a filter on the id to one item, with the '@', ':' and '+' of a track's code
    out = _gdal("ogrinfo", "-ro", "-q", "-al", "-where", f"id = '{TRACK_CODE}'",
                dataset, "patrol_tracks")
    assert out.count("OGRFeature(patrol_tracks)") == 1 and TRACK_CODE in out
    # GDAL's own bbox filter goes to the server's bbox parameter
    out = _gdal("ogrinfo", "-ro", "-q", "-al", "-spat", "113.0", "34.0", "113.045", "34.1",
                dataset, "incidents")
    assert out.count("OGRFeature(incidents)") == 5
