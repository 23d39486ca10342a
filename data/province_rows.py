"""One county of the province as CSV per layer, ready for COPY (built in a worker process).

The rows are what ``data.loader.load_demo`` writes through the upsert: the catalog's
columns, the county's code, empty ``props`` and the geometry (as hex EWKB, SRID 4326,
polygons and lines made multi where the table wants it). GPS points get the code the
loader gives them (team@local time).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import shapely

from layers.catalog import LAYERS, Layer

STR = np.dtypes.StringDType()
MULTI = {"MultiPolygon": ("Polygon", shapely.multipolygons),
         "MultiLineString": ("LineString", shapely.multilinestrings)}


def columns(layer: Layer) -> list[str]:
    """The table columns a layer's CSV holds, in order (columns kept by the table when a file
    lacks them, as the incidents' dispute flags, are left to their defaults)."""
    return ["county_code", "code"] + [c.name for c in layer.columns if c.name != "code" and not c.kept] + ["props", "geom"]


def _ewkb(layer: Layer, geoms) -> np.ndarray:
    """Hex EWKB (SRID 4326) of each geometry; single parts made multi for multi tables."""
    geoms = np.asarray(geoms, dtype=object)
    if layer.geometry in MULTI:
        single, make = MULTI[layer.geometry]
        one = np.flatnonzero(shapely.get_type_id(geoms) == shapely.GeometryType[single.upper()].value)
        if len(one):
            geoms = geoms.copy()
            geoms[one] = make(geoms[one], indices=np.arange(len(one)))
    hexes = shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)
    return np.where(np.equal(hexes, None), "", hexes)  # no geometry: NULL


def _text(values) -> np.ndarray:
    """Quoted CSV text; None/NA stays an unquoted empty field (NULL)."""
    obj = np.asarray(pd.Series(values, dtype=object).where(pd.notna(values), None), dtype=object)
    null = np.equal(obj, None)
    s = np.where(null, "", obj).astype(STR)
    quoted = np.strings.add(np.strings.add('"', np.strings.replace(s, '"', '""')), '"')
    return np.where(null, "", quoted).astype(STR)


def _moments(series) -> np.ndarray:
    """Timestamps as ISO text in UTC (whole seconds unless a fraction is there)."""
    utc = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[ns]")
    unit = "s" if (utc.astype(np.int64) % 1_000_000_000 == 0).all() else "us"
    text = np.strings.add(np.datetime_as_string(utc, unit=unit).astype(STR), "Z")
    return np.where(np.isnat(utc), "", text).astype(STR)


def _field(series) -> np.ndarray:
    """One column as CSV fields (StringDType)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return _moments(series)
    kind = series.dtype.kind
    if kind == "b":
        return np.where(series.to_numpy(), "t", "f").astype(STR)
    if kind in "iu":
        return series.to_numpy().astype(STR)
    if kind == "f":
        values = series.to_numpy()
        return np.where(np.isnan(values), "", values.astype(STR)).astype(STR)
    values = series.to_numpy(dtype=object)
    if any(isinstance(v, dt.date) for v in values[:50]):
        return np.array(["" if v is None or v is pd.NaT else v.isoformat() for v in values], dtype=STR)
    return _text(values)


def track_codes(frame) -> np.ndarray:
    """team@local ISO time (as ``data.loader.track_codes``), without a Python loop."""
    local = frame["recorded_at"].dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    stamp = np.strings.add(np.datetime_as_string(local, unit="s").astype(STR), "+08:00")
    return np.strings.add(np.strings.add(frame["team_code"].to_numpy().astype(STR), "@"), stamp)


def layer_csv(layer: Layer, frame, county_code: str) -> bytes:
    """The frame's rows as CSV in the order of ``columns(layer)``."""
    n = len(frame)
    fields = []
    for name in columns(layer):
        if name == "county_code":
            fields.append(np.full(n, county_code, dtype=STR))
        elif name == "code" and "code" not in frame:
            fields.append(_text(track_codes(frame)))
        elif name == "props":
            fields.append(np.full(n, '"{}"', dtype=STR))
        elif name == "geom":
            fields.append(_ewkb(layer, frame.geometry.values).astype(STR))
        else:
            fields.append(_field(frame[name].reset_index(drop=True)))
    line = fields[0]
    for f in fields[1:]:
        line = np.strings.add(np.strings.add(line, ","), f)
    return ("\n".join(line.tolist()) + "\n").encode("utf-8") if n else b""


def county_csv(frames: dict, county_code: str) -> dict[str, bytes]:
    """{layer name: CSV} of one generated county."""
    return {name: layer_csv(layer, frames[name], county_code) for name, layer in LAYERS.items()}
