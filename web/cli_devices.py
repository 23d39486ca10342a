"""Patrol phones on the CLI: ``flask device add DEVICE_ID --team TEAM`` prints the URL to set
in the phone's app (Traccar Client, OsmAnd), ``flask device revoke``, ``flask device list``."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from layers import db
from layers.errors import CountyMapError
from web.schemas import parse
from web.schemas.osmand import DeviceNew
from web.services import devices

device_cli = AppGroup("device", help="巡防设备 (patrol phones)")


def _url() -> str:
    return current_app.config["RESOLVED_DATABASE_URL"]


def _county(county: str | None) -> str:
    return county or current_app.config["COUNTY_CODE"]


def public_base(host: str | None) -> str:
    """http://HOST from --host, else the PUBLIC_URL setting, else http://localhost:8000."""
    if host:
        return host if "://" in host else f"http://{host}"
    return current_app.config.get("PUBLIC_URL") or "http://localhost:8000"


@device_cli.command("add")
@click.argument("device_id")
@click.option("--team", "team_code", required=True, help="the team's code (巡防队编码)")
@click.option("--county", default=None, help="county code (default: COUNTY_CODE)")
@click.option("--host", default=None, help="host (and port) phones reach the server at (default: PUBLIC_URL)")
@click.option("--label", default=None, help="a note, e.g. the member's name or the car")
@with_appcontext
def device_add(device_id, team_code, county, host, label):
    """Register a phone for a team; print the URL to set in its app (shown once)."""
    try:
        new = parse(DeviceNew, {"device_id": device_id, "team_code": team_code,
                                **({"label": label} if label else {})})
        with db.transaction(_url()) as conn:
            row, token = devices.register(conn, _county(county), new, actor=None)
    except CountyMapError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"设备 {row['device_id']} 已登记到巡防队 {row['team_code']}（编号 {row['id']}）。")
    click.echo("在手机应用（Traccar Client 或 OsmAnd）的服务器地址中填写 (set as the server URL):")
    click.echo(devices.phone_url(public_base(host), token))


@device_cli.command("revoke")
@click.argument("device_id")
@click.option("--county", default=None, help="county code (default: COUNTY_CODE)")
@with_appcontext
def device_revoke(device_id, county):
    """Stop a phone's URL from working."""
    try:
        with db.transaction(_url()) as conn:
            row = devices.revoke_by_device_id(conn, _county(county), device_id, actor=None)
    except CountyMapError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"设备 {row['device_id']} 已停用 (revoked)。")


@device_cli.command("list")
@click.option("--county", default=None, help="county code (default: COUNTY_CODE)")
@with_appcontext
def device_list(county):
    """List the county's phones: id, team, state, last report."""
    with db.transaction(_url()) as conn:
        rows = devices.listing(conn, _county(county))
    if not rows:
        click.echo("没有登记的设备 (no devices)")
    for r in rows:
        state = f"已停用 {r['revoked_at'][:19]}" if r["revoked_at"] else "在用"
        seen = r["last_seen_at"][:19] if r["last_seen_at"] else "-"
        batt = f"{r['last_battery']:.0f}%" if r["last_battery"] is not None else "-"
        click.echo(f"#{r['id']}  {r['device_id']}  巡防队 {r['team_code']}  {state}  最后上报 {seen}  电量 {batt}"
                   f"  {r['label']}")


def init_app(app) -> None:
    app.cli.add_command(device_cli)
