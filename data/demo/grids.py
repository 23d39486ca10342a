"""The demo county's grids and village staff (issue 16, item 5; seed §10).

``grid_frame(villages)``: each village split into 2–6 grids, the Voronoi cells of random
points inside it clipped to the village (so grids lie inside their village and do not
overlap), each with a member (about 2% without one) — about 1,200 grids for the demo's
300 villages; deterministic for the same villages. ``load_staff`` (after the layers are
written) posts a police officer and a legal adviser in each village, about 5% of each left
empty, and makes each grid's member its 网格员 post; a county that already has posts keeps
them.
"""
from __future__ import annotations

import zlib

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point

from data.demo.constants import AS_OF
from data.demo.names import SURNAMES
from layers import grids as store
from layers.catalog import LAYERS

GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌海波")
MIN_GRIDS, MAX_GRIDS = 2, 6
NO_MEMBER = 0.02        # grids without a member
NO_POST = 0.05          # villages without a police officer (and, apart, without a legal adviser)
ACTOR = "demo"


def person(rng) -> str:
    return str(rng.choice(SURNAMES)) + "".join(rng.choice(GIVEN, size=int(rng.integers(1, 3))))


def phone(rng) -> str:
    return "1" + str(rng.choice(["38", "39", "58", "87", "35"])) + "".join(map(str, rng.integers(0, 10, 8)))


def _points(polygon, n: int, rng) -> list[Point]:
    minx, miny, maxx, maxy = polygon.bounds
    out: list[Point] = []
    for _ in range(200):
        xs, ys = rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)
        out += [p for p in map(Point, xs, ys) if polygon.contains(p)]
        if len(out) >= n:
            break
    return out[:n]


def _cells(polygon, n: int, rng) -> list[MultiPolygon]:
    """``n`` Voronoi cells of random points inside ``polygon``, clipped to it (fewer when tiny)."""
    pts = _points(polygon, n, rng)
    if len(pts) < 2:
        return [shapely.multipolygons(shapely.get_parts(polygon))]
    cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=polygon.envelope.buffer(0.01))
    out = []
    for cell in shapely.get_parts(cells):
        part = cell.intersection(polygon)
        polys = [g for g in shapely.get_parts(part) if g.geom_type == "Polygon" and not g.is_empty]
        if polys:
            out.append(MultiPolygon(polys))
    return out


def grid_frame(villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The grids of ``villages`` (EPSG:4326, with code and name), with the catalog's columns."""
    rng = np.random.default_rng(zlib.crc32("".join(villages["code"]).encode()))
    rows = []
    for code, name, geom in zip(villages["code"], villages["name"], villages.geometry):
        for i, cell in enumerate(_cells(geom, int(rng.integers(MIN_GRIDS, MAX_GRIDS + 1)), rng)):
            staffed = rng.random() >= NO_MEMBER
            rows.append({"code": f"{code}G{i + 1:02d}", "name": f"{name}第{i + 1}网格", "village_code": code,
                         "township_code": None, "member": person(rng) if staffed else None,
                         "member_phone": phone(rng) if staffed else None, "geometry": cell})
    cols = [c.name for c in LAYERS["grids"].columns]
    return gpd.GeoDataFrame(rows, columns=[*cols, "geometry"], geometry="geometry", crs="EPSG:4326")


def load_staff(conn, county_code: str, frames: dict, seed: int) -> int:
    """Post the villages' police and legal advisers and the grids' members; returns the
    posts held (0, writing nothing, when the county already has posts)."""
    if store.staff(conn, county_code):
        return 0
    rng = np.random.default_rng([int(seed), 23])
    posts = []
    for code in frames["villages"]["code"]:
        for role in ("police", "legal_adviser"):
            if rng.random() >= NO_POST:
                posts.append((code, None, role, person(rng), phone(rng)))
    store.add_posts(conn, county_code, posts, ACTOR)
    store.settle(conn, county_code, ACTOR)
    store.backdate_posts(conn, county_code, AS_OF.replace(year=AS_OF.year - 1, month=1, day=1))  # held all the demo year
    return len(store.staff(conn, county_code))
