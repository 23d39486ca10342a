"""Patrol phones report positions here over the OsmAnd protocol (issue 15, item 1), as
Traccar Client (Android, iOS), OsmAnd's online tracking and OsmAnd-protocol gateways send
them. No session, no CSRF, no user password: a phone is known by its device's secret token.

* ``/osmand/<token>``: the URL ``flask device add`` prints; GET query parameters, a form
  POST or Traccar Client 9's JSON body (``web.schemas.osmand``).
* ``/track/osmand?id=…``: the classic setting, where the app's device identifier is what
  identifies it. The identifier must be the device's token (set 设备标识 to the token), or,
  with OSMAND_CLASSIC_IDS=1, a registered device id (weaker: anyone who knows the id may
  report for it).

Answers 200 with an empty body when the fixes are stored (Traccar's server does the same);
400 naming the field for bad input, 401 for an unknown token or device, 403 for a revoked
one, 429 past OSMAND_LIMIT per device; a refusal stores nothing. Fixes less accurate than
OSMAND_MAX_ACCURACY_M (default 100 m) are kept, flagged, and make no visit or event.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request
from limits import parse as parse_limit
from werkzeug.exceptions import HTTPException

from geo.calendar import now
from layers import devices as records
from layers.db import write_conn
from layers.errors import Busy, CountyMapError, InvalidInput
from web.errors import STATUS
from web.schemas.osmand import fixes_from_json, fixes_from_query
from web.security import flag, throttle
from web.services import devices

bp = Blueprint("osmand", __name__)
DEFAULTS = {"OSMAND_LIMIT": "600 per minute", "OSMAND_MAX_ACCURACY_M": 100.0, "OSMAND_MAX_BODY": 256 * 1024,
            "OSMAND_CLASSIC_IDS": False}


class UnknownDevice(CountyMapError):
    """401: no device has this token (or id)."""


class RevokedDevice(CountyMapError):
    """403: the device was revoked."""


def _config(name):
    return current_app.config.get(name, DEFAULTS[name])


def public_base() -> str:
    """Where phones reach this server: PUBLIC_URL, else the address the page was asked at."""
    return current_app.config.get("PUBLIC_URL") or request.host_url


def _body() -> dict:
    data = request.get_data(cache=True)
    limit = int(_config("OSMAND_MAX_BODY"))
    if len(data) > limit:
        raise InvalidInput(f"请求体过大（{len(data):,} 字节，最多 {limit:,} 字节）", "body")
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        raise InvalidInput("请求体不是有效的 JSON", "body") from None
    if not isinstance(body, dict):
        raise InvalidInput("请求体应为 JSON 对象（{\"location\": …, \"device_id\": …}）", "body")
    return body


def _fixes():
    """(the device id sent, the fixes) from whatever the phone sent."""
    if (request.content_length or 0) > int(_config("OSMAND_MAX_BODY")):
        raise InvalidInput(f"请求体过大（最多 {int(_config('OSMAND_MAX_BODY')):,} 字节）", "body")
    if request.method == "POST" and request.mimetype == "application/json":
        return fixes_from_json(_body())
    values = {k: v for k, v in request.args.items() if v != ""}
    values.update({k: v for k, v in request.form.items() if v != ""})
    return fixes_from_query(values, now())


def _allowed(device: records.Device | None) -> records.Device:
    if device is None:
        raise UnknownDevice("未登记的设备：请在“巡防设备”页登记，并在手机应用中填写登记时给出的地址")
    if device.revoked:
        raise RevokedDevice("设备已停用")
    strategy = throttle().strategy
    if strategy is not None and not strategy.hit(parse_limit(_config("OSMAND_LIMIT")), "osmand", str(device.id)):
        raise Busy("设备上报过于频繁", retry_after=60)
    return device


def _store(device: records.Device, fixes) -> Response:
    devices.take_fixes(write_conn(), device, fixes, float(_config("OSMAND_MAX_ACCURACY_M")))
    return Response(b"", 200, mimetype="text/plain")


@bp.route("/osmand/<token>", methods=["GET", "POST"])
def by_token(token):
    """Fixes from the device whose token is in the path."""
    device = _allowed(records.by_token(write_conn(), records.hash_token(token[:200])))
    _sent_id, fixes = _fixes()
    return _store(device, fixes)


@bp.route("/track/osmand", methods=["GET", "POST"])
def classic():
    """Fixes from the device named by ``id``/``deviceid`` (its token; or its registered id
    with OSMAND_CLASSIC_IDS)."""
    sent_id, fixes = _fixes()
    if not sent_id:
        raise InvalidInput("缺少 id（设备标识）", "id")
    conn = write_conn()
    device = records.by_token(conn, records.hash_token(sent_id))
    if device is None and flag(_config("OSMAND_CLASSIC_IDS")):
        device = records.by_device_id(conn, sent_id)
    return _store(_allowed(device), fixes)


@bp.errorhandler(CountyMapError)
@bp.errorhandler(HTTPException)
def _plain(err):
    """Refusals as short plain text: the phone's app logs them, nobody renders a page."""
    if isinstance(err, HTTPException):
        status, text = err.code or 500, err.description or err.name
    else:
        status = {UnknownDevice: 401, RevokedDevice: 403}.get(type(err)) or next(
            (code for kind, code in STATUS.items() if isinstance(err, kind)), 500)
        text = str(err)
        if isinstance(err, InvalidInput) and getattr(err, "field", None):
            text = f"{text} (field: {err.field})"
    response = Response(text + "\n", status, mimetype="text/plain")
    retry = getattr(err, "retry_after", None)
    if retry:
        response.headers["Retry-After"] = str(retry)
    return response


def init_app(app) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(bp)
