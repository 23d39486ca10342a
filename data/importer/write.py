"""Writing a file chunk by chunk as it is checked: the frame ``upsert_layer`` takes, and the
writes in one savepoint, rolled back at the file's first problem.

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

from data.importer import grids as grid_checks
from data.importer.reproject import WGS84
from data.loader import track_codes
from layers import hotspot_imports, store
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
    if "code" not in data:   # a GPS point's code is its team and time; a call's is made when written
        data["code"] = track_codes(data) if layer.key != ("code",) else None
    data["props"] = _props(layer, frame, mapping, used_by_geometry, n)
    if layer.geometry is None and all(g is None for g in geoms):
        return data
    geoms = np.array([None if g is None or g.is_empty else g for g in geoms], dtype=object)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=WGS84))


def _progress_bar(layer: Layer, rows: int | None, progress):
    """A progress bar on stderr for a large write (or one of unknown size), else None; a
    ``progress`` with ``update(rows)`` and ``close()`` (the import page's) is used as it is."""
    if hasattr(progress, "update"):
        return progress
    if not progress or (rows is not None and rows < PROGRESS_MIN_ROWS):
        return None
    from tqdm import tqdm

    return tqdm(total=rows, file=sys.stderr, unit="行", desc=f"写入 {layer.title} ({layer.name})")


class _Stop(Exception):
    """A problem in the file: roll the savepoint back, check the rest of the file."""


def _update_attributes(conn, layer: Layer, frame, problems, county_code: str, replace: bool) -> tuple[int, int]:
    """A chunk of a table without coordinates: the attributes of rows the layer holds."""
    if replace:
        problems.file(f"文件没有坐标列，不能清空后替换{layer.title}（--replace）；请加上几何或坐标 "
                      f"(a file without coordinates cannot replace the layer)")
        raise _Stop
    missing, updated = store.update_attributes(conn, layer, frame, county_code)
    if missing and len(missing) == len(frame):  # none held: the file lacks its coordinates
        for name in ("lon", "lat"):
            problems.column(name, f"缺少坐标列 '{name}' (missing column '{name}'; a table needs lon and lat "
                                  f"columns, or 经度 and 纬度, unless it only updates rows the layer holds)")
        raise _Stop
    if missing:
        problems.rows(missing, "code", f"图层中没有此编码的{layer.title}，文件又没有坐标，无法新增 "
                                       f"(no such code in the layer, and no coordinates to add it)")
        raise _Stop
    return 0, updated


def _write_chunks(conn, layer: Layer, frames, problems, county_code: str, replace: bool,
                  bar, counts: list[int], prepare, history) -> None:
    """upsert_layer each chunk's frame (``replace`` empties the layer before the first),
    after ``prepare(frame)`` when given; stop at the first problem. ``counts`` is [rows,
    added, updated], kept up to date. ``history`` (a ``data.importer.history.Recorder``,
    or None) keeps what each chunk changes before it is written."""
    if history is not None:
        history.start()
    for i, (n, frame_out) in enumerate(frames):
        counts[0] += n
        if frame_out is None:
            if bar is not None:
                bar.update(n)
            raise _Stop
        if prepare is not None:
            prepare(frame_out)
            if problems:        # what only the database knows (a call's village)
                raise _Stop
        if history is not None:
            history.before(frame_out, i == 0)
        if frame_out.attrs.get("attributes_only"):
            added, updated = _update_attributes(conn, layer, frame_out, problems, county_code, replace)
            if bar is not None:
                bar.update(n)
        else:
            ids = None if history is None else []
            added, updated = store.upsert_layer(conn, layer, frame_out, county_code,
                                                replace=replace and i == 0,
                                                progress=None if bar is None else bar.update, added_ids=ids)
            if history is not None:
                history.added(ids)
        counts[1] += added
        counts[2] += updated
    if problems:        # found once the whole file was seen
        raise _Stop
    store.locate(conn, county_code)
    if layer.name == "grids" and not grid_checks.after_write(conn, county_code, problems,
                                                             getattr(history, "actor", None)):
        raise _Stop
    if layer.name == "hotspots":  # a list decided outside the system: a published version
        hotspot_imports.record_imported(conn, county_code)
    if counts[0] >= ANALYZE_MIN_ROWS:
        store.analyze(conn, layer)


def write(conn, layer: Layer, frames, problems, county_code: str, replace: bool,
          progress: bool, fname: str, rows: int | None, prepare=None, history=None) -> tuple[int, int, int]:
    """Write the checked chunks ``frames`` yields, then locate, all inside one savepoint.

    At the first problem (a chunk ``frames`` yields no frame for) the savepoint is rolled
    back and the rest of the file only checked; so is it after a database error, which
    refuses the file when the file itself has no problem. ``rows`` is the size of the file
    where known (for the progress bar); ``prepare(frame)`` completes each chunk's frame
    before it is written (an incident's focus); ``history`` records the import (see
    ``_write_chunks``). Returns (rows, added, updated); raises
    ImportRefused (nothing written) when anything is wrong.
    """
    import psycopg2

    bar = _progress_bar(layer, rows, progress)
    counts, failure = [0, 0, 0], None
    try:
        with savepoint(conn, "import_file"):
            _write_chunks(conn, layer, frames, problems, county_code, replace, bar, counts, prepare,
                          history)
    except _Stop:
        pass
    except psycopg2.Error as err:
        failure = err
    try:
        for n, _ in frames:             # the rest of the file: checked, not written
            counts[0] += n
            if bar is not None:
                bar.update(n)
    finally:
        if bar is not None:
            bar.close()
    if problems:
        raise ImportRefused(problems.messages(), problems.report())
    if failure is not None:
        raise ImportRefused([f"{fname}: 数据库拒绝写入 (database refused the rows: "
                             f"{str(failure).strip()})"]) from failure
    return tuple(counts)
