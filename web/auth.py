"""Sign-in: a form for browsers, HTTP Basic for API clients; sessions kept on the server; roles.

A signed-in browser's cookie holds a session token (``layers.sessions``): signing out,
a new password and disabling the user end it on the server, so a copied cookie stops
working. Failed sign-ins are throttled per account and per address (``web.security``) and
recorded in the audit log. Every state-changing request needs the CSRF token, except a
JSON request authenticated by HTTP Basic (a browser cannot send one across sites).
"""
from __future__ import annotations

import base64
import functools
import logging
import unicodedata
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request,
                   session, url_for)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from layers import audit, db, sessions, users
from layers.db import get_conn
from layers.errors import Busy, InvalidInput
from web import params
from web.errors import error_response
from web.schemas.users import OwnPassword
from web.security import throttle
from web.services import accounts

LOGGER = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
OPEN_ENDPOINTS = {"auth.login", "static", "vendor", "home.favicon"}
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
ROLE_LABELS = {"commander": "巡防指挥", "planner": "规划", "leader": "县领导", "admin": "管理员", "patrol": "巡防队员"}
# All a patrol member may open (issue 15, item 5): every other route, today's and any added
# later, answers 403 to them (pages, /api, /ogc, /tiles, exports).
PATROL_ENDPOINTS = {"patrol.me", "patrol.me_data", "patrol.checkin", "patrol.photo", "home.index",
                    "auth.logout", "auth.change_password"}
BASIC_CHALLENGE = 'Basic realm="county map", charset="UTF-8"'


class User(UserMixin):
    """The signed-in user; ``token`` is the server-side session's (None under HTTP Basic)."""

    def __init__(self, account: users.Account, token: str | None = None):
        self.id, self.name, self.role = account.id, account.name, account.role
        self.counties = account.counties  # the user's scope (None: the configured county only)
        self.team_code = account.team_code  # a patrol member's team
        self.token = token

    def get_id(self):
        return self.token

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class LoginForm(FlaskForm):
    name = StringField("用户名", validators=[DataRequired(message="请输入用户名"),
                                          Length(max=users.MAX_NAME_LENGTH, message="用户名不能超过 64 个字符")])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码")])


@login_manager.user_loader
def _load_from_session(token):
    account = sessions.session_account(get_conn(), token, writer=db.write_conn)  # a replica's for a read
    if account is None and db.on_replica():  # opened a moment ago and not yet replayed there?
        account = sessions.session_account(db.write_conn(), token)
    if account is None:
        return None
    g.auth_via = "session"
    return User(account, token)


def _basic_credentials(req) -> tuple[str, str] | None:
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        name, sep, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return (name, password) if sep else None


@login_manager.request_loader
def _load_from_basic(req):
    credentials = _basic_credentials(req)
    account = _attempt(*credentials, via="basic") if credentials else None
    if account is None:
        return None
    g.auth_via = "basic"
    return User(account)


def _shown(name) -> str:
    """A typed name as the audit log shows it: no control characters, at most 64 characters."""
    text = "".join(c for c in unicodedata.normalize("NFKC", str(name)) if unicodedata.category(c)[0] != "C")
    return text.strip()[:users.MAX_NAME_LENGTH]


def _record_apart(action: str, **fields) -> None:
    """An audit entry in its own transaction: the refused request's own is rolled back."""
    url = current_app.config.get("RESOLVED_DATABASE_URL")
    if not url:
        return
    try:
        with db.transaction(url) as conn:
            audit.record(conn, action, address=request.remote_addr, **fields)
    except Exception:  # the answer to the client must not depend on the log
        LOGGER.exception("audit entry %s not written", action)


def _attempt(name: str, password: str, via: str) -> users.Account | None:
    """The enabled account when the password is right; None otherwise (a failure counted
    and recorded), or when sign-in is throttled (``g.sign_in_wait`` then holds the seconds)."""
    address = request.remote_addr
    wait = throttle().wait(name, address)
    if wait:
        g.sign_in_wait = wait
        LOGGER.warning("sign-in throttled for %s from %s (%s), %d s left", _shown(name), address, via, wait)
        return None
    account = users.check_password(db.write_conn(), name, password)
    if account is not None and not account.disabled:
        return account
    used_up = throttle().failed(name, address)
    LOGGER.warning("sign-in failed for %s from %s (%s)%s", _shown(name), address, via,
                   ": limit reached" if used_up else "")
    _record_apart("sign_in_throttled" if used_up else "sign_in_failed", target=_shown(name), after={"via": via})
    return None


