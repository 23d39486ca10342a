"""Commands for users' counties: ``flask user scope NAME --counties …`` and ``flask county
name CODE NAME`` (the name the header and titles show)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from layers import audit, counties, db, users
from layers.errors import CountyMapError

county_cli = AppGroup("county", help="县 (counties)")


def _url() -> str:
    return current_app.config["RESOLVED_DATABASE_URL"]


@click.command("scope")
@click.argument("name")
@click.option("--counties", "codes", default=None,
              help="county codes the user may see, e.g. 410999,411001")
@click.option("--configured", is_flag=True, help="only the configured county (COUNTY_CODE): clear the list")
@with_appcontext
def user_scope(name, codes, configured):
    """Set which counties a user may see; without options, show them."""
    try:
        with db.transaction(_url()) as conn:
            account = users.user_named(conn, name)
            if codes is None and not configured:
                shown = ",".join(account.counties) if account.counties else \
                    f"{current_app.config['COUNTY_CODE']}（配置的县 configured county）"
                click.echo(f"{account.name}: {shown}")
                return
            new = None if configured else counties.parse_codes(codes)
            counties.set_scope(conn, account.id, new)
            audit.record(conn, "user_scope_changed", actor=None, target=account.name,
                         before={"counties": list(account.counties) if account.counties else None},
                         after={"counties": list(new) if new else None})
    except (ValueError, CountyMapError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{account.name} 可查看县：{','.join(new) if new else current_app.config['COUNTY_CODE']}")


@county_cli.command("name")
@click.argument("code")
@click.argument("name")
def county_name(code, name):
    """Name the county CODE (shown in the header, titles and the county selector)."""
    try:
        with db.transaction(_url()) as conn:
            counties.set_name(conn, code, name)
    except CountyMapError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{code}: {name.strip()}")


def init_app(app, user_cli) -> None:
    user_cli.add_command(user_scope)
    app.cli.add_command(county_cli)
