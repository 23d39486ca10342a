"""The province-scale demo (`flask demo --scale province`): counties side by side, each
with its own code, loaded with COPY; the demo county among them as `--scale county` makes it."""
from __future__ import annotations

import psycopg2
import pytest
import shapely

from data.demo import COUNTY_CODE, generate_county
from data.province import COUNTIES, TRACKED_TEAMS, layout, outlines
from layers.catalog import LAYERS
from tests.conftest import basic

N = 3


def test_the_province_tiles_a_plausible_area_with_one_code_per_county():
    plan = layout(COUNTIES)
    codes = [c.code for c in plan]
    assert len(set(codes)) == COUNTIES and codes[0] == COUNTY_CODE
    assert all(len(c) == 6 and c.startswith("41") for c in codes)
    assert len({c.seed for c in plan}) == COUNTIES
    areas = outlines()
    assert len(areas) == COUNTIES and all(a.geom_type == "Polygon" and a.is_valid for a in areas)
    km2 = shapely.area(areas) / 1e6
    assert 1500 < km2.min() and km2.max() < 4500, km2  # each about a demo county (2,000 km²)
    union = shapely.union_all(areas)
    assert abs(union.area - sum(km2) * 1e6) < 1e-4 * union.area  # no overlaps
    assert union.geom_type == "Polygon"  # and no gaps that split the province
    # a smaller province is the core of the same counties
    assert [(c.code, c.seed) for c in layout(N)] == [(c.code, c.seed) for c in plan[:N]]


def test_counties_must_be_asked_with_the_province_scale(runner):
    result = runner.invoke(args=["demo", "--counties", "3"])
    assert result.exit_code != 0 and "--scale province" in result.output
    result = runner.invoke(args=["demo", "--scale", "province", "--counties", "101"])
    assert result.exit_code != 0


def _per_county(url: str) -> dict[str, dict[str, int]]:
    from layers.bulk import rows_by_county

    with psycopg2.connect(url) as conn:
        return {name: rows_by_county(conn, layer) for name, layer in LAYERS.items()}


def _query(url: str, statement: str, *args):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(statement, args)
        return cur.fetchall()


def _check_codes(url: str, codes: list[str]) -> None:
    """Townships, villages and teams carry their county's code in their own; every
    (county, code) is unique, and the counties do not overlap."""
    for table, column in (("townships", "code"), ("villages", "code"), ("patrol_teams", "township_code")):
        bad = _query(url, f"SELECT county_code, {column} FROM {table} WHERE left({column}, 6) <> county_code")
        assert bad == [], table
        dupes = _query(url, f"SELECT code FROM {table} GROUP BY code HAVING count(*) > 1")
        assert dupes == [], table
    for layer in LAYERS.values():
        dupes = _query(url, f"SELECT county_code, code FROM {layer.table} GROUP BY 1, 2 HAVING count(*) > 1")
        assert dupes == [], layer.table
    overlap = _query(url, """
        WITH c AS (SELECT county_code, ST_Union(geom) AS g FROM townships GROUP BY county_code)
        SELECT a.county_code, b.county_code, ST_Area(ST_Intersection(a.g, b.g)::geography)
        FROM c a JOIN c b ON a.county_code < b.county_code AND ST_Intersects(a.g, b.g)""")
    assert len(overlap) >= N - 1  # neighbours touch
    assert all(area < 1e5 for _, _, area in overlap), overlap  # along their borders only


def test_province_loads_counties_side_by_side_and_the_demo_county_is_unchanged(app, client, runner):
    url = app.config["RESOLVED_DATABASE_URL"]
    indexes = "SELECT indexdef FROM pg_indexes WHERE tablename IN ('incidents', 'patrol_tracks') ORDER BY 1"
    before = _query(url, indexes)
    result = runner.invoke(args=["demo", "--scale", "province", "--counties", str(N)])
    assert result.exit_code == 0, result.output
    assert f"counties: {N}" in result.output
    assert _query(url, indexes) == before  # set aside during the COPY, built again
    again = runner.invoke(args=["demo", "--scale", "province", "--if-empty"])
    assert again.exit_code == 0 and "already loaded" in again.output
    codes = [c.code for c in layout(N)]
    counts = _per_county(url)
    demo = generate_county(0)
    for name, per in counts.items():
        assert sorted(per) == sorted(codes), name
        assert per[COUNTY_CODE] == len(demo[name]), name  # the demo county as --scale county has it
        for code in codes[1:]:  # the others: a county each, of the demo's size
            low, high = 0.5 * len(demo[name]), 2.0 * len(demo[name])
            assert name == "patrol_tracks" or low <= per[code] <= high, (name, code, per[code])
    assert len(set(counts["incidents"].values())) == N  # each county drawn afresh
    for code in codes[1:]:
        teams = _query(url, "SELECT count(DISTINCT team_code) FROM patrol_tracks WHERE county_code = %s", code)
        assert teams[0][0] == TRACKED_TEAMS
    demo_villages = _query(url, "SELECT code FROM villages WHERE county_code = %s ORDER BY code",
                           COUNTY_CODE)
    assert [c for c, in demo_villages] == sorted(demo["villages"]["code"])
    _check_codes(url, codes)
    events = dict(_query(url, "SELECT county_code, count(*) FROM remediation_events GROUP BY 1"))
    assert sorted(events) == sorted(codes)
    terms = dict(_query(url, "SELECT county_code, count(*) FROM school_terms GROUP BY 1"))
    assert terms == {code: 3 for code in codes}  # the demo terms in each county, the holidays once
    assert _query(url, "SELECT count(*) FROM calendar_days WHERE county_code IS NULL")[0][0] == 39
    # the app shows its own county (FLASK_COUNTY_CODE) among the others
    got = client.get("/ogc/collections/incidents/items?limit=1&f=json", headers=basic("leader"))
    assert got.status_code == 200 and got.get_json()["numberMatched"] == counts["incidents"][COUNTY_CODE]
    for path in ("/leader/", "/api/cockpit", "/api/remediation/progress", "/api/cameras?per_page=1"):
        assert client.get(path, headers=basic("leader")).status_code == 200, path
    # each county named; the demo leader may switch among them all (the header's selector)
    named = dict(_query(url, "SELECT code, name FROM counties WHERE code = ANY(%s)", codes))
    assert named[COUNTY_CODE] == "示范县" and named[codes[1]] == f"示范{codes[1][-4:]}县"
    scope = _query(url, "SELECT counties FROM users WHERE name = 'leader'")
    assert scope and sorted(scope[0][0]) == sorted(codes)
