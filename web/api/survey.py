"""Opinion calls (民意调查; issue 16, items 1 and 6): record and list calls, the day's count
against the required 50, the week's plan, the county's questions and settings.

Planners and admins record calls and see free text; commanders and leaders read the list
without it; no answer carries a phone hash. Admins edit the questions and settings.
"""
from __future__ import annotations

from flask import current_app, jsonify
from flask_login import current_user

from data.importer.phones import phone_key
from geo.calendar import today
from geo.survey import monday_of, parse_week
from layers import survey as store
from web import context, params
from web.api import bp
from web.auth import require_role
from web.schemas.survey import DayQuery, NewCall, Period, Question, Settings, WeekQuery
from web.services import survey, survey_plan

READERS = ("planner", "commander", "leader")


def key() -> bytes:
    """The phone-hashing key of this installation."""
    return phone_key(current_app.config["VAR_DIR"])


@bp.route("/survey/daily", methods=["GET"])
@require_role(*READERS)
def survey_daily():
    """The day's calls against the required count (?date=YYYY-MM-DD, default today)."""
    q = params.query(DayQuery)
    return jsonify(survey.daily(context.conn(), context.code(), q.date or today()))


@bp.route("/survey/calls", methods=["POST"])
@require_role("planner")
def survey_call_create():
    """Record one call (JSON); the phone number is hashed at once; a repeat this quarter warns."""
    call = params.body(NewCall)
    made = survey.record_call(context.conn(), context.code(), call, context.user_name(), key())
    return jsonify(made), 201


@bp.route("/survey/calls", methods=["GET"])
@require_role(*READERS)
def survey_call_list():
    """Calls of [from, to) (default the last 7 days), ?township=; free text for planners only."""
    q = params.query(Period)
    start, end = q.days(today())
    rows = survey.calls(context.conn(), context.code(), start, end, q.township, current_user.role)
    return jsonify({"from": start.isoformat(), "to": end.isoformat(), "calls": rows, "count": len(rows)})


@bp.route("/survey/plan", methods=["GET"])
@require_role("planner", "leader")
def survey_plan_get():
    """The week's calls per township and the suggested calls per village (?week=2026-W49)."""
    q = params.query(WeekQuery)
    monday = parse_week(q.week) if q.week else monday_of(today())
    return jsonify(survey_plan.plan(context.conn(), context.code(), monday))


@bp.route("/survey/questions", methods=["GET"])
@require_role("planner")
def survey_questions():
    """The county's questions (all, with whether each is asked now)."""
    rows = store.questions(context.conn(), context.code(), active_only=False)
    return jsonify({"questions": [{**r, "updated_at": r["updated_at"].isoformat()} for r in rows]})


@bp.route("/survey/questions", methods=["POST"])
@require_role("admin")
def survey_question_save():
    """Add or change one question (by key)."""
    q = params.body(Question)
    store.save_question(context.conn(), context.code(), q.model_dump(), context.user_name())
    return jsonify(q.model_dump()), 201


@bp.route("/survey/settings", methods=["POST"])
@require_role("admin")
def survey_settings_save():
    """Set the calls required a day."""
    s = params.body(Settings)
    store.set_required_daily(context.conn(), context.code(), s.required_daily, context.user_name())
    return jsonify({"required_daily": s.required_daily})
