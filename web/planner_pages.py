"""The planner's quarterly hotspot page (R3, R4, R10) and the leaders' view of the list.

A quarter's list is drawn from the incidents of the quarter before it (the analysis
period), compared with the quarter before that: the list for 2026Q4 is picked from
2026Q3's incidents against 2026Q2's. The page calls the same functions as the API
(``web.hotspots``, ``web.hotspot_lists``, ``layers.hotspot_lists``); every POST goes
through a form with the list's ``revision``, so a stale form is refused, not applied.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta

import folium
import geopandas as gpd
import numpy as np
import shapely
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from shapely.geometry import mapping, shape

from geo import hotspots as hs
from layers import hotspot_lists as lists
from layers.catalog import INCIDENT_CATEGORIES, LAYERS, VALUE_LABELS
from layers.coverage import latest_quarter
from layers.db import get_conn
from layers.errors import Conflict, FeatureNotFound
from layers.frames import read_frame
from web.auth import require_role
from web.hotspot_lists import current_list, evaluate, quarter_arg, r10_flags
from web.hotspots import analysis_args, incidents_in, quarter_candidates
from web.maps import HOTSPOT_COLORS, page_map, safe_text
from web.remediation import today

LOGGER = logging.getLogger(__name__)
bp = Blueprint("planner_pages", __name__)

DENSITY_BANDWIDTH_M = 1000.0
PAGE_ARGS = ("quarter", "category", "cell_m", "band_m")
GI_COLORS = {-3: "#2166ac", -2: "#67a9cf", -1: "#d1e5f0", 0: "#f7f7f7",
             1: "#fddbc7", 2: "#ef8a62", 3: "#b2182b"}
GI_LABELS = {3: "热点（99%）", 2: "热点（95%）", 1: "热点（90%）", 0: "不显著",
             -1: "冷点（90%）", -2: "冷点（95%）", -3: "冷点（99%）"}
DENSITY_COLORS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
TREND_LABELS = {"up": "上升", "down": "下降", "stable": "持平"}
STATUS_ACTIONS = {"remediating": "开始整治", "delisted": "摘牌", "carried_over": "延续整治"}
SOURCE_LABELS = {"candidate": "候选", "drawn": "手绘", "carried_over": "上季度延续"}
CANDIDATE_STYLE = {"color": "#54278f", "weight": 3, "fillColor": "#9e9ac8", "fillOpacity": 0.2}
FORCED_STYLE = {**CANDIDATE_STYLE, "weight": 2, "dashArray": "6 4", "fillOpacity": 0.08}
DRAFT_STYLE = {"color": "#000000", "weight": 2, "fillColor": "#ffff33", "fillOpacity": 0.45}
TOWNSHIP_STYLE = {"color": "#253494", "weight": 2, "fill": False}


# --- quarters ---------------------------------------------------------------------------

def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_end(quarter: str) -> date:
    """The last day of the quarter."""
    return date.fromisoformat(lists.quarter_bounds(quarter)[1]) - timedelta(days=1)


def default_quarter(conn, county: str, coming: bool) -> str:
    """The quarter after the latest one with hotspots (coming) or that one; else today's."""
    latest = latest_quarter(conn, county)
    if latest is None:
        return quarter_of(today())
    return lists.next_quarter(latest) if coming else latest


def period_text(quarter: str) -> str:
    start, end = lists.quarter_bounds(quarter)
    last = date.fromisoformat(end) - timedelta(days=1)
    return f"{quarter}（{start} 至 {last.isoformat()}）"


# --- analysis: grid, density, candidates ------------------------------------------------

def analysis(conn, county: str, quarter: str, params: dict) -> dict:
    """Gi* grid, density classes and ranked candidates of the quarter before ``quarter``."""
    period = lists.previous_quarter(quarter)
    cands, grid = quarter_candidates(conn, county, period, params["category"],
                                     params["cell_m"], params["band_m"])
    incidents = incidents_in(conn, county, period, params["category"])
    xy = incidents.to_crs(grid.crs).get_coordinates().to_numpy()
    density = hs.kernel_density(xy, grid[["cx", "cy"]].to_numpy(), DENSITY_BANDWIDTH_M, per="km2")
    return {"period": period, "before": lists.previous_quarter(period), "grid": grid,
            "density": density, "candidates": cands, "incidents": len(incidents)}


