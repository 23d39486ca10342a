"""Benchmark: map pages' weight and time until drawn in headless Chromium on the demo
county, against the plain alternative in the same run: a folium map of the same layers
read with geopandas and drawn inline (``folium.GeoJson``), with the same local Leaflet
(what a folium user writes). Ours: the overview /map from vector tiles and the
commander's camera page; 'drawn' is when every overlay has its data for the view."""
import contextlib
import functools
import http.server
import threading
import time

import folium
import geopandas as gpd
import psycopg2
import pytest

from tests.bench.report import record
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.conftest import app_on_demo_copy, serve

pytestmark = pytest.mark.bench
RUNS = 3
LAYERS = {  # what /map shows at first: every layer, incidents of 90 days, tracks of the latest day
    "townships": "", "villages": "", "roads": "", "schools": "", "hotspots": "",
    "patrol_teams": "", "patrol_routes": "", "cameras": "",
    "incidents": " AND occurred_at > (SELECT max(occurred_at) FROM incidents) - interval '90 days'",
    "patrol_tracks": " AND recorded_at > (SELECT max(recorded_at) FROM patrol_tracks) - interval '1 day'",
}


@pytest.fixture(scope="module")
def site(demo_county, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    with app_on_demo_copy(demo_county, var_dir, WTF_CSRF_ENABLED=True) as app, serve(app) as url:
        yield app, url


SHOWN = {"/map": tuple(LAYERS), "/commander/cameras": ("townships", "cameras")}


def plain_page(dsn: str, county: str, base: str, names=tuple(LAYERS)) -> str:
    """The folium map a user would write: every layer read whole and drawn inline (Leaflet
    from the app at ``base``)."""
    m = folium.Map(location=[33.8, 111.6], zoom_start=10, tiles=None)
    m.default_js = [("leaflet", f"{base}/vendor/leaflet/dist/leaflet.js")]
    m.default_css = [("leaflet_css", f"{base}/vendor/leaflet/dist/leaflet.css")]
    with psycopg2.connect(dsn) as conn:
        for name in names:
            where = LAYERS[name]
            frame = gpd.read_postgis(f"SELECT * FROM {name} WHERE county_code = %s AND geom IS NOT NULL{where}",
                                     conn, params=(county,), geom_col="geom")
            frame = frame.drop(columns=[c for c in frame.columns if c not in ("geom", "code", "name", "status")])
            if len(frame):
                folium.GeoJson(frame.to_json(), name=name).add_to(m)
    return m.get_root().render()


def drawn_time(page, url: str, ready: str) -> tuple[float, float, int]:
    """(seconds from navigation until the map answers, until it has all its data; HTML
    bytes) of ``url``."""
    start = time.perf_counter()
    page.goto(url)
    assert url in page.url, (page.url, page.content()[:500])
    page.wait_for_selector(ready, state="attached", timeout=60_000)
    answers = time.perf_counter() - start
    for _ in range(1200):
        if page.evaluate("!window.CountyVector || CountyVector.settled()"):
            break
        page.wait_for_timeout(25)
    took = time.perf_counter() - start
    return answers, took, page.evaluate("performance.getEntriesByType('navigation')[0].decodedBodySize")


@contextlib.contextmanager
def static_site(html: str, folder):
    """``html`` served as /plain.html by a plain HTTP server on a free loopback port."""
    (folder / "plain.html").write_text(html, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/plain.html"
    finally:
        server.shutdown()


def plain_time(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    page.wait_for_selector(".leaflet-overlay-pane svg path", state="attached", timeout=120_000)
    return time.perf_counter() - start


@pytest.mark.parametrize("path", ["/map", "/commander/cameras"])
def test_map_page_weight_and_time(site, path, tmp_path):
    from playwright.sync_api import sync_playwright

    app, base = site
    html = plain_page(app.config["RESOLVED_DATABASE_URL"], app.config["COUNTY_CODE"], base, SHOWN[path])
    ready = ".folium-map[data-county-map=ready]" if path == "/map" else ".folium-map"
    with sync_playwright() as pw, static_site(html, tmp_path) as plain_url:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=base)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        sign_in(page, "admin", then="/account/password")
        try:
            ours = [drawn_time(page, path, ready) for _ in range(RUNS)]
        except Exception:
            raise AssertionError(errors)
        plain = [plain_time(page, plain_url) for _ in range(RUNS)]
        browser.close()
    interactive, drawn, size = min(t[0] for t in ours), min(t[1] for t in ours), ours[0][2]
    plain_s = min(plain)
    plain_name = f"folium GeoJson inline ({', '.join(SHOWN[path])})"
    record(f"map page {path} (demo county): HTML weight", size, len(html.encode()), plain_name,
           "< 150 KB", f"{size / 1e3:.0f} KB", f"{len(html.encode()) / 1e6:.1f} MB")
    record(f"map page {path} (demo county): until the map answers", interactive, plain_s, plain_name, "< 1.5 s")
    record(f"map page {path} (demo county): until every overlay is drawn", drawn, plain_s, plain_name)
    assert size < 150_000
