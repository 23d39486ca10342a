"""OGC API - Features Part 3 filtering (CQL2 text and JSON) on a county loaded into the real
database: every expected answer is computed another way, from the rows written (pandas,
shapely) or by SQL over the same table, never written down."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from tests.web.test_ogc import COUNTY, codes, county_frames, get, links
from tests.web.test_ogc_query import N, _all, _sql_count, rows  # noqa: F401  (fixture)

ITEMS = "/ogc/collections/{}/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CONF3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
UTC = timezone.utc
LOCAL = timezone(timedelta(hours=8))


def _with_geometry(rows) -> dict:
    """The rows written, with the points they were written at (as test_ogc_query places them)."""
    inc, cams = rows["incidents"].copy(), rows["cameras"].copy()
    inc["geometry"] = [Point(113.001 + 0.004 * i, 34.02) for i in range(N)]
    cams["geometry"] = [Point(113.01 + 0.01 * i, 34.05) for i in range(len(cams))]
    inc["local_day"] = inc["occurred_at"].map(lambda t: t.astimezone(LOCAL).date())
    return {"incidents": inc, "cameras": cams}


def _filtered(client, layer: str, cql: str, lang: str | None = None, **query) -> dict:
    params = {"filter": cql, "limit": 1000, **query}
    if lang:
        params["filter-lang"] = lang
    resp = get(client, ITEMS.format(layer), query_string=params)
    assert resp.status_code == 200, (cql, resp.get_json())
    return resp.get_json()


def _expect(client, layer: str, cql: str, frame, **query) -> None:
    doc = _filtered(client, layer, cql, **query)
    expected = sorted(frame["code"])
    assert doc["numberMatched"] == len(expected), cql
    assert sorted(codes(doc)) == expected, cql


T0 = datetime(2026, 10, 2, 0, 0, tzinfo=LOCAL)  # the local midnight opening 2 October
CAMERA_CASES = [
    ("status = 'faulty'", lambda c: c["status"] == "faulty"),
    ("status <> 'faulty'", lambda c: c["status"] != "faulty"),
    ("range_m < 105", lambda c: c["range_m"] < 105),
    ("range_m <= 105", lambda c: c["range_m"] <= 105),
    ("range_m > 108", lambda c: c["range_m"] > 108),
    ("range_m >= 108", lambda c: c["range_m"] >= 108),
    ("108 <= range_m", lambda c: c["range_m"] >= 108),
    ("azimuth = 30", lambda c: c["azimuth"] == 30),
    ("name LIKE '摄像机1%'", lambda c: c["name"].str.startswith("摄像机1")),
    ("name LIKE '摄像机_'", lambda c: c["name"].str.len() == 4),
    ("name NOT LIKE '%1%'", lambda c: ~c["name"].str.contains("1")),
    ("CASEI(kind) = CASEI('DOME')", lambda c: c["kind"] == "dome"),
    ("status IN ('faulty', 'offline')", lambda c: c["status"].isin(["faulty", "offline"])),
    ("status NOT IN ('faulty')", lambda c: c["status"] != "faulty"),
    ("range_m BETWEEN 103 AND 106", lambda c: c["range_m"].between(103, 106)),
    ("range_m NOT BETWEEN 103 AND 106", lambda c: ~c["range_m"].between(103, 106)),
    ("networked = false", lambda c: ~c["networked"]),
    ("NOT networked = true", lambda c: ~c["networked"]),
    ("networked = 0", lambda c: ~c["networked"]),  # GDAL's booleans are 1 and 0
    ("installed_on = DATE('2026-02-01')", lambda c: c["installed_on"] == date(2026, 2, 1)),
    ("installed_on > DATE('2026-01-15')", lambda c: c["installed_on"] > date(2026, 1, 15)),
    ("installed_on BETWEEN DATE('2026-02-01') AND DATE('2026-03-01')",
     lambda c: c["installed_on"].between(date(2026, 2, 1), date(2026, 3, 1))),
    ("azimuth IS NOT NULL", lambda c: c["azimuth"].notna()),
    ("azimuth IS NULL", lambda c: c["azimuth"].isna()),
    ("(status = 'working' OR kind = 'dome') AND NOT range_m > 109",
     lambda c: ((c["status"] == "working") | (c["kind"] == "dome")) & ~(c["range_m"] > 109)),
]
INCIDENT_CASES = [
    ("occurred_at > TIMESTAMP('2026-10-02T00:00:00Z')",
     lambda i: i["occurred_at"] > datetime(2026, 10, 2, tzinfo=UTC)),
    ("occurred_at = DATE('2026-10-02')", lambda i: i["local_day"] == date(2026, 10, 2)),
    ("occurred_at < DATE('2026-10-02')", lambda i: i["local_day"] < date(2026, 10, 2)),
    ("occurred_at <= DATE('2026-10-02')", lambda i: i["local_day"] <= date(2026, 10, 2)),
    ("occurred_at >= '2026-10-02T'", lambda i: i["local_day"] >= date(2026, 10, 2)),  # as GDAL writes dates
    ("T_AFTER(occurred_at, TIMESTAMP('2026-10-03T01:00:00Z'))",
     lambda i: i["occurred_at"] > datetime(2026, 10, 3, 1, tzinfo=UTC)),
    ("T_BEFORE(occurred_at, TIMESTAMP('2026-10-03T01:00:00Z'))",
     lambda i: i["occurred_at"] < datetime(2026, 10, 3, 1, tzinfo=UTC)),
    ("T_INTERSECTS(occurred_at, DATE('2026-10-02'))", lambda i: i["local_day"] == date(2026, 10, 2)),
    ("T_INTERSECTS(occurred_at, INTERVAL('2026-10-02', '2026-10-03'))",
     lambda i: i["local_day"].between(date(2026, 10, 2), date(2026, 10, 3))),
    ("T_DURING(occurred_at, INTERVAL('2026-10-02T00:00:00+08:00', '..'))", lambda i: i["occurred_at"] > T0),
    ("T_DISJOINT(occurred_at, INTERVAL('..', '2026-10-02'))", lambda i: i["local_day"] > date(2026, 10, 2)),
    ("T_EQUALS(occurred_at, TIMESTAMP('2026-10-01T01:00:00Z'))",
     lambda i: i["occurred_at"] == datetime(2026, 10, 1, 1, tzinfo=UTC)),
    ("category = '盗窃' AND township_code = 'T2'", lambda i: (i["category"] == "盗窃") & (i["township_code"] == "T2")),
    ("S_INTERSECTS(geometry, BBOX(113.0, 34.0, 113.0785, 34.1))",
     lambda i: i["geometry"].map(box(113.0, 34.0, 113.0785, 34.1).intersects)),
    ("S_WITHIN(geometry, POLYGON((113.05 34.0, 113.15 34.0, 113.15 34.1, 113.05 34.1, 113.05 34.0)))",
     lambda i: i["geometry"].map(lambda g: g.within(box(113.05, 34.0, 113.15, 34.1)))),
    ("S_DISJOINT(geometry, ENVELOPE(113.0, 34.0, 113.0785, 34.1))",
     lambda i: i["geometry"].map(box(113.0, 34.0, 113.0785, 34.1).disjoint)),
    ("S_INTERSECTS(geometry, POINT(113.001 34.02))", lambda i: i["geometry"].map(Point(113.001, 34.02).equals)),
    ("S_INTERSECTS(geometry, LINESTRING(113.05 33.9, 113.05 34.2)) OR category = '诈骗'",
     lambda i: (i["geometry"].map(lambda g: abs(g.x - 113.05) < 1e-9)) | (i["category"] == "诈骗")),
]


@pytest.mark.parametrize("cql, predicate", CAMERA_CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_each_operator_on_cameras(client, rows, cql, predicate):
    cams = _with_geometry(rows)["cameras"]
    _expect(client, "cameras", cql, cams[predicate(cams)])


@pytest.mark.parametrize("cql, predicate", INCIDENT_CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_each_temporal_and_spatial_operator_on_incidents(client, rows, cql, predicate):
    inc = _with_geometry(rows)["incidents"]
    _expect(client, "incidents", cql, inc[predicate(inc)])


def test_s_contains_and_is_null_against_sql(client, app, rows):
    townships = county_frames()["townships"]
    inside = townships[townships.geometry.map(lambda g: g.contains(Point(113.05, 34.05)))]
    _expect(client, "townships", "S_CONTAINS(geometry, POINT(113.05 34.05))", inside)
    doc = _filtered(client, "incidents", "village_code IS NULL AND category <> 'theft'")
    assert doc["numberMatched"] == _sql_count(
        app, "incidents WHERE village_code IS NULL AND category <> 'theft' AND county_code = %s", (COUNTY,))


def test_cql2_json_gives_what_the_text_gives(client, rows):
    pairs = [
        ({"op": "and", "args": [{"op": "=", "args": [{"property": "status"}, "faulty"]},
                                {"op": ">", "args": [{"property": "range_m"}, 103]}]},
         "status = 'faulty' AND range_m > 103", "cameras"),
        ({"op": "in", "args": [{"property": "kind"}, ["dome"]]}, "kind IN ('dome')", "cameras"),
        ({"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [113.0, 34.0, 113.0785, 34.1]}]},
         "S_INTERSECTS(geometry, BBOX(113.0, 34.0, 113.0785, 34.1))", "incidents"),
        ({"op": "t_after", "args": [{"property": "occurred_at"}, {"timestamp": "2026-10-03T01:00:00Z"}]},
         "T_AFTER(occurred_at, TIMESTAMP('2026-10-03T01:00:00Z'))", "incidents"),
        ({"op": "s_within", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": [
            [[113.05, 34.0], [113.15, 34.0], [113.15, 34.1], [113.05, 34.1], [113.05, 34.0]]]}]},
         "S_WITHIN(geometry, POLYGON((113.05 34.0, 113.15 34.0, 113.15 34.1, 113.05 34.1, 113.05 34.0)))",
         "incidents"),
    ]
    for as_json, as_text, layer in pairs:
        by_json = _filtered(client, layer, json.dumps(as_json), "cql2-json")
        by_text = _filtered(client, layer, as_text)
        assert codes(by_json) == codes(by_text) and by_json["numberMatched"] == by_text["numberMatched"] > 0
        assert codes(_filtered(client, layer, as_text, "cql2-text")) == codes(by_text)
        assert codes(_filtered(client, layer, as_text, "cql-text")) == codes(by_text)  # GDAL 3.6's name


def test_the_filter_equals_the_property_filter(client, rows):
    for layer, query, cql in (("cameras", {"status": "faulty"}, "status = 'faulty'"),
                              ("incidents", {"occurred_at": "2026-10-02"}, "occurred_at = DATE('2026-10-02')"),
                              ("cameras", {"networked": "false"}, "networked = false")):
        plain = get(client, ITEMS.format(layer), query_string={**query, "limit": 1000}).get_json()
        assert codes(_filtered(client, layer, cql)) == codes(plain) and plain["numberMatched"] > 0


def test_filter_combines_with_bbox_datetime_property_filters_sortby_and_paging(client, rows):
    inc = _with_geometry(rows)["incidents"]
    first20 = inc.iloc[:20]
    picked = first20[(first20["category"] != "纠纷") & (first20["township_code"] == "T1")
                     & (first20["local_day"] >= date(2026, 10, 2))]
    query = {"filter": "category <> '纠纷'", "bbox": "113.0,34.0,113.0785,34.1", "township_code": "T1",
             "datetime": "2026-10-02/..", "sortby": "-occurred_at", "limit": 2}
    expected = list(picked.sort_values(["occurred_at", "code"], ascending=[False, True])["code"])
    doc = get(client, ITEMS.format("incidents"), query_string=query).get_json()
    assert doc["numberMatched"] == len(expected) > 2 and codes(doc) == expected[:2]
    nxt = parse_qs(urlsplit(links(doc, "next")[0]["href"]).query)
    assert nxt["filter"] == ["category <> '纠纷'"] and nxt["offset"] == ["2"] and nxt["sortby"] == ["-occurred_at"]
    assert codes(get(client, links(doc, "next")[0]["href"]).get_json()) == expected[2:4]
    # pages of a filtered, sorted query partition its matches
    found = _all(client, ITEMS.format("incidents") + "?filter=category+%3C%3E+%27%E7%BA%A0%E7%BA%B7%27"
                 "&sortby=-occurred_at", limit=7)
    others = inc[inc["category"] != "纠纷"].sort_values(["occurred_at", "code"], ascending=[False, True])
    assert [f["id"] for f in found] == list(others["code"])
    # the JSON filter's next link keeps its language
    doc = get(client, ITEMS.format("cameras"), query_string={
        "filter": json.dumps({"op": "<>", "args": [{"property": "status"}, "faulty"]}),
        "filter-lang": "cql2-json", "limit": 3}).get_json()
    nxt = parse_qs(urlsplit(links(doc, "next")[0]["href"]).query)
    assert nxt["filter-lang"] == ["cql2-json"]
    assert get(client, links(doc, "next")[0]["href"]).get_json()["numberMatched"] == doc["numberMatched"]


def test_filter_with_properties_csv_and_another_county(client, rows):
    doc = _filtered(client, "cameras", "status = 'working'", properties="code,status", skipGeometry="true")
    assert doc["features"] and all(set(f["properties"]) == {"code", "status"} for f in doc["features"])
    resp = get(client, ITEMS.format("incidents"), query_string={"filter": "code = 'Q999'", "f": "csv"})
    assert resp.status_code == 200 and resp.headers["OGC-NumberMatched"] == "0"  # the other county's
    html = get(client, ITEMS.format("cameras"), query_string={"filter": "name = '摄像机7'", "f": "html"})
    assert html.status_code == 200 and "摄像机7" in html.get_data(as_text=True)
    assert "摄像机8" not in html.get_data(as_text=True)


@pytest.mark.parametrize("crs, flip", [(EPSG + "4326", True), (EPSG + "4490", True), (EPSG + "3857", False)])
def test_filter_crs(client, rows, crs, flip):
    inc = _with_geometry(rows)["incidents"]
    area = box(113.0, 34.0, 113.0785, 34.1)
    expected = inc[inc["geometry"].map(area.intersects)]
    if crs.endswith("3857"):
        to = Transformer.from_crs("OGC:CRS84", "EPSG:3857", always_xy=True)
        (x0, x1), (y0, y1) = to.transform([113.0, 113.0785], [34.0, 34.1])
        literal = f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"
    else:
        literal = "POLYGON((34.0 113.0, 34.0 113.0785, 34.1 113.0785, 34.1 113.0, 34.0 113.0))"
    _expect(client, "incidents", f"S_INTERSECTS(geometry, {literal})", expected, **{"filter-crs": crs})
    # the same literal read as CRS84 is elsewhere (or off the world)
    resp = get(client, ITEMS.format("incidents"), query_string={"filter": f"S_INTERSECTS(geometry, {literal})"})
    assert resp.status_code == 400 or resp.get_json()["numberMatched"] != len(expected)


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("layer, cql, lang, named", [
    ("cameras", "status = ", None, "filter"),
    ("cameras", "status = 'faulty' AND", None, "filter"),
    ("cameras", "colour = 'red'", None, "colour"),
    ("cameras", "range_m = 'far'", None, "range_m"),
    ("cameras", "status > 3", None, "status"),
    ("cameras", "networked = 'yes'", None, "networked"),
    ("cameras", "networked > true", None, "filter"),
    ("cameras", "installed_on = DATE('2026-02-30')", None, "installed_on"),
    ("cameras", "installed_on = 'soon'", None, "installed_on"),
    ("cameras", "range_m LIKE '1%'", None, "LIKE"),
    ("cameras", "range_m = 1e400", None, "range_m"),
    ("cameras", "range_m = NaN", None, "NaN"),
    ("cameras", "fov = range_m - 40", None, "filter"),
    ("cameras", "ACCENTI(name) = 'x'", None, "accenti"),
    ("cameras", "S_INTERSECTS(status, POINT(113 34))", None, "geometry"),
    ("cameras", "S_INTERSECTS(geometry, POINT(200 34))", None, "范围"),
    ("cameras", "S_INTERSECTS(geometry, BBOX(114, 34, 113, 35))", None, "BBOX"),
    ("cameras", "T_AFTER(range_m, DATE('2026-01-01'))", None, "range_m"),
    ("incidents", "occurred_at > TIMESTAMP('10000-01-01T00:00:00Z')", None, "filter"),
    ("incidents", "T_AFTER(occurred_at, 'tomorrow')", None, "tomorrow"),
    ("patrol_teams", "S_INTERSECTS(geometry, POINT(113 34))", None, "geometry"),
    ("cameras", "(" * 30 + "status = 'faulty'" + ")" * 30, None, "20"),
    ("cameras", "NOT " * 30 + "status = 'faulty'", None, "20"),
    ("cameras", '"\'" = 1 AND ' + "(" * 300 + "status = 'faulty'" + ")" * 300, None, "200"),
    ("cameras", "range_m = " + "1 + " * 999 + "1", None, "filter"),
    ("cameras", "range_m = 1 + 1 + 1", None, "+"),
    ("cameras", " OR ".join(["status = 'faulty'"] * 400), None, "4000"),
    ("cameras", " OR ".join(["fov=1"] * 310), None, "300"),
    ("cameras", "status = 'faulty'", "cql2-json", "cql2-json"),
    ("cameras", '{"op": "=", "args": [{"property": "range_m"}, NaN]}', "cql2-json", "JSON"),
    ("cameras", '{"op": "=", "args": [{"property": "colour"}, 1]}', "cql2-json", "colour"),
    ("cameras", "[1, 2]", "cql2-json", "cql2-json"),
    ("cameras", "[" * 100 + "]" * 100, "cql2-json", "40"),
    ("cameras", '{"op": "frobnicate", "args": [1]}', "cql2-json", "frobnicate"),
    ("cameras", "status = 'faulty'", "xml", "filter-lang"),
    ("cameras", "name LIKE 'abc\\'", None, "LIKE"),
    ("cameras", "name LIKE kind", None, "LIKE"),
    ("cameras", "range_m BETWEEN installed_on AND 5", None, "range_m"),
    ("cameras", "range_m IN (installed_on)", None, "range_m"),
    ("cameras", "S_INTERSECTS(geometry, POLYGON((113 34, 113.1 34.1, 113.1 34, 113 34.1, 113 34)))", None, "无效"),
    ("cameras", '{"op": "=", "args": [{"property": "name"}, "a\\u0000b"]}', "cql2-json", "name"),
    ("cameras", '{"op": "and", "args": []}', "cql2-json", "filter"),
    ("cameras", '{"op": "in", "args": [{"property": "status"}, []]}', "cql2-json", "filter"),
    ("cameras", "", None, "filter"),
])
def test_bad_filters_answer_400_naming_what_is_wrong(client, rows, layer, cql, lang, named):
    params = {"filter": cql}
    if lang:
        params["filter-lang"] = lang
    resp = get(client, ITEMS.format(layer), query_string=params)
    assert resp.status_code == 400, (cql[:80], resp.data[:300])
    body = resp.get_json()
    assert body["code"] == "InvalidParameterValue" and named in body["description"], body


def test_other_bad_filter_parameters(client, rows):
    for query in ({"filter": "status = 'faulty'", "filter-crs": "EPSG:4326"},
                  {"filter-crs": "nowhere"}, {"filter-lang": "sql"}):
        resp = get(client, ITEMS.format("cameras"), query_string=query)
        assert resp.status_code == 400 and "filter" in resp.get_json()["description"], query
    resp = get(client, ITEMS.format("cameras") + "?filter=status+%3D+%27a%27&filter=kind+%3D+%27b%27")
    assert resp.status_code == 400 and "filter" in resp.get_json()["description"]
    # a year far off is no error: nothing happened then
    doc = _filtered(client, "incidents", "occurred_at > TIMESTAMP('9999-12-31T23:59:59Z')")
    assert doc["numberMatched"] == 0
    doc = _filtered(client, "incidents", "T_BEFORE(occurred_at, DATE('0001-01-01'))")
    assert doc["numberMatched"] == 0


def test_every_role_filters_and_strangers_do_not(client, rows):
    path = ITEMS.format("cameras") + "?filter=status%20%3D%20%27faulty%27"
    expected = int((rows["cameras"]["status"] == "faulty").sum())
    for role in ("commander", "planner", "leader", "admin"):
        resp = get(client, path, role=role)
        assert resp.status_code == 200 and resp.get_json()["numberMatched"] == expected
    assert client.get(path).status_code == 401


def test_conformance_openapi_and_queryables_declare_filtering(client, rows):
    conforms = set(get(client, "/ogc/conformance").get_json()["conformsTo"])
    assert {CONF3 + "filter", CONF3 + "features-filter", CQL2 + "cql2-text", CQL2 + "cql2-json",
            CQL2 + "basic-cql2", CQL2 + "advanced-comparison-operators", CQL2 + "basic-spatial-functions",
            CQL2 + "spatial-functions", CQL2 + "temporal-functions"} <= conforms
    api = get(client, "/ogc/api").get_json()
    names = set()
    for param in api["paths"]["/collections/cameras/items"]["get"]["parameters"]:
        ref = param.get("$ref", "")
        names.add(api["components"]["parameters"][ref.rsplit("/", 1)[1]]["name"] if ref else param["name"])
    assert {"filter", "filter-lang", "filter-crs"} <= names
    assert api["components"]["parameters"]["filter-lang"]["schema"]["enum"][:2] == ["cql2-text", "cql2-json"]
    queryables = get(client, "/ogc/collections/incidents/queryables").get_json()
    assert queryables["properties"]["geometry"]["x-ogc-role"] == "primary-geometry"

