"""Writing a checked file: the frame ``upsert_layer`` takes, then the write in a savepoint.

Catalog columns are written as such; every other column of the file is kept in ``props``
(JSON values). After the rows, township/village are filled by location
(``layers.store.locate``); a database error refuses the file and undoes the write.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
import sys

import numpy as np
import pandas as pd

from data.importer.reproject import WGS84
from data.loader import track_codes
from layers import remediation, store
from layers.catalog import Layer
from layers.db import savepoint
from layers.errors import ImportRefused

LOGGER = logging.getLogger(__name__)

PROGRESS_MIN_ROWS = 1000        # show a progress bar from this many rows
ANALYZE_MIN_ROWS = 1000         # refresh the planner's statistics from this many rows


def _json_value(v):
    """One value for ``props``: str, int, float, bool or None."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, (dt.date, dt.datetime, pd.Timestamp)):
        return None if pd.isna(v) else v.isoformat()
    if isinstance(v, bytes):
        return v.hex()
    try:
        json.dumps(v)
        return v
    except (TypeError, ValueError):
        return str(v)


def _json_safe(series: pd.Series) -> list:
    """Values of one extra column for ``props`` (JSON-safe)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else v.isoformat() for v in series.tolist()]
    return [_json_value(v) for v in series.tolist()]


def _props(layer: Layer, frame: pd.DataFrame, mapping: dict, used_by_geometry: set,
           n: int) -> list[dict]:
    """The file's other columns, one dict a row."""
    extras = [c for c in frame.columns
              if c != "geometry" and c not in mapping and c not in used_by_geometry
              and not (layer.key != ("code",) and str(c).lower() == "code")]
    if not extras:
        return [{} for _ in range(n)]
    extra_values = [_json_safe(frame[c].reset_index(drop=True)) for c in extras]
    extra_names = [str(c) for c in extras]
    return [dict(zip(extra_names, row)) for row in zip(*extra_values)]


def output_frame(layer: Layer, frame: pd.DataFrame, columns: dict, mapping: dict,
                 used_by_geometry: set, geoms, n: int):
    """The frame ``upsert_layer`` writes: catalog columns, code, props, geometry."""
    import geopandas as gpd

    out = {}
    for col in layer.columns:
        if col.name in columns:
            values = columns[col.name]
            if isinstance(values, pd.Series):
                out[col.name] = values.reset_index(drop=True)
            else:
                out[col.name] = pd.Series(values, dtype=object)
    data = pd.DataFrame(out, index=pd.RangeIndex(n))
    if "code" not in data:
        data["code"] = track_codes(data)
    data["props"] = _props(layer, frame, mapping, used_by_geometry, n)
    if layer.geometry is None and all(g is None for g in geoms):
        return data
    geoms = np.array([None if g is None or g.is_empty else g for g in geoms], dtype=object)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=WGS84))


def _progress_bar(layer: Layer, n: int, progress: bool):
    """A progress bar on stderr for a large write, else None."""
    if not progress or n < PROGRESS_MIN_ROWS:
        return None
    from tqdm import tqdm

    return tqdm(total=n, file=sys.stderr, unit="行", desc=f"写入 {layer.title} ({layer.name})")


def write(conn, layer: Layer, frame_out, county_code: str, replace: bool, progress: bool,
          fname: str) -> tuple[int, int]:
    """upsert_layer + locate inside a savepoint; a database error refuses the file.

    Returns (rows added, rows updated).
    """
    import psycopg2

    n = len(frame_out)
    bar = _progress_bar(layer, n, progress)
    try:
        with savepoint(conn, "import_file"):
            added, updated = store.upsert_layer(conn, layer, frame_out, county_code,
                                                replace=replace,
                                                progress=None if bar is None else bar.update)
            store.locate(conn, county_code)
            if layer.name == "villages":  # past records: remediation confirmed on remediated_on
                remediation.record_imported(conn, county_code)
            if n >= ANALYZE_MIN_ROWS:
                store.analyze(conn, layer)
    except psycopg2.Error as err:
        raise ImportRefused([f"{fname}: 数据库拒绝写入 (database refused the rows: "
                             f"{str(err).strip()})"]) from err
    finally:
        if bar is not None:
            bar.close()
    return added, updated
