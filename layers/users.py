"""People who sign in: names, password hashes and roles."""
from __future__ import annotations

import hashlib
import time

from werkzeug.security import check_password_hash, generate_password_hash

from layers.errors import InvalidInput

ROLES = ("commander", "planner", "leader", "admin")


def create_user(conn, name: str, password: str, role: str) -> int:
    """Add a user; raise InvalidInput on a bad role, a taken name or a short password."""
    if role not in ROLES:
        raise InvalidInput(f"未知角色 '{role}'（可用：{', '.join(ROLES)}）", "role")
    if not name or not name.strip():
        raise InvalidInput("用户名不能为空", "name")
    if len(password) < 8:
        raise InvalidInput("密码至少 8 位", "password")
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM users WHERE name = %s", (name,))
        if cur.fetchone():
            raise InvalidInput(f"用户 '{name}' 已存在", "name")
        cur.execute("INSERT INTO users (name, password_hash, role) VALUES (%s, %s, %s) RETURNING id",
                    (name, generate_password_hash(password), role))
        return cur.fetchone()[0]


def get_user(conn, user_id: int):
    """Return (id, name, role) or None."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, name, role FROM users WHERE id = %s", (user_id,))
        return cur.fetchone()


_VERIFIED: dict[bytes, tuple[str, float]] = {}
VERIFIED_SECONDS = 300


def check_password(conn, name: str, password: str):
    """Return (id, name, role) when the password is right, else None.

    Checking a scrypt hash costs tens of milliseconds, which API clients sending HTTP
    Basic on every request would pay each time; a successful check is remembered for
    five minutes, keyed by a digest of name and password and tied to the stored hash,
    so a changed password is not accepted from memory.
    """
    with conn.cursor() as cur:
        cur.execute("SELECT id, name, role, password_hash FROM users WHERE name = %s", (name,))
        row = cur.fetchone()
    if row is None:
        return None
    key = hashlib.sha256(f"{name}\0{password}".encode()).digest()
    remembered = _VERIFIED.get(key)
    if remembered and remembered[0] == row[3] and remembered[1] > time.monotonic():
        return row[:3]
    if not check_password_hash(row[3], password):
        return None
    if len(_VERIFIED) > 10_000:
        _VERIFIED.clear()
    _VERIFIED[key] = (row[3], time.monotonic() + VERIFIED_SECONDS)
    return row[:3]


def count_users(conn) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM users")
        return cur.fetchone()[0]


def list_users(conn) -> list[dict]:
    """Return every user's name, role and creation time (never the hash)."""
    with conn.cursor() as cur:
        cur.execute("SELECT name, role, created_at FROM users ORDER BY name")
        return [{"name": n, "role": r, "created_at": c.isoformat()} for n, r, c in cur.fetchall()]
