"""gzip (flask_compress, web/__init__.py) for JSON, GeoJSON and HTML answers over 1 KB."""
from __future__ import annotations

import gzip
import json

import psycopg2
from shapely.geometry import Point

from tests.conftest import basic
from tests.helpers import put

GZIP = {**basic("leader"), "Accept-Encoding": "gzip"}


def _cameras(app, n: int) -> None:
    with psycopg2.connect(app.config["RESOLVED_DATABASE_URL"]) as conn:
        put(conn, "cameras", [{"code": f"C{i}", "name": f"摄像机{i}", "kind": "dome", "azimuth": 90.0, "fov": 60.0,
                               "range_m": 100.0, "status": "working", "networked": True, "installed_on": None,
                               "geometry": Point(113.0 + i / 1000, 34.0)} for i in range(n)])
    conn.close()


def test_geojson_json_and_html_over_a_kilobyte_are_gzipped_and_small_answers_are_not(app, client):
    _cameras(app, 30)
    for path, mimetype in (("/ogc/collections/cameras/items?f=json", "application/geo+json"),
                           ("/ogc/collections?f=json", "application/json"),
                           ("/ogc/collections/cameras/items?f=html", "text/html")):
        resp = client.get(path, headers=GZIP)
        assert resp.status_code == 200 and resp.mimetype == mimetype
        assert resp.headers["Content-Encoding"] == "gzip", path
        body = gzip.decompress(resp.get_data())
        assert len(body) > 1024 and "Accept-Encoding" in resp.headers["Vary"]
        if mimetype != "text/html":
            assert json.loads(body)
    plain = client.get("/ogc/collections/cameras/items?f=json", headers=basic("leader"))
    assert "Content-Encoding" not in plain.headers and len(plain.get_json()["features"]) == 30
    small = client.get("/ogc/collections/no_such_layer?f=json", headers=GZIP)  # a short JSON answer
    assert small.status_code == 404 and small.is_json
    assert len(small.get_data()) < 1024 and "Content-Encoding" not in small.headers
