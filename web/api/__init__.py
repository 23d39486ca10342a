"""The JSON API under /api (API.md): one blueprint, one module per capability.

Each route parses its request (``web.params``, ``web.inputs``), calls one service and
answers JSON; refusals are typed errors that ``web.errors`` answers.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

# the modules put their routes on bp
from web.api import (  # noqa: E402,F401
    cameras, categories, checkins, cockpit, coverage, devices, disputes, grids, hotspots, imports, layers, lists,
    patrol, problems, rankings, remediation, school_calendar, search, survey, uploads, users)
