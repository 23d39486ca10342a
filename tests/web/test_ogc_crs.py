"""OGC API - Features Part 2 (CRS by reference) on a county loaded into the real database:
every expected coordinate is pyproj's transform of the CRS84 answer."""
from __future__ import annotations

import subprocess

import pytest
from pyproj import Transformer

from tests.web.test_ogc import _gdal, codes, county, get, live_server  # noqa: F401  (fixtures)
from web.ogc.crs import gk_zone

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
# the test county's townships span 113.0-113.3°E: centre 113.15 → CM 114°E
ZONE = 4534 + (3 * round(113.15 / 3) - 75) // 3
ITEMS = "/ogc/collections/incidents/items"


def _coords(client, path: str, **query) -> dict:
    resp = get(client, path, query_string={"limit": 100, **query})
    assert resp.status_code == 200, resp.get_json()
    return {f["id"]: f["geometry"]["coordinates"] for f in resp.get_json()["features"]}


def test_zone_follows_the_centre_longitude():
    assert gk_zone(111.6) == 4546 and gk_zone(113.15) == ZONE == 4547
    assert gk_zone(75.0) == 4534 and gk_zone(135.0) == 4554


def test_collections_offer_the_crs_list_and_conformance(client, county):
    c = get(client, "/ogc/collections/incidents?f=json").get_json()
    assert c["crs"] == [CRS84, EPSG + "4326", EPSG + "4490", EPSG + "3857", EPSG + str(ZONE)]
    assert c["storageCrs"] == CRS84
    conf = get(client, "/ogc/conformance?f=json").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf


@pytest.mark.parametrize("srid", [4326, 4490])
def test_latitude_first_crs_swap_the_axes(client, county, srid):
    default = _coords(client, ITEMS)
    resp = get(client, ITEMS, query_string={"limit": 100, "crs": EPSG + str(srid)})
    assert resp.headers["Content-Crs"] == f"<{EPSG}{srid}>"
    swapped = {f["id"]: f["geometry"]["coordinates"] for f in resp.get_json()["features"]}
    assert len(default) == 25 and set(swapped) == set(default)
    for code, (lon, lat) in default.items():
        assert swapped[code] == pytest.approx([lat, lon])
    assert swapped["I003"] == pytest.approx([34.02, 113.031])


@pytest.mark.parametrize("srid", [3857, ZONE])
def test_projected_coordinates_equal_pyproj(client, county, srid):
    default = _coords(client, ITEMS)
    projected = _coords(client, ITEMS, crs=EPSG + str(srid))
    to = Transformer.from_crs("OGC:CRS84", f"EPSG:{srid}")  # the EPSG axis order
    for code, (lon, lat) in default.items():
        assert projected[code] == pytest.approx(list(to.transform(lon, lat)), abs=0.01)
    if srid == ZONE:  # northing first, easting near the false easting 500 km
        north, east = projected["I000"]
        assert 3_700_000 < north < 3_800_000 and 300_000 < east < 500_000
    # lines too, vertex by vertex
    line = _coords(client, "/ogc/collections/roads/items", crs=EPSG + str(srid))["R1"]
    flat = line[0] if isinstance(line[0][0], list) else line
    assert flat[0] == pytest.approx(list(to.transform(113.0, 34.0)), abs=0.01)


def test_single_item_and_header(client, county):
    resp = get(client, f"{ITEMS}/I003")
    assert resp.headers["Content-Crs"] == f"<{CRS84}>"
    assert resp.get_json()["geometry"]["coordinates"] == pytest.approx([113.031, 34.02])
    resp = get(client, f"{ITEMS}/I003", query_string={"crs": EPSG + str(ZONE)})
    assert resp.status_code == 200 and resp.headers["Content-Crs"] == f"<{EPSG}{ZONE}>"
    to = Transformer.from_crs("OGC:CRS84", f"EPSG:{ZONE}")
    assert resp.get_json()["geometry"]["coordinates"] == pytest.approx(list(to.transform(113.031, 34.02)), abs=0.01)
    assert get(client, ITEMS).headers["Content-Crs"] == f"<{CRS84}>"


@pytest.mark.parametrize("srid", [3857, ZONE])
def test_bbox_in_projected_crs_selects_like_crs84(client, county, srid):
    wanted = codes(get(client, ITEMS, query_string={"bbox": "113.0,34.0,113.045,34.1"}).get_json())
    assert wanted == ["I000", "I001", "I002", "I003", "I004"]
    to = Transformer.from_crs("OGC:CRS84", f"EPSG:{srid}")
    corners = [to.transform(lon, lat) for lon in (113.0, 113.045) for lat in (34.0, 34.1)]
    a = [min(c[0] for c in corners), min(c[1] for c in corners)]
    b = [max(c[0] for c in corners), max(c[1] for c in corners)]
    bbox = ",".join(str(v) for v in (*a, *b))  # in the CRS's axis order
    resp = get(client, ITEMS, query_string={"bbox": bbox, "bbox-crs": EPSG + str(srid)})
    assert resp.status_code == 200 and codes(resp.get_json()) == wanted
    # lat/lon order for EPSG:4326
    resp = get(client, ITEMS, query_string={"bbox": "34.0,113.0,34.1,113.045", "bbox-crs": EPSG + "4326"})
    assert codes(resp.get_json()) == wanted


@pytest.mark.parametrize("query, field", [
    ({"crs": "EPSG:4326"}, "crs"), ({"crs": EPSG + "4534"}, "crs"), ({"crs": ""}, "crs"),
    ({"bbox-crs": EPSG + "9999", "bbox": "1,2,3,4"}, "bbox-crs"), ({"bbox-crs": "x"}, "bbox-crs"),
    ({"bbox-crs": EPSG + "3857", "bbox": "1,2,3"}, "bbox")])
def test_bad_values_are_400(client, county, query, field):
    for path in (ITEMS, f"{ITEMS}/I003"):
        if path != ITEMS and field != "crs":
            continue
        resp = get(client, path, query_string=query)
        assert resp.status_code == 400 and field in resp.get_json()["description"], query


def test_huge_projected_bbox_is_cut_to_the_domain(client, county):
    for srid in (3857, ZONE):
        resp = get(client, ITEMS, query_string={"bbox": "-1e300,-1e300,1e300,1e300", "bbox-crs": EPSG + str(srid)})
        assert resp.status_code == 200 and resp.get_json()["numberMatched"] == 25
        # west beyond east in a projected CRS holds nothing
        resp = get(client, ITEMS, query_string={"bbox": "2,0,1,1e300", "bbox-crs": EPSG + str(srid)})
        assert resp.status_code == 200 and resp.get_json()["numberMatched"] == 0


def test_gdal_reads_the_layer_in_cgcs2000(live_server, county):
    options = subprocess.run(["ogrinfo", "--format", "OAPIF"], capture_output=True, text=True).stdout
    if "name='CRS'" not in options:
        pytest.skip("this GDAL's OAPIF driver has no CRS open option (it came with GDAL 3.7)")
    out = _gdal("ogrinfo", "-ro", "-q", "-al", "-oo", "CRS=EPSG:4490", f"OAPIF:{live_server}/ogc", "incidents")
    assert out.count("OGRFeature(incidents)") == 25 and "POINT (34.02 113.001)" in out
