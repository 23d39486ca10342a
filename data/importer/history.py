"""The import's entry in the history (``layers.import_history``): opened when the write
starts, inside its savepoint (a refused file leaves no entry), the rows each chunk will
change kept before it is written, the ids of the rows it added after, and the counts and
warnings written once the import is done.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from layers import import_history
from layers.catalog import Layer

BLOCK = 1 << 20


def checksum(path) -> str | None:
    """SHA-256 of the file (hex); of a directory, of its files' names and contents in
    name order; None when there is nothing to read."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
    elif path.is_file():
        files = [path]
    else:
        return None
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with open(file, "rb") as f:
            while block := f.read(BLOCK):
                digest.update(block)
    return digest.hexdigest()


def default_actor() -> str | None:
    """The user running the process (the CLI's actor when no --actor is given)."""
    try:
        import getpass

        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return os.environ.get("USER")


class Recorder:
    """The history of one import of ``layer``: ``start``, ``before`` and ``added`` around
    each chunk's write, ``finish`` at the end."""

    def __init__(self, conn, layer: Layer, county_code: str, *, actor, file_name, checksum, replace):
        self.conn, self.layer, self.county_code = conn, layer, county_code
        self.actor, self.file_name, self.checksum, self.replace = actor, file_name, checksum, replace
        self.id: int | None = None
        self.removed = 0

    def start(self) -> None:
        self.id = import_history.begin(self.conn, self.county_code, self.layer.name, actor=self.actor,
                                       file_name=self.file_name, checksum=self.checksum, replace=self.replace)

    def before(self, frame, first: bool) -> None:
        """Keep the rows this chunk will change (every row of the layer before a replace)."""
        if self.replace and first:
            self.removed = import_history.keep_rows(self.conn, self.id, self.layer.table, self.county_code)
        elif not self.replace:
            codes = [str(c) for c in frame["code"].tolist()]
            import_history.keep_rows(self.conn, self.id, self.layer.table, self.county_code, codes)

    def added(self, ids: list[int]) -> None:
        import_history.keep_added(self.conn, self.id, ids)

    def finish(self, added: int, updated: int, warnings: list[str]) -> None:
        if self.id is not None:
            import_history.finish(self.conn, self.id, added=added, updated=updated, removed=self.removed,
                                  warnings=warnings)
