"""Respondents' phone numbers, never stored: only an HMAC-SHA256 over the normalised number
(``geo.survey.normalise_phone``), with a key from env ``SURVEY_PHONE_KEY`` or, without it,
a random key made once and kept in ``<var>/survey_phone.key`` (mode 0600). The same number
in any format gives the same hash; without the key the hash cannot be turned back into a
number by trying the few hundred million possible numbers.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import threading
from pathlib import Path

from geo.survey import normalise_phone

HASHED = re.compile(r"^[0-9a-fA-F]{64}$")
UNREADABLE = "（无法识别的号码）"      # what a stored upload holds where a number could not be read
# Headers that name a respondent: emptied in a stored upload (the importer never keeps them).
NAME_HEADERS = ("姓名", "受访人", "受访者", "受访者姓名", "被访人", "被访者", "被访人姓名", "被调查人", "户主",
                "户主姓名", "联系人", "respondent", "name")

ENV = "SURVEY_PHONE_KEY"
KEY_FILE = "survey_phone.key"


def phone_key(var_dir) -> bytes:
    """The hashing key: env SURVEY_PHONE_KEY, else the key under ``var_dir`` (made once)."""
    given = os.environ.get(ENV)
    if given:
        return given.encode()
    path = Path(var_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def phone_hash(raw: str, key: bytes) -> str | None:
    """64 hex digits for a phone number in any format; None when it is not a number."""
    number = normalise_phone(raw)
    if number is None:
        return None
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


_USED = threading.local()


@contextlib.contextmanager
def using_key(key: bytes):
    """Hash with ``key`` in this thread while the block runs (the app's, from its VAR_DIR)."""
    before = getattr(_USED, "key", None)
    _USED.key = key
    try:
        yield key
    finally:
        _USED.key = before


def current_key() -> bytes:
    """The key set by ``using_key`` in this thread, else env SURVEY_PHONE_KEY or the key
    of the project's var/ folder."""
    return getattr(_USED, "key", None) or phone_key(Path(__file__).resolve().parents[2] / "var")

def _scrubbed(value, key: bytes):
    """A cell of the phone column as kept: its hash (blank stays blank)."""
    text = "" if value is None else str(value).strip()
    if not text or HASHED.match(text):
        return value
    return phone_hash(text, key) or UNREADABLE


def _targets(headers, layer, chosen) -> tuple[list, list]:
    """(positions of phone columns, positions of name columns) among ``headers``."""
    from data.importer.columns import match_columns
    from layers.headers import normalise

    mapping = match_columns([h for h in headers if h is not None], layer, chosen)
    phones = [i for i, h in enumerate(headers) if h is not None and mapping.get(h) == "phone_hash"]
    names = {normalise(n) for n in NAME_HEADERS}
    people = [i for i, h in enumerate(headers) if h is not None and h not in mapping and normalise(h) in names]
    return phones, people


def scrub_upload(path: Path, layer, *, key: bytes, chosen=None, encoding=None, sheet=None) -> int:
    """Rewrite an uploaded file of opinion calls in place, before anything else reads it:
    each number of its phone column (as ``match_columns`` finds it, by header or ``chosen``
    by hand) becomes its keyed hash, and columns headed by a person's name (姓名, 受访人…)
    are emptied. Rows keep their numbers (a sheet's header row stays where it is). CSV keeps
    its encoding; other formats are left alone. Returns the numbers hashed."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return _scrub_xlsx(Path(path), layer, key, chosen, sheet)
    if suffix == ".csv":
        return _scrub_csv(Path(path), layer, key, chosen, encoding)
    return 0


def _scrub_csv(path: Path, layer, key: bytes, chosen, encoding) -> int:
    import pandas as pd

    from data.importer.read import csv_encoding

    codec = encoding or csv_encoding(path, path.name, [])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=codec, skip_blank_lines=False)
    headers = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    phones, people = _targets(headers, layer, chosen)
    for i in people:
        frame.iloc[:, i] = ""
    hashed = 0
    for i in phones:
        before = frame.iloc[:, i].tolist()
        after = [_scrubbed(v, key) for v in before]
        hashed += sum(a != b for a, b in zip(after, before))
        frame.iloc[:, i] = after
    if phones or people:
        frame.to_csv(path, index=False, encoding=codec)
    return hashed


def _scrub_xlsx(path: Path, layer, key: bytes, chosen, sheet) -> int:
    from openpyxl import load_workbook

    from data.importer.sheets import _cell_text, _header

    book = load_workbook(path)
    hashed = changed = 0
    for ws in book.worksheets if sheet is None else [book[sheet]] if sheet in book.sheetnames else []:
        rows = ws.iter_rows(values_only=True)
        try:
            headers, header_row, _ = _header(rows, path.name, ws.title)
        except Exception:  # noqa: BLE001 - an empty sheet holds nothing to scrub
            continue
        phones, people = _targets(headers, layer, chosen)
        for row in ws.iter_rows(min_row=header_row + 1):
            for i in phones + people:
                if i >= len(row) or row[i].value is None:
                    continue
                text = _cell_text(row[i].value)
                new = "" if i in people else _scrubbed(text, key)
                if new != text:
                    row[i].value = new or None
                    changed += 1
                    hashed += i in phones
    if changed:
        book.save(path)
    book.close()
    return hashed
