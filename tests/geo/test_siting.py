"""Camera siting: known answers on hand-built roads and cameras (metres, UTM zone 49N)."""
import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from geo.siting import (HOTSPOT_WEIGHT, candidate_sites, coverage_matrix, covered_weight, demand_points,
                        greedy_siting, milp_siting, suggest_cameras)

UTM = "EPSG:32649"
X0, Y0 = 500_000.0, 3_740_000.0


def road(*coords, crs=UTM):
    return gpd.GeoDataFrame(geometry=[LineString(c) for c in coords], crs=crs)


STRAIGHT = road([(X0, Y0), (X0 + 1000, Y0)])  # 1 km, west to east


def cams(xy, azimuth, kind="fixed", fov=90.0, range_m=100.0, **extra):
    n = len(xy)
    cols = {"kind": [kind] * n, "azimuth": azimuth, "fov": [fov] * n, "range_m": [range_m] * n, **extra}
    return gpd.GeoDataFrame(cols, geometry=[Point(x, y) for x, y in xy], crs=UTM)


def covered_road_m(cameras, roads=STRAIGHT, step=1.0):
    demand = demand_points(roads, road_step_m=step)
    return coverage_matrix(cameras, demand) @ demand["weight"].to_numpy()


def test_fixed_camera_looking_along_the_road_covers_its_range():
    # east and west from the middle; at the default 10 m step the answer is exact too
    assert covered_road_m(cams([(X0 + 500, Y0)] * 2, [90.0, 270.0])) == pytest.approx([100, 100], abs=1)
    assert covered_road_m(cams([(X0 + 500, Y0)], [90.0]), step=10) == pytest.approx([100], abs=10)


def test_dome_on_the_road_covers_twice_its_range():
    assert covered_road_m(cams([(X0 + 500, Y0)], [np.nan], kind="dome")) == pytest.approx([200], abs=1)


def test_camera_on_the_road_looking_across_covers_nothing():
    assert covered_road_m(cams([(X0 + 500, Y0)] * 2, [0.0, 180.0])).tolist() == [0, 0]


@pytest.mark.parametrize("setback", [30.0, 100 * math.sin(math.radians(45)), 90.0])
def test_camera_set_back_looking_across_covers_the_chord(setback):
    # 90-degree sector looking south at the road from `setback` m north of it: the edges
    # (45 degrees) meet the road at +-setback, the arc at +-sqrt(R^2 - setback^2);
    # covered = 2 min(setback, sqrt(R^2 - setback^2)), at most 2 * 100 * sin 45 = 141.4 m
    expected = 2 * min(setback, math.sqrt(100 ** 2 - setback ** 2))
    got = covered_road_m(cams([(X0 + 500, Y0 + setback)], [180.0]), step=0.5)
    assert got == pytest.approx([expected], abs=1)


def test_azimuth_runs_clockwise_from_north():
    cross = road([(X0 - 300, Y0), (X0 + 300, Y0)], [(X0, Y0 - 300), (X0, Y0 + 300)])
    demand = demand_points(cross, road_step_m=5)
    m = coverage_matrix(cams([(X0 + 0.1, Y0 + 0.1)] * 4, [0.0, 90.0, 180.0, 270.0], fov=60.0), demand)
    xy = demand.get_coordinates().to_numpy() - [X0, Y0]
    north, east, south, west = (xy[m[i].indices] for i in range(4))
    assert (north[:, 1] > 0).all() and (east[:, 0] > 0).all()
    assert (south[:, 1] < 0).all() and (west[:, 0] < 0).all()


def test_demand_weights_sum_to_road_length_and_hotspot_area_counted_once():
    spots = gpd.GeoDataFrame(geometry=[box(X0, Y0 + 20, X0 + 100, Y0 + 120),
                                       box(X0 + 40, Y0 + 20, X0 + 160, Y0 + 120)], crs=UTM)
    demand = demand_points(STRAIGHT, spots)
    roads, hot = demand[demand.kind == "road"], demand[demand.kind == "hotspot"]
    assert len(roads) == 100 and roads.amount.sum() == pytest.approx(1000)
    assert len(hot) == 8 * 5 and hot.amount.sum() == pytest.approx(160 * 100)  # the union, 20 m grid
    assert hot.weight.sum() == pytest.approx(16_000 * HOTSPOT_WEIGHT)


