"""Signed-in browser sessions, kept on the server so that they can be revoked.

The browser's (signed) cookie holds a random token; the table holds its SHA-256, the
user, when it was made and last used, and when it was revoked. A session stops working
when it is revoked (sign-out, a password change, the user disabled), after
``IDLE`` without use, or ``LIFETIME`` after sign-in.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from layers.users import Account, account_of

IDLE = timedelta(hours=12)
LIFETIME = timedelta(days=7)
TOUCH_EVERY = timedelta(minutes=5)  # last_seen is written at most this often
KEEP_DEAD = timedelta(days=90)  # revoked or expired sessions are deleted after this


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def open_session(conn, user_id: int, address: str | None) -> str:
    """Start a session for the user; return its token (kept only in the cookie)."""
    token = secrets.token_urlsafe(32)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM sessions WHERE user_id = %s AND coalesce(revoked_at, last_seen) < now() - %s",
                    (user_id, KEEP_DEAD))
        cur.execute("INSERT INTO sessions (token_hash, user_id, address) VALUES (%s, %s, %s)",
                    (_digest(token), user_id, address))
    return token


def session_account(conn, token: str, writer=None) -> Account | None:
    """The enabled user of a live session, or None (unknown, revoked, idle or too old).
    ``conn`` may be a read replica's: ``writer()`` then gives the primary's connection for
    the occasional write of last_seen (at most every TOUCH_EVERY)."""
    with conn.cursor() as cur:
        cur.execute("SELECT s.id, s.last_seen < now() - %s, u.id, u.name, u.role, u.disabled, u.counties, u.team_code"
                    " FROM sessions s JOIN users u ON u.id = s.user_id"
                    " WHERE s.token_hash = %s AND s.revoked_at IS NULL AND NOT u.disabled"
                    " AND s.last_seen > now() - %s AND s.created_at > now() - %s",
                    (TOUCH_EVERY, _digest(token), IDLE, LIFETIME))
        row = cur.fetchone()
        if row is None:
            return None
    if row[1]:
        with (writer() if writer else conn).cursor() as cur:
            cur.execute("UPDATE sessions SET last_seen = now() WHERE id = %s", (row[0],))
    return account_of(row[2:])


def revoke(conn, token: str) -> None:
    """End one session (sign-out)."""
    with conn.cursor() as cur:
        cur.execute("UPDATE sessions SET revoked_at = now() WHERE token_hash = %s AND revoked_at IS NULL",
                    (_digest(token),))


def revoke_all(conn, user_id: int) -> int:
    """End every live session of the user; return how many."""
    with conn.cursor() as cur:
        cur.execute("UPDATE sessions SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL",
                    (user_id,))
        return cur.rowcount