def density_classes(density: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Class 1–5 of each cell with density > 0 (breaks at the 50/75/90/97th percentiles), 0
    elsewhere; and a label per class (incidents per km²)."""
    positive = density[density > 0]
    if positive.size == 0:
        return np.zeros(len(density), dtype=int), []
    breaks = np.unique(np.quantile(positive, [0.5, 0.75, 0.9, 0.97]))
    classes = np.where(density > 0, np.searchsorted(breaks, density, side="left") + 1, 0)
    edges = [0.0, *breaks.tolist(), float(positive.max())]
    labels = [f"{edges[i]:.1f}–{edges[i + 1]:.1f}" for i in range(len(edges) - 1)]
    return classes, labels


def _overlap(geom, others) -> int | None:
    """Index of the first of ``others`` covering at least half of ``geom``, else None."""
    area = geom.area
    for i, other in enumerate(others):
        if area and other.intersects(geom) and other.intersection(geom).area >= 0.5 * area:
            return i
    return None


def candidate_rows(cands: gpd.GeoDataFrame, items: list[dict], quarter: str) -> list[dict]:
    """The ranked candidates for the side panel, with form defaults and the draft item
    each one is already on (if any)."""
    shapes = [shape(f["geometry"]) for f in items]
    deadline = quarter_end(quarter).isoformat()
    rows = []
    for c in cands.itertuples(index=False):
        town = c.township_name or c.township_code or "未定乡镇"
        place = f"{town}{c.village_name}" if getattr(c, "village_name", None) else town
        top = c.top_categories[0] if c.top_categories else None
        on = _overlap(c.geometry, shapes)
        rows.append({
            "rank": int(c.rank), "township_code": c.township_code or "", "township": place,
            "count": int(c.count), "count_previous": None if c.count_previous is None else int(c.count_previous),
            "trend": TREND_LABELS.get(c.trend, "—"), "pai": float(c.pai), "gi_z": float(c.max_z),
            "top_category": VALUE_LABELS.get(top["category"], top["category"]) if top else "—",
            "significant": bool(c.significant), "on_list": None if on is None else items[on]["id"],
            "name": f"{place}{int(c.rank)}号乱点", "level": "county" if c.significant else "township",
            "unit": f"{town}派出所", "deadline": deadline})
    return rows


# --- the list: draft, quota, last quarter -----------------------------------------------

def list_panel(conn, county: str, quarter: str) -> dict:
    """The quarter's draft (else its newest published version), items, quota and shortfall."""
    lst = current_list(conn, county, quarter)
    quota = lists.quota(conn, county, lst["id"] if lst else None)
    return {"list": lst, "draft": lst if lst and lst["state"] == "draft" else None,
            "entries": lists.items(conn, lst["id"]) if lst else [], "quota": quota,
            "shortfall": lists.shortfall(quota), "versions": lists.versions(conn, county, quarter),
            "published": lists.published(conn, county, quarter),
            "town_names": {t["code"]: t["name"] for t in quota["townships"]}}


def recorded_evaluation(history: list[dict]) -> dict | None:
    """The evaluation of the newest status change that recorded one."""
    return next((h["evaluation"] for h in history if h["evaluation"]), None)


def outcome_rows(conn, county: str, quarter: str) -> list[dict]:
    """The quarter's published hotspots with status, next steps and recorded evaluation."""
    rows = []
    for f in lists.listed(conn, county, quarter):
        p = f["properties"]
        history = lists.status_history(conn, county, p["code"])
        rows.append({**p, "actions": [(s, STATUS_ACTIONS[s]) for s in lists.LIFECYCLE[p["status"]]],
                     "evaluation": recorded_evaluation(history),
                     "changed_at": history[0]["recorded_at"][:10] if history else None})
    return rows


def r10_panels(conn, county: str, quarters: list[str]) -> list[dict]:
    """R10 flags of each quarter that has some, township names added."""
    names = dict(township_names(conn, county))
    out = []
    for q in quarters:
        flags = [{**f, "township_name": names.get(f["township_code"], f["township_code"])}
                 for f in r10_flags(conn, county, q)]
        if flags:
            out.append({"quarter": q, "flags": flags})
    return out


def township_names(conn, county: str) -> list[tuple[str, str]]:
    towns = read_frame(conn, LAYERS["townships"], county, ["code", "name"])
    return sorted(zip(towns["code"], towns["name"]))


# --- maps ---------------------------------------------------------------------------------

def _rounded(geoms) -> list:
    return list(shapely.transform(np.asarray(geoms, dtype=object), lambda xy: np.round(xy, 6)))


def _feature(i: int, geom, tip: str, **props) -> dict:
    """A GeoJSON feature whose only text is ``tip`` (already safe_text'ed)."""
    return {"type": "Feature", "id": i, "geometry": mapping(geom), "properties": {"tip": tip, **props}}


def _layer(m, title: str, features: list[dict], style, css: str, show: bool = True) -> None:
    """Add one overlay: features styled by ``style(properties)``, class ``css``, tooltips."""
    layer = folium.GeoJson({"type": "FeatureCollection", "features": features},
                           name=title if features else f"{title}（无）", show=show,
                           style_function=lambda f: {**style(f["properties"]), "className": css},
                           tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True)
                           if features else None)
    layer.add_to(m)


