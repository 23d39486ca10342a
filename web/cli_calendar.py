"""``flask calendar import FILE`` / ``flask calendar export``: the school calendar's CSV files
(holidays and 调休 days, or school terms; see data/calendar_file.py)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from layers import db
from layers.errors import CountyMapError, ImportRefused
from web.services import school_calendar
from web.services.accounts import Actor

calendar_cli = AppGroup("calendar", help="校历 (school calendar: holidays, 调休 days, terms)")


def _url() -> str:
    return current_app.config["RESOLVED_DATABASE_URL"]


@calendar_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--scope", type=click.Choice(["national", "county"]), default="national", show_default=True,
              help="days file: the national schedule or the configured county's own")
@click.option("--dry-run", is_flag=True, help="show what would change, write nothing")
@click.option("--actor", default=None, help="who imports, for the audit log")
def calendar_import(path, scope, dry_run, actor):
    """Import a days file (date,kind,name) or a terms file (name,starts,ends,school_code)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    county = current_app.config["COUNTY_CODE"]
    try:
        with db.transaction(_url()) as conn:
            if dry_run:
                done = school_calendar.preview_import(conn, county, raw, scope)
            else:
                done = school_calendar.apply_import(conn, county, Actor(actor), raw, scope)
    except ImportRefused as err:
        for problem in err.problems:
            click.echo(problem, err=True)
        sys.exit(1)
    except CountyMapError as err:
        raise click.ClickException(str(err)) from None
    what = "节假日/调休" if done["kind"] == "days" else "学期"
    click.echo(f"{what} {done['rows']} 行：新增 {len(done['added'])}，修改 {len(done['changed'])}，"
               f"未变 {done['unchanged']}{'（预览，未写入）' if dry_run else ''}")


@calendar_cli.command("export")
@click.option("--terms", is_flag=True, help="the county's terms instead of the days")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="days of this year (default: this year)")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="file to write (default: standard output)")
def calendar_export(terms, year, out):
    """Write the days in force for a year (date,kind,name), or the terms, as CSV."""
    from geo.calendar import today

    with db.transaction(_url()) as conn:
        text = school_calendar.export_csv(conn, current_app.config["COUNTY_CODE"], "terms" if terms else "days",
                                          year or today().year)
    if out:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        click.echo(f"写入 {out}", err=True)
    else:
        click.echo(text, nl=False)


def init_app(app) -> None:
    app.cli.add_command(calendar_cli)
