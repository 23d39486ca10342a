"""geo.hotspots: grid counts, Gi* against esda, FDR classes, kernel density, candidates, PAI, WDQ."""
import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from geo import hotspots as hs

UTM = 32649          # WGS 84 / UTM 49N: the demo county's zone (lon 111.6)
X0, Y0 = 500_000.0, 3_740_000.0


def lattice_grid(nrows, ncols, cell=500.0):
    return hs.make_grid((X0, Y0, X0 + ncols * cell, Y0 + nrows * cell), cell, crs=UTM)


def at(grid, row, col):
    """Grid index of (row, col)."""
    return int(np.flatnonzero((grid["row"] == row) & (grid["col"] == col))[0])


def with_stats(grid, counts, band=1500.0):
    grid = grid.copy()
    grid["count"] = counts
    z, p = hs.gi_star(counts, grid[["cx", "cy"]].to_numpy(), band, grid.attrs["grid"]["cell_m"])
    grid["gi_z"], grid["gi_p"], grid["gi_class"] = z, p, hs.fdr_classes(z, p)
    return grid


def county_polygon():
    """An irregular county (a blob with a bay), in UTM metres, so edge cells have fewer neighbours."""
    blob = Point(X0 + 10_000, Y0 + 9_000).buffer(9_000, quad_segs=16)
    return blob.difference(box(X0 + 12_000, Y0 + 4_000, X0 + 25_000, Y0 + 7_000))


def clustered_counts(grid, seed=0):
    rng = np.random.default_rng(seed)
    centre = np.array([X0 + 6_000, Y0 + 12_000])
    d = np.hypot(*(grid[["cx", "cy"]].to_numpy() - centre).T)
    return rng.poisson(0.7 + 6 * np.exp(-(d / 1_200) ** 2))


# ------------------------------------------------------------------- CRS, grid, counts

def test_metric_crs_is_the_local_utm_zone_or_the_given_one():
    county = gpd.GeoSeries([box(111.5, 33.7, 111.7, 33.9)], crs=4326)
    assert hs.metric_crs_for(county).to_epsg() == 32649
    assert hs.metric_crs_for(county, "EPSG:4547").to_epsg() == 4547
    with pytest.raises(ValueError, match="metres"):
        hs.metric_crs_for(county, 4326)


def test_grid_from_an_aligned_square_has_exactly_its_cells():
    county = gpd.GeoSeries([box(X0, Y0, X0 + 60_000, Y0 + 60_000)], crs=UTM)
    grid = hs.make_grid(county)
    assert len(grid) == 120 * 120                    # the ring of cells only touching is left out
    assert grid.crs.to_epsg() == UTM
    assert grid.geometry.area.sum() == pytest.approx(3.6e9)
    assert (grid["row"].min(), grid["col"].max()) == (0, 119)
    assert grid.attrs["grid"]["area_m2"] == pytest.approx(3.6e9)


def test_intersecting_cells_cover_every_point_of_the_county_centre_cells_do_not():
    poly = county_polygon()
    grid = hs.make_grid(poly, 500, crs=UTM)
    centre = hs.make_grid(poly, 500, crs=UTM, keep="centre")
    assert len(centre) < len(grid)
    assert shapely.covers(shapely.union_all(grid.geometry.values), poly)
    assert (shapely.area(shapely.intersection(grid.geometry.values, poly)) > 0).all()
    assert shapely.contains_xy(poly, centre["cx"], centre["cy"]).all()
    rng = np.random.default_rng(3)
    pts = rng.uniform([X0, Y0], [X0 + 20_000, Y0 + 18_000], (5000, 2))
    pts = pts[shapely.contains_xy(poly, pts[:, 0], pts[:, 1])]
    assert (hs.cell_index(grid, pts) >= 0).all()


def test_counts_per_cell_and_category():
    grid = lattice_grid(4, 5)
    # one point in cell (0, 0), two on the edge/inside of (1, 2), one outside the grid
    pts = gpd.GeoDataFrame({"category": ["theft", "theft", "fraud", "theft"]},
                           geometry=gpd.points_from_xy([X0 + 10, X0 + 1000, X0 + 1200, X0 - 1],
                                                       [Y0 + 10, Y0 + 500, Y0 + 700, Y0]), crs=UTM)
    counts = hs.count_incidents(grid, pts)
    assert counts.sum() == 3
    assert counts[at(grid, 0, 0)] == 1 and counts[at(grid, 1, 2)] == 2
    cats = hs.category_counts(grid, pts)
    assert list(cats.columns) == ["fraud", "theft"]
    assert cats.loc[at(grid, 1, 2)].tolist() == [1, 1]
    assert (cats.sum(axis=1).to_numpy() == counts).all()


