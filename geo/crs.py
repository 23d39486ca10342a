"""Coordinate reference systems: parsing ``--crs``, GCJ-02, UTM zones, "in China", and the
checks every analysis in ``geo/`` makes on its inputs' CRS (metres, one CRS, point coordinates).

Pure functions: no database, no Flask.

GCJ-02 ("Mars coordinates") is the offset lon/lat that Chinese web maps (Amap, Tencent,
…) show. ``wgs84_to_gcj02`` is the standard published formula on the Krasovsky 1940
ellipsoid (a = 6378245 m, e² = 0.00669342162296594323); ``gcj02_to_wgs84`` inverts it by
fixed-point iteration until the residual is below 1e-10 degrees (about 0.01 mm), so the
round trip is exact to far better than the 1 cm METHODS.md asks for (the one-step
inverse, ``gcj - (wgs84_to_gcj02(gcj) - gcj)``, is only good to a few metres).
The formula is applied everywhere: unlike most libraries these functions do not
pass points "outside China" through unchanged; callers check ``in_china`` first.

``in_china`` is a coarse test, better than the rectangle libraries use: the rectangle
lon 73.5–135.1, lat 18–53.6 minus some forty boxes that are certainly not China
(the Indian subcontinent, Nepal, Bhutan, Central Asia, Mongolia, Siberia, the Korean
peninsula, Primorye, Japan and the Ryukyus, the seas off the south coast and around
Taiwan, mainland South-East Asia). The boxes keep a margin of tenths of a degree from
the border, so it errs on the side of saying "in China" near a land border; it is for
catching wrong coordinates (a projected file read as degrees, lat/lon swapped, another
continent), not for border work. South of 18 N (the Xisha and Nansha islands) it says
False.
"""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

if TYPE_CHECKING:  # geopandas is imported where it is used: the importer loads this module without it
    import geopandas as gpd

GCJ02 = "gcj02"
BD09 = "bd09"
_BD_PI = np.pi * 3000.0 / 180.0  # the constant of Baidu's published BD-09 formula

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323

CHINA_RECTANGLE = (73.5, 135.1, 18.0, 53.6)  # lon_min, lon_max, lat_min, lat_max

# (lon_min, lon_max, lat_min, lat_max) boxes inside the rectangle that are not China.
NOT_CHINA_BOXES = (
    (73.5, 97.0, 18.0, 26.6),     # India, Bangladesh, western Myanmar
    (73.5, 88.0, 26.6, 27.8),     # Nepal, northern India
    (89.2, 91.6, 26.6, 27.6),     # Bhutan
    (73.5, 83.0, 27.8, 29.5),     # western Nepal, India
    (73.5, 78.6, 29.5, 32.5),     # Himachal Pradesh, Uttarakhand
    (73.5, 78.0, 32.5, 35.0),     # Ladakh, Kashmir
    (73.5, 75.0, 35.0, 36.8),     # Gilgit-Baltistan
    (73.5, 74.6, 36.8, 38.7),     # Tajikistan
    (73.5, 75.0, 40.7, 53.6),     # Kyrgyzstan, Kazakhstan
    (73.5, 78.0, 41.5, 53.6),     # Kyrgyzstan, Kazakhstan
    (73.5, 80.0, 42.6, 53.6),     # Kazakhstan
    (73.5, 81.5, 45.6, 53.6),     # Kazakhstan
    (73.5, 84.5, 47.4, 53.6),     # Kazakhstan (Zaysan)
    (73.5, 85.8, 48.8, 53.6),     # Kazakhstan, Russia (Altai)
    (73.5, 116.0, 49.3, 53.6),    # Russia (Siberia), northern Mongolia
    (90.5, 115.3, 48.3, 49.3),    # Mongolia
    (92.5, 114.0, 46.6, 48.3),    # Mongolia
    (96.5, 111.0, 43.8, 46.6),    # Mongolia (Gobi)
    (99.0, 110.0, 43.1, 43.8),    # Mongolia (Gobi)
    (91.0, 92.5, 47.0, 48.3),     # Mongolia (Khovd)
    (114.0, 115.3, 46.6, 48.3),   # Mongolia (Dornod)
    (115.3, 117.0, 46.8, 47.5),   # Mongolia (Dornod)
    (84.5, 85.3, 47.2, 48.8),     # Kazakhstan (Zaysan)
    (124.8, 135.1, 18.0, 40.0),   # Korea, Yellow Sea, Japan, Ryukyu
    (126.5, 135.1, 40.0, 40.9),   # North Korea
    (128.5, 135.1, 40.9, 41.7),   # North Korea
    (130.8, 135.1, 41.7, 42.3),   # Sea of Japan
    (131.6, 135.1, 42.3, 44.6),   # Primorye
    (122.3, 124.8, 18.0, 25.5),   # east of Taiwan (Yonaguni)
    (97.0, 97.7, 25.1, 26.6),     # Myanmar (Kachin)
    (97.0, 98.5, 18.0, 23.4),     # Myanmar
    (97.0, 98.9, 18.0, 22.9),     # Myanmar
    (97.0, 100.0, 18.0, 21.5),    # Myanmar, Thailand
    (100.0, 108.3, 18.0, 21.0),   # Laos, Vietnam, Gulf of Tonkin
    (102.2, 106.5, 21.0, 22.2),   # northern Vietnam
    (111.4, 116.4, 18.0, 21.4),   # South China Sea off Guangdong
    (117.0, 119.5, 18.0, 21.4),   # South China Sea (Dongsha left in)
    (119.5, 135.1, 18.0, 21.7),   # Luzon Strait, Philippine Sea
)

