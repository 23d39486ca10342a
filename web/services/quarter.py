"""The planner's quarter (R3, R4, R10): what the quarterly hotspot page shows, and its changes.

A quarter's list is drawn from the incidents of the quarter before it (the analysis
period), compared with the quarter before that: the list for 2026Q4 is picked from
2026Q3's incidents against 2026Q2's. Every change names the draft and the revision the
planner saw, so a stale form is refused, not applied.
"""
from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import shape

from geo.calendar import next_quarter, previous_quarter, quarter_end, quarter_of
from geo.rules import COUNTY_REQUIRED
from layers import hotspot_lists as lists
from layers import hotspots as hotspot_layer
from layers.catalog import VALUE_LABELS
from layers.errors import Conflict, InvalidInput
from layers.frames import incidents_in_quarter
from web.schemas.hotspots import Analysis, DraftForm
from web.services import budget
from web.services import hotspot_lists as hl
from web.services.hotspots import DENSITY_BANDWIDTH_M, candidates, density

TREND_LABELS = {"up": "上升", "down": "下降", "stable": "持平"}
STATUS_ACTIONS = {"remediating": "开始整治", "delisted": "摘牌", "carried_over": "延续整治"}


def default_quarter(conn, county_code: str, coming: bool, today: date) -> str:
    """The quarter after the latest one with hotspots (coming) or that one; else today's."""
    latest = hotspot_layer.latest_quarter(conn, county_code)
    if latest is None:
        return quarter_of(today)
    return next_quarter(latest) if coming else latest


def analysis(conn, county_code: str, a: Analysis) -> dict:
    """Gi* grid, density and ranked candidates of the quarter before ``a.quarter``."""
    period = previous_quarter(a.quarter)
    basis = a.of(period)
    budget.kde_pairs(conn, county_code, period, a.which, a.cell_m, DENSITY_BANDWIDTH_M)
    cands, grid = candidates(conn, county_code, basis)
    incidents = incidents_in_quarter(conn, county_code, period, **a.which)
    return {"period": period, "before": previous_quarter(period), "grid": grid,
            "density": density(grid, incidents, DENSITY_BANDWIDTH_M), "candidates": cands,
            "incidents": len(incidents)}


