"""Coordinate reference systems of OGC API - Features Part 2 (CRS by reference); no Flask.

Features are stored in WGS 84 (lon/lat); answers may be asked in CRS84 (the default),
EPSG:4326 and EPSG:4490 (CGCS2000; both latitude first, as EPSG defines them),
EPSG:3857 or the county's CGCS2000 3-degree Gauss-Krüger zone without zone number
(EPSG:4534-4554; northing first). PostGIS transforms; ``flip`` says the axes are
swapped relative to the stored lon/lat (north first).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from pyproj import CRS as ProjCrs, Transformer

from web.ogc.params import InvalidParameter, bbox_numbers

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CONF_CRS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
STORAGE = CRS84  # the geom columns are SRID 4326 in lon/lat order


@dataclass(frozen=True)
class Crs:
    uri: str
    srid: int
    flip: bool  # north first: the answer's axes are (lat, lon) or (northing, easting)
    bounds: tuple[float, float, float, float] | None = None  # projected: (minE, minN, maxE, maxN)

    @property
    def projected(self) -> bool:
        return self.bounds is not None


def gk_zone(lon: float) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss-Krüger zone (no zone number) around lon:
    central meridian 3°·round(lon/3), from 75°E (EPSG:4534) to 135°E (EPSG:4554)."""
    cm = min(135, max(75, 3 * round(lon / 3)))
    return 4534 + (cm - 75) // 3


def _projected_bounds(srid: int, west: float, south: float, east: float, north: float):
    """The projected box of a lon/lat area (bboxes are cut to it: PostGIS refuses points
    outside a projection's domain)."""
    to = Transformer.from_crs("EPSG:4326", f"EPSG:{srid}", always_xy=True)
    return tuple(float(v) for v in to.transform_bounds(west, south, east, north, densify_pts=41))


@lru_cache(maxsize=32)
def supported(centre_lon: float | None) -> tuple[Crs, ...]:
    """Every CRS offered for a county whose centre lies at centre_lon (None: no zone)."""
    out = [Crs(CRS84, 4326, False), Crs(EPSG + "4326", 4326, True), Crs(EPSG + "4490", 4490, True),
           Crs(EPSG + "3857", 3857, False, _projected_bounds(3857, -180, -85.06, 180, 85.06))]
    if centre_lon is not None:
        zone = gk_zone(centre_lon)
        cm = 75 + 3 * (zone - 4534)
        north_first = ProjCrs.from_epsg(zone).axis_info[0].direction == "north"
        out.append(Crs(EPSG + str(zone), zone, north_first, _projected_bounds(zone, cm - 12, 0, cm + 12, 84)))
    return tuple(out)


def uris(centre_lon: float | None) -> list[str]:
    return [c.uri for c in supported(centre_lon)]


def crs_param(args: Mapping, name: str, centre_lon: float | None) -> Crs:
    """The CRS asked for in ``name`` (crs or bbox-crs); CRS84 when absent; 400 otherwise."""
    raw = args.get(name)
    offered = supported(centre_lon)
    if raw is None:
        return offered[0]
    for crs in offered:
        if crs.uri == raw:
            return crs
    raise InvalidParameter(f"参数 {name} 的值 '{raw}' 无效：可用 {', '.join(c.uri for c in offered)}", name)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def bbox_in(args: Mapping, crs: Crs):
    """The bbox of the query string read in ``crs``'s axis order, as (bbox, srid):
    degrees (lon/lat order, cut to the world; srid 4326) or projected (easting/northing
    order, cut to the CRS's domain; srid of the CRS; west beyond east holds nothing).
    None when not asked."""
    numbers = bbox_numbers(args)
    if numbers is None:
        return None
    minx, miny, maxx, maxy = numbers
    if crs.flip:
        minx, miny, maxx, maxy = miny, minx, maxy, maxx
    if not crs.projected:
        return (_clamp(minx, -180, 180), _clamp(miny, -90, 90), _clamp(maxx, -180, 180), _clamp(maxy, -90, 90)), 4326
    if minx > maxx:
        return (0.0, 1.0, 0.0, 0.0), crs.srid  # south above north: holds_nothing
    w, s, e, n = crs.bounds
    return (_clamp(minx, w, e), _clamp(miny, s, n), _clamp(maxx, w, e), _clamp(maxy, s, n)), crs.srid