def test_existing_working_sectors_remove_demand():
    dome = gpd.GeoDataFrame({"status": ["working", "faulty"]},
                            geometry=[Point(X0 + 500, Y0).buffer(100, 64), Point(X0 + 200, Y0).buffer(100, 64)],
                            crs=UTM)
    left = demand_points(STRAIGHT, existing_sectors=dome)
    assert left.amount.sum() == pytest.approx(800)
    cameras = cams([(X0 + 500, Y0)], [90.0])  # existing cameras as points work too
    assert demand_points(STRAIGHT, existing_sectors=cameras).amount.sum() == pytest.approx(900)


def test_candidates_every_spacing_with_both_bearings_along_the_road():
    c = candidate_sites(STRAIGHT, spacing_m=50)
    assert c.site.nunique() == 21 and len(c) == 42
    assert sorted(c.azimuth.unique()) == [90.0, 270.0]
    across = candidate_sites(STRAIGHT, spacing_m=50, across=True)
    assert sorted(across.azimuth.round(6).unique()) == [0.0, 90.0, 180.0, 270.0]
    dome = candidate_sites(STRAIGHT, spacing_m=50, kind="ptz")
    assert len(dome) == 21 and dome.azimuth.isna().all() and (dome.fov == 360).all()


def test_candidates_where_roads_meet_are_merged():
    joined = road([(X0, Y0), (X0 + 100, Y0)], [(X0 + 100, Y0), (X0 + 200, Y0)])
    c = candidate_sites(joined, spacing_m=50)
    assert c.site.nunique() == 5 and len(c) == 10


def test_crs_must_match_and_be_metric():
    with pytest.raises(ValueError, match="metres"):
        candidate_sites(road([(111.6, 33.8), (111.61, 33.8)], crs="EPSG:4326"))
    spots = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 10, Y0 + 10)], crs="EPSG:32650")
    with pytest.raises(ValueError, match="mismatch"):
        demand_points(STRAIGHT, spots)
    with pytest.raises(ValueError, match="mismatch"):
        coverage_matrix(cams([(X0, Y0)], [0.0]).to_crs("EPSG:3857"), demand_points(STRAIGHT))


def test_greedy_takes_the_disjoint_stretch_over_an_overlapping_one():
    a, b = cams([(X0 + 200, Y0)], [90.0]), cams([(X0 + 210, Y0)], [90.0])  # b adds 10 m to a
    c = cams([(X0 + 700, Y0)], [90.0], range_m=60.0)                       # 60 m elsewhere
    candidates = gpd.GeoDataFrame(gpd.pd.concat([a, b, c], ignore_index=True), crs=UTM)
    demand = demand_points(STRAIGHT, road_step_m=1)
    result = greedy_siting(coverage_matrix(candidates, demand), demand.weight, 2)
    assert result.chosen.tolist() == [0, 2]
    assert result.gains == pytest.approx([100, 60], abs=1)


def random_instance(seed, n_candidates=200, n_demand=2000, side=1000.0, range_m=150.0):
    rng = np.random.default_rng(seed)
    candidates = gpd.GeoDataFrame(
        {"kind": "fixed", "azimuth": rng.uniform(0, 360, n_candidates), "fov": 90.0, "range_m": range_m},
        geometry=gpd.points_from_xy(*rng.uniform(0, side, (2, n_candidates))), crs=UTM)
    demand = gpd.GeoDataFrame({"weight": rng.uniform(0.5, 2.0, n_demand)},
                              geometry=gpd.points_from_xy(*rng.uniform(0, side, (2, n_demand))), crs=UTM)
    return coverage_matrix(candidates, demand), demand["weight"].to_numpy()