def _base_map(towns: gpd.GeoDataFrame) -> folium.Map:
    m = page_map(current_app.config)
    geoms = _rounded(towns.geometry.simplify(2e-5).values)
    _layer(m, "乡镇界", [_feature(i, g, safe_text(n)) for i, (g, n) in enumerate(zip(geoms, towns["name"]))],
           lambda p: TOWNSHIP_STYLE, "pl-townships")
    if len(towns):
        w, s, e, n = towns.total_bounds
        m.fit_bounds([[float(s), float(w)], [float(n), float(e)]])
    return m


def _parts(m: folium.Map) -> dict:
    folium.LayerControl(collapsed=False).add_to(m)
    root = m.get_root()
    root.render()
    return {"header": root.header.render(), "html": root.html.render(), "script": root.script.render()}


def _grid_features(grid) -> list[dict]:
    keep = grid[grid["gi_class"].to_numpy() != 0]
    geoms = _rounded(keep.geometry.to_crs("EPSG:4326").values)
    return [_feature(i, g, f"案件 {n} 起；Gi* z = {z:.2f}；{GI_LABELS[int(k)]}", k=int(k))
            for i, (g, n, z, k) in enumerate(zip(geoms, keep["count"], keep["gi_z"], keep["gi_class"]))]


def _density_features(grid, density) -> tuple[list[dict], list[str]]:
    classes, labels = density_classes(density)
    out = []
    for k in range(1, len(labels) + 1):
        union = shapely.simplify(shapely.coverage_union_all(grid.geometry.values[classes == k]), 1.0)
        geom = gpd.GeoSeries([union], crs=grid.crs).to_crs("EPSG:4326").values[0]
        out.append(_feature(k, _rounded([geom])[0], f"核密度 {labels[k - 1]} 起/平方公里", k=k))
    return out, labels


def _hotspot_features(features: list[dict], status: bool) -> list[dict]:
    out = []
    for i, f in enumerate(features):
        p = f["properties"]
        words = [p["code"], p["name"], VALUE_LABELS.get(p["level"], p["level"]), p.get("unit") or ""]
        if status:
            words.append(VALUE_LABELS.get(p["status"], p["status"]))
        out.append(_feature(i, shape(f["geometry"]), "<br>".join(safe_text(w) for w in words if w),
                            status=p.get("status") if status else None))
    return out


def _status_style(p: dict) -> dict:
    color = HOTSPOT_COLORS.get(p["status"], "#e31a1c")
    return {"color": color, "weight": 2, "fillColor": color, "fillOpacity": 0.35}


