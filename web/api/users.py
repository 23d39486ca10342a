"""Users and the audit log (admins only): the JSON side of the admin page."""
from __future__ import annotations

from flask import jsonify

from layers.errors import InvalidInput
from layers.users import list_users
from web import context, params
from web.api import bp
from web.auth import actor, require_role
from web.schemas.users import AuditPage, NewPassword, NewUser, UserChange
from web.services import accounts


@bp.route("/users", methods=["GET"])
@require_role()  # admins only
def user_list():
    """List users: name, role, disabled, created, last sign-in (admins only)."""
    return jsonify(list_users(context.conn()))


@bp.route("/users", methods=["POST"])
@require_role()
def user_add():
    """Create a user from JSON {name, password, role, team_code (role patrol)} (admins only)."""
    new = params.body(NewUser)
    return jsonify(accounts.create(context.conn(), actor(), new.name, new.password, new.role, new.team_code,
                                   context.code())), 201


@bp.route("/users/<name>", methods=["GET"])
@require_role()
def user_get(name):
    """One user's name, role and state (admins only)."""
    return jsonify(accounts.user(context.conn(), name))


@bp.route("/users/<name>", methods=["PATCH"])
@require_role()
def user_change(name):
    """Change a user's role and/or disable or enable them: JSON {role?, team_code?, disabled?} (admins only)."""
    change = params.body(UserChange)
    if change.role is None and change.disabled is None:
        raise InvalidInput("请给出 role 或 disabled", "body")
    return jsonify(accounts.change(context.conn(), actor(), name, role=change.role, disabled=change.disabled,
                                   team_code=change.team_code, county=context.code()))


@bp.route("/users/<name>/password", methods=["POST"])
@require_role()
def user_password(name):
    """Reset a user's password from JSON {password}; their sessions end (admins only)."""
    return jsonify(accounts.reset_password(context.conn(), actor(), name, params.body(NewPassword).password))


@bp.route("/audit", methods=["GET"])
@require_role()
def audit_log():
    """The audit log, newest first: ?limit=1..1000, ?before=<id> for the next page, ?action= (admins only)."""
    page = params.query(AuditPage)
    return jsonify(accounts.audit_entries(context.conn(), page.limit, page.before, page.action))
