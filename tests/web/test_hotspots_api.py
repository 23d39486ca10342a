"""/api/hotspots/grid, density and candidates on a small county with one planted cluster."""
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from tests.conftest import basic
from tests.helpers import put, square


@pytest.fixture
def county(app, conn):
    put(conn, "townships", [{"code": "410999001", "name": "甲镇", "geometry": square(111.0, 33.0, 0.1)},
                            {"code": "410999002", "name": "乙乡", "geometry": square(111.1, 33.0, 0.1)}])
    rng = np.random.default_rng(3)
    rows = []
    # background: 200 incidents spread over both townships in 2026Q3, 100 in 2026Q2
    for i, (x, y) in enumerate(zip(rng.uniform(111.0, 111.2, 300), rng.uniform(33.0, 33.1, 300))):
        day = "2026-08-01" if i < 200 else "2026-05-01"
        rows.append({"code": f"B{i}", "occurred_at": pd.Timestamp(f"{day} 10:00", tz="Asia/Shanghai"),
                     "category": "dispute", "geometry": Point(x, y)})
    # a cluster of 120 thefts around 111.05, 33.05 in 2026Q3
    for i, (x, y) in enumerate(zip(rng.normal(111.05, 0.002, 120), rng.normal(33.05, 0.002, 120))):
        rows.append({"code": f"C{i}", "occurred_at": pd.Timestamp("2026-07-15 22:00", tz="Asia/Shanghai"),
                     "category": "theft", "geometry": Point(x, y)})
    put(conn, "incidents", rows)
    return app


def test_grid_counts_every_incident_of_the_quarter(county, client):
    doc = client.get("/api/hotspots/grid?quarter=2026Q3&all=1", headers=basic("planner")).get_json()
    assert doc["params"]["cell_m"] == 500 and doc["params"]["band_m"] == 1500
    assert doc["params"]["crs"] == "EPSG:32649"
    counts = [f["properties"]["count"] for f in doc["features"]]
    assert sum(counts) == 320 and len(counts) == doc["params"]["cells"]
    hot = [f for f in doc["features"] if f["properties"]["gi_class"] == 3]
    assert hot and max(f["properties"]["gi_z"] for f in hot) > 5
    for f in hot:  # every 99% hot cell is near the planted cluster
        (x, y), = [f["geometry"]["coordinates"][0][0]]
        assert abs(x - 111.05) < 0.03 and abs(y - 33.05) < 0.03


def test_category_filter_and_cell_size(county, client):
    doc = client.get("/api/hotspots/grid?quarter=2026Q3&category=theft&cell_m=250", headers=basic("planner")).get_json()
    assert sum(f["properties"]["count"] for f in doc["features"]) == 120
    assert doc["params"]["cell_m"] == 250 and doc["params"]["band_m"] == 1500
    for bad in ("quarter=2026Q3&category=jaywalking", "quarter=2026Q3&cell_m=abc", "quarter=2026Q3&cell_m=10",
                "quarter=Q3"):
        resp = client.get(f"/api/hotspots/grid?{bad}", headers=basic("planner"))
        assert resp.status_code == 400, bad


def test_candidates_rank_the_cluster_first_and_fill_the_quota(county, client):
    doc = client.get("/api/hotspots/candidates?quarter=2026Q3", headers=basic("planner")).get_json()
    first = doc["features"][0]["properties"]
    assert first["rank"] == 1 and first["significant"] is True and first["township_code"] == "410999001"
    assert first["count"] >= 110 and first["count_previous"] < 20 and first["trend"] == "up"
    assert first["top_categories"][0]["category"] == "theft" and first["pai"] > 5
    forced = [f["properties"] for f in doc["features"] if not f["properties"]["significant"]]
    by_town = pd.Series([f["properties"]["township_code"] for f in doc["features"]]).value_counts()
    assert forced and by_town.min() >= 5  # quota picks shown as not significant


def test_density_is_highest_at_the_cluster(county, client):
    doc = client.get("/api/hotspots/density?quarter=2026Q3&bandwidth_m=800", headers=basic("planner")).get_json()
    best = max(doc["features"], key=lambda f: f["properties"]["density"])
    x, y = np.mean(best["geometry"]["coordinates"][0], axis=0)
    assert abs(x - 111.05) < 0.01 and abs(y - 33.05) < 0.01
    assert doc["params"]["kernel"] == "quartic"
