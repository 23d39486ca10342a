"""OGC API - Features beyond Core: queryables, property filters, sortby, properties and
skipGeometry, on a county loaded into the real database; every expected answer is
computed independently from the rows written (pandas) or by SQL over the same table."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from layers import store
from layers.catalog import LAYERS
from layers.db import transaction
from tests.web.test_ogc import CST, COUNTY, OTHER_COUNTY, _frame, codes, county_frames, get, links

CATEGORIES = ["盗窃", "纠纷", "诈骗", "theft"]
STATUSES = ["working", "faulty", "offline"]
N = 60
CONF3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"


def _incidents() -> list[dict]:
    """Times repeat every three rows: sorting by time alone would not be stable."""
    start = datetime(2026, 10, 1, 9, 0, tzinfo=CST)
    return [{"code": f"Q{(i * 37) % N:03d}", "occurred_at": start + timedelta(hours=(i // 3) * 5),
             "category": CATEGORIES[i % 4], "township_code": "T1" if i % 3 else "T2"} for i in range(N)]


def _cameras() -> list[dict]:
    return [{"code": f"K{i:02d}", "name": f"摄像机{i}", "kind": "dome" if i % 2 else "fixed",
             "azimuth": float(i * 10), "fov": 60.0, "range_m": 100.0 + i, "status": STATUSES[i % 3],
             "networked": i % 4 != 0, "installed_on": date(2026, 1 + i % 3, 1)} for i in range(12)]


@pytest.fixture
def rows(app):
    frames = county_frames()
    frames["incidents"] = _frame(_incidents(), [Point(113.001 + 0.004 * i, 34.02) for i in range(N)])
    frames["cameras"] = _frame(_cameras(), [Point(113.01 + 0.01 * i, 34.05) for i in range(12)])
    with transaction(app.config["RESOLVED_DATABASE_URL"]) as conn:
        for name, frame in frames.items():
            store.upsert_layer(conn, LAYERS[name], frame, COUNTY)
        # another county's incident and camera, alike ours: never served
        store.upsert_layer(conn, LAYERS["incidents"], _frame(
            [{"code": "Q999", "occurred_at": datetime(2026, 10, 1, 9, 0, tzinfo=CST), "category": "盗窃",
              "township_code": "T1"}], [Point(113.001, 34.02)]), OTHER_COUNTY)
        store.upsert_layer(conn, LAYERS["cameras"], _frame(_cameras()[:1], [Point(113.02, 34.05)]), OTHER_COUNTY)
    return {"incidents": pd.DataFrame(_incidents()), "cameras": pd.DataFrame(_cameras())}


def _sql_count(app, where: str, params: tuple) -> int:
    with transaction(app.config["RESOLVED_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {where}", params)
        return cur.fetchone()[0]


def _all(client, path: str, limit: int = 7) -> list[dict]:
    """Every feature of ``path`` page by page (limit/offset)."""
    found, offset = [], 0
    sep = "&" if "?" in path else "?"
    while True:
        doc = get(client, f"{path}{sep}limit={limit}&offset={offset}").get_json()
        found += doc["features"]
        offset += limit
        if offset >= doc["numberMatched"]:
            return found


# --- queryables ----------------------------------------------------------------


def test_queryables_list_the_catalog_columns(client, rows):
    resp = get(client, "/ogc/collections/cameras/queryables")
    assert resp.status_code == 200 and resp.mimetype == "application/schema+json"
    doc = resp.get_json()
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema" and doc["type"] == "object"
    assert urlsplit(doc["$id"]).path == "/ogc/collections/cameras/queryables"
    expected = ["code"] + [c.name for c in LAYERS["cameras"].columns if c.name != "code"]
    assert list(doc["properties"]) == expected + ["geometry"]  # the geometry for CQL2's spatial functions
    assert doc["properties"]["geometry"] == {"title": "几何（只用于 filter 的空间运算）", "format": "geometry-point",
                                             "x-ogc-role": "primary-geometry"}
    assert doc["properties"]["status"] == {"title": "状态", "type": "string", "enum": STATUSES}
    assert doc["properties"]["networked"]["type"] == "boolean"
    assert doc["properties"]["installed_on"]["format"] == "date"
    collection = get(client, "/ogc/collections/cameras").get_json()
    rel = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
    assert [urlsplit(link["href"]).path for link in links(collection, rel)] == ["/ogc/collections/cameras/queryables"]
    conforms = get(client, "/ogc/conformance").get_json()["conformsTo"]
    assert {CONF3 + "queryables", CONF3 + "queryables-query-parameters"} <= set(conforms)
    api = get(client, "/ogc/api").get_json()
    assert "/collections/cameras/queryables" in api["paths"]
    assert get(client, "/ogc/collections/cameras/queryables?f=html").status_code == 400
    assert get(client, "/ogc/collections/nothing/queryables").status_code == 404
    assert get(client, "/ogc/collections/cameras/queryables", role="commander").status_code == 200


# --- property filters ----------------------------------------------------------


@pytest.mark.parametrize("query, column, value", [
    ("status=faulty", "status", "faulty"), ("kind=dome", "kind", "dome"),
])
def test_property_filter_on_an_enum(client, rows, query, column, value):
    cams = rows["cameras"]
    expected = sorted(cams[cams[column] == value]["code"])
    doc = get(client, f"/ogc/collections/cameras/items?{query}").get_json()
    assert doc["numberMatched"] == len(expected) and sorted(codes(doc)) == expected
    assert all(f["properties"][column] == value for f in doc["features"])


def test_property_filters_combine_with_each_other_and_with_bbox_and_paging(client, app, rows):
    inc = rows["incidents"]
    theft = inc[inc["category"] == "盗窃"]
    doc = get(client, "/ogc/collections/incidents/items?category=盗窃&limit=5").get_json()
    assert doc["numberMatched"] == len(theft) == _sql_count(
        app, "incidents WHERE category = %s AND county_code = %s", ("盗窃", COUNTY))
    assert doc["numberReturned"] == 5 and codes(doc) == sorted(theft["code"])[:5]
    # the next link keeps the filter
    nxt = parse_qs(urlsplit(links(doc, "next")[0]["href"]).query)
    assert nxt["category"] == ["盗窃"] and nxt["offset"] == ["5"]
    both = inc[(inc["category"] == "盗窃") & (inc["township_code"] == "T2")]
    doc = get(client, "/ogc/collections/incidents/items?category=盗窃&township_code=T2").get_json()
    assert doc["numberMatched"] == len(both) > 0 and sorted(codes(doc)) == sorted(both["code"])
    # with a bbox: only the first 20 points (x = 113.001 + 0.004 i, i < 20)
    first = inc.iloc[:20]
    in_box = first[first["category"] == "盗窃"]
    doc = get(client, "/ogc/collections/incidents/items?category=盗窃&bbox=113.0,34.0,113.0785,34.1").get_json()
    assert doc["numberMatched"] == len(in_box) and sorted(codes(doc)) == sorted(in_box["code"])


def test_property_filters_on_other_kinds(client, rows):
    cams = rows["cameras"]
    doc = get(client, "/ogc/collections/cameras/items?networked=false").get_json()
    assert sorted(codes(doc)) == sorted(cams[~cams["networked"]]["code"])
    doc = get(client, "/ogc/collections/cameras/items?installed_on=2026-02-01&status=working").get_json()
    picked = cams[(cams["installed_on"] == date(2026, 2, 1)) & (cams["status"] == "working")]
    assert sorted(codes(doc)) == sorted(picked["code"])
    doc = get(client, "/ogc/collections/cameras/items?azimuth=30").get_json()
    assert codes(doc) == ["K03"]
    inc = rows["incidents"]
    at = inc["occurred_at"].iloc[4]
    doc = get(client, "/ogc/collections/incidents/items", query_string={"occurred_at": at.isoformat()}).get_json()
    assert sorted(codes(doc)) == sorted(inc[inc["occurred_at"] == at]["code"]) and doc["numberMatched"] == 3
    # a date on a timestamp: the whole Beijing day (incidents every 5 h from 09:00 on 1 October)
    day = inc[inc["occurred_at"].dt.tz_convert("Asia/Shanghai").dt.date == date(2026, 10, 2)]
    doc = get(client, "/ogc/collections/incidents/items?occurred_at=2026-10-02").get_json()
    assert doc["numberMatched"] == len(day) > 0 and sorted(codes(doc)) == sorted(day["code"])
    doc = get(client, "/ogc/collections/incidents/items?code=Q037").get_json()
    assert codes(doc) == ["Q037"]
    doc = get(client, "/ogc/collections/villages/items?population=120").get_json()
    assert codes(doc) == ["V1"]


@pytest.mark.parametrize("query, name", [
    ("status=broken", "status"), ("networked=yes", "networked"), ("azimuth=north", "azimuth"),
    ("installed_on=2026-02-30", "installed_on"), ("installed_on=20260201", "installed_on"),
    ("colour=red", "colour"), ("status=faulty&status=working", "status"),
])
def test_bad_property_filters_answer_400_naming_the_parameter(client, rows, query, name):
    resp = get(client, f"/ogc/collections/cameras/items?{query}")
    assert resp.status_code == 400, resp.data
    assert name in resp.get_json()["description"]


def test_bad_values_on_incidents_and_villages(client, rows):
    for path in ("incidents/items?occurred_at=yesterday", "incidents/items?category=" + "长" * 101,
                 "villages/items?population=-1", "villages/items?population=99999999999",
                 "incidents/items?status=faulty", "cameras/items?name=a%00b"):
        resp = get(client, f"/ogc/collections/{path}")
        assert resp.status_code == 400, (path, resp.data)


# --- sortby --------------------------------------------------------------------


def test_sortby_descending_time_then_code(client, rows):
    inc = rows["incidents"]
    expected = list(inc.sort_values(["occurred_at", "code"], ascending=[False, True])["code"])
    doc = get(client, f"/ogc/collections/incidents/items?sortby=-occurred_at,code&limit={N}").get_json()
    assert codes(doc) == expected
    # without code: code is the final tie-breaker all the same
    doc = get(client, f"/ogc/collections/incidents/items?sortby=-occurred_at&limit={N}").get_json()
    assert codes(doc) == expected
    doc = get(client, "/ogc/collections/incidents/items?sortby=-code&limit=3").get_json()
    assert codes(doc) == sorted(inc["code"], reverse=True)[:3]
    cams = rows["cameras"]
    doc = get(client, "/ogc/collections/cameras/items?sortby=status,-range_m").get_json()
    assert codes(doc) == list(cams.sort_values(["status", "range_m"], ascending=[True, False])["code"])


def test_sortby_pages_partition_the_collection(client, rows):
    inc = rows["incidents"]
    for sortby in ("-occurred_at", "township_code,-occurred_at", "category"):
        found = _all(client, f"/ogc/collections/incidents/items?sortby={sortby}", limit=7)
        got = [f["id"] for f in found]
        assert len(got) == len(set(got)) == N and set(got) == set(inc["code"])
        whole = codes(get(client, f"/ogc/collections/incidents/items?sortby={sortby}&limit={N}").get_json())
        assert got == whole
    filtered = _all(client, "/ogc/collections/incidents/items?sortby=-occurred_at&category=诈骗", limit=4)
    assert sorted(f["id"] for f in filtered) == sorted(inc[inc["category"] == "诈骗"]["code"])


@pytest.mark.parametrize("sortby", ["colour", "-", "--code", "code,", "geom", "props", "+-code",
                                    ",".join(["code"] * 11)])
def test_bad_sortby_answers_400(client, rows, sortby):
    resp = get(client, "/ogc/collections/incidents/items", query_string={"sortby": sortby})
    assert resp.status_code == 400 and "sortby" in resp.get_json()["description"]


# --- properties and skipGeometry ----------------------------------------------


def test_properties_keeps_only_those(client, rows):
    doc = get(client, "/ogc/collections/cameras/items?properties=code,name&status=faulty").get_json()
    assert doc["features"] and all(set(f["properties"]) == {"code", "name"} for f in doc["features"])
    assert all(f["geometry"]["type"] == "Point" for f in doc["features"])
    doc = get(client, "/ogc/collections/villages/items?properties=population").get_json()
    assert [f["properties"] for f in doc["features"]] == [{"population": 120}]  # props' extras dropped too


def test_skip_geometry(client, rows):
    doc = get(client, "/ogc/collections/cameras/items?skipGeometry=true&limit=3").get_json()
    assert len(doc["features"]) == 3 and all(f["geometry"] is None for f in doc["features"])
    assert all("status" in f["properties"] for f in doc["features"])
    doc = get(client, "/ogc/collections/cameras/items?skipGeometry=false&limit=3").get_json()
    assert all(f["geometry"] for f in doc["features"])
    html = get(client, "/ogc/collections/cameras/items?skipGeometry=true&properties=name&f=html")
    assert html.status_code == 200 and "摄像机1" in html.get_data(as_text=True)


@pytest.mark.parametrize("query, name", [
    ("properties=colour", "properties"), ("properties=code,geom", "properties"), ("properties=", "properties"),
    ("skipGeometry=yes", "skipGeometry"), ("skipGeometry=1", "skipGeometry"),
])
def test_bad_properties_and_skip_geometry_answer_400(client, rows, query, name):
    resp = get(client, f"/ogc/collections/cameras/items?{query}")
    assert resp.status_code == 400 and name in resp.get_json()["description"]


def test_every_role_reads_and_strangers_do_not(client, rows):
    path = "/ogc/collections/cameras/items?status=faulty&sortby=-code&properties=code&skipGeometry=true"
    for role in ("commander", "planner", "leader", "admin"):
        assert get(client, path, role=role).status_code == 200
    assert client.get(path).status_code == 401


# --- f=csv ---------------------------------------------------------------------


def _csv(resp) -> pd.DataFrame:
    assert resp.status_code == 200 and resp.mimetype == "text/csv", resp.data[:300]
    assert resp.data.startswith("\ufeff".encode())  # Excel reads UTF-8 by its BOM
    return pd.read_csv(io.BytesIO(resp.data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_csv_of_points_gives_lon_lat_and_the_filtered_rows(client, rows):
    inc = rows["incidents"]
    theft = inc[inc["category"] == "盗窃"].sort_values(["occurred_at", "code"], ascending=[False, True])
    resp = get(client, "/ogc/collections/incidents/items?f=csv&category=盗窃&sortby=-occurred_at&limit=100")
    table = _csv(resp)
    assert resp.headers["OGC-NumberMatched"] == str(len(theft))
    assert list(table.columns) == ["id", "code", "occurred_at", "category", "focus", "township_code",
                                   "village_code", "civil_to_criminal", "dispute_homicide", "lon", "lat"]
    assert list(table["id"]) == list(theft["code"]) and set(table["category"]) == {"盗窃"}
    index = {f"Q{(i * 37) % N:03d}": i for i in range(N)}
    for _, row in table.iterrows():
        assert float(row["lon"]) == pytest.approx(113.001 + 0.004 * index[row["id"]])
        assert float(row["lat"]) == pytest.approx(34.02)


def test_csv_with_properties_skip_geometry_and_wkt(client, rows):
    table = _csv(get(client, "/ogc/collections/cameras/items?f=csv&properties=name,status&skipGeometry=true"))
    assert list(table.columns) == ["id", "name", "status"] and len(table) == len(rows["cameras"])
    cams = rows["cameras"].set_index("code")
    assert all(cams.loc[r["id"], "status"] == r["status"] for _, r in table.iterrows())
    table = _csv(get(client, "/ogc/collections/townships/items?f=csv"))
    assert list(table.columns) == ["id", "code", "name", "wkt"]
    assert all(w.startswith("MULTIPOLYGON") or w.startswith("POLYGON") for w in table["wkt"])
    teams = _csv(get(client, "/ogc/collections/patrol_teams/items?f=csv"))
    assert list(teams["id"]) == ["P1", "P2"] and "wkt" not in teams.columns  # a table without geometry


def test_csv_bad_input_and_formula_cells(client, app, rows):
    assert get(client, "/ogc/collections/cameras/items?f=xml").status_code == 400
    assert get(client, "/ogc/collections/cameras/items?f=csv&status=broken").status_code == 400
    assert get(client, "/ogc/collections/cameras?f=csv").status_code == 400  # items only
    with transaction(app.config["RESOLVED_DATABASE_URL"]) as conn:
        store.upsert_layer(conn, LAYERS["roads"], _frame(
            [{"code": "R9", "name": "=HYPERLINK(\"http://x\")", "class": "-1"}],
            [LineString([(113.0, 34.0), (113.1, 34.1)])]), COUNTY)
    table = _csv(get(client, "/ogc/collections/roads/items?f=csv&code=R9"))
    assert table["name"].iloc[0] == "'=HYPERLINK(\"http://x\")" and table["class"].iloc[0] == "'-1"
    assert table["wkt"].iloc[0].startswith("MULTILINESTRING")


# --- GDAL ----------------------------------------------------------------------


def test_gdal_filters_on_queryables(app, rows):
    """GDAL's OAPIF driver reads the queryables and filters on them (-where; GDAL 3.6 sends
    it to the server as a CQL filter: see test_ogc_filter)."""
    from tests.conftest import serve
    from tests.web.test_ogc import _gdal

    cams, inc = rows["cameras"], rows["incidents"]
    with serve(app) as url:
        dataset = f"OAPIF:{url}/ogc"
        out = _gdal("ogrinfo", "-ro", "-q", "-al", "-where", "status = 'faulty'", dataset, "cameras")
        assert out.count("OGRFeature(cameras)") == int((cams["status"] == "faulty").sum())
        out = _gdal("ogrinfo", "-ro", "-q", "-al", "-where", "category = '盗窃' AND township_code = 'T2'",
                    dataset, "incidents")
        expected = int(((inc["category"] == "盗窃") & (inc["township_code"] == "T2")).sum())
        assert out.count("OGRFeature(incidents)") == expected > 0
