"""The administrator's page: users and roles, and where to manage the county's data."""
from __future__ import annotations

from flask import Blueprint, render_template

from layers.users import list_users
from web import context
from web.auth import ROLE_LABELS, require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@require_role()  # admins only
def index():
    """Show the users and their roles, and the links an administrator needs."""
    return render_template("admin/index.html", users=list_users(context.conn()), roles=ROLE_LABELS)
