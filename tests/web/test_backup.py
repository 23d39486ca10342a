"""flask --app web backup / restore: a round trip compared table by table, and the refusals."""
from __future__ import annotations

import uuid
from contextlib import closing
from datetime import date

import psycopg2
import pytest
from psycopg2.extensions import make_dsn
from shapely.geometry import box

import layers.migrate
from layers import backup, coverage, hotspot_lists, remediation
from layers.db import transaction
from tests.conftest import basic, password_hash
from tests.web.test_maps import COUNTY, X0, Y0, load_small_county

TABLES = ("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
          " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
SEQUENCES = "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences"


def fingerprints(url: str) -> dict:
    """Every table's row count and md5 over all its rows and columns; every sequence's value."""
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(TABLES)
        prints = {}
        for (table,) in cur.fetchall():
            rows = "t.name" if table == "public.layer_versions" else "t::text"  # renewed by a restore
            cur.execute(f"SELECT count(*), md5(coalesce(string_agg({rows}, E'\\n' ORDER BY {rows}), ''))"
                        f" FROM {table} t")
            prints[table] = cur.fetchone()
        cur.execute(SEQUENCES)
        prints.update({f"sequence {name}": value for name, value in cur.fetchall()})
    return prints


def add_user(conn, name: str, role: str) -> None:
    """A user as the conftest makes them (the columns every schema since 0002 has)."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO users (name, password_hash, role) VALUES (%s, %s, %s)",
                    (name, password_hash(), role))


def user_activity(url: str) -> None:
    """What users do in the app: a remediation change, a camera status change, a hotspot list."""
    with transaction(url) as conn:
        add_user(conn, "wang", "planner")
        remediation.record_change(conn, COUNTY, "V2", {"status": "in_progress", "orderly": True, "note": "已开工"},
                                  "planner", date(2026, 5, 2), None)
        coverage.set_camera_status(conn, COUNTY, "C1", "faulty", "commander", "镜头损坏")
        draft = hotspot_lists.draft(conn, COUNTY, "2026Q3", "planner")
        for i in range(2):
            hotspot_lists.add_item(conn, COUNTY, draft["id"], {
                "name": f"东关乱点{i}", "level": "county", "unit": "城关派出所", "deadline": "2026-09-30",
                "geometry": box(X0 + 0.01 * i, Y0, X0 + 0.01 * i + 0.004, Y0 + 0.004)})


def spoil(url: str, stray_table: bool = False) -> None:
    """Change and delete data after the backup (SQL here: tests may speak it)."""
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM cameras WHERE code = 'C2'")
        cur.execute("UPDATE villages SET name = '改名村', population = 1 WHERE code = 'V1'")
        cur.execute("DELETE FROM hotspot_list_items")
        cur.execute("DELETE FROM remediation_events")
        cur.execute("DELETE FROM users WHERE name = 'wang'")
        cur.execute("INSERT INTO users (name, password_hash, role) VALUES ('intruder', 'x', 'admin')")
        if stray_table:
            cur.execute("CREATE TABLE stray (id int)")


@pytest.fixture
def county(app):
    url = app.config["RESOLVED_DATABASE_URL"]
    load_small_county(url, COUNTY)
    user_activity(url)
    return url


@pytest.fixture
def databases(database_url):
    """Make extra databases on the test server (dropped at the end); yields a maker."""
    admin = psycopg2.connect(database_url)
    admin.autocommit = True
    made = []

    def make() -> str:
        name = f"test_backup_{uuid.uuid4().hex[:8]}"
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return make_dsn(database_url, dbname=name)

    yield make
    with admin.cursor() as cur:
        for name in made:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def versions(url: str) -> dict:
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute("SELECT name, version FROM layer_versions")
        return dict(cur.fetchall())


def test_round_trip_restores_every_table(county, runner, client, tmp_path):
    before = fingerprints(county)
    kept_under = versions(county)
    assert before["public.camera_status_events"][0] == 1 and before["public.hotspot_list_items"][0] == 2
    assert before["public.remediation_events"][0] >= 1 and before["public.schema_migrations"][0] >= 6
    target = tmp_path / "county.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output and "秒" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["county.dump"]  # no temporary file left
    assert target.read_bytes()[:5] == b"PGDMP"

    spoil(county, stray_table=True)
    assert fingerprints(county) != before
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "已恢复" in result.output

    after = fingerprints(county)
    assert sorted(after) == sorted(before)  # the stray table is gone, nothing is missing
    assert {t: after[t] for t in before if after[t] != before[t]} == {}
    renewed = versions(county)  # nothing a running server kept may match the restored data
    assert sorted(renewed) == sorted(kept_under) and all(renewed[t] != kept_under[t] for t in renewed)
    assert client.get("/api/layers", headers=basic("admin")).status_code == 200
    with transaction(county) as conn:  # the camera trigger came back with the table
        coverage.set_camera_status(conn, COUNTY, "C3", "working", "commander")


def test_an_older_backup_restores_and_then_migrates(county, databases, monkeypatch, runner, tmp_path):
    old_url = databases()
    with monkeypatch.context() as patch:
        patch.setattr(layers.migrate, "migration_files",
                      lambda: sorted(layers.migrate.MIGRATIONS.glob("000[1-3]_*.sql")))
        with transaction(old_url) as conn:
            assert layers.migrate.migrate(conn) == ["0001_layers.sql", "0002_users.sql", "0003_remediation.sql"]
            add_user(conn, "old-admin", "admin")
    backup.dump(old_url, tmp_path / "old.dump")

    result = runner.invoke(args=["restore", str(tmp_path / "old.dump"), "--yes"])
    assert result.exit_code == 0, result.output
    assert "0004_coverage.sql" in result.output and "0005_hotspot_lists.sql" in result.output
    after = fingerprints(county)
    assert after["public.users"][0] == 1 and after["public.townships"][0] == 0
    assert after["public.hotspot_lists"][0] == 0 and after["public.camera_status_events"][0] == 0
    with closing(psycopg2.connect(county)) as conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM schema_migrations ORDER BY name")
        assert [r[0] for r in cur.fetchall()] == [p.name for p in layers.migrate.migration_files()]


def test_backup_refuses_a_missing_folder(county, runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "no-such-folder" / "county.dump")])
    assert result.exit_code != 0
    assert "目录不存在" in result.output
    assert list(tmp_path.iterdir()) == []


def test_backup_refuses_an_existing_file_unless_forced(county, runner, tmp_path):
    target = tmp_path / "county.dump"
    target.write_text("yesterday's backup")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "文件已存在" in result.output and "--force" in result.output
    assert target.read_text() == "yesterday's backup"
    assert [p.name for p in tmp_path.iterdir()] == ["county.dump"]
    result = runner.invoke(args=["backup", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:5] == b"PGDMP"


def test_restore_refuses_files_that_are_not_our_backups(county, databases, runner, tmp_path):
    before = fingerprints(county)
    text = tmp_path / "notes.dump"
    text.write_text("not a backup\n")
    result = runner.invoke(args=["restore", str(text), "--yes"])
    assert result.exit_code != 0
    assert "不是本系统的备份文件" in result.output

    foreign = tmp_path / "foreign.dump"  # a real pg_dump archive of another database
    backup.dump(databases(), foreign)
    result = runner.invoke(args=["restore", str(foreign), "--yes"])
    assert result.exit_code != 0
    assert "不是本系统的备份文件" in result.output and "schema_migrations" in result.output

    result = runner.invoke(args=["restore", str(tmp_path / "missing.dump"), "--yes"])
    assert result.exit_code != 0
    assert "文件不存在" in result.output
    assert fingerprints(county) == before


def test_restore_asks_for_yes_when_stdin_is_not_a_terminal(county, runner, tmp_path):
    target = tmp_path / "county.dump"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    spoil(county)
    before = fingerprints(county)
    result = runner.invoke(args=["restore", str(target)], input="y\n")
    assert result.exit_code != 0
    assert "--yes" in result.output
    assert fingerprints(county) == before


PROBE = """
    CREATE FUNCTION public.located(g geometry) RETURNS boolean LANGUAGE sql IMMUTABLE AS
        $$ SELECT NOT ST_IsEmpty(g) $$;
    ALTER TABLE public.townships ADD CONSTRAINT townships_located CHECK (located(geom));
    INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
        SELECT 990001, 'county', 990001, srtext, proj4text FROM spatial_ref_sys WHERE srid = 4490;
"""


def test_restore_into_a_new_database(databases, tmp_path):
    """PostGIS comes from the archive, user-added SRIDs come back, and a CHECK calling PostGIS
    through an unqualified SQL function does not fail the copy (pg_restore's empty search_path)."""
    source, target = databases(), databases()
    with transaction(source) as conn:
        layers.migrate.migrate(conn)
    load_small_county(source, COUNTY)
    with transaction(source) as conn, conn.cursor() as cur:
        cur.execute(PROBE)
    backup.dump(source, tmp_path / "county.dump")
    done = backup.restore(target, tmp_path / "county.dump")
    assert done.migrated == []
    assert fingerprints(target) == fingerprints(source)
    with closing(psycopg2.connect(target)) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM spatial_ref_sys WHERE srid = 990001")
        assert cur.fetchone()[0] == 1


def test_a_password_stays_off_the_command_line():
    dsn, env = backup._connection("postgresql://county:s3cret@db.county.lan:5433/county?sslmode=require")
    assert "s3cret" not in dsn and env["PGPASSWORD"] == "s3cret"
    assert "host=db.county.lan" in dsn and "port=5433" in dsn and "sslmode=require" in dsn
    assert backup.describe("postgresql://county:s3cret@db.county.lan:5433/county") == "county（db.county.lan:5433）"


def test_restore_refuses_a_backup_from_a_newer_version(county, databases, runner, tmp_path):
    newer = databases()
    with transaction(newer) as conn:
        layers.migrate.migrate(conn)
        with conn.cursor() as cur:
            cur.execute("INSERT INTO schema_migrations (name) VALUES ('9999_future.sql')")
    backup.dump(newer, tmp_path / "newer.dump")
    before = fingerprints(county)
    result = runner.invoke(args=["restore", str(tmp_path / "newer.dump"), "--yes"])
    assert result.exit_code != 0
    assert "更新版本" in result.output and "9999_future.sql" in result.output
    assert fingerprints(county) == before
