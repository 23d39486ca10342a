"""What every adapter needs from the request's context, in one place: the county, the
connection, the signed-in user's name."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user

from layers.db import get_conn as conn  # noqa: F401  (the request's connection)
from web.services import County


def county() -> County:
    """The county this app serves (config COUNTY_CODE, COUNTY_NAME, PLAN_YEAR)."""
    cfg = current_app.config
    year = cfg.get("PLAN_YEAR")
    return County(cfg["COUNTY_CODE"], cfg["COUNTY_NAME"], int(year) if year else None)


def code() -> str:
    """The county's administrative code."""
    return current_app.config["COUNTY_CODE"]


def user_name() -> str:
    return current_user.name
