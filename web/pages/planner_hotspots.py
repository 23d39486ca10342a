"""The planner's quarterly hotspot page (R3, R4, R10): analysis, candidates, the draft,
quota, last quarter's outcomes; every change through a form carrying the draft's revision."""
from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for

from geo.calendar import next_quarter, period_text, previous_quarter, today
from layers import hotspot_lists as lists
from layers import hotspots as hotspot_layer
from layers import places
from layers.catalog import HOTSPOT_COLORS, INCIDENT_FOCUS, LAYERS, VALUE_LABELS
from layers.frames import read_frame
from web import context, params
from web.analyses import LAST_QUARTER_TABLES, quarter_analysis, quarter_candidates
from web.auth import may, require_role
from web.cache import built
from web.maps import hotspots as hotspot_maps
from web.pages.common import attempt, refusal
from web.pages.planner import bp
from web.schemas.hotspots import (MAX_BUFFER_M, RADIUS_M, Analysis, DraftForm, ItemFields, OpenForm, QuarterOnly,
                                  StatusChange)
from web.services import hotspot_lists as hl
from web.services import quarter as qs
from web.services.hotspots import DENSITY_BANDWIDTH_M
from web.tiles import keep_page_layers

PAGE_ARGS = ("quarter", "category", "focus", "cell_m", "band_m")
SOURCE_LABELS = {"candidate": "候选", "drawn": "手绘", "picked": "选取", "point": "点选", "carried_over": "上季度延续",
                 "imported": "导入"}


def _page_args() -> dict:
    return {k: request.args[k] for k in PAGE_ARGS if request.args.get(k)}


def _towns():
    return read_frame(context.conn(), LAYERS["townships"], context.code(), ["code", "name"])


def _last(conn, county: str, period: str) -> list[dict]:
    return hotspot_layer.listed(conn, county, period)


def _map_parts(a: Analysis, analysed: dict) -> dict:
    """The page's folium map (Gi*, density, candidates, last quarter's hotspots), kept until
    the incidents, places or last quarter's hotspots change; the draft is drawn by the page's
    script from the panel (planner.js), so a change to the draft does not rebuild the map."""
    conn, county, config = context.conn(), context.code(), current_app.config

    def build():
        rows = qs.candidate_rows(analysed["candidates"], [], a.quarter)
        return keep_page_layers(hotspot_maps.planner_map(config, _towns(), analysed, rows,
                                                         _last(conn, county, analysed["period"])))
    return built(("planner.hotspots.map", a.model_dump_json()), build, tables=LAST_QUARTER_TABLES)


def _page_labels() -> dict:
    return dict(focus_groups=[(c, VALUE_LABELS.get(c, c)) for c in INCIDENT_FOCUS], labels=VALUE_LABELS,
                sources=SOURCE_LABELS, gi_labels=hotspot_maps.GI_LABELS, gi_colors=hotspot_maps.GI_COLORS,
                density_colors=hotspot_maps.DENSITY_COLORS, status_colors=HOTSPOT_COLORS,
                bandwidth=DENSITY_BANDWIDTH_M, place_layers=places.PICKABLE, radius=RADIUS_M,
                max_buffer=MAX_BUFFER_M, min_area=lists.MIN_AREA_M2, max_area=lists.MAX_AREA_M2)


@bp.route("/hotspots")
def hotspots():
    """Show the quarter's analysis, candidates, draft list, quota and last quarter's outcomes."""
    conn, county = context.conn(), context.code()
    if not request.args.get("quarter"):
        quarter = qs.default_quarter(conn, county, True, today())
        return redirect(url_for(".hotspots", **_page_args(), quarter=quarter))
    a, add = params.query(Analysis), params.query(OpenForm).add
    analysed = quarter_analysis(a)
    page = qs.page_context(conn, county, a, analysed)
    return render_template(
        "planner/hotspots.html", args=_page_args(), can_edit=may("planner"), q=a.quarter, add=add,
        basis=period_text(analysed["period"]), params=a.__dict__, map=_map_parts(a, analysed),
        prev_q=previous_quarter(a.quarter), next_q=next_quarter(a.quarter), **_page_labels(), **page)


@bp.route("/hotspots/panel")
def panel():
    """The parts of the page a change to the draft changes, for the page's script: the
    draft and quota sections (HTML), which candidates are on the list, the draft's items."""
    conn, county = context.conn(), context.code()
    a = params.query(Analysis)
    state = qs.panel_state(conn, county, a, quarter_candidates(a))
    common = dict(args=_page_args(), can_edit=may("planner"), q=a.quarter, params=a.__dict__, **_page_labels(),
                  **state)
    draft = state["panel"]["draft"]
    return jsonify({"draft_html": render_template("planner/_draft.html", **common),
                    "quota_html": render_template("planner/_quota.html", **common),
                    "on_list": state["on_list"], "draft": {"id": draft["id"], "revision": draft["revision"]}
                    if draft else None, "list_id": state["panel"]["list"]["id"] if state["panel"]["list"] else None,
                    "items": {"type": "FeatureCollection", "features": state["panel"]["entries"]}})


