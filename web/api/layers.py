"""Layers and users."""
from __future__ import annotations

from flask import jsonify

from layers.catalog import LAYERS
from layers.store import count_rows
from layers.users import create_user, list_users
from web import context, params
from web.api import bp
from web.auth import require_role


@bp.route("/layers")
def layer_list():
    """List the layers with their Chinese titles and row counts."""
    conn, county = context.conn(), context.code()
    return jsonify([{"name": name, "title": layer.title, "count": count_rows(conn, layer, county)}
                    for name, layer in LAYERS.items()])


@bp.route("/users", methods=["GET"])
@require_role()  # admins only
def user_list():
    """List users and their roles (admins only)."""
    return jsonify(list_users(context.conn()))


@bp.route("/users", methods=["POST"])
@require_role()  # admins only
def user_add():
    """Create a user from JSON {name, password, role} (admins only)."""
    body = params.json_body()
    name, role = params.text(body, "name"), params.text(body, "role")
    create_user(context.conn(), name, params.text(body, "password"), role)
    return jsonify({"name": name, "role": role}), 201
