"""Opinion calls' pages (民意调查; issue 16, items 1 and 6): the fast entry form with today's
count against the required 50, the week's call plan (page, CSV, XLSX) and the anonymised
export (CSV, XLSX).

Planners and admins enter calls; leaders read the plan and export (without free text).
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user

from geo.calendar import today
from geo.survey import QUESTION_KINDS, monday_of, parse_week, week_of
from layers import survey as store
from web import context, params
from web.auth import require_role
from web.pages.home import download
from web.schemas.survey import Period, WeekQuery
from web.services import survey, survey_plan
from web.services.exports import XLSX
from web.services.search import initials

bp = Blueprint("survey", __name__, url_prefix="/survey")
CSV = "text/csv; charset=utf-8"
PLAN_ROLES = ("planner", "leader")


def _picker(conn, county: str) -> list[dict]:
    """The villages for the picker: code, name, township, pinyin initials."""
    return [{"c": v["code"], "n": v["name"], "t": v["township_name"] or "", "p": " ".join(initials(v["name"]))}
            for v in store.villages(conn, county)]





@bp.route("/")
@require_role("planner")
def index():
    """The fast entry form: village, two 1–5 button groups, the questions, free text, phone."""
    conn, county, day = context.conn(), context.code(), today()
    check = survey.daily(conn, county, day)
    recent = survey.calls(conn, county, day, day + timedelta(days=1), None, current_user.role)[:10]
    return render_template("survey/index.html", check=check, villages=_picker(conn, county),
                           questions=store.questions(conn, county), kinds=QUESTION_KINDS, recent=recent,
                           week=week_of(day))


def _plan():
    q = params.query(WeekQuery)
    monday = parse_week(q.week) if q.week else monday_of(today())
    return survey_plan.plan(context.conn(), context.code(), monday)


@bp.route("/plan")
@require_role(*PLAN_ROLES)
def plan_page():
    """The week's calls per township (by population) and the suggested calls per village."""
    p = _plan()
    prev = week_of(parse_week(p["week"]) - timedelta(days=7))
    nxt = week_of(parse_week(p["week"]) + timedelta(days=7))
    return render_template("survey/plan.html", p=p, prev=prev, next=nxt)


@bp.route("/plan.csv")
@require_role(*PLAN_ROLES)
def plan_csv():
    """The week's suggested calls per village as CSV."""
    p = _plan()
    return download(survey_plan.csv_text(survey_plan.PLAN_HEAD, survey_plan.plan_table(p)), CSV,
                    f"survey-plan-{p['week']}.csv")


@bp.route("/plan.xlsx")
@require_role(*PLAN_ROLES)
def plan_xlsx():
    """The week's suggested calls per village as XLSX."""
    p = _plan()
    caption = f"{context.county().name}民意调查拨打计划（{p['week']}：{p['start']} 至 {p['end']}，共 {p['total']} 个）"
    body = survey_plan.xlsx("拨打计划", caption, survey_plan.PLAN_HEAD, survey_plan.plan_table(p))
    return download(body, XLSX, f"survey-plan-{p['week']}.xlsx")


def _export():
    q = params.query(Period)
    start, end = q.days(today(), default_days=31)
    with_text = current_user.role in survey.TEXT_ROLES
    head, rows = survey_plan.export_table(context.conn(), context.code(), start, end, q.township, with_text)
    return start, end, head, rows


@bp.route("/export.csv")
@require_role(*PLAN_ROLES)
def export_csv():
    """The calls of [from, to) anonymised (dates only; free text for planners and admins) as CSV."""
    start, end, head, rows = _export()
    return download(survey_plan.csv_text(head, rows), CSV, f"survey-{start.isoformat()}-{end.isoformat()}.csv")


@bp.route("/export.xlsx")
@require_role(*PLAN_ROLES)
def export_xlsx():
    """The calls of [from, to) anonymised as XLSX."""
    start, end, head, rows = _export()
    caption = survey_plan.caption(context.county(), "民意调查（匿名）", start, end)
    return download(survey_plan.xlsx("民意调查", caption, head, rows), XLSX,
                    f"survey-{start.isoformat()}-{end.isoformat()}.xlsx")