@bp.route("/hotspots/evaluation/<code>")
def evaluation(code):
    """Show a hotspot's before/after counts and WDQ (a fragment the page loads)."""
    return render_template("planner/_evaluation.html", e=hl.evaluate(context.conn(), context.code(), code))


def _back(anchor: str = ""):
    return redirect(url_for(".hotspots", **_page_args()) + (f"#{anchor}" if anchor else ""), 303)


def _form_state() -> DraftForm:
    return params.form(DraftForm)


def _form_item() -> dict:
    """name, level, unit, deadline from the form (None for an empty unit or deadline)."""
    fields = params.form(ItemFields)
    return {"name": (fields.name or "").strip(), "level": fields.level, "unit": fields.unit,
            "deadline": fields.deadline}


@bp.route("/hotspots/items", methods=["POST"])
@require_role("planner")
def add_candidate():
    """Put a ranked candidate on the quarter's draft."""
    a = params.query(Analysis)
    code, err = attempt(qs.add_candidate, context.conn(), context.code(), a, _form_state(), _form_item(),
                        context.user_name(), quarter_candidates(a))
    flash(refusal("加入清单", err) if err else f"已将第 {request.form.get('rank')} 名候选乱点加入清单（编码 {code}）")
    return _back("draft")


@bp.route("/hotspots/draft", methods=["POST"])
@require_role("planner")
def open_draft():
    """Open the quarter's draft (a copy of the published version, or last quarter's carried-over)."""
    quarter = params.query(QuarterOnly).quarter
    lst = lists.draft(context.conn(), context.code(), quarter, context.user_name())
    flash(f"已打开 {quarter} 第 {lst['version']} 版清单草稿")
    return _back("draft")


@bp.route("/hotspots/draft/discard", methods=["POST"])
@require_role("planner")
def discard_draft():
    """Throw the quarter's draft away (the published versions stay)."""
    state = _form_state()
    lst, err = attempt(lists.discard, context.conn(), context.code(), state.draft_id or 0, state.revision)
    flash(refusal("放弃草稿", err) if err else f"已放弃 {lst['quarter']} 第 {lst['version']} 版清单草稿")
    return _back("draft")


@bp.route("/hotspots/items/<code>", methods=["POST"])
@require_role("planner")
def update_item(code):
    """Change a draft item's name, level, unit or deadline."""
    state = _form_state()
    _, err = attempt(lists.update_item, context.conn(), context.code(), state.draft_id, code, _form_item(),
                     state.revision)
    flash(refusal("修改", err) if err else f"已修改 {code}")
    return _back("draft")


@bp.route("/hotspots/items/<code>/remove", methods=["POST"])
@require_role("planner")
def remove_item(code):
    """Take an item off the draft."""
    state = _form_state()
    _, err = attempt(lists.remove_item, context.conn(), context.code(), state.draft_id, code, state.revision)
    flash(refusal("移除", err) if err else f"已从清单移除 {code}")
    return _back("draft")


@bp.route("/hotspots/publish", methods=["POST"])
@require_role("planner")
def publish():
    """Publish the draft; refused, naming the shortfall, when it is short of the quota."""
    state = _form_state()
    lst, err = attempt(lists.publish, context.conn(), context.code(), state.draft_id, context.user_name(),
                       state.revision)
    flash(refusal("发布", err) if err else
          f"已发布 {lst['quarter']} 第 {lst['version']} 版乱点清单（{lst['published_by']}，"
          f"{lst['published_at'][:16].replace('T', ' ')}）")
    return _back("quota")


@bp.route("/hotspots/status/<code>", methods=["POST"])
@require_role("planner")
def set_status(code):
    """Move last quarter's hotspot to remediating, delisted or carried over (with its evaluation)."""
    ask = params.form(StatusChange)
    status = ask.status
    done, err = attempt(hl.change_status, context.conn(), context.code(), code, status, context.user_name(),
                        ask.note)
    if err:
        flash(refusal("状态变更", err))
    else:
        ev = done["evaluation"]
        flash(f"已将 {code} 改为“{VALUE_LABELS.get(status, status)}”" + (
            f"；整治前 {ev['R_before']} 起，整治后 {ev['R_after']} 起，{ev['wdq_text'].split(' (')[0]}" if ev else ""))
    return _back("outcomes")
