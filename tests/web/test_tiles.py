"""Vector tiles (/tiles): what they hold against the OGC API, aggregation, filters, caching,
refusals, and who may read them; decoded with mapbox_vector_tile on real data."""
from __future__ import annotations

import math
from collections import Counter

import mapbox_vector_tile
import pandas as pd
import pytest

from layers import store
from layers.catalog import LAYERS
from layers.db import transaction
from layers.tiles import BUFFER, EXTENT, GRID, SOURCES
from tests.conftest import ROLES, basic
from tests.web.test_maps import COUNTY, LATEST, X0, Y0, demo_available, load_small_county, small_county

HALF = 20037508.342789244
MVT = "application/vnd.mapbox-vector-tile"


@pytest.fixture
def county(app):
    load_small_county(app.config["RESOLVED_DATABASE_URL"], app.config["COUNTY_CODE"])
    return app


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2 ** z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return z, int((lon + 180) / 360 * n), int(y)


def bounds_of(z: int, x: int, y: int, pad: float = 0.0) -> tuple[float, float, float, float]:
    """lon/lat bounds of a tile, widened by ``pad`` tile units on each side (in Mercator)."""
    size = 2 * HALF / 2 ** z
    grow = size * pad / EXTENT
    west, east = -HALF + x * size - grow, -HALF + (x + 1) * size + grow
    north, south = HALF - y * size + grow, HALF - (y + 1) * size - grow

    def lat(v):
        return math.degrees(math.atan(math.sinh(v / HALF * math.pi)))
    return west / HALF * 180, lat(south), east / HALF * 180, lat(north)


def get_tile(client, name, z, x, y, query="", role="leader", headers=None):
    resp = client.get(f"/tiles/{name}/{z}/{x}/{y}.mvt{query}", headers={**basic(role), **(headers or {})})
    assert resp.status_code in (200, 204, 304), resp.get_data(as_text=True)
    return resp


def features(client, name, z, x, y, query="") -> list[dict]:
    resp = get_tile(client, name, z, x, y, query)
    if resp.status_code == 204:
        assert resp.data == b""
        return []
    assert resp.mimetype == MVT
    return mapbox_vector_tile.decode(resp.data).get(name, {}).get("features", [])


def ogc(client, name, box) -> dict[str, dict]:
    resp = client.get(f"/ogc/collections/{name}/items?bbox={','.join(map(str, box))}&limit=10000",
                      headers=basic("leader"))
    assert resp.status_code == 200
    return {f["id"]: f["properties"] for f in resp.get_json()["features"]}


def county_tiles(z):
    _, x0, y1 = tile_of(X0, Y0, z)
    _, x1, y0 = tile_of(X0 + 0.3, Y0 + 0.1, z)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


@pytest.mark.parametrize("name", ["townships", "villages", "cameras", "incidents", "schools", "roads",
                                  "patrol_teams", "patrol_routes", "hotspots"])
def test_tiles_hold_what_the_ogc_api_gives_for_the_same_box(county, client, name):
    columns = {c.name for c in SOURCES[name].columns}
    seen = set()
    for zxy in county_tiles(14 if name in ("cameras", "incidents") else 12):
        got = {f["properties"]["code"]: f["properties"] for f in features(client, name, *zxy)}
        expected = ogc(client, name, bounds_of(*zxy, pad=BUFFER))
        assert set(got) == set(expected), zxy
        for code, props in expected.items():
            assert got[code] == {k: v for k, v in props.items() if k in columns and v is not None}
        seen |= set(got)
    assert seen == set(small_county()[name]["code"]) - ({"P3"} if name == "patrol_teams" else set())


def test_popup_columns_and_styling_column_are_attributes():
    for name, source in SOURCES.items():
        names = [c.name for c in source.columns]
        layer = LAYERS.get(name)
        if layer is not None and name != "patrol_tracks":
            assert {c.name for c in layer.popup} <= set(names), name
            assert "code" in names
    assert [c.name for c in SOURCES["camera_sectors"].columns] == ["code", "status"]
    assert [c.name for c in SOURCES["patrol_tracks"].columns] == ["team_code", "recorded_at", "points"]


def test_sectors_and_tracks_are_drawn_from_the_stored_geometry(county, client):
    sectors = features(client, "camera_sectors", *tile_of(X0 + 0.02, Y0 + 0.02, 15))
    assert [f["properties"] for f in sectors] == [{"code": "C1", "status": "working"}]
    assert sectors[0]["geometry"]["type"] == "Polygon"
    assert features(client, "camera_sectors", *tile_of(X0 + 0.02, Y0 + 0.02, 10)) == []  # below minzoom
    tracks = features(client, "patrol_tracks", *tile_of(X0 + 0.02, Y0 + 0.03, 12), query="?since=2026-05-20")
    assert [f["properties"]["points"] for f in tracks] == [3]
    assert tracks[0]["geometry"]["type"] == "LineString"


