"""Reading a file: finding it, its format, the layer in a GeoPackage, its text encoding.

``read_source`` returns a ``Source``: the rows as a DataFrame (a ``geometry`` column for
vector files; text for a CSV), the CRS the file declares, the row numbers a user sees and
the values GDAL could not read. A file that cannot be read at all is refused at once.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from data.importer.problems import refuse, short
from layers.catalog import Layer
from layers.errors import ImportRefused

LOGGER = logging.getLogger(__name__)

SUFFIXES = {".gpkg": "gpkg", ".shp": "shp", ".geojson": "geojson", ".json": "geojson",
            ".csv": "csv"}
FORMAT_NAMES = ".gpkg, .shp, .geojson, .json, .csv"

_GDAL_INVALID = re.compile(r"Invalid content for record (\d+) in column (.+?): (.*)$")


@dataclass
class Source:
    """The rows of one file as read, before any check."""

    frame: pd.DataFrame
    kind: str                       # gpkg, gdb, shp, geojson or csv
    crs: object = None              # the CRS the file declares, if any
    row_numbers: np.ndarray | None = None
    content_problems: list = field(default_factory=list)  # GDAL's (record, column, value)


def read_source(path: Path, fname: str, layer: Layer, encoding: str | None,
                warnings: list[str]) -> Source:
    """Read the file at ``path`` for ``layer``; refuse it when it cannot be read or is empty.

    Row numbers are as a user sees them: a CSV's line (the header being line 1), a
    GeoPackage's fid, else the feature's place counted from 1.
    """
    path, kind = resolve_path(path, fname)
    if kind == "csv":
        source = Source(read_csv(path, fname, encoding), kind)
    else:
        source = read_vector(path, kind, fname, layer, encoding, warnings)
    source.frame = source.frame.reset_index(drop=True)
    n = len(source.frame)
    if n == 0:
        refuse(fname, "文件没有任何数据行 (no rows in file)")
    if source.row_numbers is None or len(source.row_numbers) != n:
        source.row_numbers = np.arange(n) + (2 if kind == "csv" else 1)
    return source


def resolve_path(path: Path, fname: str) -> tuple[Path, str]:
    """Return (path, format) or refuse."""
    if not path.exists():
        refuse(fname, f"文件不存在 (file not found: {path})")
    if path.is_dir():
        if path.suffix.lower() == ".gdb":
            return path, "gdb"
        shps = sorted(path.glob("*.shp"))
        if len(shps) == 1:
            return shps[0], "shp"
        refuse(fname, f"目录中应有且只有一个 .shp 文件 (a folder must hold exactly one .shp; "
                      f"found {len(shps)})")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        refuse(fname, f"不支持的文件类型 '{path.suffix or path.name}' "
                      f"(unsupported file type; use {FORMAT_NAMES})")
    return path, kind


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


def _read_dataframe(path: Path, kind: str, fname: str, encoding: str | None, kwargs: dict,
                    warnings: list[str]):
    """pyogrio.read_dataframe, re-decoding a Shapefile without .cpg; refuse on failure."""
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(path, **kwargs)
        if kind == "shp" and not encoding and not path.with_suffix(".cpg").exists() \
                and not path.with_suffix(".CPG").exists():
            frame = _redecode_shapefile(path, frame, fname, warnings)
    except ImportRefused:
        raise
    except (UnicodeDecodeError, LookupError) as err:
        refuse(fname, f"无法按编码 {encoding} 读取文字 (cannot decode text with "
                      f"encoding '{encoding}': {err})")
    except Exception as err:  # noqa: BLE001 - any GDAL failure is "cannot read"
        refuse(fname, f"无法读取文件 (cannot read: {short(err, 200)})")
    return frame


def _gdal_content_problems(caught, fname: str, warnings: list[str]) -> list:
    """GDAL's warnings: (record, column, value) of invalid content; the rest as warnings."""
    content_problems = []
    for warning in caught:
        text = str(warning.message).strip()
        match = _GDAL_INVALID.match(text)
        if match:
            content_problems.append((int(match.group(1)), match.group(2), match.group(3)))
        elif issubclass(warning.category, RuntimeWarning):
            warnings.append(f"{fname}: GDAL: {text}")
    return content_problems


def read_vector(path: Path, kind: str, fname: str, layer: Layer, encoding: str | None,
                warnings: list[str]) -> Source:
    """Read with pyogrio.

    GDAL's "Invalid content for record N in column C" warnings (a GeoPackage DATETIME
    that is not a date, read as null) come back as (N, C, value) to be refused.
    GeoJSON dates and times are read as text, so that the importer checks them itself.
    """
    import warnings as python_warnings

    kwargs = _read_options(path, kind, fname, layer, encoding, warnings)
    with python_warnings.catch_warnings(record=True) as caught:
        python_warnings.simplefilter("always")
        frame = _read_dataframe(path, kind, fname, encoding, kwargs, warnings)
    content_problems = _gdal_content_problems(caught, fname, warnings)
    crs = getattr(frame, "crs", None) if "geometry" in frame else None
    row_numbers = None
    if kwargs.get("fid_as_index"):
        row_numbers = np.asarray(frame.index, dtype=np.int64)
    return Source(pd.DataFrame(frame).reset_index(drop=True), kind, crs, row_numbers,
                  content_problems)


def _redecode_shapefile(path: Path, frame, fname: str, warnings: list[str]):
    """A .dbf without .cpg that GDAL read as ISO-8859-1: re-read as UTF-8 or GB18030."""
    import pyogrio

    info = pyogrio.read_info(path)
    if str(info.get("encoding") or "").upper() not in ("ISO-8859-1", "LATIN1"):
        return frame
    strings = _non_ascii_strings(frame)
    if not strings:
        return frame
    codec = _guess_dbf_encoding(strings)
    if codec is None:
        warnings.append(f"{fname}: 没有 .cpg 文件，文字编码未知；如有乱码请用 --encoding gbk "
                        f"(no .cpg and unknown text encoding; use --encoding gbk if garbled)")
        return frame
    warnings.append(f"{fname}: 没有 .cpg 文件，文字按 {codec.upper()} 读取；如有乱码请用 "
                    f"--encoding 指定 (no .cpg: text read as {codec}; use --encoding "
                    f"if it looks garbled)")
    return pyogrio.read_dataframe(path, encoding=codec)


def read_csv(path: Path, fname: str, encoding: str | None) -> pd.DataFrame:
    """A CSV as text (stripped; None for empty), UTF-8 with or without BOM or ``encoding``."""
    codec = encoding or "utf-8-sig"
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=codec,
                            skipinitialspace=True)
    except UnicodeDecodeError:
        refuse(fname, f"文字不是 {codec.replace('-sig', '').upper()} 编码，请用 --encoding 指定，"
                      f"如 --encoding gbk (text is not {codec}; pass --encoding, e.g. gbk)")
    except LookupError:
        refuse(fname, f"未知的编码 '{encoding}' (unknown encoding)")
    except pd.errors.EmptyDataError:
        refuse(fname, "空文件 (empty file)")
    except Exception as err:  # noqa: BLE001 - pandas parser errors are many
        refuse(fname, f"无法读取 CSV (cannot read CSV: {short(err, 200)})")
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].str.strip().replace("", None)
    return frame