def planner_map(towns, a: dict, rows: list[dict], items: list[dict], last: list[dict]) -> dict:
    """Gi* grid, density, candidates, the draft's items and last quarter's hotspots."""
    m = _base_map(towns)
    _layer(m, f"Gi* 热点分析（{a['period']}）", _grid_features(a["grid"]),
           lambda p: {"color": GI_COLORS[p["k"]], "weight": 0.5, "fillColor": GI_COLORS[p["k"]],
                      "fillOpacity": 0.65}, "pl-grid")
    density, _ = _density_features(a["grid"], a["density"])
    _layer(m, f"核密度（{a['period']}）", density,
           lambda p: {"stroke": False, "fillColor": DENSITY_COLORS[p["k"] - 1], "fillOpacity": 0.6},
           "pl-density", show=False)
    _layer(m, f"上季度乱点（{a['period']}，按状态）", _hotspot_features(last, True),
           _status_style, "pl-last")
    cands = a["candidates"]
    geoms = _rounded(cands.geometry.values)
    _layer(m, "候选乱点", [_feature(i, g, safe_text(f"第{r['rank']}名 {r['township']} {r['count']} 起"
                                                   + ("" if r["significant"] else " 不显著")),
                                    rank=r["rank"], sig=r["significant"])
                          for i, (g, r) in enumerate(zip(geoms, rows))],
           lambda p: CANDIDATE_STYLE if p["sig"] else FORCED_STYLE, "pl-candidate")
    _layer(m, f"{lists.next_quarter(a['period'])} 清单", _hotspot_features(items, False),
           lambda p: DRAFT_STYLE, "pl-draft")
    return _parts(m)


def leader_map(towns, features: list[dict]) -> dict:
    """The quarter's hotspots coloured by status, over the township borders."""
    m = _base_map(towns)
    _layer(m, "挂牌乱点（按状态）", _hotspot_features(features, True), _status_style, "pl-last")
    return _parts(m)


# --- views: the planner's page ------------------------------------------------------------

def _county() -> str:
    return current_app.config["COUNTY_CODE"]


def _can_edit() -> bool:
    return current_user.role in ("planner", "admin")


def _page_args() -> dict:
    return {k: request.args[k] for k in PAGE_ARGS if request.args.get(k)}


def planner_context(conn, county: str, params: dict) -> dict:
    """Everything the planner's page shows for ``params`` (analysis_args): analysis, list,
    candidates, last quarter's outcomes, R10 flags and the map."""
    quarter = params["quarter"]
    a = analysis(conn, county, quarter, params)
    panel = list_panel(conn, county, quarter)
    rows = candidate_rows(a["candidates"], panel["entries"], quarter)
    towns = read_frame(conn, LAYERS["townships"], county, ["code", "name"])
    last = lists.listed(conn, county, a["period"])
    return dict(
        q=quarter, a=a, basis=period_text(a["period"]), params=params, panel=panel, candidates=rows,
        outcomes=outcome_rows(conn, county, a["period"]), r10=r10_panels(conn, county, [quarter, a["period"]]),
        categories=[(c, VALUE_LABELS.get(c, c)) for c in INCIDENT_CATEGORIES], labels=VALUE_LABELS,
        sources=SOURCE_LABELS, gi_labels=GI_LABELS, gi_colors=GI_COLORS, density_colors=DENSITY_COLORS,
        density_labels=density_classes(a["density"])[1], status_colors=HOTSPOT_COLORS,
        bandwidth=DENSITY_BANDWIDTH_M, prev_q=lists.previous_quarter(quarter),
        next_q=lists.next_quarter(quarter), map=planner_map(towns, a, rows, panel["entries"], last))


@bp.route("/planner/hotspots")
def hotspots():
    """Show the quarter's analysis, candidates, draft list, quota and last quarter's outcomes."""
    conn = get_conn()
    county = _county()
    if not request.args.get("quarter"):
        return redirect(url_for(".hotspots", **_page_args(), quarter=default_quarter(conn, county, True)))
    return render_template("planner/hotspots.html", args=_page_args(), can_edit=_can_edit(),
                           **planner_context(conn, county, analysis_args()))


@bp.route("/planner/hotspots/evaluation/<code>")
def evaluation(code):
    """Show a hotspot's before/after counts and WDQ (a fragment the page loads)."""
    return render_template("planner/_evaluation.html", e=evaluate(get_conn(), _county(), code))


# --- views: changes (planners) ------------------------------------------------------------

def _back(anchor: str = ""):
    return redirect(url_for(".hotspots", **_page_args()) + (f"#{anchor}" if anchor else ""), 303)