def _total(client, name, z, query=""):
    counts = [f["properties"]["count"] for zxy in county_tiles(z) for f in features(client, name, *zxy, query)]
    assert all(set(f) == {"count"} for f in [{"count": c} for c in counts])
    return sum(counts)


def test_low_zooms_gather_points_into_counted_cells(county, client):
    for z in (6, 8, 10, 11, 13):
        assert _total(client, "incidents", z) == 3
    for z in (6, 8, 10, 11):
        assert _total(client, "cameras", z) == 3
    near = [f for zxy in county_tiles(14) for f in features(client, "incidents", *zxy)]
    assert sorted(f["properties"]["code"] for f in near) == ["I1", "I2", "I3"]


@pytest.mark.skipif(not demo_available(), reason="no demo generator")
def test_demo_county_counts_sum_and_tiles_stay_small(demo_app, demo_county):
    client, counts = demo_app.test_client(), demo_county.counts
    box = client.get("/tiles/incidents.json", headers=basic("leader")).get_json()["bounds"]
    for name in ("incidents", "cameras"):
        for z in (8, 10, 12 if name == "incidents" else 11):
            _, x0, y1 = tile_of(box[0], box[1], z)
            _, x1, y0 = tile_of(box[2], box[3], z)
            total = 0
            for x in range(x0, x1 + 1):
                for y in range(y0, y1 + 1):
                    resp = get_tile(client, name, z, x, y)
                    assert len(resp.data) < 500_000
                    cells = mapbox_vector_tile.decode(resp.data).get(name, {}).get("features", [])
                    # a cell per colour of the layer (cameras' status, incidents' focus)
                    assert len(cells) <= GRID * GRID * (len(LAYERS[name].look.kinds) + 1)
                    by = LAYERS[name].look.by
                    per_kind = Counter(f["properties"].get(by) for f in cells)
                    assert max(per_kind.values(), default=0) <= GRID * GRID
                    total += sum(f["properties"]["count"] for f in cells)
            assert total == counts[name], (name, z)
    # a tile over 1 KB travels gzipped, and its ETag still answers 304
    import gzip

    _, x, y = tile_of((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 10)
    plain = get_tile(client, "incidents", 10, x, y)
    assert len(plain.data) > 1024
    zipped = get_tile(client, "incidents", 10, x, y, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.data) == plain.data
    again = get_tile(client, "incidents", 10, x, y, headers={"Accept-Encoding": "gzip",
                                                            "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("name, query, codes", [
    ("incidents", "", {"I1", "I2", "I3"}),
    ("incidents", f"?since={(LATEST - pd.Timedelta(days=40)).date()}", {"I1", "I2"}),
    ("incidents", f"?since=2025-01-01&until={(LATEST - pd.Timedelta(days=30)).date()}", {"I2", "I3"}),
    ("incidents", "?category=theft,assault", {"I1", "I3"}),
    ("incidents", "?focus=telecom_fraud", {"I2"}),
    ("cameras", "?status=working", {"C1"}),
    ("cameras", "?status=faulty,offline", {"C2", "C3"}),
    ("camera_sectors", "?status=offline", {"C3"}),
    ("hotspots", "?quarter=2026Q2", {"H1"}),
    ("hotspots", "?status=delisted", {"H2"}),
    ("hotspots", "?quarter=2026Q2&status=delisted", set()),
])
def test_filters_change_what_tiles_hold(county, client, name, query, codes):
    z = 15 if name == "camera_sectors" else 14
    got = set()
    for zxy in county_tiles(12):
        for sub in ((z, x, y) for x in range(zxy[1] * 2 ** (z - 12), (zxy[1] + 1) * 2 ** (z - 12))
                    for y in range(zxy[2] * 2 ** (z - 12), (zxy[2] + 1) * 2 ** (z - 12))):
            got |= {f["properties"]["code"] for f in features(client, name, *sub, query)}
    assert got == codes


def test_etag_cache_control_and_304(county, client):
    zxy = tile_of(X0 + 0.02, Y0 + 0.02, 14)
    first = get_tile(client, "cameras", *zxy)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    tag = first.headers["ETag"]
    again = get_tile(client, "cameras", *zxy, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["ETag"] == tag and again.data == b""
    other = get_tile(client, "cameras", *zxy, query="?status=working")
    assert other.headers["ETag"] != tag
    assert get_tile(client, "cameras", *zxy, role="planner").headers["ETag"] == tag
    empty = get_tile(client, "cameras", *zxy, query="?status=offline")
    assert empty.status_code == 204 and empty.headers["ETag"] and not empty.data


def test_an_import_bumps_the_version_and_the_cache_builds_afresh(county, client, app):
    zxy = tile_of(X0 + 0.02, Y0 + 0.02, 14)
    kept = app.extensions["countymap_tiles"]
    first = get_tile(client, "cameras", *zxy)
    builds = kept.builds
    assert get_tile(client, "cameras", *zxy).data == first.data
    assert kept.builds == builds and kept.hits >= 1
    frame = small_county()["cameras"].iloc[[0]].copy()
    frame["name"] = "东关路口（新）"
    with transaction(app.config["RESOLVED_DATABASE_URL"]) as conn:
        store.upsert_layer(conn, LAYERS["cameras"], frame, app.config["COUNTY_CODE"], replace=False)
    after = get_tile(client, "cameras", *zxy, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    assert kept.builds == builds + 1
    names = [f["properties"]["name"] for f in mapbox_vector_tile.decode(after.data)["cameras"]["features"]]
    assert names == ["东关路口（新）"]


def test_only_the_county_rows(county, client, app):
    before = [features(client, "cameras", *zxy) for zxy in county_tiles(14)]
    load_small_county(app.config["RESOLVED_DATABASE_URL"], "410998")
    assert [features(client, "cameras", *zxy) for zxy in county_tiles(14)] == before
    assert COUNTY == app.config["COUNTY_CODE"]


@pytest.mark.parametrize("path, status, field", [
    ("/tiles/cameras/23/0/0.mvt", 400, "z"),
    ("/tiles/cameras/2/4/0.mvt", 400, "x"),
    ("/tiles/cameras/2/0/7.mvt", 400, "y"),
    ("/tiles/cameras/a/0/0.mvt", 400, "z"),
    ("/tiles/cameras/2/-1/0.mvt", 400, "x"),
    ("/tiles/nowhere/2/0/0.mvt", 404, None),
    ("/tiles/nowhere.json", 404, None),
    ("/tiles/incidents/2/0/0.mvt?since=2026-13-01", 400, "since"),
    ("/tiles/incidents/2/0/0.mvt?since=2026-05-02&until=2026-05-01", 400, "since"),
    ("/tiles/incidents/2/0/0.mvt?focus=arson", 400, "focus"),
    ("/tiles/incidents/2/0/0.mvt?category=a,,b", 400, "category"),
    ("/tiles/cameras/2/0/0.mvt?status=broken", 400, "status"),
    ("/tiles/cameras/2/0/0.mvt?quarter=2026Q2", 400, "quarter"),
    ("/tiles/hotspots/2/0/0.mvt?quarter=2026Q5", 400, "quarter"),
    ("/tiles/villages/2/0/0.mvt?status=listed", 400, "status"),
    ("/tiles/hotspots.json?status=broken", 400, "status"),
])
def test_bad_tiles_and_filters_are_refused_naming_the_field(county, client, path, status, field):
    resp = client.get(path, headers=basic("commander"))
    assert resp.status_code == status, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["message"]
    if field:
        assert body["field"] == field


def test_tilejson(county, client):
    resp = client.get("/tiles/incidents.json?since=2026-01-01&focus=theft", headers=basic("planner"))
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"] == ["http://localhost/tiles/incidents/{z}/{x}/{y}.mvt?since=2026-01-01&focus=theft"]
    assert doc["bounds"] == pytest.approx([X0, Y0, X0 + 0.3, Y0 + 0.1])
    assert (doc["minzoom"], doc["maxzoom"]) == (0, 22)
    fields = doc["vector_layers"][0]["fields"]
    assert doc["vector_layers"][0]["id"] == "incidents" and fields["category"] == "类别" and "count" in fields
    sectors = client.get("/tiles/camera_sectors.json", headers=basic("planner")).get_json()
    assert sectors["minzoom"] == 12 and set(sectors["vector_layers"][0]["fields"]) == {"code", "status"}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_tiles(county, client, role):
    zxy = tile_of(X0 + 0.02, Y0 + 0.02, 14)
    assert client.get(f"/tiles/cameras/{zxy[0]}/{zxy[1]}/{zxy[2]}.mvt", headers=basic(role)).status_code == 200
    assert client.get("/tiles/cameras.json", headers=basic(role)).status_code == 200


@pytest.mark.parametrize("path", ["/tiles/cameras/14/0/0.mvt", "/tiles/cameras.json", "/tiles/nowhere.json"])
def test_strangers_get_401(county, client, path):
    resp = client.get(path)
    assert resp.status_code == 401
    resp = client.get(path, headers=basic("leader", "wrong password"))
    assert resp.status_code == 401

