"""Incident categories as written and the R4 focus group each maps to (R4)."""
from __future__ import annotations

from flask import jsonify

from web import context, params
from web.api import bp
from web.auth import actor, require_role
from web.schemas.categories import CategoryFocus
from web.services import categories


@bp.route("/incident-categories", methods=["GET"])
def category_list():
    """The focus groups, and every category with its group, source and incident count."""
    return jsonify(categories.listing(context.conn(), context.code()))


@bp.route("/incident-categories", methods=["POST"])
@require_role()  # admins only
def category_set():
    """Map a category to a focus group from JSON {category, focus}; its incidents follow (admins only)."""
    ask = params.body(CategoryFocus)
    return jsonify(categories.set_focus(context.conn(), context.code(), actor(), ask.category, ask.focus))
