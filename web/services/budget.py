"""Work bounded by cost: each analysis estimates what it will do before doing it.

| work | estimate | budget (default) |
|---|---|---|
| a hotspot grid | cells ≈ the county's bounding box / cell_m² | MAX_CELLS 150,000 (≈ 150 m cells over 3,200 km²) |
| kernel density | pairs ≈ incidents × π (bandwidth_m / cell_m)² | MAX_KDE_PAIRS 30,000,000 |
| patrol visits | the GPS points near the places in the period | MAX_VISIT_POINTS 5,000,000 |

Above a budget the work is refused (TooLarge, 413) naming the parameter to change;
the sizes of what clients send (proposed cameras, GPS points, vertices) are bounded by
``web.schemas``.
The budgets are set from the app's config (``configure``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from layers import frames
from layers import patrol as records
from layers.errors import TooLarge
from layers.features import county_bounds

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0


@dataclass(frozen=True)
class Budget:
    max_cells: int = 150_000
    max_kde_pairs: int = 30_000_000
    max_visit_points: int = 5_000_000


LIMITS = Budget()


def configure(config) -> None:
    """Take budgets from config keys MAX_CELLS, MAX_KDE_PAIRS, MAX_VISIT_POINTS."""
    global LIMITS
    LIMITS = replace(Budget(), **{f.name: int(config[f.name.upper()]) for f in fields(Budget)
                                  if config.get(f.name.upper()) is not None})


def county_size_m(conn, county_code: str) -> tuple[float, float]:
    """(width, height) in metres of the county's bounding box (0, 0 without townships)."""
    box = county_bounds(conn, county_code)
    if box is None:
        return 0.0, 0.0
    minx, miny, maxx, maxy = box
    lat = math.radians((miny + maxy) / 2)
    return (maxx - minx) * M_PER_DEG_LON_EQUATOR * math.cos(lat), (maxy - miny) * M_PER_DEG_LAT


def grid_cells(conn, county_code: str, cell_m: float) -> int:
    """How many cells a grid of ``cell_m`` has over the county (its bounding box); TooLarge
    above MAX_CELLS, naming the smallest cell that fits."""
    width, height = county_size_m(conn, county_code)
    cells = math.ceil(width / cell_m) * math.ceil(height / cell_m)
    if cells > LIMITS.max_cells:
        smallest = math.ceil(math.sqrt(width * height / LIMITS.max_cells) / 10) * 10
        raise TooLarge(f"格网边长 {cell_m:g} 米在全县约有 {cells:,} 个格网，超过上限 {LIMITS.max_cells:,}；"
                       f"请把 cell_m 调到至少 {smallest:g} 米", "cell_m")
    return cells


def kde_pairs(conn, county_code: str, quarter: str, which: dict, cell_m: float, bandwidth_m: float) -> int:
    """How many (incident, cell) pairs a kernel density computes; TooLarge above MAX_KDE_PAIRS.

    which: the incidents analysed ({'category', 'focus'}, see ``Analysis.which``)."""
    incidents = frames.count_incidents_in_quarter(conn, county_code, quarter, **which)
    pairs = int(incidents * math.pi * (bandwidth_m / cell_m) ** 2)
    if pairs > LIMITS.max_kde_pairs:
        raise TooLarge(f"核密度带宽 {bandwidth_m:g} 米、格网 {cell_m:g} 米、{incidents:,} 起警情需计算约 {pairs:,} 对，"
                       f"超过上限 {LIMITS.max_kde_pairs:,}；请减小 bandwidth_m 或增大 cell_m", "bandwidth_m")
    return pairs


def near_points(conn, county_code: str, start, end, boxes, ranges=None):
    """The GPS points near the places (``records.tracks_near``, only in ``ranges`` when given) a
    visit report reads; TooLarge above MAX_VISIT_POINTS (read at most one more than that)."""
    found = records.tracks_near(conn, county_code, start, end, boxes, limit=LIMITS.max_visit_points + 1,
                                ranges=ranges)
    if len(found[0]) > LIMITS.max_visit_points:
        raise TooLarge(f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 挂牌乱点和学校附近的轨迹点超过一次统计的上限 "
                       f"{LIMITS.max_visit_points:,}；请缩短 from–to 时段", "from")
    return found

