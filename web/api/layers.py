"""Layers."""
from __future__ import annotations

from flask import jsonify

from layers.catalog import LAYERS
from layers.store import count_rows
from web import context
from web.api import bp


@bp.route("/layers")
def layer_list():
    """List the layers with their Chinese titles and row counts."""
    conn, county = context.conn(), context.code()
    return jsonify([{"name": name, "title": layer.title, "count": count_rows(conn, layer, county)}
                    for name, layer in LAYERS.items()])

