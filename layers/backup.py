"""Backups: the whole database to one pg_dump archive (custom format), and back.

``dump`` writes a consistent snapshot (pg_dump reads in one repeatable-read transaction)
to a temporary file beside the target and renames it into place: a backup is complete
or absent. ``restore`` replaces the database's contents with an archive's in one
transaction: pg_restore writes the script (``--clean --if-exists``, no owner or privilege
commands) and ``psql --single-transaction`` runs it after a prelude that drops what the
archive does not hold (tables of later migrations); then the migrations the archive
predates are applied. An installed PostGIS is kept (dropping it needs a superuser); the
rows pg_dump keeps of its configuration tables (user-added SRIDs) are replaced.
The tools are those of the server's major version; a URL's password goes through
``PGPASSWORD``, never on a command line.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from psycopg2.extensions import make_dsn, parse_dsn

from layers import versions
from layers.db import connect, transaction
from layers.embedded import pg_bin_dir
from layers.errors import CountyMapError, DatabaseUnavailable
from layers.migrate import migrate, migration_files

Progress = Callable[[str], None] | None

# Drop every object of the public schema that is not an extension's own, and the rows of
# extension configuration tables that pg_dump keeps (those the archive brings back).
CLEAR_PUBLIC = r"""
DO $clear$
DECLARE
    obj record;
BEGIN
    FOR obj IN
        SELECT format('%I.%I', n.nspname, c.relname) AS name, e.extcondition[i] AS cond
        FROM pg_extension e CROSS JOIN generate_subscripts(e.extconfig, 1) AS i
        JOIN pg_class c ON c.oid = e.extconfig[i] JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r'
    LOOP
        EXECUTE format('DELETE FROM %s %s', obj.name, coalesce(obj.cond, ''));
    END LOOP;
    FOR obj IN
        SELECT format('%I.%I', n.nspname, c.relname) AS name,
               CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                   WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND NOT c.relispartition
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY c.relkind = 'S', c.relname
    LOOP
        EXECUTE format('DROP %s IF EXISTS %s CASCADE', obj.kind, obj.name);
    END LOOP;
    FOR obj IN
        SELECT format('%I.%I(%s)', n.nspname, p.proname,
                      pg_get_function_identity_arguments(p.oid)) AS name
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', obj.name);
    END LOOP;
    FOR obj IN
        SELECT format('%I.%I', n.nspname, t.typname) AS name,
               CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END AS kind
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_class c ON c.oid = t.typrelid
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'c')
          AND (t.typtype <> 'c' OR c.relkind = 'c')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                          AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('DROP %s IF EXISTS %s CASCADE', obj.kind, obj.name);
    END LOOP;
END
$clear$;
"""
# Sent to psql when pg_restore fails half-way, so that the transaction is rolled back.
ABORT = b"\nDO $abort$ BEGIN RAISE EXCEPTION 'pg_restore failed: nothing restored'; END $abort$;\n"
INSTALLED_EXTENSIONS = "SELECT extname FROM pg_extension"
# pg_restore empties the search path; SQL functions used in CHECK constraints that call
# PostGIS unqualified (lonlat_ok of 0008) then fail while the rows are copied back. Every
# name in the script is qualified, so restoring with public on the path changes nothing else.
EMPTY_SEARCH_PATH = b"SELECT pg_catalog.set_config('search_path', '', false);\n"
RESTORE_SEARCH_PATH = b"SELECT pg_catalog.set_config('search_path', 'public', false);\n"

TOC_ENTRY = re.compile(r"^\d+; \d+ \d+ (.*)$")
TOC_HEADER = re.compile(r"^;\s+(Archive created at|dbname):?\s*(.*)$")
COPY_LINE = re.compile(rb"^COPY (\S+) .* FROM stdin;$", re.M)
DUMPING = re.compile(r'dumping contents of table "([^"]+)"')


class BackupRefused(CountyMapError):
    """A backup or restore that was not started: a bad path, or a file that is not ours."""


class BackupFailed(CountyMapError):
    """pg_dump, pg_restore or psql failed; nothing was written or changed."""


@dataclass
class Archive:
    """What an archive's table of contents says."""

    path: Path
    created: str = ""
    dbname: str = ""
    toc: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)        # schema.name with data
    migrations: list[str] = field(default_factory=list)    # from its schema_migrations


@dataclass
class Outcome:
    path: Path
    size: int
    seconds: float
    tables: int
    migrated: list[str] = field(default_factory=list)


def _connection(url: str) -> tuple[str, dict]:
    """The URL as a libpq connection string without its password, and the tools' environment."""
    params = parse_dsn(url)
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "PGPASSWORD")}
    env["LC_ALL"] = "C.UTF-8"  # untranslated messages: progress is read from them
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = password
    return make_dsn(**params), env