_ALIASES = {
    "gcj02": GCJ02, "gcj": GCJ02, "mars": GCJ02, "bd09": BD09, "bd09ll": BD09, "baidu": BD09,
    "wgs84": 4326, "crs84": 4326, "cgcs2000": 4490,
}


def _arrays(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return lon, lat


def _gcj_delta(lon, lat):
    """GCJ-02 offset (dlon, dlat) in degrees at WGS 84 (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
            + common
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
            + common
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    """Return GCJ-02 (lon, lat) of WGS 84 (lon, lat); scalars or arrays, degrees."""
    lon, lat = _arrays(lon, lat)
    dlon, dlat = _gcj_delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, tolerance: float = 1e-10, max_iter: int = 30):
    """Return WGS 84 (lon, lat) of GCJ-02 (lon, lat), by iterating the forward formula.

    Converges in 3–5 steps; the residual |wgs84_to_gcj02(result) - input| is below
    ``tolerance`` degrees (1e-10 degrees is about 0.01 mm).
    """
    g_lon, g_lat = _arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon = f_lon - g_lon
        e_lat = f_lat - g_lat
        w_lon = w_lon - e_lon
        w_lat = w_lat - e_lat
        err = np.maximum(np.abs(e_lon), np.abs(e_lat))
        if not np.any(err > tolerance):  # NaN input does not loop forever
            break
    return w_lon, w_lat


def gcj02_to_bd09(lon, lat):
    """Return BD-09 (lon, lat) of GCJ-02 (lon, lat): Baidu's published offset."""
    lon, lat = _arrays(lon, lat)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _BD_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon, lat, tolerance: float = 1e-10, max_iter: int = 30):
    """Return GCJ-02 (lon, lat) of BD-09 (lon, lat), by iterating the forward formula (the
    usual closed-form inverse is off by up to a metre)."""
    b_lon, b_lat = _arrays(lon, lat)
    g_lon, g_lat = b_lon - 0.0065, b_lat - 0.006
    for _ in range(max_iter):
        f_lon, f_lat = gcj02_to_bd09(g_lon, g_lat)
        e_lon, e_lat = f_lon - b_lon, f_lat - b_lat
        g_lon, g_lat = g_lon - e_lon, g_lat - e_lat
        if not np.any(np.maximum(np.abs(e_lon), np.abs(e_lat)) > tolerance):
            break
    return g_lon, g_lat


