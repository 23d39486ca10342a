"""The planner's pages: the map, the remediation ledger and forms, the quarterly hotspot list."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from geo.calendar import now, today
from layers import remediation as records
from layers.catalog import VALUE_LABELS
from layers.db import reads_only
from layers.errors import Conflict, CriteriaNotMet, InvalidInput
from web import context, params
from web.auth import may, require_role
from web.pages.common import attempt
from web.schemas.remediation import AsOf, Change, Revert
from web.services import planner_home as home
from web.services import remediation as rem
from web.services.coverage import rule_document

bp = reads_only(Blueprint("planner", __name__, url_prefix="/planner"))  # its GETs may read a replica (layers.db)


@bp.route("/")
def index():
    """The planner's first screen: the quarter's list and quota, remediation against the
    plan with the villages most at risk, what others changed since the last visit."""
    h = home.home(context.conn(), context.county(), context.user_name(), today(), now())
    return render_template("planner/home.html", h=h, labels=VALUE_LABELS, status_labels=rem.STATUS_LABELS)


@bp.route("/map")
def map_page():
    """The planner's map is the one map page with the planner's preset."""
    return redirect(url_for("home.map_page", preset="planner"), code=301)


# --- remediation ledger and forms -----------------------------------------------------------

@bp.route("/remediation")
def remediation():
    """List remote villages with their status on a day (default today), the day's figures
    and the exceptions, for planners to open and change."""
    conn, county, as_of = context.conn(), context.county(), params.query(AsOf).as_of or today()
    return render_template("planner/remediation.html", rows=rem.village_rows(conn, county.code, as_of),
                           report=rem.progress_report(conn, county, as_of), labels=rem.STATUS_LABELS,
                           as_of=as_of, can_edit=may("planner"))


def _edit_page(code: str, status: int = 200, form=None):
    conn, county = context.conn(), context.code()
    return render_template("planner/remediation_edit.html", v=rem.village_row(conn, county, code, today()),
                           rule=rule_document(conn, county),
                           history=records.history(conn, county, code), labels=rem.STATUS_LABELS,
                           today=today(), can_edit=may("planner"), form=form), status


@bp.route("/remediation/<code>", methods=["GET"])
def remediation_edit(code):
    """Show a remote village's remediation form and its history."""
    return _edit_page(code)


@bp.route("/remediation/<code>", methods=["POST"])
@require_role("planner")
def remediation_save(code):
    """Record a change from the form; a stale form is refused, not saved over."""
    try:
        change = params.form(Change)
    except InvalidInput as err:
        flash(f"未保存：{err}")
        return _edit_page(code, 400, request.form)
    _, err = attempt(rem.record_change, context.conn(), context.code(), code, change, context.user_name(), today())
    if isinstance(err, Conflict):
        flash("该村的整治记录已被他人修改，您的修改未保存。请查看最新记录后重新填写。")
        return _edit_page(code, 409, request.form)
    if isinstance(err, CriteriaNotMet):
        flash(f"未保存：{err}")
        return _edit_page(code, 422, request.form)
    if err is not None:
        flash(f"未保存：{err}")
        return _edit_page(code, 400, request.form)
    flash("已保存")
    return redirect(url_for(".remediation_edit", code=code))


@bp.route("/remediation/<code>/revert/<int:event_id>", methods=["POST"])
@require_role("planner")
def remediation_revert(code, event_id):
    """Undo one change from the history list."""
    _, err = attempt(records.revert, context.conn(), context.code(), event_id, context.user_name(),
                     params.form(Revert).version)
    if isinstance(err, Conflict):
        flash("该村的整治记录已被他人修改，未撤销。请查看最新记录。")
    elif err is not None:
        flash(f"未撤销：{err}")
    else:
        flash(f"已撤销记录 {event_id}（原记录仍保留在历史中）")
    return redirect(url_for(".remediation_edit", code=code))


from web.pages import planner_hotspots  # noqa: E402,F401  (the quarterly list's routes on bp)