def describe(url: str) -> str:
    """The database as people name it: ``county（/path/to/socket）`` or ``county（host:port）``."""
    params = parse_dsn(url)
    where = params.get("host") or "localhost"
    if params.get("port"):
        where += f":{params['port']}"
    return f"{params.get('dbname', params.get('user', '?'))}（{where}）"


def _tool_major(bin_dir: Path) -> int | None:
    if not all((bin_dir / t).is_file() for t in ("pg_dump", "pg_restore", "psql")):
        return None
    out = subprocess.run([str(bin_dir / "pg_dump"), "--version"], capture_output=True, text=True).stdout
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(found.group(1)) if found else None


def tools(url: str) -> Path:
    """The folder of pg_dump, pg_restore and psql of the server's major version."""
    with closing(connect(url)) as conn:
        major = conn.server_version // 10000
    candidates = []
    try:
        candidates.append(pg_bin_dir())
    except DatabaseUnavailable:
        pass
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin"))
    if shutil.which("pg_dump"):
        candidates.append(Path(shutil.which("pg_dump")).parent)
    for bin_dir in candidates:
        if _tool_major(bin_dir) == major:
            return bin_dir
    raise BackupFailed(f"找不到与数据库服务器版本 {major} 相同的 pg_dump / pg_restore / psql"
                       f"（请安装 postgresql-client-{major}，或用 PG_BIN 指定其目录）")


def _check_target(path: Path, force: bool) -> None:
    if not path.parent.is_dir():
        raise BackupRefused(f"目录不存在：{path.parent}（请先创建该目录）")
    if path.is_dir():
        raise BackupRefused(f"{path} 是一个目录，请给出备份文件名")
    if path.exists() and not force:
        raise _exists(path)


def _exists(path: Path) -> BackupRefused:
    return BackupRefused(f"文件已存在：{path}（不会覆盖；要覆盖请加 --force）")


def _place(tmp: Path, path: Path, force: bool) -> None:
    """Move the finished archive into place (never over an existing file without force)."""
    if force:
        os.replace(tmp, path)
    else:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise _exists(path) from None
        tmp.unlink()
    folder = os.open(path.parent, os.O_RDONLY)  # the rename itself is durable
    os.fsync(folder)
    os.close(folder)


def _failure(tool: str, lines: list[str]) -> BackupFailed:
    errors = [line for line in lines if re.search(r"error|fatal|错误", line, re.I)] or lines[-5:]
    return BackupFailed(f"{tool} 失败：" + "\n".join(errors))


def dump(url: str, path, force: bool = False, progress: Progress = None) -> Outcome:
    """Write the whole database to ``path`` (custom format), atomically; report each table."""
    path = Path(path).expanduser().absolute()
    _check_target(path, force)
    bin_dir = tools(url)
    dsn, env = _connection(url)
    started = time.monotonic()
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(fd)
    tmp = Path(name)
    try:
        cmd = [str(bin_dir / "pg_dump"), "--format=custom", "--verbose", "--no-password",
               f"--file={tmp}", f"--dbname={dsn}"]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, errors="replace", env=env)
        lines, tables = [], 0
        for line in proc.stderr:
            lines.append(line.rstrip())
            found = DUMPING.search(line)
            if found:
                tables += 1
                if progress:
                    progress(found.group(1))
        if proc.wait() != 0:
            raise _failure("pg_dump", lines)
        size = tmp.stat().st_size
        _place(tmp, path, force)
    finally:
        tmp.unlink(missing_ok=True)
    return Outcome(path, size, time.monotonic() - started, tables)


def _run(cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", env=env,
                          stdin=subprocess.DEVNULL)


def _read_toc(archive: Archive, text: str) -> None:
    for line in text.splitlines():
        header = TOC_HEADER.match(line)
        if header:
            setattr(archive, "dbname" if header.group(1) == "dbname" else "created", header.group(2).strip())
        entry = TOC_ENTRY.match(line)
        if entry and entry.group(1).startswith("TABLE DATA "):
            schema, name = entry.group(1).split()[2:4]
            archive.tables.append(f"{schema}.{name}")
    archive.toc = text.splitlines()


def _read_migrations(bin_dir: Path, archive: Archive, env: dict) -> None:
    proc = _run([str(bin_dir / "pg_restore"), "--data-only", "--table=schema_migrations",
                 "--file=-", str(archive.path)], env)
    if proc.returncode != 0:
        raise _failure("pg_restore", proc.stderr.splitlines())
    copying = False
    for line in proc.stdout.splitlines():
        if line.startswith("COPY ") and "schema_migrations" in line:
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying:
            archive.migrations.append(line.split("\t")[0])


