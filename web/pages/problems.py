"""The 四单制 problem list's pages (issue 16, item 2): the list with filters and a map, a
problem with its steps and the buttons of the steps the user may take, a form to list one.

Planners and admins may do everything, commanders list problems from a check-in or an
incident and record the handling, leaders read; patrol members may not open them.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from geo import problems as machine
from geo.calendar import today
from layers import problems as store
from layers.errors import Conflict, InvalidInput
from web import context, params
from web.auth import may, require_role
from web.maps.shell import figure_parts, fit_bounds, page_map
from web.pages.common import attempt, townships
from web.schemas.problems import NewProblem, ProblemFilter, Step
from web.services import problems

bp = Blueprint("problems", __name__, url_prefix="/problems")
READERS = ("planner", "commander", "leader")
COMMANDER_SOURCES = ("checkin", "incident")


def _map() -> dict:
    outlines = townships()
    m = page_map(current_app.config, outlines)
    bounds = fit_bounds(outlines)
    if bounds:
        m.fit_bounds(bounds)
    return {**figure_parts(m), "name": m.get_name()}


@bp.route("/")
@require_role(*READERS)
def index():
    """The problems with filters (state, township, department, overdue), overdue in red, and a map."""
    conn, county, day = context.conn(), context.code(), today()
    filters = params.query(ProblemFilter)
    rows = problems.listing(conn, county, filters, day)
    geo_url = url_for("api.problem_list", **{**params.request_args(), "format": "geojson"})
    stats = problems.stats(conn, county, date(day.year, 1, 1), day + timedelta(days=1), day)
    return render_template("problems/list.html", rows=rows, f=filters, map=_map(), geo_url=geo_url, stats=stats,
                           states=machine.LABELS, towns=store.township_names(conn, county),
                           departments=store.departments(conn, county), may_create=may("planner", "commander"))


def _form_page(values: dict, status: int = 200):
    return render_template("problems/new.html", v=values, categories=machine.CATEGORIES,
                           sources=machine.SOURCES if may("planner") else
                           {k: machine.SOURCES[k] for k in COMMANDER_SOURCES}), status


@bp.route("/new", methods=["GET"])
@require_role("planner", "commander")
def new():
    """The form to list a problem (?source=checkin&source_ref=ID from a check-in, or an incident)."""
    return _form_page(params.request_args())


@bp.route("/new", methods=["POST"])
@require_role("planner", "commander")
def create():
    """List a problem from the form and show it."""
    try:
        values = params.form(NewProblem)
    except InvalidInput as err:
        flash(f"未保存：{err}")
        return _form_page(request.form.to_dict(), 400)
    if not may("planner") and values.source not in COMMANDER_SOURCES:
        abort(403, description="巡防指挥只能从巡防打卡或警情列出问题")
    made, err = attempt(problems.create, context.conn(), context.code(), values, context.user_name())
    if err is not None:
        flash(f"未保存：{err}")
        return _form_page(request.form.to_dict(), 400)
    flash(f"已列单：{made['code']}")
    return redirect(url_for(".detail", problem_id=made["id"]))


def _detail_page(problem_id: int, status: int = 200):
    p = problems.detail(context.conn(), context.code(), problem_id, current_user.role, today())
    return render_template("problems/detail.html", p=p, today=today()), status


@bp.route("/<int:problem_id>")
@require_role(*READERS)
def detail(problem_id):
    """A problem, its every step (who, when, note), and the buttons of the next steps."""
    return _detail_page(problem_id)


@bp.route("/<int:problem_id>/steps", methods=["POST"])
@require_role("planner", "commander")
def step(problem_id):
    """Take a step from the problem's page; a refusal is explained and nothing is written."""
    try:
        taken = params.form(Step)
    except InvalidInput as err:
        flash(f"未保存：{err}")
        return _detail_page(problem_id, 400)
    if machine.allowed(taken.expected, taken.to) and not machine.may_take(current_user.role, taken.expected, taken.to):
        abort(403, description=f"角色“{current_user.role_label}”不能执行“{machine.label(taken.to)}”")
    done, err = attempt(problems.transition, context.conn(), context.code(), problem_id, taken,
                        context.user_name(), today())
    if err is not None:
        flash(f"未保存：{err}")
        return _detail_page(problem_id, 409 if isinstance(err, Conflict) else 400)
    flash(f"已转为“{done['state_label']}”")
    return redirect(url_for(".detail", problem_id=problem_id))
