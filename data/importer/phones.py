"""Respondents' phone numbers, never stored: only an HMAC-SHA256 over the normalised number
(``geo.survey.normalise_phone``), with a key from env ``SURVEY_PHONE_KEY`` or, without it,
a random key made once and kept in ``<var>/survey_phone.key`` (mode 0600). The same number
in any format gives the same hash; without the key the hash cannot be turned back into a
number by trying the few hundred million possible numbers.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from geo.survey import normalise_phone

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
