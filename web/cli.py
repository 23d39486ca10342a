"""Commands on the flask CLI: import, demo, user create, db, backup, restore."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from layers import db, users
from layers.errors import CountyMapError, ImportRefused

user_cli = AppGroup("user", help="管理用户 (manage users)")
db_cli = AppGroup("db", help="数据库 (database)")


def _url() -> str:
    return current_app.config["RESOLVED_DATABASE_URL"]


@click.command("import")
@click.argument("layer")
@click.argument("path", type=click.Path(dir_okay=True))
@click.option("--crs", default=None, help="CRS of the file when it declares none or a wrong one: EPSG:4490, EPSG:4547, gcj02 (Amap, Tencent), bd09 (Baidu) …")
@click.option("--encoding", default=None, help="text encoding of a Shapefile's .dbf or a CSV, e.g. gbk "
                                                "(default: .cpg, else UTF-8 or GB18030 detected)")
@click.option("--sheet", default=None, help="the sheet of an .xlsx to read (default: the first)")
@click.option("--replace", is_flag=True, help="empty the layer first")
@click.option("--actor", default=None, help="who imports, for the import history (default: the OS user)")
@with_appcontext
def import_command(layer, path, crs, encoding, sheet, replace, actor):
    """Import one file into one layer (all or nothing; kept in the import history)."""
    from data.importer import import_file
    from data.importer.history import default_actor
    from data.importer.phones import phone_key, using_key

    try:
        with db.transaction(_url()) as conn, using_key(phone_key(current_app.config["VAR_DIR"])):
            result = import_file(conn, layer, path, crs=crs, encoding=encoding, replace=replace, sheet=sheet,
                                 county_code=current_app.config["COUNTY_CODE"], progress=True,
                                 actor=actor or default_actor())
    except ImportRefused as err:
        click.echo("导入失败，未写入任何数据 (import refused, nothing written):", err=True)
        for problem in err.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except CountyMapError as err:
        click.echo(f"导入失败 (import failed): {err}", err=True)
        sys.exit(1)
    for warning in result.warnings:
        click.echo(f"警告 (warning): {warning}", err=True)
    click.echo(f"{layer}: 新增 {result.added} 条，更新 {result.updated} 条 "
               f"(added {result.added}, updated {result.updated}; import #{result.import_id})")


def _history_line(e: dict) -> str:
    what = f"撤销第 {e['undoes']} 次导入" if e["undoes"] is not None else "导入"
    state = f"（已被第 {e['undone_by']} 条撤销）" if e["undone_by"] is not None else ("（可撤销）" if e["undoable"] else "")
    return (f"#{e['id']}  {e['at'][:19]}  {e['layer']}  {what}{state}  {e['actor'] or '-'}  {e['file_name'] or '-'}"
            f"  新增 {e['rows_added']} / 更新 {e['rows_updated']} / 删除 {e['rows_removed']}"
            f"  警告 {len(e['warnings'])}  sha256 {(e['checksum'] or '-')[:12]}")


@click.command("imports")
@click.option("--layer", default=None, help="only this layer")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@with_appcontext
def imports_command(layer, limit):
    """List the import history, newest first."""
    from web.services import imports

    try:
        with db.transaction(_url()) as conn:
            if layer is not None:
                from layers.catalog import importable_layer
                importable_layer(layer)
            rows = imports.listing(conn, current_app.config["COUNTY_CODE"], layer=layer, limit=limit)["imports"]
    except CountyMapError as err:
        _fail("无法列出导入记录 (cannot list imports)", err)
    if not rows:
        click.echo("没有导入记录 (no imports)")
    for e in rows:
        click.echo(_history_line(e))


@click.command("import-undo")
@click.argument("layer")
@click.option("--actor", default=None, help="who undoes, for the import history (default: the OS user)")
@with_appcontext
def import_undo_command(layer, actor):
    """Undo the last import of LAYER not yet undone: the layer is back as it was before it."""
    from data.importer.history import default_actor
    from web.services import imports

    try:
        with db.transaction(_url()) as conn:
            done = imports.undo_last(conn, current_app.config["COUNTY_CODE"], layer, actor or default_actor())
    except CountyMapError as err:
        _fail("撤销失败，数据未改变 (undo refused, nothing changed)", err)
    click.echo(f"已撤销第 {done['undoes']} 次导入 (undid import #{done['undoes']}): {_history_line(done)}")


@click.command("demo")
@with_appcontext
@click.option("--seed", default=0, show_default=True, type=int, help="random seed")
@click.option("--if-empty", is_flag=True, help="only when the county has no townships yet")
@click.option("--scale", type=click.Choice(["county", "province"]), default="county", show_default=True,
              help="county: the demo county alone; province: about 100 counties around it, with COPY")
@click.option("--counties", default=None, type=click.IntRange(1, 100),
              help="with --scale province: how many counties (default 100), the demo county first")
def demo_command(seed, if_empty, scale, counties):
    """Generate and load the demo county (or a province of counties around it)."""
    if scale == "province":
        _demo_province(seed, counties or 100, if_empty)
        return
    if counties is not None:
        raise click.UsageError("--counties goes with --scale province")
    from data.loader import load_demo

    with db.transaction(_url()) as conn:
        counts = load_demo(conn, seed=seed, if_empty=if_empty,
                           county_code=current_app.config["COUNTY_CODE"], progress=True)
    if counts is None:
        click.echo("示范县已存在，未重新生成 (demo county already loaded)")
        return
    for name, n in counts.items():
        click.echo(f"{name}: {n}")


def _demo_province(seed: int, counties: int, if_empty: bool) -> None:
    from data.province import load_province
    from layers import store
    from layers.catalog import LAYERS

    with db.transaction(_url()) as conn:
        if if_empty and store.count_rows(conn, LAYERS["townships"]) > 0:
            click.echo("已有数据，未重新生成 (layers already loaded)")
            return
        counts = load_province(conn, seed=seed, counties=counties, progress=True)
    totals = {}
    for per_layer in counts.values():
        for name, n in per_layer.items():
            totals[name] = totals.get(name, 0) + n
    click.echo(f"counties: {len(counts)} ({', '.join(list(counts)[:5])}{' …' if len(counts) > 5 else ''})")
    for name, n in totals.items():
        click.echo(f"{name}: {n}")


def _read_password() -> str:
    if sys.stdin.isatty():
        first = click.prompt("密码 (password)", hide_input=True)
        second = click.prompt("再次输入密码 (repeat)", hide_input=True)
    else:
        lines = sys.stdin.read().splitlines()
        if len(lines) < 2:
            raise click.ClickException("standard input must hold the password on two lines")
        first, second = lines[0], lines[1]
    if first != second:
        raise click.ClickException("两次输入的密码不一致 (passwords differ)")
    return first


@user_cli.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(users.ROLES))
@click.option("--counties", default=None, help="county codes the user may see, e.g. 410999,411001 "
                                                "(default: the configured county only)")
@click.option("--team", default=None, help="a patrol member's team code (required with --role patrol)")
def user_create(name, role, counties, team):
    """Create a user; asks for the password twice. A patrol member (--role patrol --team CODE)
    may use only their own page, /patrol/me."""
    from layers import checkins
    from layers import counties as scope

    try:
        codes = scope.parse_codes(counties) if counties is not None else None
        team = users.check_team(role, team)
        password = _read_password()
        with db.transaction(_url()) as conn:
            county = (codes or [current_app.config["COUNTY_CODE"]])[0]
            if team and not checkins.team_exists(conn, county, team):
                raise click.ClickException(f"县 {county} 没有编码为 '{team}' 的巡防队 (no such team)")
            scope.set_scope(conn, users.create_user(conn, name, password, role, team), codes)
    except (ValueError, CountyMapError) as err:  # a bad name, password or code, a taken name
        raise click.ClickException(str(err)) from None
    click.echo(f"已创建用户 {name}（{role}）" + (f"，可查看县：{','.join(codes)}" if codes else "")
               + (f"，巡防队：{team}" if team else ""))


@db_cli.command("migrate")
def db_migrate():
    """Apply pending migrations (also done at every start)."""
    from layers.migrate import migrate

    with db.transaction(_url()) as conn:
        applied = migrate(conn)
    click.echo("applied: " + (", ".join(applied) or "nothing"))


@db_cli.command("url")
def db_url():
    """Print the database URL in use."""
    click.echo(_url())


@db_cli.command("stop")
def db_stop():
    """Stop the embedded cluster (when DATABASE_URL is unset)."""
    from layers.embedded import EmbeddedCluster

    if current_app.config.get("DATABASE_URL"):
        click.echo("DATABASE_URL is set: nothing to stop")
        return
    EmbeddedCluster(current_app.config["VAR_DIR"]).stop()
    click.echo("stopped")


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def _fail(what: str, err: Exception) -> None:
    click.echo(f"{what}: {err}", err=True)
    sys.exit(1)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="覆盖已有的 FILE (overwrite FILE when it exists)")
@with_appcontext
def backup_command(file, force):
    """Back up the whole database to FILE (pg_dump custom format)."""
    from layers import backup

    url = _url()
    click.echo(f"备份数据库 {backup.describe(url)} → {file}", err=True)
    try:
        done = backup.dump(url, file, force=force, progress=lambda t: click.echo(f"  导出 {t}", err=True))
    except CountyMapError as err:
        _fail("备份失败，未写入文件 (backup failed, nothing written)", err)
    click.echo(f"已备份到 {done.path}：{_size(done.size)}，{done.tables} 张表，用时 {done.seconds:.1f} 秒 "
               f"(backup written: {_size(done.size)}, {done.tables} tables, {done.seconds:.1f} s)")


def _confirm_restore(archive, target: str, yes: bool) -> None:
    latest = max(archive.migrations, default="无")
    click.echo(f"备份 {archive.path}：{archive.created} 写出，来自数据库 {archive.dbname}，"
               f"{len(archive.tables)} 张表，迁移至 {latest}", err=True)
    if yes:
        return
    if not sys.stdin.isatty():
        click.echo("恢复会替换数据库中的全部数据；标准输入不是终端，无法确认，请加 --yes "
                   "(restore replaces everything; stdin is not a terminal: pass --yes)", err=True)
        sys.exit(1)
    click.confirm(f"恢复将删除数据库 {target} 中现有的全部数据，换成这份备份中的数据。继续吗？",
                  default=False, abort=True, err=True)


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="不再询问，直接替换 (replace without asking)")
@with_appcontext
def restore_command(file, yes):
    """Replace the whole database with the backup in FILE, in one transaction."""
    from layers import backup

    url = _url()
    try:
        _confirm_restore(backup.inspect(url, file), backup.describe(url), yes)
        click.echo(f"恢复数据库 {backup.describe(url)} ← {file}", err=True)
        done = backup.restore(url, file, progress=lambda t: click.echo(f"  恢复 {t}", err=True))
    except CountyMapError as err:
        _fail("恢复失败，数据库未改变 (restore failed, database unchanged)", err)
    if done.migrated:
        click.echo(f"已应用迁移 (applied migrations): {', '.join(done.migrated)}", err=True)
    click.echo(f"已恢复 {done.tables} 张表，用时 {done.seconds:.1f} 秒 "
               f"(restored {done.tables} tables in {done.seconds:.1f} s)")


@click.command("import-template")
@click.argument("layer")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def template_command(layer, out):
    """Write the blank XLSX import template of LAYER (Chinese headers, a sheet explaining them)."""
    from data.importer.templates import template_xlsx
    from layers.catalog import importable_layer

    try:
        body = template_xlsx(importable_layer(layer))
    except CountyMapError as err:
        click.echo(str(err), err=True)
        sys.exit(1)
    with open(out, "wb") as fh:
        fh.write(body)
    click.echo(f"写入 {out}")


def init_app(app) -> None:
    app.cli.add_command(import_command)
    app.cli.add_command(template_command)
    app.cli.add_command(imports_command)
    app.cli.add_command(import_undo_command)
    app.cli.add_command(demo_command)
    from web import cli_calendar, cli_devices, cli_scope

    cli_scope.init_app(app, user_cli)
    cli_calendar.init_app(app)
    cli_devices.init_app(app)  # flask device add/revoke/list
    app.cli.add_command(user_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from web import cli_tracks   # flask tracks partitions | prune | settle

    cli_tracks.init_app(app)
