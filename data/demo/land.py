"""What the generation steps know of the county's ground (metric CRS, metres)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely


@dataclass
class Outline:
    """The county polygon (prepared) and the county seat's point."""

    county: shapely.Polygon
    seat: np.ndarray

    def inside(self, x, y) -> np.ndarray:
        return shapely.contains_xy(self.county, x, y)


@dataclass
class Villages:
    """Village points and cells; the township (0 = the seat's) of each village."""

    xy: np.ndarray
    geom: np.ndarray
    township: np.ndarray
    #: the village at the centre of each township
    township_src: np.ndarray


@dataclass
class Land:
    """Outline, villages and townships with their names, codes and attributes."""

    county: shapely.Polygon
    seat: np.ndarray
    village_xy: np.ndarray
    village_geom: np.ndarray
    village_township: np.ndarray
    township_src: np.ndarray
    township_short: list[str]
    township_name: list[str]
    township_code: list[str]
    township_xy: np.ndarray
    township_geom: np.ndarray
    village_community: np.ndarray
    village_code: np.ndarray
    village_name: np.ndarray
    village_base: np.ndarray
    village_remote: np.ndarray
    village_pop: np.ndarray
    village_remediated_on: np.ndarray
    village_tree: shapely.STRtree = field(init=False, repr=False)

    def __post_init__(self):
        self.village_tree = shapely.STRtree(self.village_geom)

    @property
    def n_v(self) -> int:
        return len(self.village_xy)

    @property
    def n_t(self) -> int:
        return len(self.township_src)

    def inside(self, x, y) -> np.ndarray:
        """Whether each point lies in the county."""
        return shapely.contains_xy(self.county, x, y)

    def locate(self, x, y) -> np.ndarray:
        """Index of the village each point lies in (nearest one when outside)."""
        pts = shapely.points(np.asarray(x, float), np.asarray(y, float))
        out = np.full(len(pts), -1, dtype=np.int64)
        ip, iv = self.village_tree.query(pts, predicate="intersects")
        # a point on a shared border: keep the lowest village index (deterministic)
        order = np.lexsort((-iv, ip))
        out[ip[order]] = iv[order]
        miss = np.flatnonzero(out < 0)
        if len(miss):
            _, near = self.village_tree.query_nearest(pts[miss], all_matches=False)
            out[miss] = near
        return out