def bd09_to_wgs84(lon, lat):
    """Return WGS 84 (lon, lat) of BD-09 (lon, lat) from Baidu Maps: to GCJ-02, then back."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon, lat):
    """Return BD-09 (lon, lat) of WGS 84 (lon, lat)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def parse_crs(text):
    """Parse a ``--crs`` value: 'EPSG:4490', 'epsg:4547', '4326', 'gcj02' (any case).

    Returns a ``pyproj.CRS`` or one of the markers ``GCJ02`` ('gcj02') and ``BD09``
    ('bd09', Baidu Maps). Also accepts 'wgs84' and 'cgcs2000'. Raises ValueError naming
    the bad value.
    """
    if isinstance(text, CRS):
        return text
    raw = "" if text is None else str(text).strip()
    key = re.sub(r"[\s_\-]", "", raw.lower())
    if not key:
        raise ValueError("坐标系为空 (empty CRS; use e.g. EPSG:4490, EPSG:4547, 4326, gcj02 or bd09)")
    alias = _ALIASES.get(key)
    if alias in (GCJ02, BD09):
        return alias
    if alias is not None:
        return CRS.from_epsg(alias)
    match = re.fullmatch(r"(?:epsg:?)?(\d{4,6})", key)
    if not match:
        raise ValueError(f"无法识别的坐标系 '{raw}' (unknown CRS '{raw}'; "
                         "use e.g. EPSG:4490, EPSG:4547, 4326, gcj02 or bd09)")
    try:
        crs = CRS.from_epsg(int(match.group(1)))
    except CRSError:
        raise ValueError(f"未知的 EPSG 代码 '{raw}' (unknown EPSG code '{raw}')") from None
    if not (crs.is_geographic or crs.is_projected):
        raise ValueError(f"'{raw}' 不是平面或经纬度坐标系 (not a horizontal CRS: {crs.name})")
    return crs


def utm_zone(lon) -> int:
    """The UTM zone number (1–60) of longitude ``lon`` (no Norway/Svalbard exceptions)."""
    return int(np.clip(np.floor((float(lon) + 180.0) / 6.0) + 1, 1, 60))


def utm_crs_for(lon, lat) -> CRS:
    """The WGS 84 / UTM zone CRS for metric work around (lon, lat).

    Scalars or arrays; for arrays the zone of the middle of their extent is used.
    """
    lon, lat = _arrays(lon, lat)
    if lon.ndim:
        lon = (np.nanmin(lon) + np.nanmax(lon)) / 2.0
        lat = (np.nanmin(lat) + np.nanmax(lat)) / 2.0
    zone = utm_zone(lon)
    return CRS.from_epsg((32600 if float(lat) >= 0 else 32700) + zone)


def in_china(lon, lat):
    """Whether (lon, lat) in degrees is (coarsely) in China; see the module docstring.

    Scalars give a bool, arrays a boolean array. NaN gives False.
    """
    lon_a, lat_a = _arrays(lon, lat)
    lo0, lo1, la0, la1 = CHINA_RECTANGLE
    inside = (lon_a >= lo0) & (lon_a <= lo1) & (lat_a >= la0) & (lat_a <= la1)
    for b_lo0, b_lo1, b_la0, b_la1 in NOT_CHINA_BOXES:
        inside &= ~((lon_a > b_lo0) & (lon_a < b_lo1) & (lat_a > b_la0) & (lat_a < b_la1))
    if inside.ndim == 0:
        return bool(inside)
    return inside


def require_metres(crs, what: str = "data", needed_by: str = "this analysis") -> CRS:
    """Return ``crs`` as a pyproj CRS; ValueError when it is missing, geographic, or not in metres."""
    if crs is None:
        raise ValueError(f"{what} has no CRS; {needed_by} needs a projected CRS in metres")
    crs = CRS.from_user_input(crs)  # a CRS as it is: CRS(crs) would parse it again (0.6 ms)
    units = {axis.unit_name for axis in crs.axis_info}
    if not crs.is_projected or not units <= {"metre", "meter"}:
        raise ValueError(f"{what} is in {crs.name!r}; {needed_by} needs a projected CRS in metres (e.g. UTM)")
    return crs


