"""Import one file into one layer: read, check everything, reproject, write — all or nothing.

``import_file(conn, layer_name, path, crs=None, encoding=None, replace=False,
county_code=…, progress=False) -> ImportResult`` reads a GeoPackage (the layer named
like the target, else the only/first one), a Shapefile (text encoding from its ``.cpg``;
``encoding`` overrides, e.g. 'gbk'; without either, UTF-8 or GB18030 is detected and
said in a warning), GeoJSON, or CSV with ``lon``/``lat`` columns (UTF-8 with or without
BOM, or ``encoding``), checks the whole file, and only when nothing is wrong writes it
with ``layers.store.upsert_layer`` and fills township/village by location with
``layers.store.locate``. It does not commit: the caller owns the transaction (the writes
are also wrapped in a savepoint, so a failure leaves the caller's transaction as it was).

Rules (quoted by the README):

* All or nothing. Every problem in the file is collected (the first 50 are listed, then
  "… 另有 N 个问题 (and N more)") and ``ImportRefused(problems)`` is raised before
  anything is written. Each message names the file, the row ("第 N 行": in a CSV the
  line a spreadsheet or editor shows, the header being line 1; in a GeoPackage the
  feature's fid, as QGIS shows it; otherwise the feature's place counted from 1), the
  row's code when it has one, the column, and what is wrong, in Chinese with the
  English in brackets.
* Columns: names match the catalog case-insensitively, and a Shapefile's names cut to 10
  characters (``township_c``, ``occurred_a``) are recognised. A required column must be
  present and have a value in every row. Values: integers and numbers (within the
  column's minimum/maximum), booleans (true/false, 1/0, 是/否, yes/no, t/f, y/n), dates
  (2026-03-05, 2026/3/5, 2026.3.5, 20260305, 2026年3月5日), timestamps (a date plus
  hh:mm[:ss[.ffffff]], optionally with Z or an offset such as +08:00; without an offset
  they are Asia/Shanghai local time), enums (the value or its Chinese label, any case).
  Other columns are kept in ``props`` (JSON values). ``code`` must be unique in the
  file (for patrol_tracks, team_code + recorded_at, and code is built from them).
* CRS: the file's own; ``crs`` overrides it ('EPSG:4490', 'EPSG:4547', '4326' or
  'gcj02'). A file with no CRS and no ``crs`` is refused, except CSV, whose lon/lat are
  taken as EPSG:4326 (WGS 84) when no ``crs`` is given. 'gcj02' means lon/lat copied
  from a Chinese web map; they are converted back to WGS 84 with the iterative inverse
  (``geo.crs.gcj02_to_wgs84``). Any other CRS (EPSG:4490 CGCS2000, the CGCS2000
  Gauss-Krüger zones EPSG:4491–4554, …) is reprojected to EPSG:4326 with pyproj.
  When ``crs`` differs from the CRS the file declares, a warning says so.
* Coordinates must be valid lon/lat and in China (``geo.crs.in_china``); numbers
  beyond ±180/±90 in a lon/lat CRS are reported as "looks projected (metres)" with a
  hint to pass ``--crs``.
* Geometry: must be present (patrol_teams excepted) and of a type the layer accepts;
  Z/M are dropped and a one-point MultiPoint is taken as its Point.
* Invalid geometry (e.g. a self-intersecting polygon): a polygon or multipolygon that
  is not valid is repaired with ``shapely.make_valid`` (keeping its polygonal part),
  and the repair is accepted, with a warning naming the row, only when the result is
  still a (multi)polygon the layer accepts and its area differs from the area of the
  rings as drawn by less than 1 %; otherwise the file is refused for that row (a
  "bow-tie" whose lobes cancel out, for instance, changes its area far more than 1 %
  and must be fixed by hand). Invalid lines and points are refused.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from data.loader import track_codes
from geo.crs import gcj02_to_wgs84, in_china, parse_crs
from layers import remediation, store
from layers.catalog import VALUE_LABELS, Column, Layer, get_layer
from layers.errors import ImportRefused

LOGGER = logging.getLogger(__name__)

MAX_PROBLEMS = 50
MAX_AREA_CHANGE = 0.01          # repaired polygons: relative area change allowed
PROGRESS_MIN_ROWS = 1000        # show a progress bar from this many rows
LOCAL_TZ = "Asia/Shanghai"
INT_LIMIT = 2**31 - 1           # PostgreSQL integer
WGS84 = CRS.from_epsg(4326)

SUFFIXES = {".gpkg": "gpkg", ".shp": "shp", ".geojson": "geojson", ".json": "geojson",
            ".csv": "csv"}
FORMAT_NAMES = ".gpkg, .shp, .geojson, .json, .csv"

TRUE_WORDS = {"true", "t", "yes", "y", "1", "1.0", "是", "真", "对"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "0.0", "否", "假", "不"}

# Formats a column has beyond its kind (the database checks these too).
PATTERNS = {
    ("hotspots", "quarter"): (re.compile(r"^\d{4}Q[1-4]$"), "如 2026Q3 (e.g. 2026Q3)"),
}

_DATE_RE = (r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
            r"(?:[ T]+0{1,2}:00(?::00(?:\.0+)?)?)?\s*$")
_COMPACT_DATE_RE = r"^\s*(\d{4})(\d{2})(\d{2})\s*$"
_TIMESTAMP_RE = (r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
                 r"(?:(?:[ T]+|T)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6}))?)?)?"
                 r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$")

GEOM_TYPES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
              5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


@dataclass
class ImportResult:
    """What an import did: rows added and updated, warnings, rows in the file."""

    added: int
    updated: int
    warnings: list[str] = field(default_factory=list)
    rows: int = 0


class _Problems:
    """Problems found in one file, kept sorted by row and capped at MAX_PROBLEMS."""

    def __init__(self, fname: str, row_numbers: np.ndarray | None = None,
                 codes: list | None = None):
        self.fname = fname
        self.items: list[tuple[int, int, str]] = []   # (row position or -1, seq, message)
        self.total = 0
        self.row_numbers = row_numbers
        self.codes = codes

    def __bool__(self):
        return self.total > 0

    def row_label(self, pos: int) -> str:
        number = int(self.row_numbers[pos]) if self.row_numbers is not None else pos + 1
        label = f"第 {number} 行"
        if self.codes is not None:
            code = self.codes[pos]
            if code is not None and code == code and str(code).strip() != "":
                label += f" (code={code})"
        return label

    def file(self, what: str) -> None:
        self.total += 1
        self.items.append((-1, len(self.items), f"{self.fname}: {what}"))

    def column(self, column: str, what: str) -> None:
        self.total += 1
        self.items.append((-1, len(self.items), f"{self.fname} 列 {column}: {what}"))

    def rows(self, positions, column: str, what) -> None:
        """Add one problem per row position; ``what(i)`` gives the text for the i-th one."""
        positions = np.asarray(positions, dtype=int)
        self.total += len(positions)
        for i, pos in enumerate(positions[:MAX_PROBLEMS]):
            text = what(i) if callable(what) else what
            self.items.append((int(pos), len(self.items),
                               f"{self.fname} {self.row_label(int(pos))} 列 {column}: {text}"))

    def messages(self) -> list[str]:
        items = sorted(self.items, key=lambda t: (t[0], t[1]))
        out = [m for _, _, m in items[:MAX_PROBLEMS]]
        if self.total > len(out):
            rest = self.total - len(out)
            out.append(f"… 另有 {rest} 个问题 (and {rest} more)")
        return out


def _short(value, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# ---------------------------------------------------------------------------- reading

def _refuse(fname: str, what: str):
    raise ImportRefused([f"{fname}: {what}"])


def _resolve_path(path: Path, fname: str) -> tuple[Path, str]:
    """Return (path, format) or refuse."""
    if not path.exists():
        _refuse(fname, f"文件不存在 (file not found: {path})")
    if path.is_dir():
        if path.suffix.lower() == ".gdb":
            return path, "gdb"
        shps = sorted(path.glob("*.shp"))
        if len(shps) == 1:
            return shps[0], "shp"
        _refuse(fname, f"目录中应有且只有一个 .shp 文件 (a folder must hold exactly one .shp; "
                       f"found {len(shps)})")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        _refuse(fname, f"不支持的文件类型 '{path.suffix or path.name}' "
                       f"(unsupported file type; use {FORMAT_NAMES})")
    return path, kind


def _pick_layer(path: Path, fname: str, layer: Layer, warnings: list[str]):
    import pyogrio

    try:
        listed = pyogrio.list_layers(path)
    except Exception as err:  # noqa: BLE001 - any GDAL failure is "cannot read"
        _refuse(fname, f"无法读取文件 (cannot read: {err})")
    names = [str(row[0]) for row in listed]
    if not names:
        _refuse(fname, "文件中没有图层 (no layers in file)")
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


_GDAL_INVALID = re.compile(r"Invalid content for record (\d+) in column (.+?): (.*)$")


def _read_vector(path: Path, kind: str, fname: str, layer: Layer, encoding: str | None,
                 warnings_out: list[str]):
    """Read with pyogrio. Returns (frame, crs, row numbers or None, GDAL content problems).

    GDAL's "Invalid content for record N in column C" warnings (a GeoPackage DATETIME
    that is not a date, read as null) come back as (N, C, value) to be refused.
    GeoJSON dates and times are read as text, so that the importer checks them itself.
    """
    import warnings

    import pyogrio

    kwargs = {}
    if kind in ("gpkg", "gdb"):
        kwargs["layer"] = _pick_layer(path, fname, layer, warnings_out)
        kwargs["fid_as_index"] = True   # rows are numbered by fid, as QGIS shows them
    if kind == "geojson":
        kwargs["DATE_AS_STRING"] = "YES"
    if encoding and kind == "shp":
        kwargs["encoding"] = encoding
    elif encoding:
        warnings_out.append(f"{fname}: 此格式总是 UTF-8，忽略 --encoding {encoding} "
                            f"(this format is always UTF-8; --encoding ignored)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pyogrio.read_dataframe(path, **kwargs)
            if kind == "shp" and not encoding and not path.with_suffix(".cpg").exists() \
                    and not path.with_suffix(".CPG").exists():
                frame = _redecode_shapefile(path, frame, fname, warnings_out)
        except ImportRefused:
            raise
        except (UnicodeDecodeError, LookupError) as err:
            _refuse(fname, f"无法按编码 {encoding} 读取文字 (cannot decode text with "
                           f"encoding '{encoding}': {err})")
        except Exception as err:  # noqa: BLE001 - any GDAL failure is "cannot read"
            _refuse(fname, f"无法读取文件 (cannot read: {_short(err, 200)})")
    content_problems = []
    for warning in caught:
        text = str(warning.message).strip()
        match = _GDAL_INVALID.match(text)
        if match:
            content_problems.append((int(match.group(1)), match.group(2), match.group(3)))
        elif issubclass(warning.category, RuntimeWarning):
            warnings_out.append(f"{fname}: GDAL: {text}")
    crs = getattr(frame, "crs", None) if "geometry" in frame else None
    row_numbers = None
    if kwargs.get("fid_as_index"):
        row_numbers = np.asarray(frame.index, dtype=np.int64)
    return pd.DataFrame(frame).reset_index(drop=True), crs, row_numbers, content_problems


def _redecode_shapefile(path: Path, frame, fname: str, warnings_out: list[str]):
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
        warnings_out.append(f"{fname}: 没有 .cpg 文件，文字编码未知；如有乱码请用 --encoding gbk "
                            f"(no .cpg and unknown text encoding; use --encoding gbk if garbled)")
        return frame
    warnings_out.append(f"{fname}: 没有 .cpg 文件，文字按 {codec.upper()} 读取；如有乱码请用 "
                        f"--encoding 指定 (no .cpg: text read as {codec}; use --encoding "
                        f"if it looks garbled)")
    return pyogrio.read_dataframe(path, encoding=codec)


def _read_csv(path: Path, fname: str, encoding: str | None):
    codec = encoding or "utf-8-sig"
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=codec,
                            skipinitialspace=True)
    except UnicodeDecodeError:
        _refuse(fname, f"文字不是 {codec.replace('-sig', '').upper()} 编码，请用 --encoding 指定，"
                       f"如 --encoding gbk (text is not {codec}; pass --encoding, e.g. gbk)")
    except LookupError:
        _refuse(fname, f"未知的编码 '{encoding}' (unknown encoding)")
    except pd.errors.EmptyDataError:
        _refuse(fname, "空文件 (empty file)")
    except Exception as err:  # noqa: BLE001 - pandas parser errors are many
        _refuse(fname, f"无法读取 CSV (cannot read CSV: {_short(err, 200)})")
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].str.strip().replace("", None)
    return frame


# ---------------------------------------------------------------------------- columns

def _match_columns(columns, layer: Layer) -> dict[str, str]:
    """Map file column -> catalog column (case-insensitive, 10-character DBF names)."""
    catalog = [c.name for c in layer.columns]
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        low = str(col).strip().lower()
        if low in catalog and low not in taken:
            mapping[col] = low
            taken.add(low)
    for col in columns:
        if col in mapping:
            continue
        low = str(col).strip().lower()
        if len(low) == 10:
            hits = [c for c in catalog if len(c) > 10 and c[:10] == low and c not in taken]
            if len(hits) == 1:
                mapping[col] = hits[0]
                taken.add(hits[0])
    return mapping


def _is_missing(series: pd.Series) -> np.ndarray:
    missing = series.isna().to_numpy()
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        text = series.astype(object).where(~missing, "")
        missing = missing | np.array([isinstance(v, str) and v.strip() == "" for v in text])
    return missing


def _to_text(series: pd.Series) -> pd.Series:
    """Values as stripped strings (object dtype, None for missing); 12.0 -> '12'."""
    missing = _is_missing(series)
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype=float)
        out = [None if m else (str(int(v)) if float(v).is_integer() else repr(float(v)))
               for v, m in zip(values, missing)]
    elif pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series):
        out = [None if m else str(v) for v, m in zip(series.tolist(), missing)]
    elif pd.api.types.is_datetime64_any_dtype(series):
        out = [None if m else v.isoformat() for v, m in zip(series.tolist(), missing)]
    else:
        out = [None if m else str(v).strip() for v, m in zip(series.tolist(), missing)]
    return pd.Series(out, index=series.index, dtype=object)


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values as float with NaN, positions that are present but not numbers)."""
    missing = _is_missing(series)
    if pd.api.types.is_bool_dtype(series):
        values = series.astype(float).to_numpy()
    elif pd.api.types.is_numeric_dtype(series):
        values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    else:
        text = series.astype(object).where(~missing, None)
        values = pd.to_numeric(pd.Series([None if v is None else str(v).strip() for v in text],
                                         dtype=object), errors="coerce").astype(float).to_numpy()
    bad = ~missing & ~np.isfinite(values)
    values = np.where(missing, np.nan, values)
    return values, np.flatnonzero(bad)


