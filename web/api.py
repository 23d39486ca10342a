"""JSON API under /api (API.md)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from layers.catalog import LAYERS
from layers.db import get_conn
from layers.store import count_rows

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.route("/layers")
def layer_list():
    """List the layers with their Chinese titles and row counts."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    return jsonify([{"name": name, "title": layer.title,
                     "count": count_rows(conn, layer, county)} for name, layer in LAYERS.items()])