def _attempt(action: str, fn, *args) -> tuple[bool, object]:
    """Run a change; when it is refused roll back and flash why."""
    try:
        return True, fn(*args)
    except lists.QuotaShort as err:
        flash(f"未发布：{err}")
    except Conflict as err:
        flash(f"{action}未保存：{err}")
    except (ValueError, FeatureNotFound) as err:
        flash(f"{action}未成功：{err}")
    get_conn().rollback()
    return False, None


def _form_int(name: str) -> int | None:
    raw = request.form.get(name, "")
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        abort(400, description=f"表单字段 {name} 应为整数，而不是 '{raw}'")


def _form_item() -> dict:
    """name, level, unit, deadline from the form (deadline checked as a date)."""
    item = {k: (request.form.get(k) or "").strip() for k in ("name", "level", "unit", "deadline")}
    if item["deadline"]:
        try:
            date.fromisoformat(item["deadline"])
        except ValueError:
            abort(400, description=f"整治期限应为日期（YYYY-MM-DD），而不是 '{item['deadline']}'")
    item["deadline"] = item["deadline"] or None
    item["unit"] = item["unit"] or None
    return item


def _target_draft(conn, county: str, quarter: str) -> tuple[dict, int | None]:
    """The quarter's draft (opened when there is none) and the form's revision; a form made
    for another draft, or before someone else opened one, is refused as stale."""
    shown = _form_int("draft_id")
    now = current_list(conn, county, quarter)
    now = now if now and now["state"] == "draft" else None
    if shown != (now["id"] if now else None):
        raise Conflict("清单草稿已被他人新建、发布或重建，此表单已过期；请刷新后重试")
    return now or lists.draft(conn, county, quarter, current_user.name), _form_int("revision")


def _add(conn, county: str, quarter: str, params: dict) -> str:
    lst, revision = _target_draft(conn, county, quarter)
    cands, _ = quarter_candidates(conn, county, lists.previous_quarter(quarter), params["category"],
                                  params["cell_m"], params["band_m"])
    rank = _form_int("rank")
    match = cands[cands["rank"] == rank]
    if match.empty or str(match.iloc[0]["township_code"] or "") != request.form.get("township_code", "") \
            or int(match.iloc[0]["count"]) != _form_int("count"):
        raise Conflict("候选乱点已随案件数据变化，此表单已过期；请刷新后重选")
    c = match.iloc[0]
    on = _overlap(c.geometry, [shape(f["geometry"]) for f in lists.items(conn, lst["id"])])
    if on is not None:
        raise ValueError(f"第 {rank} 名候选乱点已在清单中")
    geom = c.geometry if c.geometry.is_valid else shapely.make_valid(c.geometry)
    item = {**_form_item(), "geometry": geom, "township_code": c["township_code"], "source": "candidate",
            "significant": bool(c["significant"]), "incident_count": int(c["count"]),
            "gi_z": round(float(c["max_z"]), 4)}
    return lists.add_item(conn, county, lst["id"], item, revision)


@bp.route("/planner/hotspots/items", methods=["POST"])
@require_role("planner")
def add_candidate():
    """Put a ranked candidate on the quarter's draft."""
    params = analysis_args()
    ok, code = _attempt("加入清单", _add, get_conn(), _county(), params["quarter"], params)
    if ok:
        flash(f"已将第 {request.form.get('rank')} 名候选乱点加入清单（编码 {code}）")
    return _back("draft")


@bp.route("/planner/hotspots/draft", methods=["POST"])
@require_role("planner")
def open_draft():
    """Open the quarter's draft (a copy of the published version, or last quarter's carried-over)."""
    quarter = quarter_arg()
    lst = lists.draft(get_conn(), _county(), quarter, current_user.name)
    flash(f"已打开 {quarter} 第 {lst['version']} 版清单草稿")
    return _back("draft")


@bp.route("/planner/hotspots/items/<code>", methods=["POST"])
@require_role("planner")
def update_item(code):
    """Change a draft item's name, level, unit or deadline."""
    ok, _ = _attempt("修改", lists.update_item, get_conn(), _county(), _form_int("draft_id"), code,
                     _form_item(), _form_int("revision"))
    if ok:
        flash(f"已修改 {code}")
    return _back("draft")