def _check_range(values: np.ndarray, col: Column, problems: _Problems, raw: pd.Series,
                 present: np.ndarray):
    if col.minimum is not None:
        low = np.flatnonzero(present & (values < col.minimum))
        problems.rows(low, col.name, lambda i: (
            f"小于最小值 {col.minimum:g} '{_short(raw.iloc[low[i]])}' "
            f"(below minimum {col.minimum:g})"))
    maximum = col.maximum
    if col.kind == "int" and maximum is None:
        maximum = INT_LIMIT
    if maximum is not None:
        high = np.flatnonzero(present & (values > maximum))
        problems.rows(high, col.name, lambda i: (
            f"大于最大值 {maximum:g} '{_short(raw.iloc[high[i]])}' (above maximum {maximum:g})"))


def _parse_dates(series: pd.Series) -> tuple[list, np.ndarray]:
    """(list of datetime.date or None, positions of bad values)."""
    missing = _is_missing(series)
    n = len(series)
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = series.dt.tz_localize(None) if series.dt.tz is not None else series
        out = [None if m else v.date() for v, m in zip(stamps.tolist(), missing)]
        return out, np.array([], dtype=int)
    text = _to_text(series).fillna("").astype(str)
    parts = text.str.extract(_DATE_RE)
    compact = text.str.extract(_COMPACT_DATE_RE)
    parts = parts.where(parts[0].notna(), compact)
    numbers = parts.apply(pd.to_numeric, errors="coerce")
    numbers.columns = ["year", "month", "day"]
    stamps = pd.to_datetime(numbers, errors="coerce") if n else pd.Series([], dtype="datetime64[s]")
    bad = ~missing & stamps.isna().to_numpy()
    out = [None if (m or pd.isna(v)) else v.date() for v, m in zip(stamps.tolist(), missing)]
    return out, np.flatnonzero(bad)


