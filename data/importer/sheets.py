"""Reading the tables people keep in Excel or WPS (.xlsx), chunk by chunk, as text.

The first sheet is read unless one is named; its header is the first row with two cells
or more filled (a title row above it is skipped). Every
cell becomes the text a CSV of the sheet would hold, so the rest of the import treats an
XLSX exactly as a CSV (lon/lat columns, row numbers as the spreadsheet shows them):
numbers as written (12, 120.5), dates and times as ISO text (2026-03-05,
2026-03-05 08:30:00), booleans as true/false. A day number in a cell formatted as text or
number (46086) is read as a date by ``values.parse_dates`` where a date belongs.
"""
from __future__ import annotations

import datetime as dt
import itertools
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from data.importer.problems import refuse, short


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0) \
            else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    return text or None


def _open(path: Path, fname: str):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        refuse(fname, f"无法读取 Excel 文件 (cannot read .xlsx: {short(err, 200)})")


def sheet_names(path: Path, fname: str) -> list[str]:
    """The workbook's sheets, in order."""
    book = _open(path, fname)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


HEADER_SEARCH = 20              # rows looked at for the header (a title and notes may come first)


def _header(rows, fname: str, sheet: str):
    """The header row: the first of the first rows with two or more cells filled (a title
    row above it, often merged, has one), else the first non-empty row. Returns (column
    names, its row number, the rows after it already read as (number, row))."""
    seen = []
    for number, row in enumerate(rows, start=1):
        seen.append((number, row))
        if sum(_cell_text(v) is not None for v in row) >= 2 or len(seen) >= HEADER_SEARCH:
            break
    filled = [(n, r) for n, r in seen if any(_cell_text(v) is not None for v in r)]
    if not filled:
        refuse(fname, f"工作表 '{sheet}' 是空的 (sheet '{sheet}' is empty)")
    wide = [(n, r) for n, r in filled if sum(_cell_text(v) is not None for v in r) >= 2]
    number, row = (wide or filled)[0]
    cells = [_cell_text(v) for v in row]
    while cells and cells[-1] is None:
        cells.pop()  # trailing empty header cells
    names = [c if c else f"列{i + 1}" for i, c in enumerate(cells)]
    return names, number, [(n, r) for n, r in seen if n > number]


def xlsx_frames(path: Path, fname: str, sheet: str | None, chunk_rows: int):
    """(frame of text, row numbers as the spreadsheet shows them, []) ``chunk_rows`` rows at
    a time; wholly empty rows are skipped."""
    book = _open(path, fname)
    try:
        name = sheet if sheet is not None else book.sheetnames[0]
        if name not in book.sheetnames:
            refuse(fname, f"没有名为 '{sheet}' 的工作表，可选：{'、'.join(book.sheetnames)} "
                          f"(no sheet '{sheet}'; sheets: {', '.join(book.sheetnames)})")
        rows = book[name].iter_rows(values_only=True)
        columns, header_row, read = _header(rows, fname, name)
        width = len(columns)
        block, numbers = [], []
        start = read[-1][0] + 1 if read else header_row + 1
        for number, row in itertools.chain(read, enumerate(rows, start=start)):
            cells = [_cell_text(v) for v in row[:width]]
            if not any(cells):
                continue
            block.append(cells + [None] * (width - len(cells)))
            numbers.append(number)
            if len(block) == chunk_rows:
                yield pd.DataFrame(block, columns=columns, dtype=object), np.array(numbers), []
                block, numbers = [], []
        yield pd.DataFrame(block, columns=columns, dtype=object), np.array(numbers, dtype=np.int64), []
    finally:
        book.close()


def count_xlsx_rows(path: Path, fname: str, sheet: str | None) -> int | None:
    """The sheet's rows as its dimension says (for the progress bar), None when unknown."""
    book = _open(path, fname)
    try:
        ws = book[sheet if sheet in book.sheetnames else book.sheetnames[0]]
        return max((ws.max_row or 1) - 1, 0) if ws.max_row else None
    finally:
        book.close()
