"""Patrol phones (issue 15): list, register (the phone's URL answered once), revoke.
Commanders and admins only."""
from __future__ import annotations

from flask import jsonify

from web import context, params
from web.api import bp
from web.auth import actor, require_role
from web.osmand import public_base
from web.schemas.osmand import DeviceNew
from web.services import devices


@bp.route("/devices")
@require_role("commander")
def device_list():
    """The county's devices (the token is never shown again)."""
    return jsonify({"devices": devices.listing(context.conn(), context.code())})


@bp.route("/devices", methods=["POST"])
@require_role("commander")
def device_create():
    """Register a device {device_id, team_code, label}: 201 with the URL to set in its app."""
    who = actor()
    row, token = devices.register(context.conn(), context.code(), params.body(DeviceNew), who.name, who.address)
    return jsonify({"device": row, "url": devices.phone_url(public_base(), token)}), 201


@bp.route("/devices/<int:ident>/revoke", methods=["POST"])
@require_role("commander")
def device_revoke(ident):
    """Stop a device's URL from working."""
    who = actor()
    return jsonify({"device": devices.revoke(context.conn(), context.code(), ident, who.name, who.address)})
