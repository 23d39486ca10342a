"""Reading a file chunk by chunk: finding it, its format, the layer in a GeoPackage, its
text encoding.

``open_source`` returns a ``Source``: the file's format, the CRS it declares and its rows
as ``Chunk``s of at most ``chunk_rows`` rows (a ``geometry`` column for vector files; text
for a CSV), each with the row numbers a user sees and the values GDAL could not read. A
CSV is read with pandas' ``chunksize`` (UTF-8, or GB18030 when it is not UTF-8), an XLSX
sheet by ``sheets.xlsx_frames``, a vector file (a zipped Shapefile unpacked first) by
``vector.VectorFile``. A file that cannot be read at all, or has no rows, is refused at once.
"""
from __future__ import annotations

import codecs
import logging
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from data.importer.geometry import TABLE_KINDS
from data.importer.problems import refuse, short
from data.importer.sheets import count_xlsx_rows, xlsx_frames
from data.importer.vector import VectorFile
from layers.catalog import Layer

LOGGER = logging.getLogger(__name__)

CHUNK_ROWS = 50_000             # rows checked and written at a time
SUFFIXES = {".gpkg": "gpkg", ".shp": "shp", ".geojson": "geojson", ".json": "geojson",
            ".csv": "csv", ".xlsx": "xlsx", ".zip": "zip"}
FORMAT_NAMES = ".gpkg, .shp, .zip (Shapefile), .geojson, .json, .csv, .xlsx"
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj", ".sbn", ".sbx", ".qix"}
MAX_UNZIPPED = 4 << 30          # a zipped Shapefile may not unpack to more than 4 GiB


@dataclass
class Chunk:
    """Some consecutive rows of a file, as read, before any check."""

    frame: pd.DataFrame
    offset: int                     # the place of its first row in the file, from 0
    row_numbers: np.ndarray         # the rows' numbers as a user sees them
    content_problems: list = field(default_factory=list)  # GDAL's (record, column, value)


@dataclass
class Source:
    """A file opened for reading; ``chunks`` reads it."""

    kind: str                       # gpkg, gdb, shp, geojson, csv or xlsx
    chunks: Iterator[Chunk]
    crs: object = None              # the CRS the file declares, if any
    rows: int | None = None         # how many rows it holds, where known at once
    unpacked: object = None         # a zipped Shapefile's temporary folder, kept while read


def open_source(path: Path, fname: str, layer: Layer, encoding: str | None,
                warnings: list[str], chunk_rows: int = CHUNK_ROWS, sheet: str | None = None) -> Source:
    """Open the file at ``path`` for ``layer``; refuse it when it cannot be read, and (when
    its first chunk is read) when it has no rows.

    Row numbers are as a user sees them: a CSV's line (the header being line 1), a
    GeoPackage's fid, else the feature's place counted from 1.
    """
    path, kind = resolve_path(path, fname)
    if kind == "csv":
        codec = encoding or csv_encoding(path, fname, warnings)
        return Source(kind, _numbered(csv_frames(path, fname, codec, chunk_rows), kind, fname),
                      rows=count_csv_rows(path))
    if kind == "xlsx":
        return Source(kind, _numbered(xlsx_frames(path, fname, sheet, chunk_rows), kind, fname),
                      rows=count_xlsx_rows(path, fname, sheet))
    unpacked = None
    if kind == "zip":
        unpacked = tempfile.TemporaryDirectory(prefix="countymap-shp-")
        path, kind = unzip_shapefile(path, fname, Path(unpacked.name)), "shp"
    vector = VectorFile(path, kind, fname, layer, encoding, warnings, chunk_rows)
    return Source(kind, _numbered(vector.frames(), kind, fname), vector.crs, vector.rows, unpacked)


