"""A road network as an undirected graph, for shortest paths along roads. Pure.

Edges are line pieces (shapely LineStrings in a metric CRS) between numbered nodes;
how the nodes are found (rounding end points, snapping within a distance, cutting at
T junctions) is the caller's business. Used by patrol route planning (``geo.patrol``)
and by the demo county's generator (``data.demo``).
"""
from __future__ import annotations

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph


class Network:
    """Undirected graph over ``n_nodes`` nodes; edge i runs from ``u[i]`` to ``v[i]``.

    geoms: a LineString per edge, oriented from u to v; length: metres per edge.
    Loops (u == v) are left out; of parallel edges the shortest is kept (the first
    one on a tie). Weights are floored at 1e-9 m so that no edge is lost to a zero.
    """

    def __init__(self, geoms, u, v, length, n_nodes: int):
        self.geoms = np.asarray(geoms, dtype=object)
        self.u = np.asarray(u, dtype=np.int64)
        self.v = np.asarray(v, dtype=np.int64)
        self.length = np.asarray(length, dtype=float)
        self.n_nodes = int(n_nodes)
        real = self.u != self.v
        a = np.minimum(self.u, self.v)[real]
        b = np.maximum(self.u, self.v)[real]
        w, idx = self.length[real], np.flatnonzero(real)
        order = np.lexsort((w, b, a))  # stable: equal lengths keep the lower index first
        a, b, w, idx = a[order], b[order], w[order], idx[order]
        first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])] if len(a) else np.zeros(0, bool)
        a, b, w, idx = a[first], b[first], np.maximum(w[first], 1e-9), idx[first]
        self.matrix = sparse.csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])),
                                        shape=(self.n_nodes, self.n_nodes))
        self.edge_of = dict(zip(zip(a.tolist(), b.tolist()), idx.tolist()))

    def shortest(self, sources):
        """(dist, pred) of Dijkstra from ``sources`` (an index or an array of them)."""
        return csgraph.dijkstra(self.matrix, directed=False, indices=sources,
                                return_predecessors=True)

    def components(self) -> np.ndarray:
        """The connected part each node belongs to (labels from 0)."""
        return csgraph.connected_components(self.matrix, directed=False)[1]

    @staticmethod
    def path(pred_row: np.ndarray, src: int, dst: int) -> list[int]:
        """Nodes from ``src`` to ``dst`` along a predecessor row of ``shortest`` (from ``src``).

        Raises ValueError when ``dst`` cannot be reached (its predecessor is scipy's -9999).
        """
        if dst != src and pred_row[dst] < 0:
            raise ValueError(f"node {dst} cannot be reached from node {src}")
        nodes = [int(dst)]
        while nodes[-1] != src:
            nodes.append(int(pred_row[nodes[-1]]))
        return nodes[::-1]

    def pieces(self, nodes: list[int]) -> list[np.ndarray]:
        """Coordinates of each edge along a node path, oriented in the path's direction."""
        out = []
        for p, q in zip(nodes[:-1], nodes[1:]):
            e = self.edge_of[(p, q) if p < q else (q, p)]
            c = shapely.get_coordinates(self.geoms[e])
            out.append(c if self.u[e] == p else c[::-1])
        return out
