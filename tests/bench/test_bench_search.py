"""Benchmark: the header's search box (GET /api/search) on the demo county, target p95
< 100 ms over many queries (initials, codes, name parts), against the plain alternatives:
a SQL ILIKE over the same seven tables per query, and pandas ``str.contains`` over the
same rows read fresh per query (neither knows pinyin initials)."""
import random
import statistics
import time

import pandas as pd
import psycopg2
import pytest

from layers.search import ROWS
from tests.bench.report import record
from tests.conftest import app_on_demo_copy
from tests.web.test_planner_pages import login
from web.services.search import initials

pytestmark = pytest.mark.bench

COLUMNS = ["kind", "code", "name", "township_code", "township", "extra", "codes", "lon", "lat",
           "west", "south", "east", "north"]
ILIKE = """
SELECT kind, code, name FROM (
    SELECT 'township' AS kind, code, name FROM townships UNION ALL SELECT 'village', code, name FROM villages
    UNION ALL SELECT 'camera', code, name FROM cameras UNION ALL SELECT 'hotspot', code, name FROM hotspots
    UNION ALL SELECT 'school', code, name FROM schools UNION ALL SELECT 'team', code, name FROM patrol_teams
    UNION ALL SELECT 'road', code, name FROM roads) f
WHERE name ILIKE %(p)s OR code ILIKE %(p)s ORDER BY length(name), code LIMIT 20
"""


@pytest.fixture(scope="module")
def demo(demo_county, tmp_path_factory):
    with app_on_demo_copy(demo_county, tmp_path_factory.mktemp("var")) as app:
        yield app


def queries(url, n=300, seed=0):
    """Initials of names, code prefixes and two-character name parts, drawn from the county."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT code, name FROM villages UNION ALL SELECT code, name FROM cameras"
                    " UNION ALL SELECT code, name FROM schools UNION ALL SELECT code, name FROM hotspots")
        rows = cur.fetchall()
    conn.close()
    rng = random.Random(seed)
    out = []
    for i in range(n):
        code, name = rng.choice(rows)
        out.append([initials(name)[0], code[: rng.randint(3, len(code))], name[rng.randint(0, max(0, len(name) - 2)):][:2]][i % 3])
    return out


def p95(times):
    return sorted(times)[int(len(times) * 0.95) - 1]


def test_search_speed(demo):
    url = demo.config["RESOLVED_DATABASE_URL"]
    asked = queries(url)
    client = demo.test_client()
    login(client, "leader")
    assert client.get("/api/search?q=hyc").status_code == 200   # builds the index once
    runs, found = [], 0
    for q in asked:
        start = time.perf_counter()
        resp = client.get("/api/search", query_string={"q": q})
        runs.append(time.perf_counter() - start)
        assert resp.status_code == 200
        found += bool(resp.get_json())
    assert found >= len(asked) * 0.9                               # they are real names and codes
    ours = p95(runs)

    conn = psycopg2.connect(url)
    plain_sql = []
    for q in asked:
        start = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(ILIKE, {"p": f"%{q}%"})
            cur.fetchall()
        plain_sql.append(time.perf_counter() - start)
    plain_pandas = []
    for q in asked[:60]:                                           # slower: a sample
        start = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(ROWS, {"county": demo.config["COUNTY_CODE"]})
            frame = pd.DataFrame(cur.fetchall(), columns=COLUMNS)
        hit = frame[frame["name"].str.contains(q, case=False, regex=False)
                    | frame["code"].str.contains(q, case=False, regex=False)]
        hit.head(20)
        plain_pandas.append(time.perf_counter() - start)
    conn.close()
    print(f"\nsearch: {len(asked)} queries, ours median {statistics.median(runs) * 1000:.1f} ms, "
          f"p95 {ours * 1000:.1f} ms; SQL ILIKE p95 {p95(plain_sql) * 1000:.1f} ms; "
          f"pandas read + str.contains p95 {p95(plain_pandas) * 1000:.1f} ms")
    record(f"search, demo county ({len(asked)} queries, p95 of the whole request)", ours, p95(plain_sql),
           "SQL ILIKE over the seven tables per query (no initials)", target="< 100 ms")
    record("search, demo county (p95, against pandas)", ours, p95(plain_pandas),
           "rows read fresh + pandas str.contains (no initials)", target="< 100 ms")
    assert ours < 0.100
