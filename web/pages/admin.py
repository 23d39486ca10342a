"""The administrator's pages: users (create, role, disable or enable, reset a password), the
incident category mapping, the county's village video rule, and the audit log, with its CSV
export. Refusals are typed errors answered by ``web.errors``."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for

from layers.audit import ACTIONS
from layers.patrol import teams as patrol_teams
from layers.users import list_users
from web import context, params
from web.auth import ROLE_LABELS, actor, require_role
from web.schemas.categories import CategoryFocus
from web.schemas.coverage import VideoRuleInput
from web.schemas.users import AuditPage, CountiesForm, NewPassword, NewUser, RoleForm, StateForm
from web.services import accounts, categories, coverage

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_EXPORT_MAX = 100_000


@bp.route("/")
@require_role()  # admins only
def index():
    """Show the users, their roles and states, the forms to change them, and useful links."""
    teams = patrol_teams(context.conn(), context.code())
    return render_template("admin/index.html", users=list_users(context.conn()), roles=ROLE_LABELS,
                           rule=coverage.rule_document(context.conn(), context.code()),
                           teams=list(zip(teams["code"], teams["name"])))  # for a patrol member's team


@bp.route("/users", methods=["POST"])
@require_role()
def user_add():
    """Create a user from the form."""
    new = params.form(NewUser)
    user = accounts.create(context.conn(), actor(), new.name, new.password, new.role, new.team_code, context.code())
    flash(f"已新建用户 {user['name']}（{ROLE_LABELS[user['role']]}"
          + (f"，巡防队 {user['team_code']}）" if user.get("team_code") else "）"))
    return redirect(url_for(".index"))


@bp.route("/users/<name>/role", methods=["POST"])
@require_role()
def user_role(name):
    """Change a user's role."""
    form = params.form(RoleForm)
    user = accounts.change(context.conn(), actor(), name, role=form.role, team_code=form.team_code, county=context.code())
    flash(f"{user['name']} 的角色已改为{ROLE_LABELS[user['role']]}")
    return redirect(url_for(".index"))


@bp.route("/users/<name>/disabled", methods=["POST"])
@require_role()
def user_disabled(name):
    """Disable a user (their sessions end at once) or enable them again."""
    user = accounts.change(context.conn(), actor(), name, disabled=params.form(StateForm).disabled)
    flash(f"已{'停用' if user['disabled'] else '启用'} {user['name']}")
    return redirect(url_for(".index"))


@bp.route("/users/<name>/counties", methods=["POST"])
@require_role()
def user_counties(name):
    """Set the counties a user may see (blank: the configured county only)."""
    user = accounts.set_counties(context.conn(), actor(), name, params.form(CountiesForm).counties)
    flash(f"{user['name']} 可查看的县：{'、'.join(user['counties'] or ['本县（配置）'])}")
    return redirect(url_for(".index"))


@bp.route("/users/<name>/password", methods=["POST"])
@require_role()
def user_password(name):
    """Reset a user's password; their sessions end."""
    user = accounts.reset_password(context.conn(), actor(), name, params.form(NewPassword).password)
    flash(f"已重置 {user['name']} 的密码，其 {user['sessions_revoked']} 个登录已失效")
    return redirect(url_for(".index"))


@bp.route("/categories")
@require_role()
def category_list():
    """Show every incident category with its focus group, source and incidents, each changeable."""
    return render_template("admin/categories.html", **categories.listing(context.conn(), context.code()))


@bp.route("/categories", methods=["POST"])
@require_role()
def category_set():
    """Map a category (as written) to a focus group; its incidents follow at once."""
    ask = params.form(CategoryFocus)
    done = categories.set_focus(context.conn(), context.code(), actor(), ask.category, ask.focus)
    flash(f"已将类别“{done['category']}”对应到“{categories.FOCUS_LABELS[done['focus']]}”，"
          f"{done['incidents']} 起警情随之改变")
    return redirect(url_for(".category_list"))


@bp.route("/video-rule", methods=["POST"])
@require_role()
def video_rule():
    """Set the county's village video rule (R2 视频覆盖) from the form; audit-logged."""
    who = actor()
    rule = coverage.set_video_rule(context.conn(), context.code(), params.form(VideoRuleInput).model_dump(),
                                   who.name, who.address)
    flash(f"已修改村视频覆盖规则：{rule['video_covered']}")
    return redirect(url_for(".index") + "#video-rule")


@bp.route("/audit")
@require_role()
def audit():
    """Show the audit log, newest first, a page at a time."""
    page = params.query(AuditPage)
    entries = accounts.audit_entries(context.conn(), page.limit, page.before, page.action)
    return render_template("admin/audit.html", entries=entries, rows=accounts.audit_rows(entries),
                           head=accounts.AUDIT_HEAD, actions=ACTIONS, action=page.action,
                           older=entries[-1]["id"] if len(entries) == page.limit else None)


@bp.route("/audit.csv")
@require_role()
def audit_csv():
    """The audit log (up to 100,000 entries, newest first) as CSV."""
    page = params.query(AuditPage)
    text = accounts.audit_csv(accounts.audit_entries(context.conn(), AUDIT_EXPORT_MAX, page.before, page.action))
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})


from web.pages import admin_imports  # noqa: E402,F401  (the import page's routes on bp)
from web.pages import admin_calendar  # noqa: E402,F401  (the school calendar page on bp)
