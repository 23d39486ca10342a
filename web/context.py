"""What every adapter needs from the request's context, in one place: the county, the
connection, the signed-in user's name.

The county a request works on is the signed-in user's choice (``session['county']``, set
by ``POST /account/county``; ``?county=`` on /ogc and /tiles, see ``web.scope``), always
one of the user's counties (``scope()``); without a choice: the configured COUNTY_CODE
when the user may see it, else the first county of their scope.
"""
from __future__ import annotations

from flask import current_app, g, has_request_context, session
from flask_login import current_user

from layers import counties
from layers.db import get_conn as conn  # noqa: F401  (the request's connection)
from web.services import County


def _configured() -> str:
    return current_app.config["COUNTY_CODE"]


def scope() -> tuple[str, ...]:
    """The county codes the signed-in user may see (the configured county only for a user
    without a scope, and outside a signed-in request)."""
    if not has_request_context() or not current_user.is_authenticated:
        return (_configured(),)
    return tuple(getattr(current_user, "counties", None) or (_configured(),))


def code() -> str:
    """The administrative code of the county this request works on (always in scope)."""
    allowed = scope()
    if has_request_context():
        for chosen in (g.get("county_asked"), session.get("county")):
            if chosen in allowed:
                return chosen
    return _configured() if _configured() in allowed else allowed[0]


def names() -> dict[str, str]:
    """{code: name} of the user's counties, in scope order (kept for the request)."""
    if has_request_context() and "county_names" in g:
        return g.county_names
    found = counties.names(conn(), scope())
    cfg = current_app.config
    if cfg["COUNTY_CODE"] in found and found[cfg["COUNTY_CODE"]] == cfg["COUNTY_CODE"]:
        found[cfg["COUNTY_CODE"]] = cfg["COUNTY_NAME"]  # the configured county's name by default
    if has_request_context():
        g.county_names = found
    return found


def county() -> County:
    """The county this request works on: code, name, PLAN_YEAR."""
    year = current_app.config.get("PLAN_YEAR")
    here = code()
    return County(here, names().get(here, here), int(year) if year else None)


def user_name() -> str:
    return current_user.name
