"""The JSON API under /api (API.md): one blueprint, one module per capability.

Each route parses its request (``web.params``, ``web.inputs``), calls one service and
answers JSON; refusals are typed errors that ``web.errors`` answers.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from web.api import categories, coverage, hotspots, layers, patrol, remediation, users  # noqa: E402,F401  (routes on bp)
