"""OGC API - Features, Part 1 Core (read), under /ogc."""
from __future__ import annotations

from flask import Blueprint, jsonify, url_for

bp = Blueprint("ogc", __name__, url_prefix="/ogc")


@bp.route("/")
def landing():
    """Show the landing page."""
    return jsonify({"title": "placeholder", "links": [{"href": url_for("ogc.landing", _external=True), "rel": "self"}]})
