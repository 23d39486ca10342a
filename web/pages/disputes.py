"""The dispute-screening page (矛盾纠纷排查, issue 16 item 4): each level's cadence with the
missing slots in red, the 民转刑 / dispute-homicide figures against their targets, a form
to record a screening and the period's screenings (removable by their author or an admin
on the day they were recorded).

Planners and admins record; commanders and leaders read; patrol members may not open it.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from geo import disputes as rules
from geo.calendar import today
from layers import disputes as store
from layers.errors import InvalidInput
from web import context, params
from web.auth import may, require_role
from web.pages.common import attempt
from web.schemas import parse
from web.schemas.disputes import NewScreening, PeriodQuery, ScreeningFilter
from web.services import disputes

bp = Blueprint("disputes", __name__, url_prefix="/disputes")
READERS = ("planner", "commander", "leader")


def _page(period: str | None = None, form: dict | None = None, status: int = 200):
    conn, county, day = context.conn(), context.code(), today()
    period = period or f"{day.year}-{day.month:02d}"
    doc = disputes.cadence(conn, county, period, day)
    start, end = rules.period_dates(period)
    shown = disputes.listing(conn, county, ScreeningFilter.model_validate({"from": start, "to": end}), day)
    return render_template("planner/disputes.html", c=doc, yoy=disputes.year_on_year(conn, county, day),
                           screenings=shown, units=store.units(conn, county), form=form or {},
                           may_record=may("planner"), me=context.user_name(), is_admin=may("admin"),
                           today=day.isoformat(), status_labels=rules.STATUS_LABELS), status


@bp.route("/")
@require_role(*READERS)
def index():
    """Each level's screening cadence over ?period= (month or quarter), the targets, the form."""
    return _page(params.query(PeriodQuery).period)


def _form_values() -> dict:
    """The form's fields; its one 'unit' select (level|code) split into level and unit_code."""
    data = {k: v for k, v in request.form.to_dict().items() if v != ""}
    level, _, code = data.pop("unit", "").partition("|")
    return {**data, "level": level or data.get("level", ""), "unit_code": code or data.get("unit_code", "")}


@bp.route("/screenings", methods=["POST"])
@require_role("planner")
def record():
    """Record a screening from the form; a refusal is explained and nothing is written."""
    data = _form_values()
    try:
        values = parse(NewScreening, data, {}, "字段 ")
    except InvalidInput as err:
        flash(f"未保存：{err}")
        return _page(form=request.form.to_dict(), status=400)
    made, err = attempt(disputes.record, context.conn(), context.code(), values, context.user_name(), today())
    if err is not None:
        flash(f"未保存：{err}")
        return _page(form=request.form.to_dict(), status=400)
    flash(f"已记录：{values.screened_on.isoformat()} 排查纠纷 {values.disputes_found} 件，化解 {values.resolved} 件")
    return redirect(url_for(".index", period=f"{values.screened_on.year}-{values.screened_on.month:02d}"))


@bp.route("/screenings/<int:screening_id>/delete", methods=["POST"])
@require_role("planner")
def delete(screening_id):
    """Remove a screening (kept, marked deleted): its author or an admin, on the day it was recorded."""
    conn, county, user = context.conn(), context.code(), context.user_name()
    refused = disputes.removal_refused(conn, county, screening_id, user, may("admin"), today())
    if refused:
        abort(403, description=refused)
    disputes.remove(conn, county, screening_id, user)
    flash("已删除该排查记录（删除记录保留备查）")
    return redirect(url_for(".index"))