def _parse_timestamps(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(tz-aware Asia/Shanghai timestamps with NaT, positions of bad values)."""
    missing = _is_missing(series)
    if pd.api.types.is_datetime64_any_dtype(series):
        if series.dt.tz is None:
            stamps = series.dt.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="NaT")
        else:
            stamps = series.dt.tz_convert(LOCAL_TZ)
        bad = ~missing & stamps.isna().to_numpy()
        return stamps.reset_index(drop=True), np.flatnonzero(bad)
    text = _to_text(series).fillna("").astype(str)
    parts = text.str.extract(_TIMESTAMP_RE)
    numbers = parts.iloc[:, :6].apply(pd.to_numeric, errors="coerce")
    numbers.columns = ["year", "month", "day", "hour", "minute", "second"]
    for name in ("hour", "minute", "second"):
        numbers[name] = numbers[name].where(numbers["year"].isna(), numbers[name].fillna(0))
    # pandas rolls 25:00 over into the next day: refuse out-of-range clock values instead
    clock_bad = ((numbers["hour"] > 23) | (numbers["minute"] > 59)
                 | (numbers["second"] > 59)).to_numpy()
    numbers.loc[clock_bad, "year"] = np.nan
    fraction = parts[6].fillna("").str.ljust(6, "0").replace("000000", "0")
    numbers["us"] = pd.to_numeric(fraction.where(fraction != "", "0"), errors="coerce")
    naive = (pd.to_datetime(numbers, errors="coerce") if len(series)
             else pd.Series([], dtype="datetime64[us]"))
    offset = parts[7]
    has_offset = offset.notna().to_numpy()
    sign = np.where(offset.str.startswith("-").fillna(False).to_numpy(dtype=bool), -1, 1)
    digits = offset.str.replace(r"[^0-9]", "", regex=True).fillna("")
    hours = pd.to_numeric(digits.str[:2], errors="coerce").fillna(0).to_numpy()
    minutes = pd.to_numeric(digits.str[2:4], errors="coerce").fillna(0).to_numpy()
    offset_min = sign * (hours * 60 + minutes)
    offset_min[~has_offset] = 0
    local = naive.where(~has_offset).dt.tz_localize(LOCAL_TZ, ambiguous="NaT",
                                                     nonexistent="NaT")
    utc = (naive - pd.to_timedelta(offset_min, unit="m")).where(has_offset)
    utc = utc.dt.tz_localize("UTC").dt.tz_convert(LOCAL_TZ)
    stamps = local.where(~pd.Series(has_offset, index=local.index), utc)
    bad = ~missing & stamps.isna().to_numpy()
    return stamps.reset_index(drop=True), np.flatnonzero(bad)


def _parse_bools(series: pd.Series) -> tuple[list, np.ndarray]:
    missing = _is_missing(series)
    if pd.api.types.is_bool_dtype(series):
        return [None if m else bool(v) for v, m in zip(series.tolist(), missing)], \
            np.array([], dtype=int)
    text = _to_text(series)
    out, bad = [], []
    for i, (v, m) in enumerate(zip(text.tolist(), missing)):
        if m:
            out.append(None)
            continue
        low = v.strip().lower()
        if low in TRUE_WORDS:
            out.append(True)
        elif low in FALSE_WORDS:
            out.append(False)
        else:
            out.append(None)
            bad.append(i)
    return out, np.array(bad, dtype=int)


def _enum_lookup(col: Column) -> dict[str, str]:
    lookup = {}
    for choice in col.choices:
        lookup[choice.lower()] = choice
        label = VALUE_LABELS.get(choice)
        if label:
            lookup[label.lower()] = choice
    return lookup


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


def _check_columns(frame: pd.DataFrame, layer: Layer, mapping: dict[str, str],
                   problems: _Problems) -> dict:
    """Check and convert every catalog column present; return {name: list of values}."""
    by_name = {v: k for k, v in mapping.items()}
    out: dict[str, object] = {}
    for col in layer.columns:
        source = by_name.get(col.name)
        if source is None:
            if col.required:
                problems.column(col.name, f"缺少必填列 '{col.name}' (missing required column "
                                          f"'{col.name}'; 文件中的列 columns in file: "
                                          f"{', '.join(map(str, frame.columns)) or '-'})")
            continue
        raw = frame[source].reset_index(drop=True)
        missing = _is_missing(raw)
        if col.required:
            empty = np.flatnonzero(missing)
            problems.rows(empty, col.name, "为空 (missing value)")
        values: object
        if col.kind == "text":
            text = _to_text(raw)
            pattern = PATTERNS.get((layer.name, col.name))
            if pattern is not None:
                regex, example = pattern
                text = pd.Series([v.upper() if isinstance(v, str) else v for v in text],
                                 dtype=object)
                bad = np.flatnonzero(~missing & ~np.array(
                    [bool(regex.match(v)) if isinstance(v, str) else True for v in text]))
                problems.rows(bad, col.name, lambda i, bad=bad: (
                    f"格式不对 '{_short(raw.iloc[bad[i]])}'，应{example} (bad format)"))
            values = text.tolist()
        elif col.kind in ("int", "float"):
            numbers, bad = _numbers(raw)
            if col.kind == "int":
                problems.rows(bad, col.name, lambda i, bad=bad: (
                    f"不是整数 '{_short(raw.iloc[bad[i]])}' (not an integer)"))
                fractional = np.flatnonzero(np.isfinite(numbers) & (numbers != np.round(numbers)))
                problems.rows(fractional, col.name, lambda i, f=fractional: (
                    f"不是整数 '{_short(raw.iloc[f[i]])}' (not an integer)"))
            else:
                problems.rows(bad, col.name, lambda i, bad=bad: (
                    f"不是数字 '{_short(raw.iloc[bad[i]])}' (not a number)"))
            present = np.isfinite(numbers)
            _check_range(numbers, col, problems, raw, present)
            if col.kind == "int":
                values = [int(v) if ok and abs(v) <= INT_LIMIT else None
                          for v, ok in zip(numbers.tolist(), present)]
            else:
                values = [float(v) if ok else None for v, ok in zip(numbers.tolist(), present)]
        elif col.kind == "bool":
            values, bad = _parse_bools(raw)
            problems.rows(bad, col.name, lambda i, bad=bad: (
                f"不是布尔值 '{_short(raw.iloc[bad[i]])}' (not a boolean; "
                f"use true/false, 1/0, 是/否, yes/no)"))
        elif col.kind == "enum":
            lookup = _enum_lookup(col)
            text = _to_text(raw)
            mapped = [lookup.get(v.lower()) if isinstance(v, str) else None for v in text]
            bad = np.flatnonzero(~missing & np.array([m is None for m in mapped], dtype=bool))
            allowed = ", ".join(col.choices)
            problems.rows(bad, col.name, lambda i, bad=bad: (
                f"不是允许的值 '{_short(raw.iloc[bad[i]])}'，可用：{allowed} "
                f"(not one of: {allowed})"))
            values = mapped
        elif col.kind == "date":
            values, bad = _parse_dates(raw)
            problems.rows(bad, col.name, lambda i, bad=bad: (
                f"不是日期 '{_short(raw.iloc[bad[i]])}'，应为 YYYY-MM-DD (not a date)"))
        elif col.kind == "timestamp":
            values, bad = _parse_timestamps(raw)
            problems.rows(bad, col.name, lambda i, bad=bad: (
                f"不是时间 '{_short(raw.iloc[bad[i]])}'，应为 YYYY-MM-DD hh:mm[:ss][+08:00] "
                f"(not a timestamp)"))
        else:  # pragma: no cover - the catalog only has the kinds above
            raise ValueError(f"unknown column kind {col.kind!r}")
        out[col.name] = values
    return out


def _check_duplicates(layer: Layer, columns: dict, problems: _Problems) -> None:
    if layer.key == ("code",):
        if "code" not in columns:
            return
        key = pd.Series(columns["code"], dtype=object)
        label = "code"
        shown = key
    else:
        if not all(k in columns for k in layer.key):
            return
        parts = []
        for k in layer.key:
            v = columns[k]
            if isinstance(v, pd.Series) and pd.api.types.is_datetime64_any_dtype(v):
                parts.append(pd.Series([None if pd.isna(t) else t.isoformat() for t in v],
                                       dtype=object))
            else:
                parts.append(pd.Series(list(v), dtype=object))
        frame = pd.concat(parts, axis=1)
        complete = frame.notna().all(axis=1)
        key = frame.astype(str).agg(" ".join, axis=1).where(complete, None)
        label = "+".join(layer.key)
        shown = key
    present = key.notna()
    dup = key.duplicated(keep=False) & present
    if not dup.any():
        return
    first = {}
    for pos, value in zip(np.flatnonzero(dup.to_numpy()), key[dup].tolist()):
        first.setdefault(value, pos)
    later = [pos for pos, value in zip(np.flatnonzero(dup.to_numpy()), key[dup].tolist())
             if first[value] != pos]
    later = np.array(later, dtype=int)
    numbers = problems.row_numbers

    def what(i):
        pos = later[i]
        other = first[key.iloc[pos]]
        other_no = int(numbers[other]) if numbers is not None else other + 1
        return (f"与第 {other_no} 行重复 '{_short(shown.iloc[pos], 60)}' "
                f"(duplicate {label}, same as row {other_no})")

    problems.rows(later, label, what)


# ---------------------------------------------------------------------------- geometry

def _geometry_label(kind: str) -> str:
    return "lon/lat" if kind == "csv" else "geometry"


def _csv_points(frame: pd.DataFrame, problems: _Problems, optional: bool):
    """Points from lon/lat columns; None where missing.

    Returns (geometries, the columns used, rows already reported as not numbers).
    """
    names = {c.lower(): c for c in frame.columns}
    lon_col, lat_col = names.get("lon"), names.get("lat")
    n = len(frame)
    if lon_col is None or lat_col is None:
        if not optional:
            missing = [c for c, got in (("lon", lon_col), ("lat", lat_col)) if got is None]
            for name in missing:
                problems.column(name, f"缺少坐标列 '{name}' (missing column '{name}'; "
                                      f"CSV needs lon and lat columns)")
        return np.full(n, None, dtype=object), {lon_col, lat_col} - {None}, np.zeros(n, bool)
    lon, bad_lon = _numbers(frame[lon_col].reset_index(drop=True))
    lat, bad_lat = _numbers(frame[lat_col].reset_index(drop=True))
    problems.rows(bad_lon, "lon", lambda i: (
        f"不是数字 '{_short(frame[lon_col].iloc[bad_lon[i]])}' (not a number)"))
    problems.rows(bad_lat, "lat", lambda i: (
        f"不是数字 '{_short(frame[lat_col].iloc[bad_lat[i]])}' (not a number)"))
    ok = np.isfinite(lon) & np.isfinite(lat)
    geoms = np.full(n, None, dtype=object)
    geoms[ok] = shapely.points(lon[ok], lat[ok])
    reported = np.zeros(n, dtype=bool)
    reported[bad_lon] = True
    reported[bad_lat] = True
    return geoms, {lon_col, lat_col}, reported


def _check_geometry_types(geoms: np.ndarray, layer: Layer, problems: _Problems,
                          column: str, optional: bool, reported=None):
    """Drop Z, turn one-point MultiPoints into Points; report missing and wrong types.

    Returns (geoms, usable) where usable marks rows whose geometry can be checked further.
    """
    geoms = np.asarray(geoms, dtype=object)
    missing = np.array([g is None for g in geoms], dtype=bool)
    present = ~missing
    if present.any():
        geoms[present] = shapely.force_2d(geoms[present].astype(object))
        empty = np.zeros(len(geoms), dtype=bool)
        empty[present] = shapely.is_empty(geoms[present].astype(object))
        missing |= empty
    accepts = layer.accepts or ("Point",)
    if not optional:
        bad = np.flatnonzero(missing if reported is None else missing & ~reported)
        problems.rows(bad, column, "缺少几何 (missing or empty geometry)")
    present = ~missing
    type_ids = np.full(len(geoms), -1)
    if present.any():
        type_ids[present] = shapely.get_type_id(geoms[present].astype(object))
    if "Point" in accepts and "MultiPoint" not in accepts:
        single = np.flatnonzero(type_ids == 4)
        if len(single):
            counts = shapely.get_num_geometries(geoms[single].astype(object))
            one = single[counts == 1]
            geoms[one] = shapely.get_geometry(geoms[one].astype(object), 0)
            type_ids[one] = 0
    names = np.array([GEOM_TYPES.get(int(t), "?") for t in type_ids], dtype=object)
    wrong = np.flatnonzero(present & ~np.isin(names, list(accepts)))
    expected = "/".join(accepts)
    problems.rows(wrong, column, lambda i: (
        f"几何类型 {names[wrong[i]]} 不被接受，应为 {expected} "
        f"(geometry type {names[wrong[i]]} not accepted; expected {expected})"))
    usable = present.copy()
    usable[wrong] = False
    return geoms, usable


def _check_degrees(geoms, usable, problems: _Problems, column: str,
                   crs_text: str) -> np.ndarray:
    """Lon/lat must be within ±180/±90 and in China. Returns rows still usable."""
    idx = np.flatnonzero(usable)
    if not len(idx):
        return usable
    bounds = shapely.bounds(geoms[idx].astype(object))
    finite = np.isfinite(bounds).all(axis=1)
    in_range = finite & (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180) \
        & (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90)
    out = idx[~in_range]
    if len(out):
        big = np.nanmax(np.abs(bounds[~in_range]), axis=1)
        if np.nanmedian(big) > 1000:
            problems.file(
                f"坐标像是投影坐标（米），却按经纬度 {crs_text} 读取；请用 --crs 指定文件的坐标系，"
                f"如 --crs EPSG:4547 (coordinates look projected (metres) but were read as "
                f"degrees; pass --crs, e.g. --crs EPSG:4547)")
        sub = bounds[~in_range]

        def what(i):
            x0, y0 = sub[i, 0], sub[i, 1]
            swapped = (abs(y0) <= 180 and abs(x0) <= 90 and bool(in_china(y0, x0)))
            hint = "；经纬度是否颠倒？(lon/lat swapped?)" if swapped else ""
            return (f"坐标超出经纬度范围 ({x0:.6g}, {y0:.6g}) (coordinates out of range "
                    f"|lon|<=180, |lat|<=90; look projected? use --crs){hint}")

        problems.rows(out, column, what)
    keep = usable.copy()
    keep[out] = False
    rest = idx[in_range]
    if len(rest):
        b = bounds[in_range]
        cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
        outside = ~in_china(cx, cy)
        far = rest[outside]
        fx, fy = cx[outside], cy[outside]

        def what_far(i):
            swapped = bool(in_china(fy[i], fx[i]))
            hint = "；经纬度是否颠倒？(lon/lat swapped?)" if swapped else ""
            return (f"坐标不在中国境内 ({fx[i]:.6f}, {fy[i]:.6f}) (outside China; "
                    f"wrong --crs?){hint}")

        problems.rows(far, column, what_far)
        keep[far] = False
    return keep


def _transform(geoms, rows: np.ndarray, func):
    if len(rows):
        geoms[rows] = shapely.transform(geoms[rows].astype(object), func)
    return geoms


def _reproject(geoms, usable, src, problems: _Problems, column: str, crs_text: str):
    """Reproject usable rows from ``src`` to EPSG:4326, check the result is in China."""
    idx = np.flatnonzero(usable)
    if not len(idx):
        return geoms, usable
    raw_bounds = shapely.bounds(geoms[idx].astype(object))
    transformer = Transformer.from_crs(src, WGS84, always_xy=True)

    def func(xy):
        x, y = transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
        return np.column_stack([x, y])

    geoms = _transform(geoms, idx, func)
    bounds = shapely.bounds(geoms[idx].astype(object))
    finite = np.isfinite(bounds).all(axis=1)
    cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    good = finite & np.where(finite, in_china(np.nan_to_num(cx), np.nan_to_num(cy)), False)
    bad = idx[~good]
    if len(bad):
        rb = raw_bounds[~good]
        looks_degrees = np.isfinite(rb).all(axis=1) & (np.abs(rb[:, [0, 2]]) <= 180).all(axis=1) \
            & (np.abs(rb[:, [1, 3]]) <= 90).all(axis=1)
        if looks_degrees.mean() > 0.5 and src.is_projected:
            problems.file(
                f"坐标像是经纬度（度），但坐标系是投影坐标 {crs_text}；请检查 --crs，如 --crs EPSG:4326 "
                f"(coordinates look like degrees but the CRS is projected; check --crs)")
        sub = rb

        def what(i):
            return (f"坐标 ({sub[i, 0]:.10g}, {sub[i, 1]:.10g}) 按 {crs_text} 换算后不在中国境内 "
                    f"(outside China after reprojection from {crs_text}; wrong --crs?)")

        problems.rows(bad, column, what)
    keep = usable.copy()
    keep[bad] = False
    return geoms, keep


def _repair_polygons(geoms, usable, layer: Layer, problems: _Problems, column: str,
                     warnings: list[str], fname: str):
    """Apply the repair rule of the module docstring to invalid geometries."""
    idx = np.flatnonzero(usable)
    if not len(idx):
        return geoms
    valid = shapely.is_valid(geoms[idx].astype(object))
    invalid = idx[~valid]
    refused, reasons = [], {}
    for pos in invalid:
        geom = geoms[pos]
        reason = shapely.is_valid_reason(geom)
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            refused.append(pos)
            reasons[pos] = f"无效几何 (invalid geometry: {reason})"
            continue
        repaired = shapely.make_valid(geom)
        if repaired.geom_type == "GeometryCollection":
            polys = [p for p in shapely.get_parts(repaired)
                     if p.geom_type in ("Polygon", "MultiPolygon")]
            repaired = shapely.union_all(polys) if polys else shapely.Polygon()
        kind = repaired.geom_type
        before, after = abs(geom.area), repaired.area
        change = abs(after - before) / after if after > 0 else float("inf")
        if repaired.is_empty or kind not in layer.accepts or kind not in (
                "Polygon", "MultiPolygon"):
            refused.append(pos)
            reasons[pos] = (f"无效几何，无法修复 (invalid geometry: {reason}; cannot be repaired "
                            f"into a {'/'.join(layer.accepts)})")
        elif change >= MAX_AREA_CHANGE:
            pct = "∞" if not math.isfinite(change) else f"{change * 100:.1f}%"
            refused.append(pos)
            reasons[pos] = (f"无效几何 (invalid geometry: {reason})；自动修复会使面积变化 {pct}，"
                            f"请在 GIS 软件中修正 (repair would change the area by {pct}; "
                            f"fix it by hand)")
        else:
            geoms[pos] = repaired
            warnings.append(f"{fname} {problems.row_label(int(pos))} 列 {column}: "
                            f"无效多边形已自动修复，面积变化 {change * 100:.3f}% "
                            f"(invalid polygon repaired: {reason}; area changed by "
                            f"{change * 100:.3f}%)")
    refused = np.array(refused, dtype=int)
    problems.rows(refused, column, lambda i: reasons[refused[i]])
    return geoms


# ---------------------------------------------------------------------------- main

def _source_crs(target_crs, file_crs, kind: str, fname: str, has_points: bool,
                warnings: list[str]):
    """The CRS the file's coordinates are in: --crs, else the file's, else 4326 for CSV."""
    if target_crs is not None:
        if file_crs is not None and not isinstance(target_crs, str):
            declared = CRS.from_user_input(file_crs)
            if not declared.equals(target_crs, ignore_axis_order=True):
                warnings.append(f"{fname}: 按 --crs {_crs_text(target_crs)} 读取，而不是文件声明的 "
                                f"{_crs_text(declared)} (--crs overrides the file's CRS)")
        return target_crs
    if file_crs is not None:
        return CRS.from_user_input(file_crs)
    if kind == "csv":
        if has_points:
            warnings.append(f"{fname}: 未指定 --crs，lon/lat 按 WGS 84 (EPSG:4326) 读取；坐标若抄自"
                            f"高德、腾讯等网络地图，请用 --crs gcj02 (no --crs: lon/lat taken as "
                            f"WGS 84, EPSG:4326; use --crs gcj02 for coordinates from Chinese "
                            f"web maps)")
        return WGS84
    return None


def _crs_text(src) -> str:
    if src is None:
        return "-"
    if isinstance(src, str):
        return src
    epsg = src.to_epsg()
    return f"EPSG:{epsg}" if epsg else src.name


def _to_wgs84(geoms, usable, src, layer: Layer, problems: _Problems, column: str,
              warnings: list[str], fname: str):
    """Check coordinates in ``src``, bring them to EPSG:4326, check/repair validity."""
    crs_text = _crs_text(src)
    if usable.any() and src is None:
        problems.file("文件没有坐标系（如缺少 .prj），请用 --crs 指定，如 --crs EPSG:4490 或 "
                      "--crs EPSG:4547 (no CRS in file and no --crs given)")
        usable = np.zeros_like(usable)
    if isinstance(src, str):            # gcj02: lon/lat degrees, shifted
        usable = _check_degrees(geoms, usable, problems, column, crs_text)

        def to_wgs(xy):
            return np.column_stack(gcj02_to_wgs84(xy[:, 0], xy[:, 1]))

        geoms = _transform(geoms, np.flatnonzero(usable), to_wgs)
    elif src is not None and src.is_geographic:     # EPSG:4326, 4490, …
        usable = _check_degrees(geoms, usable, problems, column, crs_text)
        if src.to_epsg() != 4326:
            geoms, usable = _reproject(geoms, usable, src, problems, column, crs_text)
    elif src is not None:                           # Gauss-Krüger, UTM, …
        geoms, usable = _reproject(geoms, usable, src, problems, column, crs_text)
    return _repair_polygons(geoms, usable, layer, problems, column, warnings, fname)


def _output_frame(layer: Layer, frame: pd.DataFrame, columns: dict, mapping: dict,
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
    extras = [c for c in frame.columns
              if c != "geometry" and c not in mapping and c not in used_by_geometry
              and not (layer.key != ("code",) and str(c).lower() == "code")]
    extra_values = [_json_safe(frame[c].reset_index(drop=True)) for c in extras]
    extra_names = [str(c) for c in extras]
    data["props"] = ([dict(zip(extra_names, row)) for row in zip(*extra_values)]
                     if extras else [{} for _ in range(n)])
    if layer.geometry is None and all(g is None for g in geoms):
        return data
    geoms = np.array([None if g is None or g.is_empty else g for g in geoms], dtype=object)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=WGS84))


def _write(conn, layer: Layer, frame_out, county_code: str, replace: bool, progress: bool,
           fname: str) -> tuple[int, int]:
    """upsert_layer + locate inside a savepoint; a database error refuses the file."""
    import psycopg2

    n = len(frame_out)
    bar = callback = None
    if progress and n >= PROGRESS_MIN_ROWS:
        from tqdm import tqdm

        bar = tqdm(total=n, file=sys.stderr, unit="行", desc=f"写入 {layer.title} ({layer.name})")
        callback = bar.update
    savepoint = not getattr(conn, "autocommit", False)
    if savepoint:
        with conn.cursor() as cur:
            cur.execute("SAVEPOINT import_file")
    try:
        added, updated = store.upsert_layer(conn, layer, frame_out, county_code,
                                            replace=replace, progress=callback)
        store.locate(conn, county_code)
        if layer.name == "villages":  # past records: remediation confirmed on remediated_on
            remediation.record_imported(conn, county_code)
        if n >= 1000:
            store.analyze(conn, layer)
    except Exception as err:
        if savepoint:
            with conn.cursor() as cur:
                cur.execute("ROLLBACK TO SAVEPOINT import_file")
        if isinstance(err, psycopg2.Error):
            raise ImportRefused([f"{fname}: 数据库拒绝写入 (database refused the rows: "
                                 f"{str(err).strip()})"]) from err
        raise
    finally:
        if bar is not None:
            bar.close()
    if savepoint:
        with conn.cursor() as cur:
            cur.execute("RELEASE SAVEPOINT import_file")
    return added, updated


def import_file(conn, layer_name: str, path, *, crs=None, encoding=None, replace=False,
                county_code: str, progress=False) -> ImportResult:
    """Check the whole file at ``path`` and write it into ``layer_name`` (see module doc).

    crs: overrides the file's CRS ('EPSG:4490', 'EPSG:4547', '4326', 'gcj02').
    encoding: text encoding of a Shapefile's .dbf or of a CSV (e.g. 'gbk').
    replace: empty the layer (for ``county_code``) first.
    progress: show a progress bar on stderr while writing large files.

    Raises LayerNotFound for an unknown layer and ImportRefused (listing every problem)
    when anything is wrong; nothing is written then. Does not commit.
    """
    layer = get_layer(layer_name)
    path = Path(path)
    fname = path.name or str(path)
    warnings: list[str] = []

    target_crs = None
    if crs is not None and str(crs).strip() != "":
        try:
            target_crs = parse_crs(crs)
        except ValueError as err:
            raise ImportRefused([f"--crs: {err}"]) from None

    path, kind = _resolve_path(path, fname)
    content_problems = []
    row_numbers = None
    if kind == "csv":
        frame = _read_csv(path, fname, encoding)
        file_crs = None
    else:
        frame, file_crs, row_numbers, content_problems = _read_vector(
            path, kind, fname, layer, encoding, warnings)
    frame = frame.reset_index(drop=True)
    n = len(frame)
    if n == 0:
        _refuse(fname, "文件没有任何数据行 (no rows in file)")

    # Row labels: numbers as a user sees them (a CSV's line, a GeoPackage's fid, else the
    # feature's place from 1), codes where the file has them.
    if row_numbers is None or len(row_numbers) != n:
        row_numbers = np.arange(n) + (2 if kind == "csv" else 1)
    mapping = _match_columns([c for c in frame.columns if c != "geometry"], layer)
    code_source = {v: k for k, v in mapping.items()}.get("code")
    codes = _to_text(frame[code_source]).tolist() if code_source is not None else None
    problems = _Problems(fname, row_numbers, codes)
    if content_problems:
        where = {int(num): pos for pos, num in enumerate(row_numbers)}
        for record, column, value in content_problems:
            pos = where.get(record)
            what = f"内容无效 '{_short(value)}' (invalid content, read as empty)"
            if pos is None:
                problems.file(f"第 {record} 条记录 列 {column}: {what}")
            else:
                problems.rows([pos], column, what)

    # Geometry: from the file, or from lon/lat in a CSV.
    optional_geom = layer.geometry is None
    geom_column = _geometry_label(kind)
    used_by_geometry: set = set()
    reported = None
    if kind == "csv":
        geoms, used_by_geometry, reported = _csv_points(frame, problems, optional_geom)
    elif "geometry" in frame:
        geoms = np.array([None if g is None or (isinstance(g, float) and math.isnan(g)) else g
                          for g in frame["geometry"].to_numpy()], dtype=object)
    else:
        geoms = np.full(n, None, dtype=object)
        if not optional_geom:
            problems.file("文件没有几何 (no geometry in file)")
    geoms, usable = _check_geometry_types(geoms, layer, problems, geom_column, optional_geom,
                                          reported)
    src = _source_crs(target_crs, file_crs, kind, fname, bool(usable.any()), warnings)
    geoms = _to_wgs84(geoms, usable, src, layer, problems, geom_column, warnings, fname)

    # Attributes.
    columns = _check_columns(frame, layer, mapping, problems)
    _check_duplicates(layer, columns, problems)

    if problems:
        raise ImportRefused(problems.messages())

    frame_out = _output_frame(layer, frame, columns, mapping, used_by_geometry, geoms, n)
    added, updated = _write(conn, layer, frame_out, county_code, replace, progress, fname)
    LOGGER.info("imported %s into %s: %d added, %d updated", fname, layer.name, added, updated)
    return ImportResult(added=added, updated=updated, warnings=warnings, rows=n)


__all__ = ["ImportResult", "import_file", "MAX_AREA_CHANGE", "MAX_PROBLEMS"]
