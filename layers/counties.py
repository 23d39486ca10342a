"""Counties by code: their names, and which of them a user may see (the user's scope).

A user's scope is ``users.counties``: a list of six-digit county codes, or NULL for "the
configured county only" (the caller supplies that county's code). Names come from the
``counties`` table; a county without a row is named by its code.
"""
from __future__ import annotations

import re

from layers.errors import InvalidInput

CODE = re.compile(r"[0-9]{6}")
MAX_COUNTIES = 5000


def parse_codes(value, field: str = "counties") -> tuple[str, ...]:
    """County codes from '410999,411001' or a list: six digits each, in the given order,
    without repeats; InvalidInput naming ``field`` when one is not a code or none is given."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    codes: list[str] = []
    for item in items:
        code = str(item).strip()
        if not CODE.fullmatch(code):
            raise InvalidInput(f"县级行政区划代码 '{code[:20]}' 无效：应为 6 位数字", field)
        if code not in codes:
            codes.append(code)
    if not codes:
        raise InvalidInput("至少要给出一个县级行政区划代码", field)
    if len(codes) > MAX_COUNTIES:
        raise InvalidInput(f"最多 {MAX_COUNTIES} 个县", field)
    return tuple(codes)


def set_scope(conn, user_id: int, codes: tuple[str, ...] | None) -> None:
    """Give the user these counties (None: the configured county only)."""
    with conn.cursor() as cur:
        cur.execute("UPDATE users SET counties = %s WHERE id = %s",
                    (list(codes) if codes is not None else None, user_id))


def names(conn, codes) -> dict[str, str]:
    """{code: name} of ``codes``; a county without a stored name is named by its code."""
    codes = list(codes)
    with conn.cursor() as cur:
        cur.execute("SELECT code, name FROM counties WHERE code = ANY(%s)", (codes,))
        found = dict(cur.fetchall())
    return {c: found.get(c, c) for c in codes}


def set_name(conn, code: str, name: str) -> None:
    """Name the county ``code`` (replacing its name); InvalidInput on a bad code or name."""
    (code,) = parse_codes([code], "code")
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("县名不能为空，也不能超过 64 个字符", "name")
    with conn.cursor() as cur:
        cur.execute("INSERT INTO counties (code, name) VALUES (%s, %s)"
                    " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name", (code, name))
