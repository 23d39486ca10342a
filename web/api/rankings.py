"""Township rankings (issue 16, item 3): a period's ranking (published, else a preview marked
provisional while the period runs), a township's history, publishing (admins), the settings
(admins). Every signed-in role but patrol members reads.
"""
from __future__ import annotations

from flask import jsonify

from geo.calendar import today
from geo.rankings import last_ended
from web import context, params
from web.api import bp
from web.auth import require_role
from web.schemas import parse
from web.schemas.rankings import HistoryQuery, PeriodOnly, Publish, RankingConfig, RankingQuery
from web.services import rankings

READERS = ("leader", "planner", "commander")


def asked_period(ask: RankingQuery) -> str:
    """The asked period, else the latest ended period of the configured kind."""
    return ask.period or last_ended(today(), rankings.config(context.conn(), context.code())["period_kind"])


@bp.route("/rankings", methods=["GET"])
@require_role(*READERS)
def ranking_get():
    """The period's ranking (?period=2026Q4 or 2026-11): published, or a preview."""
    period = asked_period(params.query(RankingQuery))
    return jsonify(rankings.ranking(context.conn(), context.code(), period, today()))


@bp.route("/rankings/history", methods=["GET"])
@require_role(*READERS)
def ranking_history():
    """A township's published periods (?township=CODE)."""
    ask = params.query(HistoryQuery)
    return jsonify(rankings.history(context.conn(), context.code(), ask.township))


@bp.route("/rankings/<period>/publish", methods=["POST"])
@require_role()  # admins only
def ranking_publish(period):
    """Publish an ended period (replace=true to publish it again; the old rows are kept)."""
    asked = parse(PeriodOnly, {"period": period})
    ask = params.body_or_form(Publish)
    doc = rankings.publish(context.conn(), context.code(), asked.period, context.user_name(), today(), ask.replace)
    return jsonify(doc), 201


@bp.route("/rankings/config", methods=["GET"])
@require_role()  # admins only
def ranking_config_get():
    """The settings in force (period kind, weights, bottom places, who saved them when)."""
    return jsonify(rankings.config(context.conn(), context.code()))


@bp.route("/rankings/config", methods=["PUT"])
@require_role()  # admins only
def ranking_config_put():
    """Save new settings (the old ones are kept)."""
    values = params.body(RankingConfig)
    return jsonify(rankings.save_config(context.conn(), context.code(), values, context.user_name()))
