"""Benchmark: Gi* and grid counting for a county quarter and a province, against esda and geopandas.

The plain alternatives are what an analyst would write: PySAL's
``libpysal.weights.DistanceBand`` + ``esda.G_Local(transform='B', star=True,
permutations=0)`` for Gi* (weights and statistic, as ours is timed), and
``geopandas.sjoin`` of the incidents to the cells plus a groupby for the counts.
Both are measured in the same run on the same input. esda on the whole province
(1.5 million cells) would take minutes and gigabytes, so it is timed on the province's
south-west 245 × 245 cells (60,025 cells, 1/25) and scaled linearly by 25: a lower
bound, since its KD-tree and weights building grow faster than linearly.
"""
import statistics
import time
import warnings

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from geo import hotspots as hs
from tests.bench.report import record

pytestmark = pytest.mark.bench

UTM = 32649
CELL, BAND = hs.DEFAULT_CELL_M, hs.DEFAULT_BAND_M
X0, Y0 = 400_000.0, 3_700_000.0


def clustered(n, side_m, clusters, seed):
    """n incidents on a side_m square: 60% in Gaussian clusters (σ 150–800 m), 40% spread evenly."""
    rng = np.random.default_rng(seed)
    k = int(n * 0.6)
    centres = rng.uniform(0, side_m, (clusters, 2))
    sigma = rng.uniform(150, 800, clusters)
    which = rng.integers(0, clusters, k)
    pts = np.vstack([centres[which] + rng.normal(0, 1, (k, 2)) * sigma[which, None],
                     rng.uniform(0, side_m, (n - k, 2))])
    pts = pts[(pts >= 0).all(axis=1) & (pts < side_m).all(axis=1)]
    return pts + [X0, Y0]


def median_time(fn, runs):
    fn()                                                   # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def esda_gi_star(y, xy):
    """(seconds, z) for DistanceBand + G_Local, the way PySAL's docs do it."""
    import libpysal
    from esda.getisord import G_Local

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.DistanceBand(xy, threshold=BAND, binary=True, silence_warnings=True)
        g = G_Local(np.asarray(y, dtype=float), w, transform="B", star=True, permutations=0)
    return time.perf_counter() - start, g.Zs


def sjoin_counts(grid, points):
    cells = grid[["geometry"]]
    joined = gpd.sjoin(points, cells, predicate="within")
    return joined.groupby("index_right").size().reindex(cells.index, fill_value=0).to_numpy()


def setting(side_cells, n_incidents, clusters, seed):
    side_m = side_cells * CELL
    grid = hs.make_grid((X0, Y0, X0 + side_m, Y0 + side_m), CELL, crs=UTM)
    xy = clustered(n_incidents, side_m, clusters, seed)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=UTM)
    return {"grid": grid, "points": points, "counts": hs.count_incidents(grid, points),
            "xy": grid[["cx", "cy"]].to_numpy()}


@pytest.fixture(scope="module")
def county():
    """A 60 × 60 km county at 500 m: 14,400 cells, 10,000 clustered incidents; esda timed once."""
    s = setting(120, 10_000, 40, seed=1)
    s["esda_s"], s["esda_z"] = esda_gi_star(s["counts"], s["xy"])
    return s


@pytest.fixture(scope="module")
def province():
    """1,225 × 1,225 cells (1,500,625) at 500 m, 1,000,000 clustered incidents."""
    return setting(1225, 1_050_000, 4_000, seed=2)


def test_gi_star_county_against_esda(county):
    counts, xy = county["counts"], county["xy"]
    assert len(counts) == 14_400 and counts.sum() > 9_500
    ours = median_time(lambda: hs.gi_star(counts, xy, BAND, cell_m=CELL), runs=15)
    z, _ = hs.gi_star(counts, xy, BAND, cell_m=CELL)
    np.testing.assert_allclose(z, county["esda_z"], atol=1e-6)
    record("Gi* county quarter (14,400 cells, 10,000 incidents; weights + statistic)", ours,
           county["esda_s"], "esda DistanceBand + G_Local(permutations=0)", target="< 50 ms, >= 30x esda")
    assert ours < 0.050
    assert county["esda_s"] / ours >= 30


