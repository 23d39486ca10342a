"""The header's search box: villages, townships, cameras, hotspots, schools, patrol teams
and roads by code, name or pinyin initials (every signed-in role)."""
from __future__ import annotations

from flask import jsonify, request, url_for

from layers.errors import InvalidInput
from layers.search import TABLES, searchable
from web import context, params
from web.api import bp
from web.auth import may
from web.cache import built
from web.schemas.search import SearchQuery
from web.services import search

REMOTE_LABEL = "偏远村"


def _link(hit: dict) -> str | None:
    """The page that shows ``hit``, when there is one this user may open; else None (the
    box then shows the hit on a map)."""
    kind = hit["kind"]
    if kind == "camera":
        return url_for("commander.camera", code=hit["code"])
    if kind == "village" and hit["extra"] == "remote" and may("planner"):
        return url_for("planner.remediation_edit", code=hit["code"])
    if kind == "hotspot":
        return url_for("leader.hotspots", quarter=hit["extra"])
    if kind == "team":
        return url_for("commander.patrol_page")
    return None


def _detail(hit: dict) -> str:
    if hit["kind"] == "hotspot":
        return hit["extra"] or ""
    return REMOTE_LABEL if hit["kind"] == "village" and hit["extra"] == "remote" else ""


def _answer(hit: dict) -> dict:
    point = hit["point"]
    return {"kind": hit["kind"], "kind_label": hit["kind_label"], "code": hit["code"], "name": hit["name"],
            "township": hit["township"], "detail": _detail(hit),
            "point": None if point is None else {"lon": round(point[0], 6), "lat": round(point[1], 6)},
            "bbox": None if hit["bbox"] is None else [round(v, 6) for v in hit["bbox"]], "url": _link(hit)}


@bp.route("/search")
def search_all():
    """A JSON list of at most ``limit`` (≤ 20) things matching ``q``, best first (see
    web.services.search); [] when nothing matches."""
    for name in ("q", "limit"):
        if len(request.args.getlist(name)) > 1:
            raise InvalidInput(f"参数 {name} 只能给出一次", name)
    q = params.query(SearchQuery)
    conn, county = context.conn(), context.code()
    index = built(("search.index",), lambda: search.build(searchable(conn, county)), heavy=False,
                  per_role=False, tables=TABLES)
    return jsonify([_answer(h) for h in search.find(index, q.q, q.limit)])
