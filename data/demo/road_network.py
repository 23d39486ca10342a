"""The demo county's roads as a graph: nodes at the ends of road pieces (metric CRS)."""
from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

from geo.network import Network


class RoadNetwork:
    """Nodes are the ends of road pieces, rounded to 0.01 m; edges are the pieces.

    ``xy`` holds the nodes' coordinates, ``u`` / ``v`` the start / end node of each
    piece and ``degree`` the number of piece ends at each node.
    """

    def __init__(self, pieces: np.ndarray):
        n = len(pieces)
        starts = shapely.get_coordinates(shapely.get_point(pieces, 0))
        ends = shapely.get_coordinates(shapely.get_point(pieces, -1))
        allpts = np.round(np.vstack([starts, ends]), 2)
        self.xy, inv = np.unique(allpts, axis=0, return_inverse=True)
        inv = inv.ravel()
        self.u = inv[:n]
        self.v = inv[n:]
        m = len(self.xy)
        self.net = Network(pieces, self.u, self.v, shapely.length(pieces), m)
        self.degree = np.bincount(np.concatenate([self.u, self.v]), minlength=m)
        # the largest connected part of the network (routes start there)
        labels = self.net.components()
        self.main_nodes = np.flatnonzero(labels == np.bincount(labels).argmax())
        self.main_tree = cKDTree(self.xy[self.main_nodes])
        self._shortest: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def shortest(self, src: int) -> tuple[np.ndarray, np.ndarray]:
        """(dist, pred) from ``src`` along the roads, in metres (kept for the next call)."""
        if src not in self._shortest:
            self._shortest[src] = self.net.shortest(src)
        return self._shortest[src]

    def path(self, src: int, dst: int) -> list[int] | None:
        """Nodes of the shortest path from ``src`` to ``dst``; None when there is none."""
        dist, pred = self.shortest(src)
        if not np.isfinite(dist[dst]):
            return None
        return Network.path(pred, src, dst)

    def nearest_main(self, xy) -> int:
        """The node of the main network nearest to xy."""
        return int(self.main_nodes[self.main_tree.query(xy)[1]])

    def coords(self, nodes: list[int]) -> np.ndarray:
        """Coordinates along a node path, each junction once."""
        pieces = self.net.pieces(nodes)
        return np.vstack([pieces[0]] + [c[1:] for c in pieces[1:]])
