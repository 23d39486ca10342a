"""Sign-in: a form for browsers, HTTP Basic for API clients; roles."""
from __future__ import annotations

import base64
import functools

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from layers import users
from layers.db import get_conn

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
OPEN_ENDPOINTS = {"auth.login", "static", "vendor"}
ROLE_LABELS = {"commander": "巡防指挥", "planner": "规划", "leader": "县领导", "admin": "管理员"}


class User(UserMixin):
    def __init__(self, row):
        self.id, self.name, self.role = row

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class LoginForm(FlaskForm):
    name = StringField("用户名", validators=[DataRequired(message="请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码")])


@login_manager.user_loader
def _load_user(user_id):
    row = users.get_user(get_conn(), int(user_id))
    return User(row) if row else None


@login_manager.request_loader
def _load_from_basic(req):
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        name, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    row = users.check_password(get_conn(), name, password)
    return User(row) if row else None


def _is_api() -> bool:
    return request.path.startswith(("/api", "/ogc"))


@login_manager.unauthorized_handler
def _unauthorized():
    if _is_api() or request.headers.get("Authorization"):
        resp = jsonify({"error": "unauthorized", "message": "需要登录（HTTP Basic 或登录表单）"})
        resp.status_code = 401
        resp.headers["WWW-Authenticate"] = 'Basic realm="county map", charset="UTF-8"'
        return resp
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_app(app) -> None:
    login_manager.init_app(app)
    csrf.init_app(app)

    @app.before_request
    def _require_login():
        if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None and request.path.startswith("/static"):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and "Authorization" not in request.headers:
            csrf.protect()  # browser sessions carry a CSRF token; Basic clients carry none
        return None


def may(*roles) -> bool:
    """Whether the signed-in user has one of ``roles`` (admins may do everything)."""
    return current_user.role == "admin" or current_user.role in roles


def require_role(*roles):
    """Refuse (403) users whose role is not in ``roles``; admins may do everything."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not may(*roles):
                abort(403, description=f"角色“{current_user.role_label}”无权执行此操作")
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        row = users.check_password(get_conn(), form.name.data, form.password.data)
        if row:
            login_user(User(row))
            return redirect(_safe_next(request.args.get("next")))
        flash("用户名或密码错误")
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form,
                           county=current_app.config["COUNTY_NAME"]), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out."""
    logout_user()
    return redirect(url_for("auth.login"))
