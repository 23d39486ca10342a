"""User names, the password policy, hashes, and migration 0007 on old data."""
from __future__ import annotations

import psycopg2
import pytest
from psycopg2.extensions import make_dsn

from layers import passwords, users
from layers.errors import InvalidInput


@pytest.mark.parametrize("password, says", [
    ("aaaaaaaa", "至少 10"), ("password", "至少 10"), ("aaaaaaaaaa", "不同的字符"), ("1234567890", "常见"),
    ("Password123", "常见"), ("qwertyuiop", "常见"), ("x" * 257, "256"),
    ("zhangwei-2026", "用户名"), ("ZHANGWEI!!!!", "用户名"), ("ｚｈａｎｇｗｅｉ1234", "用户名"),
])
def test_weak_passwords_are_refused_in_chinese(password, says):
    with pytest.raises(InvalidInput, match=says) as err:
        passwords.check_policy(password, "ZhangWei")
    assert err.value.field == "password"


@pytest.mark.parametrize("password", ["county-demo", "test-password-1", "红旗渠畔的春天2026年", "li-sheng-li-sheng"])
def test_reasonable_passwords_pass(password):
    passwords.check_policy(password, "li")  # a two-letter name is not looked for inside


def test_the_common_list_comes_from_the_zxcvbn_package():
    common = passwords.common_passwords()
    assert len(common) >= 29_000 and "password" in common and "dragon" in common


def test_hashes_are_argon2id_and_old_ones_still_verify():
    from werkzeug.security import generate_password_hash

    stored = passwords.hash_password("a-fine-password")
    assert stored.startswith("$argon2id$") and "m=19456,t=2,p=1" in stored
    assert passwords.verify(stored, "a-fine-password") and not passwords.verify(stored, "another")
    old = generate_password_hash("a-fine-password")
    assert passwords.verify(old, "a-fine-password") and not passwords.verify(old, "another")
    assert passwords.needs_rehash(old) and not passwords.needs_rehash(stored)
    assert not passwords.verify("garbage", "x") and not passwords.verify("$argon2id$garbage", "x")


@pytest.mark.parametrize("name, stored", [(" 张伟 ", "张伟"), ("ＷａｎｇＬｉ", "WangLi"), ("a" * 64, "a" * 64)])
def test_names_are_normalised(name, stored):
    assert users.normalise_name(name) == stored


@pytest.mark.parametrize("name, says", [
    ("", "不能为空"), ("   ", "不能为空"), (None, "不能为空"), ("a" * 65, "64"), ("x" * 100_000, "64"),
    ("bad\tname", "控制字符"), ("bad\x00name", "控制字符"), ("bad\u202ename", "控制字符"),
    ("a:b", "冒号"), ("a/b", "斜杠"), ("a\\b", "斜杠"),
])
def test_bad_names_are_refused(name, says):
    with pytest.raises(InvalidInput, match=says) as err:
        users.normalise_name(name)
    assert err.value.field == "name"


def test_names_are_unique_whatever_their_case_or_width(conn):
    from layers.errors import Conflict

    users.create_user(conn, "Zhao", "county-office-7", "leader")
    for other in ("zhao", "ZHAO", "Ｚｈａｏ", " zhao "):
        with pytest.raises(Conflict, match="已存在"):
            users.create_user(conn, other, "county-office-7", "leader")
    assert users.find_user(conn, "ｚＨＡＯ").name == "Zhao"
    assert users.check_password(conn, "ZHAO", "county-office-7").name == "Zhao"
    conn.rollback()


def test_the_database_refuses_a_second_spelling_too(conn):
    with conn.cursor() as cur:
        cur.execute("INSERT INTO users (name, password_hash, role) VALUES ('Qian', 'x', 'leader')")
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("INSERT INTO users (name, password_hash, role) VALUES ('QIAN', 'x', 'leader')")
    conn.rollback()


def test_migration_0007_keeps_old_duplicates_out_of_the_way(database_url):
    """Old data with 'admin' and 'Admin': the newer is renamed 'Admin#<id>' and disabled."""
    from layers.migrate import migration_files

    name = "test_mig0007"
    server = psycopg2.connect(database_url)
    server.autocommit = True
    with server.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg2.connect(make_dsn(database_url, dbname=name)) as conn, conn.cursor() as cur:
            for path in migration_files():
                if path.name.startswith("0007"):
                    cur.execute("INSERT INTO users (name, password_hash, role) VALUES"
                                " ('admin', 'h', 'admin'), ('Admin', 'h', 'leader'), ('x' || repeat('y', 100), 'h', 'leader')")
                if path.name < "0008":
                    cur.execute(path.read_text(encoding="utf-8"))
            cur.execute("SELECT name, disabled, name_key FROM users ORDER BY id")
            rows = cur.fetchall()
        conn.close()
        assert rows[0] == ("admin", False, "admin")
        assert rows[1][0].startswith("Admin#") and rows[1][1] is True
        assert len(rows[2][0]) == 101 and rows[2][1] is False  # old long names stay, readable
    finally:
        with server.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.close()
