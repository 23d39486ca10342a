"""Which counties a signed-in user sees (issue 14, item 5).

A user's scope (``users.counties``, set with ``flask user create --counties`` or ``flask
user scope``) lists the county codes they may see; without one, the configured county
only. Every page, API, OGC and tile answer is built for one county, ``web.context.code()``:
the user's choice, switched with the header's selector (``POST /account/county``, kept in
the session), or, on /ogc and /tiles, ``?county=CODE`` for that request. A county outside
the scope is refused with 403 naming it, and nothing changes.
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, g, redirect, request, session
from flask_login import current_user

from layers.counties import CODE
from layers.errors import InvalidInput
from web import context, params
from web.auth import safe_next
from web.schemas.scope import CountyChoice

LOGGER = logging.getLogger(__name__)
bp = Blueprint("scope", __name__)
ASKED_ON = ("/ogc", "/tiles")


def _refuse(code: str):
    abort(403, description=f"无权查看县 '{code[:20]}'（可查看：{', '.join(context.scope())}）")


def _asked_county():
    """``?county=CODE`` on /ogc and /tiles: this request's county (403 outside the scope)."""
    if "county" not in request.args or not request.path.startswith(ASKED_ON):
        return None
    if not current_user.is_authenticated:
        return None
    asked = request.args.get("county", "")
    if not CODE.fullmatch(asked):
        raise InvalidInput(f"参数 county 的值 '{asked[:20]}' 无效：应为 6 位县级行政区划代码", "county")
    if asked not in context.scope():
        _refuse(asked)
    g.county_asked = asked
    return None


@bp.route("/account/county", methods=["POST"])
def switch():
    """Work on another of one's counties from now on (kept in the session)."""
    choice = params.form(CountyChoice)
    if choice.county not in context.scope():
        _refuse(choice.county)
    session["county"] = choice.county
    return redirect(safe_next(choice.next))


def _header() -> dict:
    """What the templates need: the county's name, and the user's counties for the selector."""
    plain = {"county_name": current_app.config["COUNTY_NAME"], "county_choices": {}, "county_code": None}
    if not current_user.is_authenticated:
        return plain
    try:
        here, choices = context.county(), context.names()
    except Exception:  # an error page must still render when the database is away
        LOGGER.exception("county names not read")
        return plain
    return {"county_name": here.name, "county_code": here.code,
            "county_choices": choices if len(choices) > 1 else {}}


def _keep_county(endpoint: str, values: dict) -> None:
    """The OGC API's links keep the ``?county=`` they were asked with (QGIS follows them)."""
    asked = g.get("county_asked")
    if asked and endpoint and endpoint.startswith("ogc."):
        values.setdefault("county", asked)


def init_app(app) -> None:
    """Register the route, the ``?county=`` check (after sign-in's) and the template values."""
    app.register_blueprint(bp)
    app.before_request(_asked_county)
    app.url_defaults(_keep_county)
    app.context_processor(_header)