def test_gi_star_county_with_sparse_weights_against_esda(county):
    """The same through an explicit scipy CSR weights matrix (band_weights) and one mat-vec."""
    counts, xy = county["counts"], county["xy"]

    def sparse():
        return hs.gi_star(counts, weights=hs.band_weights(xy, BAND, cell_m=CELL))

    ours = median_time(sparse, runs=15)
    np.testing.assert_allclose(sparse()[0], county["esda_z"], atol=1e-6)
    record("Gi* county quarter via CSR weights (band_weights + mat-vec)", ours, county["esda_s"],
           "esda DistanceBand + G_Local(permutations=0)", target="< 50 ms, >= 30x esda")
    assert ours < 0.050
    assert county["esda_s"] / ours >= 30


def test_counting_county_against_sjoin(county):
    grid, points = county["grid"], county["points"]
    ours = median_time(lambda: hs.count_incidents(grid, points), runs=15)
    start = time.perf_counter()
    plain_counts = sjoin_counts(grid, points)
    plain = time.perf_counter() - start
    assert (plain_counts == county["counts"]).all()
    record("grid counts, county (14,400 cells, 10,000 incidents)", ours, plain,
           "geopandas sjoin + groupby", target="a few ms")
    assert ours < 0.010


def test_hotspot_grid_county_from_lon_lat(county):
    """Grid, counts, Gi* and FDR classes from lon/lat layers: the analysis in /api/hotspots/grid."""
    square = gpd.GeoSeries([box(X0, Y0, X0 + 60_000, Y0 + 60_000)], crs=UTM).to_crs(4326)
    incidents = county["points"].to_crs(4326)
    ours = median_time(lambda: hs.hotspot_grid(square, incidents), runs=7)
    grid = hs.hotspot_grid(square, incidents)
    assert grid["count"].sum() == len(incidents)
    start = time.perf_counter()
    local = hs.make_grid(square)
    counts = sjoin_counts(local, incidents.to_crs(local.crs))
    esda_s, z = esda_gi_star(counts, local[["cx", "cy"]].to_numpy())
    plain = time.perf_counter() - start
    np.testing.assert_allclose(grid["gi_z"].to_numpy(), z, atol=1e-6)
    record(f"hotspot_grid county from lon/lat ({len(grid):,} cells: grid, counts, Gi*, FDR)", ours, plain,
           "same grid + geopandas sjoin + esda", target="< 300 ms (whole request)")
    assert ours < 0.300


def test_gi_star_province(province):
    counts, xy = province["counts"], province["xy"]
    assert len(counts) == 1_500_625 and counts.sum() > 990_000
    ours = median_time(lambda: hs.gi_star(counts, xy, BAND, cell_m=CELL), runs=3)
    grid = province["grid"]
    sub = ((grid["row"] < 245) & (grid["col"] < 245)).to_numpy()
    esda_sub, z_sub = esda_gi_star(counts[sub], xy[sub])
    ours_sub = median_time(lambda: hs.gi_star(counts[sub], xy[sub], BAND, cell_m=CELL), runs=7)
    np.testing.assert_allclose(hs.gi_star(counts[sub], xy[sub], BAND, cell_m=CELL)[0], z_sub, atol=1e-6)
    record("Gi* province sub-area (60,025 cells), same input", ours_sub, esda_sub,
           "esda DistanceBand + G_Local(permutations=0)", target=">= 30x esda")
    record("Gi* province (1,500,625 cells, 1,000,000 incidents; weights + statistic)", ours, esda_sub * 25,
           "esda on 1/25 of it x 25 (linear extrapolation, a lower bound)", target="< 3 s, >= 30x esda")
    assert ours < 3.0
    assert esda_sub / ours_sub >= 30
    assert esda_sub * 25 / ours >= 30


def test_counting_province_against_sjoin(province):
    grid, points = province["grid"], province["points"]
    ours = median_time(lambda: hs.count_incidents(grid, points), runs=3)
    start = time.perf_counter()
    plain_counts = sjoin_counts(grid, points)
    plain = time.perf_counter() - start
    assert (plain_counts == province["counts"]).all()
    record("grid counts, province (1,500,625 cells, 1,000,000 incidents)", ours, plain,
           "geopandas sjoin + groupby", target="well under 1 s")
    assert ours < 1.0
