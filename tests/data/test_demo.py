"""The synthetic demo county: shape, counts, columns and determinism (no database)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import shapely

from data.demo import (
    AS_OF,
    COUNTY_CODE,
    COUNTY_NAME,
    PLAN_YEAR,
    generate_county,
)
from layers.catalog import (
    CAMERA_KINDS,
    CAMERA_STATUSES,
    INCIDENT_CATEGORIES,
    LAYERS,
)

METRIC = "EPSG:32649"
TZ = "Asia/Shanghai"


@pytest.fixture(scope="module")
def county():
    return generate_county(0)


@pytest.fixture(scope="module")
def metric(county):
    return {name: frame.to_crs(METRIC) for name, frame in county.items()
            if name in ("townships", "villages")}


def _assert_frames_equal(a, b):
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert a.crs == b.crs
    assert (a.geometry.to_wkb() == b.geometry.to_wkb()).all()


def test_constants():
    assert COUNTY_CODE == "410999"
    assert COUNTY_NAME == "示范县"
    assert PLAN_YEAR == 2026
    assert AS_OF == dt.date(2026, 11, 26)


def test_every_layer_in_4326(county):
    assert list(county) == list(LAYERS)
    for name, frame in county.items():
        assert frame.crs.to_epsg() == 4326, name
        assert len(frame) > 0, name
        assert frame.geometry.notna().all() and frame.is_valid.all(), name
        assert not frame.geometry.is_empty.any(), name


def test_same_seed_same_county_other_seed_other_county(county):
    again = generate_county(0)
    for name in ("villages", "roads", "cameras", "incidents", "patrol_tracks", "hotspots"):
        _assert_frames_equal(county[name], again[name])
    other = generate_county(1)
    assert not county["townships"].geometry.iloc[0].equals(other["townships"].geometry.iloc[0])
    assert len(county["incidents"]) != len(other["incidents"]) or not (
        county["incidents"].geometry.to_wkb() == other["incidents"].geometry.to_wkb()).all()


def test_columns_and_values_follow_the_catalog(county):
    for name, layer in LAYERS.items():
        frame = county[name]
        for col in layer.columns:
            if col.kept and col.name not in frame.columns:
                continue  # written after the layers (the incidents' dispute flags: data.demo.disputes)
            assert col.name in frame.columns, f"{name}.{col.name} missing"
            values = frame[col.name]
            present = values[values.notna()]
            if col.required:
                assert len(present) == len(values), f"{name}.{col.name} has nulls"
            if col.kind == "enum":
                assert set(present) <= set(col.choices), f"{name}.{col.name}"
            elif col.kind == "text":
                assert all(isinstance(v, str) and v for v in present), f"{name}.{col.name}"
            elif col.kind == "bool":
                assert values.dtype == bool, f"{name}.{col.name}"
            elif col.kind == "int":
                assert pd.api.types.is_integer_dtype(values), f"{name}.{col.name}"
            elif col.kind == "float":
                assert pd.api.types.is_float_dtype(values), f"{name}.{col.name}"
            elif col.kind == "date":
                assert all(type(v) is dt.date for v in present), f"{name}.{col.name}"
            elif col.kind == "timestamp":
                assert isinstance(values.dtype, pd.DatetimeTZDtype), f"{name}.{col.name}"
                assert str(values.dt.tz) == TZ, f"{name}.{col.name}"
            if col.minimum is not None and len(present):
                assert present.min() >= col.minimum, f"{name}.{col.name}"
            if col.maximum is not None and len(present):
                assert present.max() <= col.maximum, f"{name}.{col.name}"
        if "code" in frame.columns:
            assert frame["code"].is_unique, name


def test_geometry_types(county):
    assert set(county["townships"].geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(county["villages"].geom_type) <= {"Polygon", "MultiPolygon"}
    for name in ("cameras", "incidents", "patrol_teams", "patrol_tracks"):
        assert set(county[name].geom_type) == {"Point"}, name
    assert set(county["roads"].geom_type) == {"LineString"}
    assert set(county["patrol_routes"].geom_type) == {"LineString"}
    assert set(county["hotspots"].geom_type) == {"Polygon"}
    assert "Point" in set(county["schools"].geom_type)


def test_everything_near_111_6_33_8(county):
    minx, miny, maxx, maxy = county["townships"].total_bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    assert abs(cx - 111.6) < 0.1 and abs(cy - 33.8) < 0.1
    assert 0.3 < maxx - minx < 0.9 and 0.3 < maxy - miny < 0.9
    pad = 0.005
    for name, frame in county.items():
        bx0, by0, bx1, by1 = frame.total_bounds
        assert bx0 >= minx - pad and by0 >= miny - pad, name
        assert bx1 <= maxx + pad and by1 <= maxy + pad, name


def test_townships_tile_the_county(county, metric):
    t = metric["townships"]
    assert 12 <= len(t) <= 18
    assert t["code"].str.fullmatch(COUNTY_CODE + r"\d{3}").all()
    assert "城关镇" in set(t["name"])
    whole = t.union_all()
    assert whole.geom_type == "Polygon"
    assert 1.5e9 <= whole.area <= 2.5e9
    # no overlap: the parts add up to the whole
    assert abs(t.area.sum() - whole.area) < 1.0
    # no gaps inside the county either: the union has no holes
    assert len(whole.interiors) == 0
    geoms = t.geometry.values
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    overlap = shapely.area(shapely.intersection(geoms[a[keep]], geoms[b[keep]]))
    assert overlap.max() < 1.0


def test_villages_tile_their_townships(metric):
    v = metric["villages"]
    t = metric["townships"].set_index("code")
    assert 250 <= len(v) <= 350
    assert v["code"].str.len().eq(12).all()
    assert (v["code"].str[:9] == v["township_code"]).all()
    assert set(v["township_code"]) == set(t.index)
    outside = shapely.area(shapely.difference(
        v.geometry.values, t.geometry.loc[v["township_code"]].values))
    assert outside.max() < 1.0  # m²
    by_township = v.groupby("township_code").apply(lambda g: g.area.sum(), include_groups=False)
    assert np.allclose(by_township.loc[t.index].values, t.area.values, rtol=0, atol=10.0)
    assert abs(v.area.sum() - t.area.sum()) < 10.0


def test_remote_villages_and_remediation(county):
    v = county["villages"]
    assert v["remote"].dtype == bool
    share = v["remote"].mean()
    assert 0.15 <= share <= 0.25
    assert v["population"].between(300, 5000).all()
    remote = v[v["remote"]]
    assert v.loc[~v["remote"], "remediated_on"].isna().all()
    done = remote["remediated_on"].dropna()
    assert 0.35 <= len(done) / len(remote) <= 0.75
    assert all(dt.date(PLAN_YEAR, 1, 15) <= d <= dt.date(PLAN_YEAR, 11, 20) for d in done)
    # an uneven pace: townships differ in how far they are
    per_township = remote.groupby("township_code")["remediated_on"].apply(
        lambda s: s.notna().mean())
    assert per_township.max() - per_township.min() >= 0.4


def test_roads(county):
    r = county["roads"]
    assert 1000 <= len(r) <= 3000
    assert set(r["class"]) == {"national", "provincial", "county", "township", "village"}
    assert r["code"].str.fullmatch(r"R\d{4,}").all()
    assert set(r["township_code"]) <= set(county["townships"]["code"])


def test_cameras(county):
    c = county["cameras"]
    assert 1800 <= len(c) <= 2200
    assert set(c["kind"]) == set(CAMERA_KINDS)
    assert set(c["status"]) == set(CAMERA_STATUSES)
    kinds = c["kind"].value_counts(normalize=True)
    assert 0.45 <= kinds["fixed"] <= 0.65
    assert 0.90 <= (c["status"] == "working").mean() <= 0.99
    assert 0.85 <= c["networked"].mean() <= 0.97
    assert (c.loc[c["kind"].isin(["dome", "ptz"]), "fov"] == 360).all()
    assert c.loc[c["kind"] == "fixed", "fov"].between(60, 100).all()
    assert c.loc[c["kind"] == "checkpoint", "range_m"].between(50, 80).all()
    assert c.loc[c["kind"] == "dome", "azimuth"].isna().any()
    assert c.loc[c["kind"].isin(["fixed", "checkpoint"]), "azimuth"].notna().all()
    assert c["installed_on"].map(lambda d: dt.date(2018, 1, 1) <= d <= AS_OF).all()
    vcodes = set(county["villages"]["code"])
    assert set(c["village_code"]) <= vcodes
    assert (c["village_code"].str[:9] == c["township_code"]).all()


def test_incidents(county):
    i = county["incidents"]
    assert 27000 <= len(i) <= 33000
    assert set(i["focus"]) == set(INCIDENT_CATEGORIES)
    # categories as the police write them: several per group, some in no group at all
    assert {"盗窃", "盗窃电动车", "入室盗窃", "赌博", "寻衅滋事"} <= set(i["category"])
    assert set(i.loc[i["category"] == "盗窃电动车", "focus"]) == {"theft"}
    t = i["occurred_at"]
    assert t.min() >= pd.Timestamp("2024-11-27", tz=TZ)
    assert t.max() < pd.Timestamp("2026-11-27", tz=TZ)
    assert (t.max() - t.min()).days >= 720
    assert i["code"].str.fullmatch(r"I20\d{2}\d{6}").all()
    # clustered: a small part of the county holds most incidents
    x = ((i.geometry.x - 111.2) / 0.005).astype(int)
    y = ((i.geometry.y - 33.4) / 0.005).astype(int)
    cells = (x * 10000 + y).value_counts()
    top = cells.iloc[: max(1, len(cells) // 20)].sum() / len(i)
    assert top > 0.4
    # theft concentrates in the county seat more than fraud does
    seat = county["townships"].loc[county["townships"]["name"] == "城关镇", "code"].iloc[0]
    in_seat = i["township_code"] == seat
    assert in_seat[i["focus"] == "theft"].mean() > in_seat[i["focus"] == "telecom_fraud"].mean()
    # hours of day follow a pattern
    hours = t.dt.hour.value_counts()
    assert hours.max() > 1.5 * hours.min()


def test_schools(county):
    s = county["schools"]
    assert 60 <= len(s) <= 100
    assert s["name"].str.contains("小学|中学|教育").all()
    assert s["code"].str.fullmatch(r"S\d{3}").all()


def test_patrol_teams(county):
    tm = county["patrol_teams"]
    town = tm[tm["kind"] == "township_fulltime"]
    vill = tm[tm["kind"] == "village_volunteer"]
    assert len(town) == len(county["townships"])
    assert set(town["township_code"]) == set(county["townships"]["code"])
    assert town["village_code"].isna().all()
    assert vill["village_code"].notna().all()
    assert 0.5 <= len(vill) / len(county["villages"]) <= 0.9
    assert (town["members"] < 15).any() and (town["members"] >= 15).any()
    assert (vill["members"] < 6).any() and (vill["members"] >= 6).any()
    assert town["members"].between(8, 25).all()
    assert vill["members"].between(2, 12).all()


def test_patrol_routes_are_closed_loops(county):
    r = county["patrol_routes"]
    teams = county["patrol_teams"]
    assert set(r["team_code"]) <= set(teams["code"])
    town_teams = teams.loc[teams["kind"] == "township_fulltime", "code"]
    assert set(town_teams) <= set(r["team_code"])
    for g in r.geometry:
        assert g.coords[0] == g.coords[-1]
    length = r.to_crs(METRIC).length
    assert length.min() > 500


def test_patrol_tracks(county):
    k = county["patrol_tracks"]
    assert 100_000 <= len(k) <= 300_000
    t = k["recorded_at"]
    assert t.min() >= pd.Timestamp("2026-11-20", tz=TZ)
    assert t.max() < pd.Timestamp("2026-11-27", tz=TZ)
    assert set(k["team_code"]) <= set(county["patrol_teams"]["code"])
    town_teams = county["patrol_teams"].loc[
        county["patrol_teams"]["kind"] == "township_fulltime", "code"]
    assert set(town_teams) <= set(k["team_code"])
    # one fix a minute
    one = k[k["route_code"] == k["route_code"].iloc[0]].sort_values("recorded_at")
    steps = one["recorded_at"].diff().dropna().dt.total_seconds()
    within_shift = steps[steps < 3600]
    assert len(within_shift) > 0.9 * len(steps)
    assert (within_shift == 60).all()
    # points lie close to their route
    routes = county["patrol_routes"].set_index("code").to_crs(METRIC)
    sample = k.iloc[:: max(1, len(k) // 2000)].to_crs(METRIC)
    d = shapely.distance(sample.geometry.values,
                         routes.geometry.loc[sample["route_code"]].values)
    assert np.median(d) < 20 and d.max() < 80


def test_hotspots(county):
    h = county["hotspots"]
    assert list(sorted(set(h["quarter"]))) == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    for q, g in h.groupby("quarter"):
        assert (g["level"] == "county").sum() >= 10, q
        assert g["code"].str.startswith(f"H{q}-").all()
    latest = h[h["quarter"] == "2026Q3"]
    assert set(latest["status"]) <= {"listed", "remediating"}
    older = h[h["quarter"] != "2026Q3"]
    assert set(older["status"]) <= {"delisted", "carried_over"}
    assert set(h["township_code"]) <= set(county["townships"]["code"])
    # on real clusters: each polygon holds incidents of the quarter before
    inc = county["incidents"]
    quarter_before = inc[(inc["occurred_at"] >= pd.Timestamp("2026-04-01", tz=TZ))
                         & (inc["occurred_at"] < pd.Timestamp("2026-07-01", tz=TZ))]
    spots = latest[["code", "geometry"]].rename(columns={"code": "hotspot"})
    joined = quarter_before[["geometry"]].sjoin(spots, predicate="within")
    counted = joined.groupby("hotspot").size()
    assert len(counted) >= 0.9 * len(latest)
    m = h.to_crs(METRIC)
    across = np.sqrt(m.area / np.pi) * 2
    assert across.between(150, 700).all()


def test_remediated_remote_villages_have_cameras_at_their_entrances(county):
    """Most remediated remote villages meet the village video rule (checked against PostGIS in
    tests/browser/test_remediation_page.py): each has cameras at its 村口."""
    v, c = county["villages"], county["cameras"]
    done = v.loc[v["remote"] & v["remediated_on"].notna(), "code"]
    gates = c[c["name"].str.endswith("村口")]
    assert set(done) <= set(gates["village_code"])
    installed = gates.merge(v[["code", "remediated_on"]], left_on="village_code", right_on="code")
    installed = installed[installed["remediated_on"].notna()]
    assert (installed["installed_on"] < installed["remediated_on"]).all()