@bp.route("/planner/hotspots/items/<code>/remove", methods=["POST"])
@require_role("planner")
def remove_item(code):
    """Take an item off the draft."""
    ok, _ = _attempt("移除", lists.remove_item, get_conn(), _county(), _form_int("draft_id"), code,
                     _form_int("revision"))
    if ok:
        flash(f"已从清单移除 {code}")
    return _back("draft")


@bp.route("/planner/hotspots/publish", methods=["POST"])
@require_role("planner")
def publish():
    """Publish the draft; refused, naming the shortfall, when it is short of the quota."""
    ok, lst = _attempt("发布", lists.publish, get_conn(), _county(), _form_int("draft_id"),
                       current_user.name, _form_int("revision"))
    if ok:
        flash(f"已发布 {lst['quarter']} 第 {lst['version']} 版乱点清单（{lst['published_by']}，"
              f"{lst['published_at'][:16].replace('T', ' ')}）")
    return _back("quota")


def change_status(conn, county: str, code: str, status: str, user: str, note: str) -> dict | None:
    """set_status, with the evaluation (web.hotspot_lists.evaluate) when the hotspot is
    delisted or carried over; returns that evaluation."""
    ev = evaluate(conn, county, code) if status in ("delisted", "carried_over") else None
    lists.set_status(conn, county, code, status, user, note, ev)
    return ev


@bp.route("/planner/hotspots/status/<code>", methods=["POST"])
@require_role("planner")
def set_status(code):
    """Move last quarter's hotspot to remediating, delisted or carried over (with its evaluation)."""
    status = request.form.get("status", "")
    ok, ev = _attempt("状态变更", change_status, get_conn(), _county(), code, status, current_user.name,
                      request.form.get("note", ""))
    if ok:
        flash(f"已将 {code} 改为“{VALUE_LABELS.get(status, status)}”" + (
            f"；整治前 {ev['R_before']} 起，整治后 {ev['R_after']} 起，{ev['wdq_text'].split(' (')[0]}" if ev else ""))
    return _back("outcomes")


# --- views: the leaders' page -------------------------------------------------------------

def by_township(conn, county: str, features: list[dict], flags: list[dict]) -> list[dict]:
    """Every township with its hotspots, counts by level and status, and its R10 flag."""
    flag_of = {f["township_code"]: f for f in flags}
    groups = []
    for code, name in township_names(conn, county):
        mine = [f["properties"] for f in features if f["properties"]["township_code"] == code]
        groups.append({"code": code, "name": name, "hotspots": mine, "flag": flag_of.get(code),
                       "levels": {lv: sum(h["level"] == lv for h in mine) for lv in ("county", "township")},
                       "statuses": {s: sum(h["status"] == s for h in mine) for s in lists.LIFECYCLE}})
    return groups


@bp.route("/leader/hotspots")
def leader_hotspots():
    """Show the quarter's list by township with status counts, R10 flags and a map (read-only)."""
    conn = get_conn()
    county = _county()
    if not request.args.get("quarter"):
        return redirect(url_for(".leader_hotspots", quarter=default_quarter(conn, county, False)))
    quarter = quarter_arg()
    features = lists.listed(conn, county, quarter)
    flags = r10_panels(conn, county, [quarter])
    groups = by_township(conn, county, features, flags[0]["flags"] if flags else [])
    totals = {s: sum(g["statuses"][s] for g in groups) for s in lists.LIFECYCLE}
    towns = read_frame(conn, LAYERS["townships"], county, ["code", "name"])
    return render_template("planner/leader.html", q=quarter, groups=groups, totals=totals, flags=flags,
                           total=len(features), published=lists.published(conn, county, quarter),
                           county_level=sum(g["levels"]["county"] for g in groups),
                           short_towns=sum(g["levels"]["township"] < lists.TOWNSHIP_REQUIRED for g in groups),
                           labels=VALUE_LABELS, status_colors=HOTSPOT_COLORS,
                           prev_q=lists.previous_quarter(quarter), next_q=lists.next_quarter(quarter),
                           map=leader_map(towns, features))
