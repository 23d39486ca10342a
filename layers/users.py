"""People who sign in: names, password hashes, roles, and whether they are disabled.

Names are stored NFKC-normalised and trimmed; ``users.name_key`` (lower case, generated
by the database) is unique, so 'Admin' cannot be added beside 'admin' and either spelling
signs in. Passwords: ``layers.passwords``.
"""
from __future__ import annotations

import hmac
import os
import time
import unicodedata
from typing import NamedTuple

import psycopg2.errors

from layers import passwords
from layers.errors import Conflict, FeatureNotFound, InvalidInput

ROLES = ("commander", "planner", "leader", "admin", "patrol")  # patrol: a team member, own page only
MAX_NAME_LENGTH = 64
NAME_FORBIDDEN = ":/\\"  # ':' splits HTTP Basic credentials; '/' and '\' would break URLs
KEY = "lower(normalize(btrim(%s), NFKC))"  # the same expression as the users.name_key column


class Account(NamedTuple):
    id: int
    name: str
    role: str
    disabled: bool
    counties: tuple[str, ...] | None = None  # the user's scope; None: the configured county only
    team_code: str | None = None  # a patrol member's team


def normalise_name(name) -> str:
    """The name as stored: NFKC, trimmed; InvalidInput (field 'name') when it is empty,
    longer than 64 characters, or holds control characters, ':', '/' or '\\'."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("用户名不能为空", "name")
    name = unicodedata.normalize("NFKC", name).strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"用户名不能超过 {MAX_NAME_LENGTH} 个字符", "name")
    if any(unicodedata.category(c)[0] == "C" or c in NAME_FORBIDDEN for c in name):
        raise InvalidInput("用户名不能包含控制字符、冒号或斜杠", "name")
    return name


def check_role(role) -> str:
    if role not in ROLES:
        raise InvalidInput(f"未知角色 '{role}'（可用：{', '.join(ROLES)}）", "role")
    return role


def _taken(conn, name: str) -> None:
    found = find_user(conn, name)
    if found:
        raise Conflict(f"用户 '{found.name}' 已存在（用户名不区分大小写）", found.name, key="name")


def check_team(role: str, team_code) -> str | None:
    """The team a user of ``role`` keeps: a patrol member needs one, other roles none."""
    team_code = team_code.strip() if isinstance(team_code, str) else None
    if role == "patrol" and not team_code:
        raise InvalidInput("巡防队员需要所属巡防队（队伍编码）", "team_code")
    return team_code if role == "patrol" else None


def create_user(conn, name: str, password: str, role: str, team_code: str | None = None) -> int:
    """Add a user; InvalidInput on a bad name, role, team or password, Conflict when the name is taken."""
    name = normalise_name(name)
    _taken(conn, name)
    check_role(role)
    team_code = check_team(role, team_code)
    passwords.check_policy(password, name)
    try:
        with conn.cursor() as cur:
            cur.execute("INSERT INTO users (name, password_hash, role, password_changed_at, team_code)"
                        " VALUES (%s, %s, %s, now(), %s) RETURNING id",
                        (name, passwords.hash_password(password), role, team_code))
            return cur.fetchone()[0]
    except psycopg2.errors.UniqueViolation:
        raise Conflict(f"用户 '{name}' 已存在（用户名不区分大小写）", name, key="name") from None


_ACCOUNT = "SELECT id, name, role, disabled, counties, team_code FROM users"


def account_of(row) -> Account:
    """An Account from (id, name, role, disabled, counties[, team_code])."""
    return Account(*row[:4], tuple(row[4]) if row[4] is not None else None, row[5] if len(row) > 5 else None)


def get_user(conn, user_id: int) -> Account | None:
    """The user with this id, or None."""
    with conn.cursor() as cur:
        cur.execute(f"{_ACCOUNT} WHERE id = %s", (user_id,))
        row = cur.fetchone()
    return account_of(row) if row else None


def _named(conn, name, columns: str = "id, name, role, disabled, counties, team_code") -> tuple | None:
    """The row of ``columns`` of the user of this name (any case, any Unicode form), or
    None, also for impossible names."""
    try:
        name = normalise_name(name)
    except InvalidInput:
        return None
    with conn.cursor() as cur:
        cur.execute(f"SELECT {columns} FROM users WHERE name_key = {KEY}", (name,))
        return cur.fetchone()


def find_user(conn, name) -> Account | None:
    """The user of this name (any case, any Unicode form), or None, also for impossible names."""
    row = _named(conn, name)
    return account_of(row) if row else None


def user_named(conn, name) -> Account:
    """The user of this name; FeatureNotFound when there is none."""
    found = find_user(conn, name)
    if found is None:
        raise FeatureNotFound(f"没有用户 '{name}'")
    return found


def _stored_hash(conn, name) -> tuple[Account, str] | None:
    row = _named(conn, name, "id, name, role, disabled, counties, team_code, password_hash")
    return (account_of(row[:6]), row[6]) if row else None


_VERIFIED: dict[bytes, tuple[str, float]] = {}
_VERIFIED_KEY = os.urandom(32)  # this process's: the digests mean nothing outside it
VERIFIED_SECONDS = 300


def check_password(conn, name: str, password: str) -> Account | None:
    """The account when the password is right (disabled or not: the caller decides), else None.

    An unknown name is checked against a dummy hash, so that the answer takes as long as
    for a real user. An old (werkzeug) hash is replaced by argon2 once the password is
    known to be right. API clients send HTTP Basic on every request: a successful check is
    remembered for five minutes, keyed by a digest of name and password and tied to the
    stored hash, so a changed password is not accepted from memory.
    """
    found = _stored_hash(conn, name)
    if found is None:
        passwords.verify(passwords.dummy_hash(), password)
        return None
    account, stored = found
    key = hmac.digest(_VERIFIED_KEY, f"{account.id}\0{password}".encode(), "sha256")
    remembered = _VERIFIED.get(key)
    if not (remembered and remembered[0] == stored and remembered[1] > time.monotonic()):
        if not passwords.verify(stored, password):
            return None
        if len(_VERIFIED) > 10_000:
            _VERIFIED.clear()
    if passwords.needs_rehash(stored):
        stored = _upgrade_hash(conn, account.id, stored, password)
    _VERIFIED[key] = (stored, time.monotonic() + VERIFIED_SECONDS)
    return account


def _upgrade_hash(conn, user_id: int, old: str, password: str) -> str:
    """Replace an old hash by argon2, unless the password was changed meanwhile."""
    new = passwords.hash_password(password)
    with conn.cursor() as cur:
        cur.execute("UPDATE users SET password_hash = %s WHERE id = %s AND password_hash = %s",
                    (new, user_id, old))
        return new if cur.rowcount else old


def set_password(conn, account: Account, password: str) -> None:
    """Give the user a new password (policy checked); the caller revokes their sessions."""
    passwords.check_policy(password, account.name)
    with conn.cursor() as cur:
        cur.execute("UPDATE users SET password_hash = %s, password_changed_at = now() WHERE id = %s",
                    (passwords.hash_password(password), account.id))


def set_role(conn, account: Account, role: str, team_code: str | None = None) -> None:
    """A new role; a patrol member's team (``team_code``, else the one they kept), none for others."""
    check_role(role)
    team_code = check_team(role, team_code or account.team_code)
    with conn.cursor() as cur:
        cur.execute("UPDATE users SET role = %s, team_code = %s WHERE id = %s", (role, team_code, account.id))


def set_disabled(conn, account: Account, disabled: bool) -> None:
    with conn.cursor() as cur:
        cur.execute("UPDATE users SET disabled = %s WHERE id = %s", (bool(disabled), account.id))


def active_admins(conn) -> int:
    """How many admins can still sign in."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled")
        return cur.fetchone()[0]


def count_users(conn) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM users")
        return cur.fetchone()[0]


def list_users(conn) -> list[dict]:
    """Every user's name, role, state, creation time and last sign-in (never the hash)."""
    with conn.cursor() as cur:
        cur.execute("SELECT u.name, u.role, u.disabled, u.created_at, u.password_changed_at,"
                    " (SELECT max(s.created_at) FROM sessions s WHERE s.user_id = u.id), u.counties, u.team_code"
                    " FROM users u ORDER BY u.name_key")
        return [{"name": n, "role": r, "disabled": d, "created_at": c.isoformat(),
                 "password_changed_at": p.isoformat() if p else None,
                 "last_sign_in": s.isoformat() if s else None, "counties": k, "team_code": t}
                for n, r, d, c, p, s, k, t in cur.fetchall()]
