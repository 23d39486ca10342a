"""Adding a layer is one catalog entry (columns, look, popup labels) plus a migration.

The test adds a layer the project does not have — 人员密集场所 (public gathering places,
points with a kind) — exactly that way: one ``Layer`` with its ``Look`` in the catalog and
the table a migration would create. Nothing else is edited, and the layer is imported
(township and village by location), served by the OGC API, counted by /api/layers, and
drawn on the map with its title, styles, legend and Chinese popup labels.
"""
from __future__ import annotations

import json
import re

import pytest

from layers.catalog import LAYERS, Column, Kind, Layer, Look
from layers.db import transaction
from tests.conftest import basic
from tests.helpers import small_county
from tests.web.test_maps import overlays, setup_of, tile_overlays

MIGRATION = """
    CREATE TABLE public_places (
        id bigserial PRIMARY KEY, county_code text NOT NULL, code text NOT NULL, name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('market', 'square', 'station')), capacity integer,
        township_code text, village_code text, props jsonb NOT NULL DEFAULT '{}',
        geom geometry(Point, 4326) NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (county_code, code));
    CREATE INDEX public_places_geom ON public_places USING gist (geom);"""

PLACES = Layer("public_places", "人员密集场所", "Point", (
    Column("code", "text", "编码"), Column("name", "text", "名称"),
    Column("kind", "enum", "场所类型", choices=("market", "square", "station"),
           labels={"market": "集贸市场", "square": "广场", "station": "车站"}),
    Column("capacity", "int", "容纳人数", required=False, minimum=0),
    Column("township_code", "text", "乡镇编码", required=False),
    Column("village_code", "text", "村编码", required=False),
), accepts=("Point",), look=Look(
    448, ("commander", "leader"), swatch="dot", radius=5, by="kind",
    style={"color": "#222", "weight": 1, "fillOpacity": 0.9},
    kinds=(Kind("market", "集贸市场", {"fillColor": "#e6ab02"}), Kind("square", "广场", {"fillColor": "#66a61e"}),
           Kind("station", "车站", {"fillColor": "#7570b3"}))))


@pytest.fixture
def with_places(app, conn, monkeypatch, tmp_path):
    """The catalog entry and the migration's table, for one test."""
    url = app.config["RESOLVED_DATABASE_URL"]
    with transaction(url) as c, c.cursor() as cur:
        cur.execute(MIGRATION)
    monkeypatch.setitem(LAYERS, "public_places", PLACES)
    small_county(conn)
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [111.005, 33.005]},
         "properties": {"code": "P1", "name": "甲镇集贸市场", "kind": "集贸市场", "capacity": 3000}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [111.125, 33.01]},
         "properties": {"code": "P2", "name": "乙乡客运站", "kind": "station"}}]}, ensure_ascii=False))
    yield path
    conn.rollback()  # the test's reads hold a lock on the table
    with transaction(url) as c, c.cursor() as cur:
        cur.execute("DROP TABLE public_places")


def test_a_new_layer_is_imported_served_and_drawn(app, client, conn, with_places):
    from data.importer import import_file

    with transaction(app.config["RESOLVED_DATABASE_URL"]) as c:
        result = import_file(c, "public_places", with_places, county_code=app.config["COUNTY_CODE"])
    assert (result.added, result.updated) == (2, 0)
    with conn.cursor() as cur:  # kind read from its Chinese label, township and village by location
        cur.execute("SELECT code, kind, township_code, village_code FROM public_places ORDER BY code")
        assert cur.fetchall() == [("P1", "market", "410999001", "410999001001"),
                                  ("P2", "station", "410999002", "410999002002")]

    counts = {r["name"]: r["count"] for r in client.get("/api/layers", headers=basic("leader")).get_json()}
    assert counts["public_places"] == 2
    collections = client.get("/ogc/collections", headers=basic("leader")).get_json()["collections"]
    assert "public_places" in [c["id"] for c in collections]
    items = client.get("/ogc/collections/public_places/items", headers=basic("leader")).get_json()
    assert [f["id"] for f in items["features"]] == ["P1", "P2"]
    schema = client.get("/ogc/collections/public_places/schema", headers=basic("leader")).get_json()
    assert schema["properties"]["properties"]["properties"]["kind"]["enum"] == ["market", "square", "station"]

    page = client.get("/map?preset=commander", headers=basic("commander")).get_data(as_text=True)
    control = overlays(page)
    assert "人员密集场所" in control  # an overlay of the layer control, switched on for commanders
    assert re.search(rf"\b{control['人员密集场所']}\.addTo\(", page)
    places = tile_overlays(page)["public_places"]   # drawn from its tiles, popups in Chinese
    assert [c[1] for c in places["columns"]] == ["编码", "名称", "场所类型", "容纳人数", "乡镇编码", "村编码"]
    kinds = {c[0]: c for c in places["columns"]}["kind"][3]
    assert kinds["market"] == "集贸市场" and kinds["station"] == "车站"
    assert setup_of(page)["names"]["township_code"]["410999001"] == "甲镇"
    tile = client.get(places["url"].replace("{z}/{x}/{y}", "0/0/0"), headers=basic("commander"))
    assert tile.status_code == 200 and tile.mimetype == "application/vnd.mapbox-vector-tile"
    legend = json.loads(re.search(r"CountyMap\.shell\(\w+, (\{.*\})\);", page).group(1))["legend"]
    assert "人员密集场所" in legend and "集贸市场" in legend and "#e6ab02" in legend
    assert "cm-public-places" in page  # its own pane, in the order its look gives
