"""Camera view sectors: known answers on hand-built cameras."""
import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from geo.sectors import camera_sectors

LON, LAT = 111.6, 33.8


def cameras(**columns):
    n = len(next(iter(columns.values())))
    base = {"kind": ["fixed"] * n, "azimuth": [0.0] * n, "fov": [90.0] * n, "range_m": [100.0] * n}
    base.update(columns)
    return gpd.GeoDataFrame(base, geometry=[Point(LON, LAT)] * n, crs="EPSG:4326")


def metric(gdf):
    return gdf.to_crs(gdf.estimate_utm_crs())


def test_area_of_a_90_degree_sector_of_100_m():
    sectors = metric(camera_sectors(cameras(azimuth=[45.0])))
    expected = math.pi * 100 ** 2 / 4
    assert sectors.area.iloc[0] == pytest.approx(expected, rel=0.005)


def test_16_arc_segments_undercount_by_about_0_16_percent():
    area = metric(camera_sectors(cameras(azimuth=[45.0]), n_arc=16)).area.iloc[0]
    assert 1 - area / (math.pi * 100 ** 2 / 4) == pytest.approx(0.0016, abs=0.0002)


def test_azimuth_90_looks_east_and_0_looks_north():
    gdf = cameras(azimuth=[90.0, 0.0, 180.0, 270.0])
    sectors = metric(camera_sectors(gdf))
    apex = metric(gdf).geometry.iloc[0]
    dx = sectors.centroid.x.to_numpy() - apex.x
    dy = sectors.centroid.y.to_numpy() - apex.y
    east, north, south, west = range(4)
    assert dx[east] > 30 and abs(dy[east]) < 1
    assert dy[north] > 30 and abs(dx[north]) < 1
    assert dy[south] < -30 and abs(dx[south]) < 1
    assert dx[west] < -30 and abs(dy[west]) < 1


def test_sector_is_within_range_and_apex_at_camera():
    gdf = cameras(azimuth=[30.0], fov=[60.0], range_m=[250.0])
    sector = metric(camera_sectors(gdf)).geometry.iloc[0]
    apex = metric(gdf).geometry.iloc[0]
    assert sector.touches(apex) or sector.boundary.distance(apex) < 1e-6
    assert apex.hausdorff_distance(sector) == pytest.approx(250.0, rel=1e-6)


def test_dome_ptz_wide_fov_and_missing_azimuth_are_full_circles():
    gdf = cameras(kind=["dome", "ptz", "fixed", "fixed", "checkpoint"],
                  azimuth=[90.0, 90.0, 90.0, np.nan, 90.0],
                  fov=[60.0, 60.0, 360.0, 60.0, 60.0])
    out = camera_sectors(gdf)
    assert out["full_circle"].tolist() == [True, True, True, True, False]
    sectors = metric(out)
    apex = metric(gdf).geometry.iloc[0]
    circle = math.pi * 100 ** 2
    for i in range(4):
        assert sectors.area.iloc[i] == pytest.approx(circle, rel=0.005)
        assert sectors.geometry.iloc[i].contains(apex)
    assert sectors.area.iloc[4] == pytest.approx(circle / 6, rel=0.005)


def test_returns_input_crs_columns_and_index():
    gdf = cameras(azimuth=[10.0, 200.0]).set_index(gpd.pd.Index(["a", "b"]))
    gdf["code"] = ["C1", "C2"]
    out = camera_sectors(gdf)
    assert out.crs.to_epsg() == 4326
    assert list(out.index) == ["a", "b"] and list(out["code"]) == ["C1", "C2"]
    assert (out.geom_type == "Polygon").all() and out.is_valid.all()
    assert abs(out.geometry.iloc[0].bounds[0] - LON) < 0.01


def test_missing_location_or_range_gives_no_sector():
    gdf = cameras(range_m=[100.0, np.nan])
    gdf.loc[2] = ["fixed", 0.0, 90.0, 100.0, None]
    out = camera_sectors(gdf)
    assert out.geometry.iloc[0] is not None
    assert out.geometry.iloc[1] is None and out.geometry.iloc[2] is None


def test_empty_input():
    out = camera_sectors(cameras(azimuth=[]))
    assert len(out) == 0 and out.crs.to_epsg() == 4326


def test_refuses_projected_or_missing_crs():
    gdf = cameras(azimuth=[0.0])
    with pytest.raises(ValueError, match="4326"):
        camera_sectors(gdf.to_crs(3857))
    with pytest.raises(ValueError):
        camera_sectors(gdf.set_crs(None, allow_override=True))
