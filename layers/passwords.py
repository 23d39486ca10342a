"""Passwords: the policy a new password must meet, argon2 hashes, and the old hashes still read.

New hashes are argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane; about
35 ms on the 2-core development machine). Hashes written before (werkzeug's
``scrypt:`` / ``pbkdf2:``) are still verified and replaced by argon2 at the user's next
successful sign-in (``needs_rehash``).
"""
from __future__ import annotations

import functools
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

from layers.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_DISTINCT = 4
MIN_NAME_IN_PASSWORD = 3  # shorter names ('li') would forbid too many good passwords
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
ARGON2_PREFIX = "$argon2"


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """zxcvbn's list of the 30,000 most common passwords (lower case), from the installed package."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.casefold() for p in FREQUENCY_LISTS["passwords"])


def check_policy(password: str, name: str) -> None:
    """Raise InvalidInput (field 'password') unless ``password`` is long enough, not common,
    not made of a few repeated characters and does not contain the user name (compared
    case-insensitively; names of one or two characters are not looked for)."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise InvalidInput(f"密码至少 {MIN_LENGTH} 个字符", "password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"密码不能超过 {MAX_LENGTH} 个字符", "password")
    folded = unicodedata.normalize("NFKC", password).casefold()
    key = unicodedata.normalize("NFKC", name or "").strip().casefold()
    if len(key) >= MIN_NAME_IN_PASSWORD and key in folded:
        raise InvalidInput("密码不能包含用户名", "password")
    if folded in common_passwords():
        raise InvalidInput("这个密码太常见，容易被猜中，请换一个", "password")
    if len(set(folded)) < MIN_DISTINCT:
        raise InvalidInput(f"密码太简单：至少要有 {MIN_DISTINCT} 个不同的字符", "password")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return HASHER.hash(password)


def verify(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash (argon2, or werkzeug's scrypt/pbkdf2)."""
    if stored.startswith(ARGON2_PREFIX):
        try:
            return HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)
    except ValueError:
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the stored hash is an old kind or weaker than today's parameters."""
    return not stored.startswith(ARGON2_PREFIX) or HASHER.check_needs_rehash(stored)


@functools.lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash no password is checked against for real: verifying an unknown user's
    password against it takes as long as verifying a real user's."""
    return HASHER.hash("no such user: the time taken must not tell")
