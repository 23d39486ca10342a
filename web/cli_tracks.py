"""GPS track partitions: ``flask tracks partitions`` lists the month partitions of
patrol_tracks, ``flask tracks prune [--dry-run]`` drops the months older than the
retention (config ``TRACK_RETENTION_MONTHS``, default 24; ``FLASK_TRACK_RETENTION_MONTHS``
in the environment), ``flask tracks settle`` moves points waiting in the default partition
into their months, ``flask tracks warm`` computes and stores the visit runs of the past days
not stored yet (what the server does every night at WARM_VISITS_AT, web/warmup.py)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from layers import db, track_partitions
from layers.errors import CountyMapError

tracks_cli = AppGroup("tracks", help="巡逻轨迹分区 (GPS track partitions)")


def _url() -> str:
    return current_app.config["RESOLVED_DATABASE_URL"]


def retention_months(value=None) -> int:
    """The months kept: ``value`` when given, else TRACK_RETENTION_MONTHS (default 24);
    a ClickException naming the setting unless a whole number ≥ 1."""
    name = "--keep-months" if value is not None else "TRACK_RETENTION_MONTHS"
    raw = value if value is not None else current_app.config.get(
        "TRACK_RETENTION_MONTHS", track_partitions.DEFAULT_RETENTION_MONTHS)
    try:
        months = int(str(raw).strip())
    except ValueError:
        raise click.ClickException(f"{name} 必须是正整数（月数），收到 {raw!r}") from None
    if months < 1 or str(raw).strip() != str(months):
        raise click.ClickException(f"{name} 必须是正整数（月数），收到 {raw!r}")
    return months


def _size(n: int) -> str:
    return f"{n / 1048576:,.1f} MB"


@tracks_cli.command("partitions")
@click.option("--exact", is_flag=True, help="count the rows (slow on big months) instead of the estimate")
def partitions_command(exact):
    """List the month partitions: name, month, rows, size."""
    try:
        with db.transaction(_url()) as conn:
            parts = track_partitions.list_partitions(conn, exact=exact)
    except CountyMapError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{'分区 partition':<28}{'月份 month':<12}{'行数 rows':>14}{'大小 size':>14}")
    for p in parts:
        month = p.month.strftime("%Y-%m") if p.month else "默认 default"
        click.echo(f"{p.name:<28}{month:<12}{p.rows:>14,}{_size(p.bytes):>14}")
    click.echo(f"共 {len(parts)} 个分区，{sum(p.rows for p in parts):,} 行，{_size(sum(p.bytes for p in parts))}")


@tracks_cli.command("prune")
@click.option("--dry-run", is_flag=True, help="only say which months would be dropped")
@click.option("--keep-months", default=None, help="months to keep (default: TRACK_RETENTION_MONTHS, 24)")
def prune_command(dry_run, keep_months):
    """Drop the month partitions older than the retention (this month counts as one)."""
    months = retention_months(keep_months)
    try:
        with db.transaction(_url()) as conn:
            dropped = track_partitions.prune(conn, months, dry_run=dry_run)
    except CountyMapError as err:
        raise click.ClickException(str(err)) from None
    verb = "将删除 would drop" if dry_run else "已删除 dropped"
    for p in dropped:
        click.echo(f"{verb} {p.name} ({p.month:%Y-%m}, {p.rows:,} 行, {_size(p.bytes)})")
    first = track_partitions.cutoff(months, track_partitions.today())
    click.echo(f"保留 {months} 个月（{first:%Y-%m} 起）；{verb} {len(dropped)} 个分区")


@tracks_cli.command("settle")
def settle_command():
    """Move points waiting in the default partition into their month partitions."""
    try:
        with db.transaction(_url()) as conn:
            moved = track_partitions.move_default(conn)
    except CountyMapError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"移入月分区 moved {moved:,} 个轨迹点")


@tracks_cli.command("warm")
@click.option("--county", "county", default=None, help="county codes, comma-separated (default: every county with teams)")
@click.option("--since", default=None, help="first day YYYY-MM-DD (default: the first day of last month)")
def warm_command(county, since):
    """Store the visit runs of the days from --since to yesterday not stored yet."""
    from web import warmup

    try:
        first = warmup.parse_day(since, "--since") if since else None
        done = warmup.warm_all(_url(), county, first)
    except CountyMapError as err:
        raise click.ClickException(str(err)) from None
    for row in done:
        click.echo(f"{row['county']}: {row['first']} – {row['last']}，计算 computed {row['computed']} 天，"
                   f"已有 kept {row['kept']} 天，{row['seconds']:.1f} s")


def init_app(app) -> None:
    app.cli.add_command(tracks_cli)
