"""Grids and 一村（格）一警一法律顾问 (issue 16, item 5): staffing, and the posts held.

Planners and admins set posts; commanders and leaders read; patrol members nothing.
"""
from __future__ import annotations

from flask import jsonify

from web import context, params
from web.api import bp
from web.auth import require_role
from web.schemas.grids import StaffFilter, StaffPost
from web.services import grids

READERS = ("planner", "commander", "leader")
WRITERS = ("planner",)


@bp.route("/grids/staffing", methods=["GET"])
@require_role(*READERS)
def grid_staffing():
    """Staffing per village (met/short, what is missing), per township and county-wide."""
    return jsonify(grids.staffing(context.conn(), context.code()))


@bp.route("/grids/staff", methods=["GET"])
@require_role(*READERS)
def grid_staff():
    """The posts held (?village=CODE for one village)."""
    f = params.query(StaffFilter)
    rows = grids.posts(context.conn(), context.code(), f.village)
    return jsonify({"staff": rows, "count": len(rows)})


@bp.route("/grids/staff", methods=["PUT"])
@require_role(*WRITERS)
def grid_staff_set():
    """Set a post (village or grid, role, name; no name empties it): who and when kept."""
    values = params.body_or_form(StaffPost)
    done = grids.set_post(context.conn(), context.code(), values, context.user_name())
    return jsonify(done)