def test_greedy_gains_do_not_increase_and_the_curve_adds_them_up():
    matrix, weights = random_instance(1)
    result = greedy_siting(matrix, weights, 40)
    assert len(result.chosen) == 40 == len(set(result.chosen.tolist()))
    assert (np.diff(result.gains) <= 1e-9).all()
    assert result.cumulative == pytest.approx(np.cumsum(result.gains))
    assert result.cumulative[-1] == pytest.approx(covered_weight(matrix, weights, result.chosen))


def test_lazy_greedy_picks_what_plain_greedy_picks():
    matrix, weights = random_instance(3)  # random weights: no ties
    covered, plain = np.zeros(len(weights), dtype=bool), []
    for _ in range(25):
        gains = matrix @ (weights * ~covered)
        plain.append(int(np.argmax(gains)))
        covered[matrix[plain[-1]].indices] = True
    assert greedy_siting(matrix, weights, 25).chosen.tolist() == plain


@pytest.mark.parametrize("seed", [0, 2])
def test_greedy_reaches_95_percent_of_the_milp_optimum(seed):
    matrix, weights = random_instance(seed)
    greedy = greedy_siting(matrix, weights, 10)
    milp = milp_siting(matrix, weights, 10, time_limit=30)
    assert milp.optimal and milp.status == "optimal"
    assert len(milp.chosen) == 10
    assert milp.objective >= greedy.cumulative[-1] - 1e-6
    assert greedy.cumulative[-1] >= 0.95 * milp.objective


def test_milp_stopped_on_its_time_limit_is_not_called_optimal():
    matrix, weights = random_instance(1, n_candidates=400, n_demand=4000)
    milp = milp_siting(matrix, weights, 25, time_limit=0.01)
    assert not milp.optimal
    assert milp.status.startswith("not proven optimal")
    assert len(milp.chosen) in (0, 25)  # a fractional LP answer is not passed off as a siting


def test_suggest_cameras_keeps_existing_cameras_and_returns_the_curve():
    roads = road([(X0, Y0), (X0 + 1000, Y0)], [(X0 + 500, Y0 - 500), (X0 + 500, Y0 + 500)]).to_crs("EPSG:4326")
    existing = cams([(X0 + 500, Y0)], [np.nan], kind="dome", status=["working"])
    existing = gpd.GeoDataFrame(existing, geometry=existing.buffer(100, 64), crs=UTM).to_crs("EPSG:4326")
    spot = gpd.GeoDataFrame(geometry=[box(X0 + 820, Y0 + 5, X0 + 900, Y0 + 45)], crs=UTM).to_crs("EPSG:4326")
    cameras, curve = suggest_cameras(roads, spot, existing, k=3, crs=UTM)
    assert cameras.crs == roads.crs and len(cameras) == 3
    assert list(cameras.columns) == ["rank", "kind", "azimuth", "fov", "range_m", "geometry",
                                     "gain_road_m", "gain_hotspot_m2", "gain", "cumulative"]
    assert (np.diff(cameras.gain) <= 1e-9).all()
    # a fresh 100 m of road, and the best first camera also looks into the hotspot
    assert cameras.gain_road_m.iloc[0] == pytest.approx(100, abs=1)
    assert cameras.gain_hotspot_m2.iloc[0] > 0
    metric = cameras.to_crs(UTM)
    assert (metric.distance(Point(X0 + 500, Y0)) >= 100 - 1).all()  # nothing inside the dome's reach
    assert curve.cameras.tolist() == [0, 1, 2, 3]
    assert curve.road_share.iloc[0] == pytest.approx(400 / 2000, abs=0.01)  # the dome's 4 x 100 m
    assert curve.road_share.iloc[-1] == pytest.approx((400 + curve.road_m.iloc[-1]) / 2000, abs=0.01)
    with pytest.raises(ValueError, match="metres"):
        suggest_cameras(roads, None, None, k=1, crs="EPSG:4326")
