"""Patrol phones for the commander (issue 15): the devices page (list, register — the
phone's URL shown once —, revoke; commanders and admins only) and the live map's feed
``/commander/live.json`` polled by ``static/commander_live.js``. Routes on commander's blueprint."""
from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, url_for

from geo.calendar import now
from layers.errors import Conflict
from web import context, params
from web.auth import actor, require_role
from web.maps.patrol import team_colors
from web.osmand import public_base
from web.pages.commander import bp
from web.pages.common import attempt, refusal
from web.schemas.osmand import DeviceNew, LiveQuery
from web.services import devices
from web.services import patrol

LIVE_DEFAULTS = {"LIVE_POLL_S": 10, "PATROL_SILENT_MINUTES": 15}


def live_settings() -> dict:
    cfg = current_app.config
    return {key.lower(): float(cfg.get(key, value)) for key, value in LIVE_DEFAULTS.items()}


def _page(added: dict | None = None, url: str | None = None, status: int = 200):
    conn, county = context.conn(), context.code()
    teams = patrol.records.teams(conn, county)[["code", "name"]].values.tolist()
    return render_template("commander/devices.html", rows=devices.listing(conn, county), teams=teams,
                           added=added, url=url, example=f"{public_base().rstrip('/')}/osmand/…"), status


@bp.route("/devices")
@require_role("commander")
def devices_page():
    """The county's patrol phones, a form to register one, a button to revoke one."""
    return _page()


@bp.route("/devices", methods=["POST"])
@require_role("commander")
def device_add():
    """Register a phone; the page shows the URL to set in its app, this once."""
    new = params.form(DeviceNew)
    who = actor()
    found, refused = attempt(devices.register, context.conn(), context.code(), new, who.name, who.address)
    if refused:
        flash(refusal("登记", refused))
        return _page(status=409 if isinstance(refused, Conflict) else 400)
    row, token = found
    return _page(row, devices.phone_url(public_base(), token))


@bp.route("/devices/<int:ident>/revoke", methods=["POST"])
@require_role("commander")
def device_revoke(ident):
    """Stop a phone's URL from working."""
    who = actor()
    row = devices.revoke(context.conn(), context.code(), ident, who.name, who.address)
    flash(f"设备 {row['device_id']} 已停用")
    return redirect(url_for(".devices_page"))


@bp.route("/live.json")
def live_feed():
    """Teams' latest positions (age, battery, silent), trails and events, for the live map;
    ``since`` (the previous answer's ``as_of``) gives only the trail points received since."""
    ask = params.query(LiveQuery)
    settings = live_settings()
    conn, county = context.conn(), context.code()
    doc = devices.live_view(conn, county, now(), settings["patrol_silent_minutes"], ask.since)
    colors = team_colors(patrol.records.teams(conn, county)["code"])  # as the page's map colours them
    teams = [{**t, "color": colors.get(t["code"])} for t in doc["teams"]]
    return jsonify({**doc, "teams": teams, "poll_s": settings["live_poll_s"]})