class SignInThrottled(Busy):
    """Too many failed sign-ins for this account or from this address: 429 with Retry-After."""


def _too_many() -> SignInThrottled:
    wait = g.sign_in_wait
    return SignInThrottled(f"登录失败次数过多，请 {max(1, round(wait / 60))} 分钟后再试。", retry_after=wait)


def _asked_for_basic() -> bool:
    """Whether a 401 should carry the Basic challenge: the client sent credentials, or it is
    not a browser (browsers send Sec-Fetch-* headers; GDAL and curl do not)."""
    return "Authorization" in request.headers or "Sec-Fetch-Mode" not in request.headers


@login_manager.unauthorized_handler
def _unauthorized():
    if g.get("sign_in_wait"):
        raise _too_many()
    if request.path.startswith(("/api", "/ogc", "/tiles")) or "Authorization" in request.headers:
        resp = make_response(error_response(401, "需要登录（HTTP Basic 或登录表单）"))
        if _asked_for_basic():
            resp.headers["WWW-Authenticate"] = BASIC_CHALLENGE
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
        if current_user.role == "patrol" and request.endpoint not in PATROL_ENDPOINTS:
            abort(403, description="巡防队员只能使用“我的巡逻”页面")
        basic_json = g.get("auth_via") == "basic" and request.is_json
        if request.method in STATE_CHANGING and app.config.get("WTF_CSRF_ENABLED", True) and not basic_json:
            csrf.protect()  # browser forms carry the token; only JSON with Basic credentials is exempt
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


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else the home page. Refused: a scheme or
    host, backslashes, control characters and spaces (browsers drop tabs and newlines, so
    '/\\t/evil' is '//evil'), and anything starting '//'."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    if "\\" in target or any(unicodedata.category(c)[0] in "CZ" for c in target):
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("home.index")
    return target


def _sign_in(account: users.Account, via: str) -> None:
    """Start a server-side session for this browser (ending the one it had)."""
    conn = get_conn()
    if session.get("_user_id"):
        sessions.revoke(conn, session["_user_id"])
    session.clear()
    login_user(User(account, sessions.open_session(conn, account.id, request.remote_addr)))
    audit.record(conn, "signed_in", actor=account.name, target=account.name, after={"via": via},
                 address=request.remote_addr)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in."""
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, 400 if form.is_submitted() else 200)
    account = _attempt(form.name.data, form.password.data, via="form")
    if account is None:
        if g.get("sign_in_wait"):
            raise _too_many()
        flash("用户名或密码错误")
        return _login_page(form, 401)
    _sign_in(account, via="form")
    return redirect(safe_next(request.args.get("next")))


def _login_page(form, status: int):
    return render_template("auth/login.html", form=form, county=current_app.config["COUNTY_NAME"]), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: this browser's session ends on the server too."""
    if g.get("auth_via") == "session":
        sessions.revoke(get_conn(), current_user.token)
        audit.record(get_conn(), "signed_out", actor=current_user.name, target=current_user.name,
                     address=request.remote_addr)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Change one's own password; every other session of the user ends."""
    if request.method == "GET":
        return render_template("auth/password.html")
    new = params.form(OwnPassword)
    account = _attempt(current_user.name, new.current, via="password_change")
    if account is None:
        if g.get("sign_in_wait"):
            raise _too_many()
        raise InvalidInput("当前密码不正确", "current")
    accounts.change_own_password(get_conn(), account, new.password, request.remote_addr)
    _sign_in(account, via="password_change")
    flash("密码已修改；其他设备上的登录已失效。")
    return redirect(url_for("home.index"))


def actor() -> accounts.Actor:
    """The signed-in user and their address, as the audit log records them."""
    return accounts.Actor(current_user.name, request.remote_addr)
