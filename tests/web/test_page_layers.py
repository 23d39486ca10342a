"""Page maps whose overlays come after the page (web.maps.shell.defer_layers): the page
carries a URL per overlay, /tiles/page/<token>/<n>.geojson answers its features."""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import basic
from tests.web.test_maps import county  # noqa: F401  (fixture)

PAGES = ("/leader/coverage", "/leader/remediation", "/leader/hotspots", "/planner/hotspots")


def layer_urls(html: str) -> list[str]:
    return re.findall(r'"url":"(/tiles/page/[0-9a-f]{32}/\d+\.geojson)"', html)


@pytest.mark.parametrize("path", PAGES)
def test_the_page_holds_urls_and_its_layers_come_after(county, client, path):  # noqa: F811
    html = client.get(path, headers=basic("leader"), follow_redirects=True).get_data(as_text=True)
    urls = layer_urls(html)
    assert urls, "no overlay fetched after the page"
    assert '"type": "Feature"' not in html and '"type":"Feature"' not in html
    assert "__LAYERS__" not in html
    for role in ("commander", "planner", "leader", "admin"):
        for url in urls:
            resp = client.get(url, headers=basic(role))
            assert resp.status_code == 200, (role, url)
            doc = resp.get_json()
            assert doc["type"] == "FeatureCollection" and doc["features"]
            assert all("_style" in f["properties"] for f in doc["features"])
    assert client.get(urls[0]).status_code in (302, 401)   # signed out


def test_the_same_content_has_the_same_url_and_bad_ones_are_refused(county, client):  # noqa: F811
    first = layer_urls(client.get("/leader/coverage", headers=basic("leader")).get_data(as_text=True))
    again = layer_urls(client.get("/leader/coverage", headers=basic("planner")).get_data(as_text=True))
    assert first == again
    token = first[0].split("/")[3]
    for bad in (f"/tiles/page/{token}/99.geojson", f"/tiles/page/{'0' * 32}/0.geojson",
                "/tiles/page/not-a-token/0.geojson", f"/tiles/page/{token}/-1.geojson",
                f"/tiles/page/{token}/x.geojson"):
        resp = client.get(bad, headers=basic("leader"))
        assert resp.status_code == 404, bad
    said = client.get(f"/tiles/page/{'0' * 32}/0.geojson", headers=basic("leader")).get_json()
    assert "刷新页面" in str(said)


def with_layers(client, html: str, headers=None) -> str:
    """The page followed by its deferred overlays' GeoJSON (as a last <script> block, in
    the form folium writes inline data), for tests that read a map's features."""
    layers = [client.get(url, headers=headers).get_json() for url in layer_urls(html)]
    return html + "\n<script>" + json.dumps(layers, ensure_ascii=False) + "</script>"
