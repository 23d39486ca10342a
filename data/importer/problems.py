"""The problems found in one file: each names the file, the row, the column and what is wrong.

``Problems`` collects them (sorted by row, the first ``MAX_PROBLEMS`` listed, then
"… 另有 N 个问题 (and N more)"); ``refuse`` stops at once with one problem about the file.

A file is checked chunk by chunk: ``chunk`` tells the list which rows are in hand (their
place in the file, the numbers users see, their codes), and the checks name rows by their
position in the chunk. Only the first ``MAX_PROBLEMS`` are kept, however long the file.
Problems about the whole file or a column are listed once, first, in the order of the
checks (``READING`` … ``COLUMNS``), even when one is found only in a later chunk.
"""
from __future__ import annotations

import logging

import numpy as np

from layers.errors import ImportRefused

LOGGER = logging.getLogger(__name__)

MAX_PROBLEMS = 50
REPORT_MAX = 20_000             # problems kept for the report a clerk downloads

# Where a problem about the whole file or a column sorts: the order of the checks.
READING, GEOMETRY, FILE_CRS, COORDINATES, COLUMNS = range(5)


def short(value, limit: int = 40) -> str:
    """``value`` as text, cut to ``limit`` characters (with an ellipsis)."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def refuse(fname: str, what: str):
    """Refuse the file at once with one problem."""
    raise ImportRefused([f"{fname}: {what}"], [{"row": None, "code": None, "column": None, "value": None,
                                                "what": what}])


class Problems:
    """Problems found in one file, kept sorted by row and capped at MAX_PROBLEMS."""

    def __init__(self, fname: str, row_numbers: np.ndarray | None = None,
                 codes: list | None = None):
        self.fname = fname
        self.items: list[tuple[int, int, int, str]] = []  # (row in file or -1, rank, seq, text)
        self.total = 0
        self.seq = 0
        self.general: set[str] = set()              # file and column problems already listed
        self.table: list[tuple] = []                # (row or None, code, column, value, what) for the report
        self.chunk(0, row_numbers, codes)

    def __bool__(self):
        return self.total > 0

    def chunk(self, offset: int, row_numbers: np.ndarray | None, codes: list | None) -> None:
        """The rows now checked: the file's rows from ``offset`` on, as users number them,
        and their codes (None when the file has no code column)."""
        self.offset = offset
        self.row_numbers = row_numbers
        self.codes = codes

    def row_number(self, pos: int) -> int:
        """The number a user sees for row position ``pos`` (in the chunk)."""
        return int(self.row_numbers_of(np.array([pos]))[0])

    def row_numbers_of(self, positions: np.ndarray) -> np.ndarray:
        """The numbers users see for row positions in the chunk."""
        if self.row_numbers is not None:
            return np.asarray(self.row_numbers, dtype=np.int64)[positions]
        return self.offset + np.asarray(positions, dtype=np.int64) + 1

    def row_label(self, pos: int) -> str:
        label = f"第 {self.row_number(pos)} 行"
        if self.codes is not None:
            code = self.codes[pos]
            if code is not None and code == code and str(code).strip() != "":
                label += f" (code={code})"
        return label

    def _add(self, row: int, rank: int, text: str) -> None:
        self.items.append((row, rank, self.seq, text))
        self.seq += 1
        if len(self.items) > 4 * MAX_PROBLEMS:     # those past the first MAX_PROBLEMS stay out
            self.items = sorted(self.items)[:MAX_PROBLEMS]

    def _general(self, rank: int, text: str, column: str | None, what: str) -> None:
        if text in self.general:                # found again in a later chunk
            return
        self.general.add(text)
        self.total += 1
        self._add(-1, rank, text)
        self.table.append((None, None, column, None, what))

    def file(self, what: str, rank: int = READING) -> None:
        self._general(rank, f"{self.fname}: {what}", None, what)

    def column(self, column: str, what: str, rank: int = COLUMNS) -> None:
        self._general(rank, f"{self.fname} 列 {column}: {what}", column, what)

    def _code(self, pos: int):
        code = None if self.codes is None else self.codes[pos]
        return code if code is not None and code == code and str(code).strip() != "" else None

    def rows(self, positions, column: str, what, values=None) -> None:
        """Add one problem per row position; ``what(i)`` gives the text for the i-th one
        (``values[i]`` the value as written, for the report)."""
        positions = np.asarray(positions, dtype=int)
        self.total += len(positions)
        listed = max(MAX_PROBLEMS, REPORT_MAX - len(self.table))
        for i, pos in enumerate(positions[:listed]):
            text = what(i) if callable(what) else what
            if i < MAX_PROBLEMS:
                self._add(self.offset + int(pos), 0,
                          f"{self.fname} {self.row_label(int(pos))} 列 {column}: {text}")
            if len(self.table) < REPORT_MAX:
                self.table.append((self.row_number(int(pos)), self._code(int(pos)), column,
                                   None if values is None else values(i), text))

    def values(self, positions, column: str, raw, what) -> None:
        """One problem per row whose value in ``raw`` is wrong; ``what(value)`` gives the text
        for the value as written (shortened)."""
        positions = np.asarray(positions, dtype=int)
        self.rows(positions, column, lambda i: what(short(raw.iloc[positions[i]])),
                  values=lambda i: short(raw.iloc[positions[i]], 200))

    def report(self) -> list[dict]:
        """Every problem (up to REPORT_MAX) as {row, code, column, value, what}: the file
        and column problems first, then by row."""
        ordered = sorted(self.table, key=lambda t: (t[0] is not None, t[0] or 0))
        return [dict(zip(("row", "code", "column", "value", "what"), t)) for t in ordered]

    def records(self, content_problems) -> None:
        """GDAL's (record number, column, value) of content it read as empty."""
        where = {int(num): pos for pos, num in enumerate(self.row_numbers)}
        for record, column, value in content_problems:
            pos = where.get(record)
            what = f"内容无效 '{short(value)}' (invalid content, read as empty)"
            if pos is None:
                self.file(f"第 {record} 条记录 列 {column}: {what}")
            else:
                self.rows([pos], column, what)

    def messages(self) -> list[str]:
        out = [item[-1] for item in sorted(self.items)[:MAX_PROBLEMS]]
        if self.total > len(out):
            rest = self.total - len(out)
            out.append(f"… 另有 {rest} 个问题 (and {rest} more)")
        return out
