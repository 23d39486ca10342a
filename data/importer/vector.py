"""Reading a vector file (GeoPackage, Shapefile, GeoJSON, FileGDB) with pyogrio, chunk by chunk.

``VectorFile`` opens the file once for what it declares (layer, CRS, rows, text encoding)
and ``frames`` reads its rows ``chunk_rows`` at a time with ``skip_features`` /
``max_features`` (GDAL seeks to a GeoPackage's or Shapefile's row directly). GDAL reads a
whole GeoJSON at every opening, so a GeoJSON is read in at most ``GEOJSON_CHUNKS``
chunks. A Shapefile without ``.cpg`` whose text GDAL reads as ISO-8859-1 is re-read as
UTF-8 or GB18030, decided on the first chunk holding text that is not ASCII (the rows
before it read the same either way).
"""
from __future__ import annotations

import logging
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from data.importer.problems import refuse, short
from layers.catalog import Layer

LOGGER = logging.getLogger(__name__)

GEOJSON_CHUNKS = 4              # a GeoJSON is opened (and read whole by GDAL) this many times

_GDAL_INVALID = re.compile(r"Invalid content for record (\d+) in column (.+?): (.*)$")


def pick_layer(path: Path, fname: str, layer: Layer, warnings: list[str]):
    """The layer of a GeoPackage named like ``layer``, else its first one (with a warning)."""
    import pyogrio

    try:
        listed = pyogrio.list_layers(path)
    except Exception as err:  # noqa: BLE001 - any GDAL failure is "cannot read"
        refuse(fname, f"无法读取文件 (cannot read: {err})")
    names = [str(row[0]) for row in listed]
    if not names:
        refuse(fname, "文件中没有图层 (no layers in file)")
    for name in names:
        if name.lower() == layer.name.lower():
            return name
    if len(names) > 1:
        warnings.append(f"{fname}: 有 {len(names)} 个图层，没有名为 '{layer.name}' 的，"
                        f"使用第一个 '{names[0]}' (several layers, none named '{layer.name}': "
                        f"using the first, '{names[0]}'; others: {', '.join(names[1:])})")
    return names[0]


def _non_ascii_strings(frame) -> list[str]:
    found = [c for c in frame.columns if isinstance(c, str) and not c.isascii()]
    for col in frame.columns:
        if col == "geometry" or not (pd.api.types.is_string_dtype(frame[col])
                                     or frame[col].dtype == object):
            continue
        values = frame[col].dropna()
        values = values[[isinstance(v, str) and not v.isascii() for v in values]]
        found.extend(values.head(2000).tolist())
    return found


def _guess_dbf_encoding(strings: list[str]) -> str | None:
    """Strings GDAL decoded as ISO-8859-1: their bytes as UTF-8 or GB18030, if either fits."""
    for codec in ("utf-8", "gb18030"):
        try:
            for text in strings:
                text.encode("latin-1").decode(codec)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        return codec
    return None


def _read_options(path: Path, kind: str, fname: str, layer: Layer, encoding: str | None,
                  warnings: list[str]) -> dict:
    """pyogrio's keyword arguments for this file."""
    kwargs = {}
    if kind in ("gpkg", "gdb"):
        kwargs["layer"] = pick_layer(path, fname, layer, warnings)
        kwargs["fid_as_index"] = True   # rows are numbered by fid, as QGIS shows them
    if kind == "geojson":
        kwargs["DATE_AS_STRING"] = "YES"
    if encoding and kind == "shp":
        kwargs["encoding"] = encoding
    elif encoding:
        warnings.append(f"{fname}: 此格式总是 UTF-8，忽略 --encoding {encoding} "
                        f"(this format is always UTF-8; --encoding ignored)")
    return kwargs


def _gdal_content_problems(caught, fname: str, warnings: list[str]) -> list:
    """GDAL's warnings: (record, column, value) of invalid content; the rest as warnings
    (each once, however many chunks repeat it)."""
    content_problems = []
    for warning in caught:
        text = str(warning.message).strip()
        match = _GDAL_INVALID.match(text)
        if match:
            content_problems.append((int(match.group(1)), match.group(2), match.group(3)))
        elif issubclass(warning.category, RuntimeWarning) \
                and f"{fname}: GDAL: {text}" not in warnings:
            warnings.append(f"{fname}: GDAL: {text}")
    return content_problems