def test_points_in_another_crs_are_refused():
    grid = lattice_grid(2, 2)
    pts = gpd.GeoSeries([Point(111.6, 33.8)], crs=4326)
    with pytest.raises(ValueError, match="CRS"):
        hs.count_incidents(grid, pts)


# ----------------------------------------------------------------------------- Gi*

@pytest.mark.parametrize("band", [1500.0, 1000.0, 2200.0])
def test_z_equals_esda_g_local_star(band):
    libpysal = pytest.importorskip("libpysal")
    from esda.getisord import G_Local

    grid = hs.make_grid(county_polygon(), 500, crs=UTM)
    counts = clustered_counts(grid)
    xy = grid[["cx", "cy"]].to_numpy()
    z, p = hs.gi_star(counts, xy, band, cell_m=500)
    w = libpysal.weights.DistanceBand(xy, threshold=band, binary=True, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = G_Local(counts.astype(float), w, transform="B", star=True, permutations=0)
    assert len(grid) > 900
    np.testing.assert_allclose(z, ref.Zs, rtol=0, atol=1e-6)
    np.testing.assert_allclose(p, 2 * ref.p_norm, rtol=0, atol=1e-9)     # esda's p is one-sided
    z_tree, _ = hs.gi_star(counts, xy, band)                                 # KD-tree weights
    np.testing.assert_allclose(z_tree, ref.Zs, rtol=0, atol=1e-6)
    z_csr, _ = hs.gi_star(counts, weights=hs.band_weights(xy, band, cell_m=500))   # sparse lattice
    np.testing.assert_allclose(z_csr, ref.Zs, rtol=0, atol=1e-6)


def test_lattice_weights_equal_kdtree_weights_with_self_weight_one():
    grid = hs.make_grid(county_polygon(), 500, crs=UTM)
    xy = grid[["cx", "cy"]].to_numpy()
    fast, tree = hs.band_weights(xy, 1500, cell_m=500), hs.band_weights(xy, 1500)
    assert (fast != tree).nnz == 0
    assert (fast.diagonal() == 1).all()
    assert np.diff(fast.indptr).max() == 29            # |offset| <= 3 cells: 29 cells with itself


def test_an_obvious_cluster_is_class_3_and_nothing_far_away_is_significant():
    grid = lattice_grid(40, 40)
    rng = np.random.default_rng(7)
    counts = rng.poisson(1.0, len(grid))
    cluster = (grid["row"].between(8, 10) & grid["col"].between(8, 10)).to_numpy()
    counts[cluster] = 25
    g = with_stats(grid, counts)
    assert (g.loc[cluster, "gi_class"] == 3).all()
    far = (np.hypot(g["row"] - 9, g["col"] - 9) > 8).to_numpy()
    assert (g.loc[far, "gi_class"] == 0).all()


def test_fdr_leaves_fewer_significant_cells_than_raw_p_on_random_data():
    grid = lattice_grid(50, 50)
    counts = np.random.default_rng(11).poisson(2.0, len(grid))
    z, p = hs.gi_star(counts, grid[["cx", "cy"]].to_numpy(), 1500, 500)
    raw = int((p <= 0.10).sum())
    fdr = int((hs.fdr_classes(z, p) != 0).sum())
    assert raw > 50 and fdr < raw


def test_classes_follow_bh_adjusted_p_and_the_sign_of_z():
    z = np.array([4.0, -4.0, 2.0, 0.5])
    p = np.array([0.0001, 0.0001, 0.04, 0.6])
    # BH adjusted: 0.0002, 0.0002, 0.0533, 0.6
    assert hs.fdr_classes(z, p).tolist() == [3, -3, 1, 0]


@pytest.mark.parametrize("value", [0, 3])
def test_equal_counts_give_z_0_and_p_1_without_warnings(value):
    grid = lattice_grid(10, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z, p = hs.gi_star(np.full(len(grid), value), grid[["cx", "cy"]].to_numpy(), 1500, 500)
        classes = hs.fdr_classes(z, p)
    assert (z == 0).all() and (p == 1).all() and (classes == 0).all()


def test_hotspot_grid_from_lon_lat_inputs():
    county = gpd.GeoSeries([box(111.55, 33.75, 111.65, 33.85)], crs=4326)
    rng = np.random.default_rng(5)
    incidents = gpd.GeoDataFrame(geometry=gpd.points_from_xy(rng.uniform(111.55, 111.65, 500),
                                                             rng.uniform(33.75, 33.85, 500)), crs=4326)
    grid = hs.hotspot_grid(county, incidents)
    assert grid["count"].sum() == 500
    assert grid.attrs["params"] == {"cell_m": 500.0, "band_m": 1500.0, "crs": "EPSG:32649"}
    assert not grid[["gi_z", "gi_p"]].isna().any().any()


# -------------------------------------------------------------------------- density

def test_quartic_kernel_values():
    h = 400.0
    assert hs.quartic_kernel(0.0, h) == pytest.approx(3 / (math.pi * h * h))
    assert hs.quartic_kernel(h / 2, h) == pytest.approx(3 / (math.pi * h * h) * 0.75 ** 2)
    assert hs.quartic_kernel([h, 2 * h], h).tolist() == [0.0, 0.0]


def test_kernel_density_integrates_to_the_number_of_points():
    rng = np.random.default_rng(2)
    pts = rng.uniform(4_000, 6_000, (200, 2))
    step = 20.0
    cx, cy = np.meshgrid(np.arange(3_000, 7_000, step) + step / 2, np.arange(3_000, 7_000, step) + step / 2)
    centres = np.column_stack([cx.ravel(), cy.ravel()])
    per_km2 = hs.kernel_density(pts, centres, 400.0)
    per_m2 = hs.kernel_density(pts, centres, 400.0, per="m2")
    assert (per_m2 * step * step).sum() == pytest.approx(200, rel=0.02)
    np.testing.assert_allclose(per_km2, per_m2 * 1e6)


def test_density_at_a_lone_point_is_the_kernel_peak():
    d = hs.kernel_density([[0.0, 0.0]], [[0.0, 0.0], [100.0, 0.0], [500.0, 0.0]], 200.0, per="m2")
    assert d.tolist() == pytest.approx([3 / (math.pi * 200 ** 2), 3 / (math.pi * 200 ** 2) * 0.75 ** 2, 0])


def test_scale_defaults_k_th_neighbour_band():
    line = np.column_stack([np.arange(40) * 100.0, np.zeros(40)])
    sd = hs.scale_defaults(line)
    assert sd["k"] == 3                                  # 5% of 40 is 2, clamped to 3
    assert sd["band_m"] == pytest.approx((2 * 300 + 38 * 200) / 40)
    assert hs.scale_defaults(np.random.default_rng(0).uniform(0, 1e4, (2000, 2)))["k"] == 30
    assert sd["kde_bandwidth_m"] > 0


# ------------------------------------------------------------------------ candidates

def test_pai_known_case():
    # 30 of 100 incidents on 1 km² of a 100 km² county: 30% of the incidents on 1% of the area
    assert hs.pai(30, 100, 1e6, 1e8) == pytest.approx(30.0)


def hand_grid():
    """20×20 cells; hot cells: an L of 3 plus one touching at a corner, and a far pair."""
    grid = lattice_grid(20, 20)
    counts = np.ones(len(grid), dtype=int)
    classes = np.zeros(len(grid), dtype=int)
    for (r, c), n in {(5, 5): 6, (5, 6): 6, (6, 6): 8, (7, 7): 4, (15, 15): 20, (15, 16): 20}.items():
        counts[at(grid, r, c)] = n
        classes[at(grid, r, c)] = 3 if n > 5 else 2
    grid["count"], grid["gi_class"] = counts, classes
    grid["gi_z"] = classes * 1.5
    grid["township_code"] = np.where(grid["col"] < 10, "T1", "T2")
    return grid


def test_candidates_merge_touching_cells_and_rank_by_count():
    grid = hand_grid()
    previous = np.zeros(len(grid), dtype=int)
    previous[at(grid, 15, 15)] = 40
    cats = pd.DataFrame({"theft": grid["count"].to_numpy() - 1, "fraud": np.ones(len(grid), dtype=int)})
    out = hs.candidates(grid, previous=previous, categories=cats)
    assert out["rank"].tolist() == [1, 2]
    first, second = out.iloc[0], out.iloc[1]
    assert (first["count"], first["cells"], first["township_code"]) == (40, 2, "T2")
    assert (second["count"], second["cells"], second["township_code"]) == (24, 4, "T1")
    assert second.geometry.geom_type == "MultiPolygon"
    assert second["area_m2"] == pytest.approx(4 * 500 ** 2)
    assert (first["count_previous"], first["change"], first["trend"]) == (40, 0, "stable")
    assert second["trend"] == "up"                       # 24 against 0
    total, county_area = grid["count"].sum(), 400 * 500 ** 2
    assert first["pai"] == pytest.approx((40 / total) / (2 * 500 ** 2 / county_area))
    assert first["top_categories"][0]["category"] == "theft"
    assert first["top_categories"][0]["count"] == 38
    assert out["significant"].all()


def test_four_connectivity_and_class_threshold():
    grid = hand_grid()
    assert len(hs.candidates(grid, connectivity=4)) == 3          # the corner cell on its own
    assert len(hs.candidates(grid, min_class=3)) == 2             # (7, 7) is only class 2
    assert len(hs.candidates(grid.assign(gi_class=0))) == 0


def test_ranking_by_pai():
    grid = hand_grid()
    out = hs.candidates(grid, rank_by="pai")
    assert out["pai"].is_monotonic_decreasing


def test_quota_fills_short_townships_with_non_significant_cells():
    grid = hand_grid()
    grid.loc[at(grid, 2, 2), "count"] = 5
    grid.loc[at(grid, 2, 3), "count"] = 4              # touches (2, 2): not picked
    grid.loc[at(grid, 12, 2), "count"] = 3
    cands = hs.candidates(grid)
    out = hs.fill_quota(cands, grid, per_township=3)
    forced = out[~out["significant"]]
    assert out["rank"].tolist() == list(range(1, len(out) + 1))
    assert forced.groupby("township_code").size().to_dict() == {"T1": 2, "T2": 2}
    t1 = forced[forced["township_code"] == "T1"]
    assert t1["count"].tolist() == [5, 3]
    hot = grid.loc[[i for ids in cands["cell_ids"] for i in ids], ["row", "col"]].to_numpy()
    picked = grid.loc[[i for ids in forced["cell_ids"] for i in ids], ["row", "col"]].to_numpy()
    gaps = np.abs(picked[:, None, :] - np.vstack([hot, picked])[None, :, :]).max(axis=2)
    assert ((gaps >= 2) | (gaps == 0)).all()            # touching neither a candidate nor each other
    assert not forced["pai"].isna().any()


def test_candidates_reserved_for_the_county_do_not_count_for_a_township():
    grid = hand_grid()
    cands = hs.candidates(grid)
    plain = hs.fill_quota(cands, grid, per_township=3)
    reserved = hs.fill_quota(cands, grid, per_township=3, reserved=len(cands))
    # the significant ones go to the county level: each township gets three of its own
    extra = reserved[~reserved["significant"]].groupby("township_code").size().to_dict()
    assert all(n == 3 for n in extra.values()) and len(reserved) > len(plain)
    assert reserved["rank"].tolist() == list(range(1, len(reserved) + 1))


def test_quota_with_no_significant_cells_at_all():
    grid = hand_grid().assign(gi_class=0)
    cands = hs.candidates(grid)
    assert len(cands) == 0 and list(cands.columns)[0] == "rank"
    out = hs.fill_quota(cands, grid, per_township=1, min_total=4)
    assert len(out) == 4 and not out["significant"].any()
    # one per township (T2's 20, T1's 8), then the county's best cells not touching them
    assert out["count"].tolist() == [20, 8, 1, 1]
    assert out["township_code"].tolist()[:2] == ["T2", "T1"]


def test_trend_p_is_scipys_exact_binomial_test():
    from scipy import stats

    for now, before in [(24, 0), (5, 0), (12, 20), (7, 7), (0, 0), (30, 18)]:
        expected = stats.binomtest(now, now + before, 0.5).pvalue if now + before else 1.0
        assert hs.trend_p(now, before) == pytest.approx(expected, rel=1e-9)
    trends = [hs.count_trend(*c) for c in [(24, 0), (5, 0), (3, 30), (4, None)]]
    assert trends == ["up", "stable", "down", None]


# ------------------------------------------------------------------------------ WDQ

def test_wdq_textbook_cases():
    # the listed area halves (100 -> 50) while the control stays at 1000
    assert hs.wdq(100, 50, 80, 60, 1000, 1000) == pytest.approx(0.4)        # buffer improved
    assert hs.wdq(100, 50, 80, 100, 1000, 1000) == pytest.approx(-0.4)      # buffer worsened
    assert hs.wdq(100, 50, 80, 140, 1000, 1000) == pytest.approx(-1.2)
    assert hs.wdq(100, 120, 80, 60, 1000, 1000) is None                     # area got worse
    assert hs.wdq(100, 100, 80, 60, 1000, 1000) is None                     # denominator 0
    assert hs.wdq(100, 50, 80, 60, 0, 1000) is None
    arr = hs.wdq([100, 100], [50, 120], [80, 80], [60, 60], [1000, 1000], [1000, 1000])
    assert arr[0] == pytest.approx(0.4) and math.isnan(arr[1])


def test_wdq_meanings():
    assert [hs.wdq_meaning(v) for v in (0.4, 0.0, -0.4, -1.2, None, float("nan"))] == [
        "diffusion", "no effect", "displacement", "gain erased", "not meaningful", "not meaningful"]
    assert set(hs.WDQ_MEANINGS) == {"diffusion", "no effect", "displacement", "gain erased", "not meaningful"}