def metric_crs_for(gdf: gpd.GeoDataFrame | gpd.GeoSeries, crs=None) -> CRS:
    """The metric CRS to analyse ``gdf`` in.

    gdf: any GeoDataFrame/GeoSeries with a CRS. crs: an explicit choice (EPSG code,
    string or pyproj CRS); it must be projected with metre units. Without it, the WGS 84
    / UTM zone geopandas' ``estimate_utm_crs`` picks for the data (the zone of the centre
    of its lon/lat bounds, rounded to 1e-4 degrees; cached per centre, as the PROJ
    database query takes ~0.2 s). Raises ValueError when gdf has no CRS or the given CRS
    is not metric.
    """
    if crs is not None:
        return require_metres(crs, "crs")
    if gdf.crs is None:
        raise ValueError("the data has no CRS")
    geo = gdf if gdf.crs.is_geographic else gdf.to_crs(4326)
    minx, miny, maxx, maxy = geo.total_bounds
    return _utm_at(round((minx + maxx) / 2, 4), round((miny + maxy) / 2, 4), geo.crs.to_string())


@functools.lru_cache(maxsize=64)
def _utm_at(lon: float, lat: float, geographic: str) -> CRS:
    """geopandas' ``estimate_utm_crs`` for data centred on (lon, lat)."""
    import geopandas as gpd

    return require_metres(gpd.GeoSeries([shapely.Point(lon, lat)], crs=geographic).estimate_utm_crs())


def same_crs(first, other, what: str, what_other: str) -> None:
    """Raise ValueError ("CRS mismatch: ...") unless ``first`` and ``other`` are one CRS.

    Either CRS missing (None) is a mismatch: data without a CRS cannot be matched.
    """
    if first is None or other is None or not CRS.from_user_input(first).equals(CRS.from_user_input(other)):
        raise ValueError(f"CRS mismatch: {what} is {_crs_name(first)}, {what_other} is {_crs_name(other)}")


def same_crs_if_given(base, what: str, /, **others) -> None:
    """``same_crs`` of ``base`` against each of ``others`` given (not None), named by its keyword."""
    for name, other in others.items():
        if other is not None:
            same_crs(base, other, what, name)


def _crs_name(crs) -> str:
    return "None" if crs is None else repr(CRS.from_user_input(crs).name)


def shared_crs(**frames) -> CRS:
    """The one CRS of the named GeoDataFrames/GeoSeries; None entries are skipped.

    Raises ValueError when the first has no CRS or another's differs ("CRS mismatch").
    """
    given = {name: frame.crs for name, frame in frames.items() if frame is not None}
    first_name, first = next(iter(given.items()))
    if first is None:
        raise ValueError(f"{first_name} has no CRS; give it one")
    for name, other in given.items():
        same_crs(first, other, first_name, name)
    return CRS.from_user_input(first)


def points_xy(points, crs=None, what: str = "points", against: str = "crs",
              needed_by: str = "this analysis") -> np.ndarray:
    """(n, 2) float x, y in metres of points: a Point GeoDataFrame/GeoSeries or an (n, 2) array.

    A GeoDataFrame/GeoSeries must be in a projected CRS in metres and, when ``crs`` is
    given, in ``crs`` (``against`` names it in the error); its missing or empty points
    give NaN, so rows stay aligned with the frame. An array is taken to be in ``crs``
    already; it must be (n, 2) (an empty array gives (0, 2)). ValueError otherwise.
    """
    import geopandas as gpd

    if isinstance(points, (gpd.GeoDataFrame, gpd.GeoSeries)):
        require_metres(points.crs, what, needed_by)
        same_crs_if_given(points.crs, what, **{against: crs})
        geoms = np.asarray(points.geometry.values)
        return np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)])
    xy = np.asarray(points, dtype=float)
    if xy.size == 0:
        return xy.reshape(0, 2)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"{what} must be an (n, 2) array of x, y in metres, got shape {xy.shape}")
    return xy
