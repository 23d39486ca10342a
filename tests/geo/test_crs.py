"""geo.crs: GCJ-02 both ways, --crs parsing, UTM zones, the "in China" test."""
import numpy as np
import pytest
from pyproj import CRS, Geod

from geo.crs import (GCJ02, gcj02_to_wgs84, in_china, parse_crs, utm_crs_for,
                     wgs84_to_gcj02)

GEOD = Geod(ellps="WGS84")


def _metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def _random_points_in_china(n, seed=0):
    rng = np.random.default_rng(seed)
    lon = rng.uniform(73.5, 135.0, n * 4)
    lat = rng.uniform(18.0, 53.5, n * 4)
    keep = in_china(lon, lat)
    return lon[keep][:n], lat[keep][:n]


def test_round_trip_gcj02_to_wgs84_within_a_centimetre():
    lon, lat = _random_points_in_china(20000)
    assert len(lon) == 20000
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
    error = _metres(lon, lat, w_lon, w_lat)
    assert error.max() < 0.01
    # and the other way round: a GCJ-02 point converted back and forward again
    b_lon, b_lat = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert _metres(lon, lat, b_lon, b_lat).max() < 0.01


def test_one_step_inverse_is_worse_than_the_iterative_one():
    lon, lat = _random_points_in_china(5000, seed=1)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    d_lon, d_lat = wgs84_to_gcj02(g_lon, g_lat)
    one_lon, one_lat = 2 * g_lon - d_lon, 2 * g_lat - d_lat
    assert _metres(lon, lat, one_lon, one_lat).max() > 0.05


def test_offset_magnitude_near_the_demo_county():
    lon, lat = np.meshgrid(np.linspace(111.3, 111.9, 7), np.linspace(33.5, 34.1, 7))
    g_lon, g_lat = wgs84_to_gcj02(lon.ravel(), lat.ravel())
    shift = _metres(lon.ravel(), lat.ravel(), g_lon, g_lat)
    assert 100 < shift.min() and shift.max() < 700


def test_offset_over_china_is_tens_to_hundreds_of_metres():
    lon, lat = _random_points_in_china(5000, seed=2)
    shift = _metres(lon, lat, *wgs84_to_gcj02(lon, lat))
    assert shift.min() > 10 and shift.max() < 800
    assert 300 < np.median(shift) < 700


# Published test vectors of the eviltransform library (googollee/eviltransform):
# (WGS 84 lat, lon) -> (GCJ-02 lat, lon).
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),      # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),      # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),      # Beijing
]


@pytest.mark.parametrize("wgs,gcj", REFERENCE)
def test_published_reference_pairs(wgs, gcj):
    g_lon, g_lat = wgs84_to_gcj02(wgs[1], wgs[0])
    assert _metres(g_lon, g_lat, gcj[1], gcj[0]) < 0.01
    w_lon, w_lat = gcj02_to_wgs84(gcj[1], gcj[0])
    assert _metres(w_lon, w_lat, wgs[1], wgs[0]) < 0.01


def test_scalars_and_arrays():
    lon, lat = wgs84_to_gcj02(111.6, 33.8)
    assert np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon, lat = gcj02_to_wgs84(np.array([111.6, 112.0]), np.array([33.8, 34.0]))
    assert lon.shape == (2,)


@pytest.mark.parametrize("text,epsg", [
    ("EPSG:4490", 4490), ("epsg:4547", 4547), ("4326", 4326), (" EPSG:4527 ", 4527),
    ("EPSG4326", 4326), ("wgs84", 4326), ("CGCS2000", 4490), (4326, 4326),
])
def test_parse_crs_epsg(text, epsg):
    crs = parse_crs(text)
    assert isinstance(crs, CRS) and crs.to_epsg() == epsg


@pytest.mark.parametrize("text", ["gcj02", "GCJ02", "GCJ-02", "gcj_02", "Gcj02"])
def test_parse_crs_gcj02(text):
    assert parse_crs(text) == GCJ02 == "gcj02"


@pytest.mark.parametrize("text", ["EPSG:999999", "bd10", "wgs-85", "EPSG:", "", "5773"])
def test_parse_crs_refuses_with_the_bad_value(text):
    with pytest.raises(ValueError) as err:
        parse_crs(text)
    if text.strip():
        assert text in str(err.value)


def test_utm_crs_for():
    assert utm_crs_for(111.6, 33.8).to_epsg() == 32649
    assert utm_crs_for(116.4, 39.9).to_epsg() == 32650
    assert utm_crs_for(np.array([111.5, 111.7]), np.array([33.7, 33.9])).to_epsg() == 32649
    assert utm_crs_for(-70.0, -33.0).to_epsg() == 32719


INSIDE = {
    "Beijing": (116.40, 39.90), "Urumqi": (87.60, 43.80), "Kashgar": (75.99, 39.47),
    "Lhasa": (91.10, 29.65), "Haikou": (110.30, 20.00), "Sanya": (109.50, 18.25),
    "Harbin": (126.60, 45.75), "Mohe": (122.50, 52.97), "Taipei": (121.50, 25.03),
    "Hong Kong": (114.17, 22.30), "Hunchun": (130.37, 42.87), "Fuyuan": (134.30, 48.36),
    "Manzhouli": (117.38, 49.60), "Erenhot": (111.98, 43.65), "Ruili": (97.85, 24.01),
    "Mengla": (101.56, 21.48), "Dongxing": (107.97, 21.54), "Zhangmu": (85.98, 27.99),
    "Burang": (81.18, 30.29), "Kanas": (87.03, 48.70), "Tacheng": (82.98, 46.75),
    "Yining": (81.32, 43.92), "Taxkorgan": (75.23, 37.77), "Dandong": (124.38, 40.13),
    "Changbai": (128.20, 41.42), "Heihe": (127.50, 50.24), "Suifenhe": (131.15, 44.40),
    "demo county": (111.60, 33.80),
}
OUTSIDE = {
    "Ulaanbaatar": (106.90, 47.90), "Seoul": (126.98, 37.57), "Pyongyang": (125.75, 39.02),
    "Hanoi": (105.85, 21.03), "Delhi": (77.20, 28.60), "Kathmandu": (85.30, 27.70),
    "Dhaka": (90.40, 23.80), "Tokyo": (139.70, 35.70), "Manila": (121.00, 14.60),
    "Vladivostok": (131.90, 43.10), "Almaty": (76.90, 43.25), "Bishkek": (74.60, 42.87),
    "Irkutsk": (104.30, 52.30), "Mandalay": (96.10, 21.98), "Busan": (129.07, 35.18),
    "Leh": (77.58, 34.16), "Thimphu": (89.64, 27.47), "Okinawa": (127.70, 26.20),
    "Paris": (2.35, 48.85), "null island": (0.0, 0.0),
    "demo county, lat/lon swapped": (33.8, 111.6),
    "GK metres": (37555560.8, 3741639.2),
}


def test_in_china():
    for name, (lon, lat) in INSIDE.items():
        assert in_china(lon, lat), name
    for name, (lon, lat) in OUTSIDE.items():
        assert not in_china(lon, lat), name
    lon = np.array([p[0] for p in INSIDE.values()] + [np.nan])
    lat = np.array([p[1] for p in INSIDE.values()] + [np.nan])
    result = in_china(lon, lat)
    assert result.dtype == bool and result[:-1].all() and not result[-1]
