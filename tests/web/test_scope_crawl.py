"""A user scoped to county B never sees county A's rows (issue 14, item 5): every GET page
and API without arguments, the OGC collections and items of every layer, the tiles over
A's extent, the pages' deferred map layers, the search for A's names and A's codes asked
by name, crawled as that user after a user of A has filled every cache."""
from __future__ import annotations

import io
import json
import re
import zipfile

import mapbox_vector_tile
import pytest

from layers import tiles
from layers.catalog import LAYERS
from tests.conftest import basic
from tests.web.scope_counties import A, B, NAMES, add_user, centre, leaks, load_two_counties
from tests.web.test_tiles import tile_of

SKIP = {"static", "vendor", "auth.login", "home.favicon"}
PAGE_LAYER = re.compile(r"/tiles/page/([0-9a-f]{32})")
A_NAMES = ("东关村", "城关镇", "东关夜市", "东关路口", "城关镇专职巡防队", "G209")
A_PATHS = ("/ogc/collections/villages/items/{A}V1", "/api/coverage/villages/{A}V1", "/commander/cameras/{A}C1",
           "/planner/remediation/{A}V2", "/commander/patrol/plan/{A}P1", "/api/hotspots/{A}H1/history",
           "/api/cameras/{A}C1/history", "/api/remediation/villages/{A}V1/history",
           "/api/coverage/villages/{A}V1/siting", "/api/hotspots/{A}H1/evaluation",
           "/planner/hotspots/evaluation/{A}H1")
REAL_404 = A_PATHS[:5]


@pytest.fixture
def two(app):
    app.config["COUNTY_NAME"] = NAMES[A]
    url = app.config["RESOLVED_DATABASE_URL"]
    load_two_counties(url)
    add_user(url, "b_only", "admin", [B])
    return app


def text_of(resp) -> str:
    """What an answer shows: tiles decoded, zip files (xlsx) unpacked, the rest as text."""
    body = resp.data
    if resp.mimetype == "application/vnd.mapbox-vector-tile" and body:
        return json.dumps(mapbox_vector_tile.decode(body), ensure_ascii=False, default=str)
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return body.decode("utf-8", "replace")


def plain_urls(app) -> list[str]:
    return sorted(r.rule for r in app.url_map.iter_rules()
                  if "GET" in r.methods and not r.arguments and r.endpoint not in SKIP)


def layer_urls() -> list[str]:
    urls = ["/ogc/collections?f=json", "/ogc/?f=json", "/ogc/api"]
    for name in LAYERS:
        base = f"/ogc/collections/{name}"
        urls += [f"{base}?f=json", f"{base}/items?limit=10000&f=json", f"{base}/items?f=csv",
                 f"{base}/items?f=html", f"{base}/queryables", f"{base}/schema"]
    return urls


def tile_urls() -> list[str]:
    lon, lat = centre(A)
    urls = []
    for name in tiles.SOURCES:
        urls.append(f"/tiles/{name}.json")
        for z in (8, 10, 12, 14):
            _, x, y = tile_of(lon, lat, z)
            urls += [f"/tiles/{name}/{z}/{x}/{y}.mvt", f"/tiles/{name}/{z}/{x + 1}/{y}.mvt"]
    return urls


def other_urls() -> list[str]:
    return ([f"/api/search?q={n}" for n in A_NAMES] + [f"/api/search?q={NAMES[A]}{n}" for n in A_NAMES]
            + ["/exports/hotspots/2026Q2.xlsx", "/exports/hotspots/2026Q2.csv", "/exports/hotspots/2026Q2.geojson",
               "/leader/remediation-chart.svg", "/api/hotspots/lists/1"])


def crawl(client, headers, urls) -> dict[str, str]:
    """{url: text} of every answer, following the pages' deferred map layers."""
    seen: dict[str, str] = {}
    for url in urls:
        resp = client.get(url, headers=headers)
        assert resp.status_code < 500, (url, resp.status_code, resp.get_data(as_text=True)[:300])
        seen[url] = text_of(resp)
        for token in set(PAGE_LAYER.findall(seen[url])):
            for n in range(20):
                layer = client.get(f"/tiles/page/{token}/{n}.geojson", headers=headers)
                if layer.status_code != 200:
                    break
                seen[f"/tiles/page/{token}/{n}.geojson"] = layer.get_data(as_text=True)
    return seen


def test_a_user_scoped_to_b_never_sees_a(two, client):
    urls = plain_urls(two) + layer_urls() + tile_urls() + other_urls()
    as_a = crawl(client, basic("admin"), urls)  # the configured county's admin fills every cache first
    showing_a = [u for u, text in as_a.items() if leaks(text)]
    assert len(showing_a) > 40, "the crawl must reach A's rows for A's user"
    as_b = crawl(client, basic("b_only"), urls)
    assert {u: leaks(t) for u, t in as_b.items() if leaks(t)} == {}
    shown_b = [u for u, text in as_b.items() if NAMES[B] in text or B in text]
    assert len(shown_b) > 40, "B's user sees B's rows"
    assert len(as_b) >= len(urls)


def test_a_codes_asked_by_name_are_not_found_for_b(two, client):
    for path in A_PATHS:
        url = path.format(A=A)
        resp = client.get(url, headers=basic("b_only"))
        assert resp.status_code < 500, url
        text = text_of(resp).replace(f"{A}", "")  # the asked code may be named in the refusal
        assert NAMES[A] not in text, url
        if path in REAL_404:
            assert resp.status_code == 404, url
            assert client.get(url, headers=basic("admin")).status_code == 200, url  # A's user finds it