def density_classes(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Class 1–5 of each cell with density > 0 (breaks at the 50/75/90/97th percentiles), 0
    elsewhere; and a label per class (incidents per km²)."""
    positive = values[values > 0]
    if positive.size == 0:
        return np.zeros(len(values), dtype=int), []
    breaks = np.unique(np.quantile(positive, [0.5, 0.75, 0.9, 0.97]))
    classes = np.where(values > 0, np.searchsorted(breaks, values, side="left") + 1, 0)
    edges = [0.0, *breaks.tolist(), float(positive.max())]
    labels = [f"{edges[i]:.1f}–{edges[i + 1]:.1f}" for i in range(len(edges) - 1)]
    return classes, labels


def overlap(geom, others) -> int | None:
    """Index of the first of ``others`` covering at least half of ``geom``, else None."""
    area = geom.area
    for i, other in enumerate(others):
        if area and other.intersects(geom) and other.intersection(geom).area >= 0.5 * area:
            return i
    return None


ORDINALS = "二三四五六七八九十"


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def place_names(cands: gpd.GeoDataFrame) -> list[str]:
    """Readable, distinct names of the candidates: village (else township) and the nearest
    named road or school; a repeated name gets 二, 三 … in order of rank."""
    seen: dict = {}
    out = []
    for c in cands.itertuples(index=False):
        village = _text(getattr(c, "village_name", None)) or _text(c.township_name) or "未定乡镇"
        mark = _text(getattr(c, "landmark", None))
        base = f"{village}·{mark}" if mark and mark not in village else village
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else f"{base}{ORDINALS[n - 1] if n <= len(ORDINALS) else n + 1}")
    return out


def candidate_rows(cands: gpd.GeoDataFrame, items: list[dict], quarter: str) -> list[dict]:
    """The ranked candidates for the side panel, with form defaults and the draft item
    each one is already on (if any)."""
    shapes = [shape(f["geometry"]) for f in items]
    deadline = quarter_end(quarter).isoformat()
    rows = []
    for c, place in zip(cands.itertuples(index=False), place_names(cands)):
        town = c.township_name or c.township_code or "未定乡镇"
        top = c.top_categories[0] if c.top_categories else None
        on = overlap(c.geometry, shapes)
        rows.append({
            "rank": int(c.rank), "township_code": c.township_code or "", "township": town, "place": place,
            "count": int(c.count), "count_previous": None if c.count_previous is None else int(c.count_previous),
            "trend": TREND_LABELS.get(c.trend, "—"), "pai": float(c.pai), "gi_z": float(c.max_z),
            "top_category": VALUE_LABELS.get(top["category"], top["category"]) if top else "—",
            "significant": bool(c.significant), "on_list": None if on is None else items[on]["id"],
            "name": f"{place.replace('·', '')}治安乱点",
            "level": "county" if c.rank <= COUNTY_REQUIRED and c.significant else "township",
            "unit": f"{town}派出所", "deadline": deadline})
    return rows


def short_townships(rows: list[dict], quota: dict) -> list[dict]:
    """Townships whose township-level candidates not yet on the list cannot fill what the
    list still lacks: {code, name, candidates, missing}."""
    out = []
    for t in quota["townships"]:
        if t["met"]:
            continue
        free = sum(1 for r in rows if r["township_code"] == t["code"] and r["level"] == "township"
                   and r["on_list"] is None)
        missing = t["required"] - t["selected"]
        if free < missing:
            out.append({"code": t["code"], "name": t["name"], "candidates": free, "missing": missing})
    return out


def list_panel(conn, county_code: str, quarter: str) -> dict:
    """The quarter's draft (else its newest published version), items, quota and shortfall."""
    lst = hl.current_list(conn, county_code, quarter)
    quota = lists.quota(conn, county_code, lst["id"] if lst else None)
    return {"list": lst, "draft": lst if lst and lst["state"] == "draft" else None,
            "entries": lists.items(conn, lst["id"]) if lst else [], "quota": quota,
            "shortfall": lists.shortfall(quota), "versions": lists.versions(conn, county_code, quarter),
            "published": lists.published(conn, county_code, quarter),
            "town_names": {t["code"]: t["name"] for t in quota["townships"]}}


def outcome_rows(conn, county_code: str, quarter: str) -> list[dict]:
    """The quarter's published hotspots with status, next steps and recorded evaluation."""
    rows = []
    for f in hotspot_layer.listed(conn, county_code, quarter):
        p = f["properties"]
        history = hotspot_layer.status_history(conn, county_code, p["code"])
        rows.append({**p, "actions": [(s, STATUS_ACTIONS[s]) for s in hotspot_layer.LIFECYCLE[p["status"]]],
                     "evaluation": next((h["evaluation"] for h in history if h["evaluation"]), None),
                     "changed_at": history[0]["recorded_at"][:10] if history else None})
    return rows


def page_context(conn, county_code: str, a: Analysis, analysed: dict) -> dict:
    """Everything the planner's page shows besides the map, for an analysis (``analysis``'s
    result): the list panel, candidate rows, last quarter's hotspots and outcomes, the
    R10 flags and the townships short of candidates."""
    panel = list_panel(conn, county_code, a.quarter)
    rows = candidate_rows(analysed["candidates"], panel["entries"], a.quarter)
    return {"a": analysed, "panel": panel, "candidates": rows,
            "outcomes": outcome_rows(conn, county_code, analysed["period"]),
            "r10": hl.r10_panels(conn, county_code, [a.quarter, analysed["period"]]),
            "density_labels": density_classes(analysed["density"])[1],
            "short": short_townships(rows, panel["quota"])}


def panel_state(conn, county_code: str, a: Analysis, cands: gpd.GeoDataFrame) -> dict:
    """The parts of the page a change to the draft changes: the list panel, the short
    townships and which candidate is on the list ({rank: item code})."""
    panel = list_panel(conn, county_code, a.quarter)
    rows = candidate_rows(cands, panel["entries"], a.quarter)
    return {"panel": panel, "short": short_townships(rows, panel["quota"]),
            "on_list": {r["rank"]: r["on_list"] for r in rows if r["on_list"]}}


def target_draft(conn, county_code: str, quarter: str, form: DraftForm, user: str) -> dict:
    """The quarter's draft (opened when there is none); a form made for another draft, or
    before someone else opened one, is refused as stale."""
    now = hl.current_list(conn, county_code, quarter)
    now = now if now and now["state"] == "draft" else None
    if form.draft_id != (now["id"] if now else None):
        raise Conflict("清单草稿已被他人新建、发布或重建，此表单已过期；请刷新后重试",
                       current=now["revision"] if now else None, key="revision")
    return now or lists.draft(conn, county_code, quarter, user)


def candidate_items(cands: gpd.GeoDataFrame, picks: list[dict], items: list[dict], quarter: str) -> list[dict]:
    """Draft items for the ranked candidates ``picks`` name ({rank, township_code, count}
    as the planner saw them, and optional name, level, unit, deadline, reason; the
    candidate's defaults otherwise). A pick that no longer matches the analysis is refused
    as stale; one already on the list (or twice in ``picks``) is refused."""
    rows = {r["rank"]: r for r in candidate_rows(cands, [], quarter)}
    shapes = [shape(f["geometry"]) for f in items]
    out = []
    for i, pick in enumerate(picks):
        match = cands[cands["rank"] == pick["rank"]]
        if match.empty or str(match.iloc[0]["township_code"] or "") != (pick.get("township_code") or "") \
                or int(match.iloc[0]["count"]) != pick.get("count"):
            raise Conflict(f"第 {pick['rank']} 名候选乱点已随案件数据变化，此表单已过期；请刷新后重选",
                           key="revision")
        c = match.iloc[0]
        if overlap(c.geometry, shapes) is not None:
            raise InvalidInput(f"第 {pick['rank']} 名候选乱点已在清单中",
                               "rank" if len(picks) == 1 else f"candidates[{i}].rank")
        geom = c.geometry if c.geometry.is_valid else shapely.make_valid(c.geometry)
        shapes.append(geom)
        row = rows[pick["rank"]]
        given = {k: pick.get(k) for k in ("name", "level", "unit", "deadline", "reason") if pick.get(k) is not None}
        out.append({"name": row["name"], "level": row["level"], "unit": row["unit"], "deadline": row["deadline"],
                    **given, "geometry": geom, "township_code": c["township_code"], "source": "candidate",
                    "significant": bool(c["significant"]), "incident_count": int(c["count"]),
                    "gi_z": round(float(c["max_z"]), 4)})
    return out


def add_candidate(conn, county_code: str, a: Analysis, form: DraftForm, fields: dict, user: str,
                  cands: gpd.GeoDataFrame | None = None) -> str:
    """Put the ranked candidate the form names on the quarter's draft; return its code.

    fields: name, level, unit, deadline from the form; cands: the analysis's candidates
    when the caller has them at hand."""
    lst = target_draft(conn, county_code, a.quarter, form, user)
    if cands is None:
        cands, _ = candidates(conn, county_code, a.of(previous_quarter(a.quarter)))
    pick = {**fields, "rank": form.rank, "township_code": form.township_code, "count": form.count}
    item = candidate_items(cands, [pick], lists.items(conn, lst["id"]), a.quarter)[0]
    return lists.add_item(conn, county_code, lst["id"], item, form.revision)
