"""JSON API under /api (API.md)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from layers.catalog import LAYERS
from layers.db import get_conn
from layers.store import count_rows
from layers.users import create_user, list_users
from web.auth import require_role

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.route("/layers")
def layer_list():
    """List the layers with their Chinese titles and row counts."""
    conn = get_conn()
    county = current_app.config["COUNTY_CODE"]
    return jsonify([{"name": name, "title": layer.title,
                     "count": count_rows(conn, layer, county)} for name, layer in LAYERS.items()])


@bp.route("/users", methods=["GET"])
@require_role()  # admins only
def user_list():
    """List users and their roles (admins only)."""
    return jsonify(list_users(get_conn()))


@bp.route("/users", methods=["POST"])
@require_role()  # admins only
def user_add():
    """Create a user from JSON {name, password, role} (admins only)."""
    body = request.get_json(silent=True) or {}
    try:
        create_user(get_conn(), str(body.get("name", "")), str(body.get("password", "")),
                    str(body.get("role", "")))
    except ValueError as err:
        return jsonify({"error": "bad_request", "message": str(err)}), 400
    return jsonify({"name": body["name"], "role": body["role"]}), 201
