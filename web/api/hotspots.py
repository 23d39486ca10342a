"""Quarterly hotspots (R3, R4, R10): analysis, lists, lifecycle."""
from __future__ import annotations

from flask import jsonify

from layers import hotspot_lists as lists
from layers.errors import InvalidInput
from web import context, params
from web.analyses import quarter_candidates
from web.api import bp
from web.auth import require_role
from web.cache import kept
from web.schemas.hotspots import (
    Analysis,
    CandidateBatch,
    Density,
    Evaluation,
    GridQuery,
    ItemFields,
    NewItem,
    PlaceQuery,
    QuarterOnly,
    Revision,
    StatusChange,
)
from web.services import hotspot_lists as hl
from web.services import hotspots
from web.services import quarter as qs


@bp.route("/hotspots/grid")
@kept
def hotspot_grid():
    """Incident counts on a square grid with Getis-Ord Gi* (z, p, FDR class), as GeoJSON."""
    every = params.query(GridQuery).all == "1"
    return jsonify(hotspots.grid_document(context.conn(), context.code(), params.query(Analysis), every_cell=every))


@bp.route("/hotspots/density")
@kept
def hotspot_density():
    """Kernel density (quartic kernel) of the quarter's incidents per km² on the same grid."""
    a, bandwidth = params.query(Analysis), params.query(Density).bandwidth_m
    return jsonify(hotspots.density_document(context.conn(), context.code(), a, bandwidth))


@bp.route("/hotspots/candidates")
@kept
def hotspot_candidates():
    """Candidate hotspots for the quarter, best first, with PAI, trend and driving categories."""
    return jsonify(hotspots.candidates_document(context.conn(), context.code(), params.query(Analysis)))


@bp.route("/hotspots/quota")
def hotspot_quota():
    """The quarter's list against R3: ≥ 10 county-level, ≥ 5 township-level per township."""
    return jsonify(hl.quota_document(context.conn(), context.code(), params.query(QuarterOnly).quarter))


@bp.route("/hotspots/lists")
def hotspot_versions():
    """Every version of the quarter's list, newest first."""
    return jsonify(lists.versions(context.conn(), context.code(), params.query(QuarterOnly).quarter))


@bp.route("/hotspots/lists", methods=["POST"])
@require_role("planner")
def hotspot_draft():
    """Open the quarter's draft (created from the newest published version) (planners)."""
    quarter = params.body(QuarterOnly, defaults=params.request_args()).quarter
    return jsonify(lists.draft(context.conn(), context.code(), quarter, context.user_name())), 201


@bp.route("/hotspots/lists/<int:list_id>")
def hotspot_list(list_id):
    """One version of a list with its items and its quota check."""
    return jsonify(hl.list_document(context.conn(), context.code(), list_id))


@bp.route("/hotspots/lists/<int:list_id>", methods=["DELETE"])
@require_role("planner")
def hotspot_discard(list_id):
    """Throw a draft away, its items with it (planners); published versions never go."""
    lst = lists.discard(context.conn(), context.code(), list_id, params.body(Revision).revision)
    return jsonify({"discarded": lst["id"], "quarter": lst["quarter"], "version": lst["version"]})


@bp.route("/hotspots/lists/<int:list_id>/items", methods=["POST"])
@require_role("planner")
def hotspot_add(list_id):
    """Put an area on a draft: a drawn polygon, a point and radius, or a picked village,
    school or road section with a buffer (planners)."""
    new = params.body(NewItem)
    conn, county = context.conn(), context.code()
    code = lists.add_item(conn, county, list_id, hl.new_item(conn, county, new), new.revision)
    return jsonify({"code": code, "revision": lists.get_list(conn, county, list_id)["revision"]}), 201


@bp.route("/hotspots/lists/<int:list_id>/candidates", methods=["POST"])
@require_role("planner")
def hotspot_add_candidates(list_id):
    """Put several ranked candidates of the analysis the query names on a draft, in one
    change (planners)."""
    a, batch = params.query(Analysis), params.body(CandidateBatch)
    conn, county = context.conn(), context.code()
    lst = lists.editable(conn, county, list_id, batch.revision)
    if lst["quarter"] != a.quarter:
        raise InvalidInput(f"清单 {list_id} 属于 {lst['quarter']}，不是 {a.quarter}", "quarter")
    picks = [p.model_dump(exclude_none=True) for p in batch.candidates]
    items = qs.candidate_items(quarter_candidates(a), picks, lists.items(conn, list_id), a.quarter)
    codes = lists.add_items(conn, county, list_id, items, batch.revision, field="candidates")
    return jsonify({"codes": codes, "revision": lists.get_list(conn, county, list_id)["revision"]}), 201


@bp.route("/hotspots/place")
@require_role("planner")
def hotspot_place():
    """The village at, or the school or road nearest to, a clicked point, with the area a
    hotspot made of it would have (planners pick places on the map)."""
    ask = params.query(PlaceQuery)
    conn, county = context.conn(), context.code()
    return jsonify(hl.place_preview(conn, county, ask))


@bp.route("/hotspots/lists/<int:list_id>/items/<code>", methods=["PATCH"])
@require_role("planner")
def hotspot_update(list_id, code):
    """Change a draft item's name, level, township, unit or deadline (planners)."""
    fields = params.body(ItemFields)
    lists.update_item(context.conn(), context.code(), list_id, code, fields.changes(), fields.revision)
    return jsonify({"code": code})


@bp.route("/hotspots/lists/<int:list_id>/items/<code>", methods=["DELETE"])
@require_role("planner")
def hotspot_remove(list_id, code):
    """Take an item off a draft (planners)."""
    lists.remove_item(context.conn(), context.code(), list_id, code, params.body(Revision).revision)
    return jsonify({"removed": code})


@bp.route("/hotspots/lists/<int:list_id>/publish", methods=["POST"])
@require_role("planner")
def hotspot_publish(list_id):
    """Publish a draft; refused, naming the shortfall, when it is short of the quota (planners)."""
    revision = params.body(Revision).revision
    return jsonify(lists.publish(context.conn(), context.code(), list_id, context.user_name(), revision))


@bp.route("/hotspots/<code>/evaluation")
def hotspot_evaluation(code):
    """Incidents inside before and after listing, and the WDQ over a ring around it."""
    return jsonify(hl.evaluate(context.conn(), context.code(), code, params.query(Evaluation).buffer_m))


@bp.route("/hotspots/<code>/status", methods=["POST"])
@require_role("planner")
def hotspot_status(code):
    """Move a hotspot along listed → remediating → delisted / carried over (planners)."""
    change = params.body_or_form(StatusChange)
    return jsonify(hl.change_status(context.conn(), context.code(), code, change.status, context.user_name(),
                                    change.note)), 201


@bp.route("/hotspots/<code>/history")
def hotspot_history(code):
    """A hotspot's status changes with their evaluations, newest first."""
    return jsonify(hl.status_history(context.conn(), context.code(), code))


@bp.route("/hotspots/r10")
def hotspot_r10():
    """R10 flags of the quarter: townships with hotspots listed two or three quarters running."""
    quarter = params.query(QuarterOnly).quarter
    return jsonify({"quarter": quarter, "townships": hl.r10_flags(context.conn(), context.code(), quarter)})


@bp.route("/hotspots/listed")
def hotspot_listed():
    """The quarter's hotspots in force, with status, as GeoJSON."""
    quarter = params.query(QuarterOnly).quarter
    return jsonify({"type": "FeatureCollection", "features": hl.listed(context.conn(), context.code(), quarter)})