def inspect(url: str, path) -> Archive:
    """Read an archive's table of contents; refuse a file that is not a backup of this app."""
    path = Path(path).expanduser().absolute()
    if not path.is_file():
        raise BackupRefused(f"文件不存在：{path}")
    bin_dir = tools(url)
    _, env = _connection(url)
    proc = _run([str(bin_dir / "pg_restore"), "--list", str(path)], env)
    if proc.returncode != 0:
        raise BackupRefused(f"{path} 不是本系统的备份文件，或无法读取（{proc.stderr.strip()}）")
    archive = Archive(path)
    _read_toc(archive, proc.stdout)
    if "public.schema_migrations" not in archive.tables:
        raise BackupRefused(f"{path} 不是本系统的备份文件（其中没有 schema_migrations 表，"
                            "不是本系统数据库的备份）")
    _read_migrations(bin_dir, archive, env)
    unknown = sorted(set(archive.migrations) - {p.name for p in migration_files()})
    if unknown:
        raise BackupRefused(f"{path} 来自更新版本的程序（含本程序没有的迁移：{', '.join(unknown)}），"
                            "请用相应版本的程序恢复")
    return archive


def _use_list(archive: Archive, installed: set[str], folder: Path) -> Path:
    """The archive's table of contents with installed extensions left out (they are kept)."""
    keep = re.compile(r"^\d+; \d+ \d+ (?:EXTENSION - |COMMENT - EXTENSION )(\S+)")
    lines = []
    for line in archive.toc:
        found = keep.match(line)
        lines.append(";" + line if found and found.group(1) in installed else line)
    listing = folder / "restore.list"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing


def _pump(source, sink, progress: Progress) -> None:
    """Copy pg_restore's script into psql, naming each table as its rows begin."""
    for _ in range(100):  # the settings at the top of the script
        line = source.readline()
        sink.write(RESTORE_SEARCH_PATH if line == EMPTY_SEARCH_PATH else line)
        if not line or line == EMPTY_SEARCH_PATH:
            break
    tail = b""
    while chunk := source.read1(1 << 20):
        sink.write(chunk)
        text = tail + chunk
        cut = text.rfind(b"\n") + 1
        if progress:
            for found in COPY_LINE.finditer(text, 0, cut):
                progress(found.group(1).decode("utf-8", "replace"))
        tail = text[cut:]


def _feed(producer, consumer, progress: Progress) -> bool:
    """Pump the script; when pg_restore fails, make psql fail too (it would commit at EOF).
    Return whether pg_restore failed first."""
    aborted = False
    try:
        _pump(producer.stdout, consumer.stdin, progress)
        producer.stdout.close()
        if producer.wait() != 0:
            aborted = True
            consumer.stdin.write(ABORT)
        consumer.stdin.close()
    except BrokenPipeError:  # psql stopped at an error: it rolls back and says why
        producer.stdout.close()  # pg_restore then stops too
        producer.wait()
        with suppress(BrokenPipeError):
            consumer.stdin.close()
    consumer.wait()
    return aborted


def _run_script(bin_dir: Path, url: str, listing: Path, archive: Archive, progress: Progress) -> None:
    """pg_restore | psql, as one transaction: committed only when both succeed."""
    dsn, env = _connection(url)
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        producer = subprocess.Popen(
            [str(bin_dir / "pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
             f"--use-list={listing}", "--file=-", str(archive.path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=restore_err, env=env)
        consumer = subprocess.Popen(
            [str(bin_dir / "psql"), "-X", "-q", "--no-password", "--single-transaction",
             "-v", "ON_ERROR_STOP=1", f"--dbname={dsn}", "-c", CLEAR_PUBLIC, "-f", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        aborted = True
        try:
            aborted = _feed(producer, consumer, progress)
        finally:
            for proc in (consumer, producer):  # interrupted: end psql before it could commit
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        tried = [("psql", consumer, psql_err), ("pg_restore", producer, restore_err)]
        for tool, proc, err in (tried[::-1] if aborted else tried):
            if proc.returncode != 0:
                err.seek(0)
                raise _failure(tool, err.read().decode("utf-8", "replace").splitlines())


def _installed_extensions(url: str) -> set[str]:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(INSTALLED_EXTENSIONS)
        return {row[0] for row in cur.fetchall()}


def restore(url: str, path, progress: Progress = None) -> Outcome:
    """Replace the database's contents with the archive's, in one transaction; then apply
    the migrations the archive predates and refresh the planner's statistics."""
    started = time.monotonic()
    archive = inspect(url, path)
    bin_dir = tools(url)
    with tempfile.TemporaryDirectory(prefix="countymap-restore-") as folder:
        listing = _use_list(archive, _installed_extensions(url), Path(folder))
        _run_script(bin_dir, url, listing, archive, progress)
    with transaction(url) as conn:
        migrated = migrate(conn)
        versions.renew(conn)
        with conn.cursor() as cur:
            cur.execute("ANALYZE")
    return Outcome(archive.path, archive.path.stat().st_size, time.monotonic() - started,
                   len(archive.tables), migrated)
