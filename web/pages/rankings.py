"""Township ranking pages (issue 16, item 3): the leader's table of a period (rank, score,
each input, bottom places, flags, consecutive counts; a period switcher; each township's
history with a sparkline; XLSX), and the admin's settings and publishing.

Every signed-in role but patrol members reads /rankings/; only admins change
settings or publish.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from geo.calendar import today
from geo.rankings import KIND_LABELS
from layers.errors import Conflict, InvalidInput
from web import context, params
from web.api.rankings import READERS, asked_period
from web.auth import require_role
from web.pages.common import attempt
from web.pages.home import download
from web.schemas import parse
from web.schemas.rankings import Publish, RankingConfig, RankingQuery
from web.services import exports, rankings
from web.services.exports import _append, _bytes, _workbook
from web.services.ranking_inputs import INPUTS

bp = Blueprint("rankings", __name__)


def _period_or_error() -> tuple[str | None, str | None]:
    """The asked (or default) period, or (None, the refusal) for the page to explain."""
    try:
        return asked_period(params.query(RankingQuery)), None
    except InvalidInput as err:
        return None, str(err)


@bp.route("/rankings/")
@require_role(*READERS)
def leader():
    """Show a period's ranking with flags, the period switcher and every township's history."""
    conn, county, day = context.conn(), context.code(), today()
    cfg = rankings.config(conn, county)
    period, refused = _period_or_error()
    doc = None
    if period is not None:
        doc, err = attempt(rankings.ranking, conn, county, period, day)
        refused = str(err) if err is not None else None
    return render_template("rankings/leader.html", doc=doc, refused=refused, cfg=cfg, kind_labels=KIND_LABELS,
                           recent=rankings.recent_periods(cfg["period_kind"], day),
                           published=rankings.periods(conn, county),
                           history=rankings.township_histories(conn, county, doc["kind"] if doc else cfg["period_kind"])), \
        400 if refused else 200


@bp.route("/rankings/export.xlsx")
@require_role(*READERS)
def leader_xlsx():
    """Download the period's ranking as XLSX."""
    period = asked_period(params.query(RankingQuery))
    doc = rankings.ranking(context.conn(), context.code(), period, today())
    state = "已发布" if doc["published"] else ("预览，期间未结束" if doc["provisional"] else "预览，未发布")
    rows = rankings.table_rows(doc)
    wb = _workbook("乡镇排名", f"{context.county().name}乡镇排名 {period}（{doc['from']} 至 {doc['to']}，不含）{state}",
                   rows[0], rows[1:])
    hist = wb.create_sheet("历次排名")
    h = rankings.township_histories(context.conn(), context.code(), doc["kind"], last=100)
    _append(hist, ["乡镇编码", "乡镇", *h["periods"]])
    for t in h["townships"]:
        _append(hist, [t["code"], t["name"], *[(f"{c['rank']}" + (f" {c['flag']}" if c["flag"] else "")) if c else ""
                                               for c in t["cells"]]])
    return download(_bytes(wb), exports.XLSX, f"rankings-{period}.xlsx")


def _admin_page(status: int = 200, form: dict | None = None):
    conn, county = context.conn(), context.code()
    cfg = rankings.config(conn, county)
    return render_template("rankings/admin.html", cfg=cfg, inputs=INPUTS, kind_labels=KIND_LABELS,
                           history=rankings.config_history(conn, county), form=form or {},
                           recent=rankings.recent_periods(cfg["period_kind"], today())[1:],
                           published=rankings.periods(conn, county)), status


@bp.route("/rankings/settings")
@require_role()  # admins only
def admin():
    """Show the ranking settings (weights, bottom places, period kind) and the publishing form."""
    return _admin_page()


def _config_form() -> dict:
    data = request.form
    return {"period_kind": data.get("period_kind", ""), "bottom_places": data.get("bottom_places", ""),
            "weights": {k[len("weight_"):]: v for k, v in data.items() if k.startswith("weight_")}}


@bp.route("/rankings/settings", methods=["POST"])
@require_role()  # admins only
def admin_save():
    """Save the settings from the form (the old ones are kept)."""
    raw = _config_form()
    try:
        values = parse(RankingConfig, raw, {}, "字段 ")
    except InvalidInput as err:
        flash(f"未保存：{err}")
        return _admin_page(400, raw)
    _, err = attempt(rankings.save_config, context.conn(), context.code(), values, context.user_name())
    if err is not None:
        flash(f"未保存：{err}")
        return _admin_page(400, raw)
    flash("排名设置已保存")
    return redirect(url_for(".admin"))


@bp.route("/rankings/publish", methods=["POST"])
@require_role()  # admins only
def admin_publish():
    """Publish a period from the form; a refusal is explained and nothing is written."""
    try:
        period = asked_period(params.form(RankingQuery))
        ask = params.form(Publish)
    except InvalidInput as err:
        flash(f"未发布：{err}")
        return _admin_page(400)
    done, err = attempt(rankings.publish, context.conn(), context.code(), period, context.user_name(), today(),
                        ask.replace)
    if err is not None:
        flash(f"未发布：{err}")
        return _admin_page(409 if isinstance(err, Conflict) else 400)
    flash(f"已发布 {period}" + ("（替换原发布，原结果保留备查）" if done["replaced"] else ""))
    return redirect(url_for(".leader", period=period))
