"""CQL2 filtering read by clients: GDAL's OAPIF driver sends its attribute filters as CQL,
GDAL reads sortby, properties and crs=EPSG:4490; and fuzzed filters never fail the server.
Expected counts come from the rows written (test_ogc_query's fixture), never written down."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from urllib.parse import unquote_plus

import pytest

from tests.conftest import PASSWORD, serve
from tests.web.test_ogc import get
from tests.web.test_ogc_filter import EPSG, ITEMS, _with_geometry
from tests.web.test_ogc_query import rows  # noqa: F401  (fixture)


# --- GDAL ----------------------------------------------------------------------------


def _gdal_debug(*args: str) -> tuple[str, list[str]]:
    """stdout and the URLs GDAL fetched (its HTTP debug lines)."""
    path = shutil.which(args[0])
    assert path, f"{args[0]} is missing: install Debian's gdal-bin (make install)"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    cmd = [path, "--debug", "ON", "--config", "GDAL_HTTP_AUTH", "BASIC",
           "--config", "GDAL_HTTP_USERPWD", f"leader:{PASSWORD}", *args[1:]]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout}\n{done.stderr[-2000:]}"
    fetched = [unquote_plus(line.split("Fetch(", 1)[1].rstrip(")"))
               for line in done.stderr.splitlines() if "HTTP: Fetch(" in line]
    return done.stdout, fetched


def test_gdal_sends_attribute_filters_as_cql(app, rows):
    """GDAL 3.6's OAPIF driver sees cql-text among filter-lang's values in the OpenAPI
    document and sends -where (SetAttributeFilter) to the server as a CQL filter."""
    w = _with_geometry(rows)
    cams, inc = w["cameras"], w["incidents"]
    cases = [
        ("cameras", "range_m > 105 AND status <> 'faulty'", (cams["range_m"] > 105) & (cams["status"] != "faulty")),
        ("cameras", "(status = 'faulty' OR status = 'offline') AND NOT (name LIKE '摄像机1%')",
         cams["status"].isin(["faulty", "offline"]) & ~cams["name"].str.startswith("摄像机1")),
        ("cameras", "installed_on >= '2026-02-01' AND networked = 1",
         (cams["installed_on"] >= date(2026, 2, 1)) & cams["networked"]),
        ("incidents", "occurred_at >= '2026-10-02' AND category = '盗窃'",
         (inc["local_day"] >= date(2026, 10, 2)) & (inc["category"] == "盗窃")),
        ("incidents", "village_code IS NULL AND township_code <> 'T1'", inc["township_code"] != "T1"),
    ]
    with serve(app) as url:
        for layer, where, expected in cases:
            out, fetched = _gdal_debug("ogrinfo", "-ro", "-q", "-al", "-where", where, f"OAPIF:{url}/ogc", layer)
            assert out.count(f"OGRFeature({layer})") == int(expected.sum()), where
            items = [u for u in fetched if "/items?" in u and "filter=" in u]
            assert items and all("filter-lang=cql-text" in u for u in items), fetched
        # with GDAL's spatial filter: the server's bbox and the filter at once
        out, fetched = _gdal_debug("ogrinfo", "-ro", "-q", "-al", "-where", "category <> '纠纷'",
                                   "-spat", "113.0", "34.0", "113.0785", "34.1", f"OAPIF:{url}/ogc", "incidents")
        first20 = inc.iloc[:20]
        assert out.count("OGRFeature(incidents)") == int((first20["category"] != "纠纷").sum())
        assert any("bbox=" in u and "filter=" in u for u in fetched)


def test_gdal_reads_sortby_properties_and_crs_4490(app, rows):
    """GDAL 3.6's OAPIF driver has no sortby, properties or CRS option (the CRS open option
    came with GDAL 3.7, sortby with none so far): GDAL reads the items URL that carries them
    (its GeoJSON driver), and what it reads is sorted, cut and in CGCS2000 lat/lon."""
    cams = _with_geometry(rows)["cameras"]
    with serve(app) as url:
        items = (f"{url}/ogc/collections/cameras/items?sortby=-range_m&properties=code,range_m"
                 f"&crs={EPSG}4490&filter=status%20%3C%3E%20%27offline%27&limit=100")
        out, _ = _gdal_debug("ogr2ogr", "-f", "GeoJSON", "/vsistdout/", items)
    doc = json.loads(out)
    kept = cams[cams["status"] != "offline"].sort_values("range_m", ascending=False)
    assert [f["properties"]["code"] for f in doc["features"]] == list(kept["code"])
    assert all(set(f["properties"]) == {"code", "range_m"} for f in doc["features"])
    where = dict(zip(cams["code"], cams["geometry"]))
    for feature in doc["features"]:
        point = where[feature["properties"]["code"]]
        assert feature["geometry"]["coordinates"] == pytest.approx([point.y, point.x])  # latitude first


# --- fuzzing: whatever the filter, 200 or 400, never a server error -------------------

PROPS = ["status", "range_m", "networked", "installed_on", "name", "geometry", "code", "azimuth", "colour"]
TOKENS = PROPS + [
    "=", "<>", "<", "<=", ">", ">=", "AND", "OR", "NOT", "LIKE", "IN", "BETWEEN", "IS", "NULL", "(", ")", ",",
    "'faulty'", "'%'", "'\\'", "''", "1", "-1", "1e308", "1e400", "0.5", "true", "false", "NaN",
    "DATE('2026-02-01')", "DATE('2026-02-30')", "TIMESTAMP('9999-12-31T23:59:59Z')", "TIMESTAMP('2026-01-01T00:00:00Z')",
    "INTERVAL('..','2026-01-01')", "CASEI(name)", "ACCENTI(name)", "S_INTERSECTS(", "S_CONTAINS(", "T_AFTER(",
    "T_DURING(", "POINT(113 34)", "POINT(1e400 0)", "BBOX(113,34,114,35)", "BBOX(114,34,113,35)",
    "POLYGON((0 0,1 1,1 0,0 1,0 0))", "LINESTRING(113 34)", "GEOMETRYCOLLECTION()",
]
OPS = ["and", "or", "not", "=", "<>", "<", ">=", "like", "in", "between", "isNull", "casei", "s_intersects",
       "s_within", "s_crosses", "t_after", "t_meets", "t_overlaps", "+", "foo"]


def _json_filters():
    from hypothesis import strategies as st
    leaf = (st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False)
            | st.text(max_size=6) | st.sampled_from(["..", "2026-01-01", "2026-01-01T00:00:00Z"])
            | st.builds(lambda p: {"property": p}, st.sampled_from(PROPS))
            | st.builds(lambda k, v: {k: v}, st.sampled_from(["date", "timestamp"]),
                        st.sampled_from(["2026-01-01", "2026-13-01", "0000-01-01T00:00:00Z", "x"])))
    return st.recursive(leaf, lambda inner: (
        st.lists(inner, max_size=4)
        | st.builds(lambda op, args: {"op": op, "args": args}, st.sampled_from(OPS), st.lists(inner, max_size=3))
        | st.builds(lambda t, c: {"type": t, "coordinates": c},
                    st.sampled_from(["Point", "Polygon", "LineString", "GeometryCollection", "Nope"]), inner)
        | st.builds(lambda b: {"bbox": b}, inner)
        | st.builds(lambda i: {"interval": i}, inner)), max_leaves=12)


def test_fuzzed_filters_never_fail_the_server(client, rows):
    from hypothesis import HealthCheck, given, settings, strategies as st

    def check(params):
        resp = get(client, ITEMS.format("cameras"), query_string=params)
        assert resp.status_code in (200, 400), (params, resp.status_code, resp.data[:300])
        if resp.status_code == 400:
            assert resp.get_json()["code"] == "InvalidParameterValue"

    quiet = settings(max_examples=250, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))

    @quiet
    @given(st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=14))
    def text(tokens):
        check({"filter": " ".join(tokens)})

    @quiet
    @given(_json_filters(), st.sampled_from(["cql2-json", "cql2-text"]))
    def as_json(value, lang):
        check({"filter": json.dumps(value), "filter-lang": lang})

    text()
    as_json()