class VectorFile:
    """A vector file opened for reading chunk by chunk."""

    def __init__(self, path: Path, kind: str, fname: str, layer: Layer, encoding: str | None,
                 warnings: list[str], chunk_rows: int):
        import pyogrio

        self.path, self.kind, self.fname, self.warnings = path, kind, fname, warnings
        self.encoding = encoding
        self.kwargs = _read_options(path, kind, fname, layer, encoding, warnings)
        try:
            info = pyogrio.read_info(path, layer=self.kwargs.get("layer"),
                                     encoding=self.kwargs.get("encoding"))
        except Exception as err:  # noqa: BLE001 - any GDAL failure is "cannot read"
            refuse(fname, f"无法读取文件 (cannot read: {short(err, 200)})")
        self.crs = info.get("crs")
        features = info.get("features")
        self.rows = int(features) if features is not None and features >= 0 else None
        self.chunk_rows = chunk_rows
        if kind == "geojson" and self.rows:
            self.chunk_rows = max(chunk_rows, math.ceil(self.rows / GEOJSON_CHUNKS))
        # a .dbf without .cpg that GDAL reads as ISO-8859-1: its encoding is guessed
        self.guess_encoding = (
            kind == "shp" and not encoding and not path.with_suffix(".cpg").exists()
            and not path.with_suffix(".CPG").exists()
            and str(info.get("encoding") or "").upper() in ("ISO-8859-1", "LATIN1"))

    def frames(self):
        """(frame, row numbers or None, GDAL's content problems), ``chunk_rows`` rows each."""
        start = 0
        while True:
            frame, content_problems = self._read(start)
            row_numbers = None
            if self.kwargs.get("fid_as_index"):
                row_numbers = np.asarray(frame.index, dtype=np.int64)
            yield pd.DataFrame(frame), row_numbers, content_problems
            if len(frame) < self.chunk_rows:
                return
            start += len(frame)

    def _read(self, start: int):
        """One chunk from row ``start``: GDAL's "Invalid content for record N in column C"
        warnings (a GeoPackage DATETIME that is not a date, read as null) come back as
        (N, C, value) to be refused. GeoJSON dates and times are read as text, so that the
        importer checks them itself."""
        import warnings as python_warnings

        with python_warnings.catch_warnings(record=True) as caught:
            python_warnings.simplefilter("always")
            frame = self._read_dataframe(start)
            if self.guess_encoding and len(frame):
                frame = self._redecode(frame, start)
        return frame, _gdal_content_problems(caught, self.fname, self.warnings)

    def _read_dataframe(self, start: int, **override):
        """pyogrio.read_dataframe of one chunk; refuse on failure."""
        import pyogrio

        kwargs = {**self.kwargs, **override}
        try:
            return pyogrio.read_dataframe(self.path, skip_features=start,
                                          max_features=self.chunk_rows, **kwargs)
        except (UnicodeDecodeError, LookupError) as err:
            refuse(self.fname, f"无法按编码 {self.encoding} 读取文字 (cannot decode text with "
                               f"encoding '{self.encoding}': {err})")
        except Exception as err:  # noqa: BLE001 - any GDAL failure is "cannot read"
            refuse(self.fname, f"无法读取文件 (cannot read: {short(err, 200)})")

    def _redecode(self, frame, start: int):
        """The first chunk with text that is not ASCII decides the .dbf's encoding: UTF-8
        or GB18030, said in a warning; this chunk and the next are read with it."""
        strings = _non_ascii_strings(frame)
        if not strings:
            return frame
        self.guess_encoding = False
        codec = _guess_dbf_encoding(strings)
        if codec is None:
            self.warnings.append(
                f"{self.fname}: 没有 .cpg 文件，文字编码未知；如有乱码请用 --encoding gbk "
                f"(no .cpg and unknown text encoding; use --encoding gbk if garbled)")
            return frame
        self.warnings.append(
            f"{self.fname}: 没有 .cpg 文件，文字按 {codec.upper()} 读取；如有乱码请用 "
            f"--encoding 指定 (no .cpg: text read as {codec}; use --encoding "
            f"if it looks garbled)")
        self.kwargs["encoding"] = codec
        return self._read_dataframe(start)
