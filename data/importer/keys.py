"""The keys seen so far in a file read chunk by chunk, to find duplicates across chunks.

A file's keys (``code``, or the layer's key columns as text) are not all kept: each is
remembered as two independent 64-bit hashes (pandas' SipHash with two keys, 128 bits in
all: two different keys of a file of a billion rows collide with a chance of about 1 in
10²¹) and the number of the row that first held it, 24 bytes a key, in arrays sorted by
the first hash. Duplicates inside one chunk are found on the keys themselves.
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

LOGGER = logging.getLogger(__name__)

_HASH_KEYS = ("0123456789123456", "county-map-keys2")   # 16 characters each


def _hashes(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return tuple(pd.util.hash_array(keys, hash_key=k) for k in _HASH_KEYS)


class SeenKeys:
    """The keys of the rows checked so far, each with the number of the row that first
    held it."""

    def __init__(self):
        self.h1 = np.empty(0, dtype=np.uint64)
        self.h2 = np.empty(0, dtype=np.uint64)
        self.rows = np.empty(0, dtype=np.int64)

    def __len__(self):
        return len(self.rows)

    def _lookup(self, q1: np.ndarray, q2: np.ndarray) -> np.ndarray:
        """The row that first held each (q1, q2), -1 for keys not seen."""
        found = np.full(len(q1), -1, dtype=np.int64)
        if not len(self.rows) or not len(q1):
            return found
        start = np.searchsorted(self.h1, q1, side="left")
        stop = np.searchsorted(self.h1, q1, side="right")
        single = (stop - start) == 1
        hit = single & (self.h2[np.minimum(start, len(self.h2) - 1)] == q2)
        found[hit] = self.rows[start[hit]]
        for i in np.flatnonzero(stop - start > 1):  # the first hash shared by several keys
            run = slice(start[i], stop[i])
            match = np.flatnonzero(self.h2[run] == q2[i])
            if len(match):
                found[i] = self.rows[run][match[0]]
        return found

    def _remember(self, h1: np.ndarray, h2: np.ndarray, rows: np.ndarray) -> None:
        h1 = np.concatenate([self.h1, h1])
        order = np.argsort(h1, kind="stable")
        self.h1 = h1[order]
        self.h2 = np.concatenate([self.h2, h2])[order]
        self.rows = np.concatenate([self.rows, rows])[order]

    def earlier_rows(self, keys, rows) -> np.ndarray:
        """For each of a chunk's ``keys`` (text, none missing; the rows numbered ``rows``),
        the number of the row that first held it, in an earlier chunk or earlier in this
        one, or -1 where this is its first row. The chunk's new keys are remembered."""
        keys = np.asarray(keys, dtype=object)
        rows = np.asarray(rows, dtype=np.int64)
        codes, uniques = pd.factorize(keys)
        _, first = np.unique(codes, return_index=True)     # first place of each distinct key
        q1, q2 = _hashes(keys[first])
        before = self._lookup(q1, q2)
        own = first[codes]
        earlier = np.where(own != np.arange(len(keys)), rows[own], -1)
        earlier = np.where(before[codes] >= 0, before[codes], earlier)
        new = before < 0
        self._remember(q1[new], q2[new], rows[first[new]])
        return earlier
