"""Track times as int64 UTC nanoseconds and back; naive values are UTC (numpy's convention)."""
from __future__ import annotations

import numpy as np
import pandas as pd

NS_PER_MIN = 60_000_000_000


def times_ns(track_time) -> tuple[np.ndarray, object]:
    """Int64 UTC nanoseconds and the time zone (None when naive)."""
    idx = pd.DatetimeIndex(track_time)
    if idx.unit != "ns":
        idx = idx.as_unit("ns")
    return idx.asi8, idx.tz  # asi8 of tz-aware values is UTC epoch nanoseconds


def to_time(ns: np.ndarray, tz) -> pd.DatetimeIndex:
    """Int64 UTC nanoseconds as times in ``tz`` (naive UTC when tz is None)."""
    out = pd.DatetimeIndex(np.asarray(ns, dtype="datetime64[ns]"))
    return out.tz_localize("UTC").tz_convert(tz) if tz is not None else out


def aware(moment):
    """A Timestamp or DatetimeIndex made tz-aware: a naive one is taken as UTC."""
    return moment.tz_localize("UTC") if moment.tz is None else moment
