"""The problems found in one file: each names the file, the row, the column and what is wrong.

``Problems`` collects them (sorted by row, the first ``MAX_PROBLEMS`` listed, then
"… 另有 N 个问题 (and N more)"); ``refuse`` stops at once with one problem about the file.
"""
from __future__ import annotations

import logging

import numpy as np

from layers.errors import ImportRefused

LOGGER = logging.getLogger(__name__)

MAX_PROBLEMS = 50


def short(value, limit: int = 40) -> str:
    """``value`` as text, cut to ``limit`` characters (with an ellipsis)."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def refuse(fname: str, what: str):
    """Refuse the file at once with one problem."""
    raise ImportRefused([f"{fname}: {what}"])


class Problems:
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

    def row_number(self, pos: int) -> int:
        """The number a user sees for row position ``pos``."""
        return int(self.row_numbers[pos]) if self.row_numbers is not None else pos + 1

    def row_label(self, pos: int) -> str:
        label = f"第 {self.row_number(pos)} 行"
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

    def values(self, positions, column: str, raw, what) -> None:
        """One problem per row whose value in ``raw`` is wrong; ``what(value)`` gives the text
        for the value as written (shortened)."""
        positions = np.asarray(positions, dtype=int)
        self.rows(positions, column, lambda i: what(short(raw.iloc[positions[i]])))

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
        items = sorted(self.items, key=lambda t: (t[0], t[1]))
        out = [m for _, _, m in items[:MAX_PROBLEMS]]
        if self.total > len(out):
            rest = self.total - len(out)
            out.append(f"… 另有 {rest} 个问题 (and {rest} more)")
        return out