def _numbered(frames, kind: str, fname: str) -> Iterator[Chunk]:
    """The frames as chunks, rows numbered; refuse a file whose first chunk is empty."""
    offset = 0
    for frame, row_numbers, content_problems in frames:
        n = len(frame)
        if n == 0 and offset == 0:
            refuse(fname, "文件没有任何数据行 (no rows in file)")
        if n == 0:
            return
        if row_numbers is None or len(row_numbers) != n:
            row_numbers = np.arange(offset, offset + n) + (2 if kind in TABLE_KINDS else 1)
        yield Chunk(frame.reset_index(drop=True), offset, row_numbers, content_problems)
        offset += n


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


def unzip_shapefile(path: Path, fname: str, into: Path) -> Path:
    """The one Shapefile in a .zip, unpacked into ``into`` (its parts only, under one plain
    name: no paths from the archive are used); refuse a zip without exactly one."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir() and "__MACOSX" not in m.filename]
            shps = [m for m in members if m.filename.lower().endswith(".shp")]
            if len(shps) != 1:
                refuse(fname, f"压缩包中应有且只有一个 .shp 文件，找到 {len(shps)} 个 "
                              f"(a zip must hold exactly one .shp; found {len(shps)})")
            stem = shps[0].filename[:-4]
            parts = [m for m in members if m.filename[:-4] == stem and m.filename[-4:].lower() in SHAPEFILE_PARTS]
            if sum(m.file_size for m in parts) > MAX_UNZIPPED:
                refuse(fname, "压缩包解压后过大 (the zip unpacks to more than 4 GiB)")
            for member in parts:
                with archive.open(member) as src, open(into / f"layer{member.filename[-4:].lower()}", "wb") as dst:
                    for block in iter(lambda: src.read(1 << 20), b""):
                        dst.write(block)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as err:
        refuse(fname, f"无法解压 (cannot unzip: {short(err, 200)})")
    return into / "layer.shp"


def csv_encoding(path: Path, fname: str, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else GB18030 (a
    superset of GBK and GB2312, what Excel and WPS save on Chinese Windows), said in a warning."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        warnings.append(f"{fname}: 文字不是 UTF-8，按 GBK/GB18030 读取 (text is not UTF-8: read as GB18030)")
        return "gb18030"


def count_csv_rows(path: Path) -> int:
    """The data rows of a CSV, counted by its line ends (for the progress bar)."""
    lines, last = 0, b"\n"
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(lines + (last != b"\n") - 1, 0)


def _csv_step(step, fname: str, codec: str, encoding: str | None):
    """``step()`` (opening the CSV or reading a chunk of it), refusing the file on failure."""
    try:
        return step()
    except UnicodeDecodeError:
        refuse(fname, f"文字不是 {codec.replace('-sig', '').upper()} 编码，请用 --encoding 指定，"
                      f"如 --encoding gbk (text is not {codec}; pass --encoding, e.g. gbk)")
    except LookupError:
        refuse(fname, f"未知的编码 '{encoding}' (unknown encoding)")
    except pd.errors.EmptyDataError:
        refuse(fname, "空文件 (empty file)")
    except Exception as err:  # noqa: BLE001 - pandas parser errors are many
        refuse(fname, f"无法读取 CSV (cannot read CSV: {short(err, 200)})")


def csv_frames(path: Path, fname: str, encoding: str | None, chunk_rows: int):
    """A CSV as text (stripped; None for empty), UTF-8 with or without BOM or ``encoding``,
    ``chunk_rows`` rows at a time: (frame, None, []) each."""
    codec = encoding or "utf-8-sig"
    reader = _csv_step(lambda: pd.read_csv(
        path, dtype=str, keep_default_na=False, encoding=codec, skipinitialspace=True,
        chunksize=chunk_rows), fname, codec, encoding)
    with reader:
        while (frame := _csv_step(lambda: next(reader, None), fname, codec, encoding)) is not None:
            frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
            for col in frame.columns:
                frame[col] = frame[col].str.strip().replace("", None)
            yield frame, None, []
