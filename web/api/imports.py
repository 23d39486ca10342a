"""The import history and the undo of a layer's last import (issue 13, item 4; admins)."""
from __future__ import annotations

from flask import jsonify

from web import context, params
from web.api import bp
from web.auth import actor, require_role
from web.schemas import parse
from web.schemas.imports import ImportId, ImportsQuery
from web.services import imports


@bp.route("/imports", methods=["GET"])
@require_role()  # admins only
def import_list():
    """Every import and undo, newest first: who, when, file and SHA-256, layer, rows added /
    updated / removed, warnings, and whether it may be undone now (?layer=, ?limit=, ?before=)."""
    ask = params.query(ImportsQuery)
    return jsonify(imports.listing(context.conn(), context.code(), layer=ask.layer, limit=ask.limit,
                                   before_id=ask.before))


@bp.route("/imports/<import_id>/undo", methods=["POST"])
@require_role()  # admins only
def import_undo(import_id):
    """Undo a layer's last import: the layer is back exactly as before it; the undo's own
    history entry is returned (409 when the import is not its layer's last one not undone)."""
    ask = parse(ImportId, {"id": import_id})
    return jsonify(imports.undo(context.conn(), context.code(), ask.id, actor())), 201
