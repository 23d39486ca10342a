"""The county leaders' pages: the map, remediation progress (with exports), coverage, hotspots."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from geo.calendar import next_quarter, previous_quarter, today
from geo.coverage import PART_LABELS, share_words
from geo.rules import TOWNSHIP_REQUIRED
from layers import hotspot_lists as lists
from layers.catalog import HOTSPOT_COLORS, LAYERS, VALUE_LABELS
from layers.db import reads_only
from layers.features import query_features
from layers.frames import read_frame
from layers.hotspots import LIFECYCLE
from web import context, params
from web.auth import may
from web.cache import built
from web.maps import coverage as coverage_maps
from web.maps import hotspots as hotspot_maps
from web.maps.remediation import status_map
from web.api import cockpit as cockpit_api
from web.maps import township_svg
from web.tiles import keep_page_layers
from web.pages.common import townships
from web.pages.home import download
from web.schemas.cockpit import CockpitQuery
from web.schemas.hotspots import QuarterOnly
from web.schemas.remediation import AsOf
from web.services import cockpit, cockpit_export, coverage, exports, reports
from web.services import hotspot_lists as hl
from web.services import quarter as qs
from web.services import remediation as rem

bp = reads_only(Blueprint("leader", __name__, url_prefix="/leader"))  # its GETs may read a replica (layers.db)
CHART_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@bp.route("/")
def index():
    """The leader's cockpit: every indicator against its target and a month before, the
    townships ranked, a map coloured by the chosen indicator; ``wall=1`` for the wall screen."""
    ask = params.query(CockpitQuery)
    doc = cockpit_api.document(ask.date or today())
    svg = built("leader.cockpit.svg", lambda: township_svg.svg_paths(townships()), heavy=False, per_role=False)
    return render_template("leader/cockpit.html", c=doc, svg=svg, columns=cockpit.COLUMNS, figure=cockpit.figure,
                           wall=ask.wall)


@bp.route("/map")
def map_page():
    """The leader's map is the one map page with the leader's preset."""
    return redirect(url_for("home.map_page", preset="leader"), code=301)


@bp.route("/wall")
def wall():
    """The cockpit for the 综治中心's wall screen."""
    return redirect(url_for(".index", **{**params.request_args(), "wall": 1}))


@bp.route("/cockpit.xlsx")
def cockpit_xlsx():
    """Download the cockpit (indicators and townships) as XLSX."""
    doc = cockpit_api.document()
    return download(cockpit_export.cockpit_xlsx(doc, context.county()), exports.XLSX, f"cockpit-{doc['date']}.xlsx")


def _as_of():
    return params.query(AsOf).as_of or today()


def _villages(codes=None) -> list[dict]:
    return query_features(context.conn(), LAYERS["villages"], county_code=context.code(), codes=codes,
                          limit=100_000, precision=5)[0]


@bp.route("/remediation")
def remediation():
    """Show remediation progress against the plan: chart, township ranking, map."""
    conn, county, as_of = context.conn(), context.county(), _as_of()

    def build():
        report = rem.progress_report(conn, county, as_of)
        rows = rem.village_rows(conn, county.code, as_of)
        edit_url = (lambda code: url_for("planner.remediation_edit", code=code)) if may("planner") else None
        return dict(report=report, ranked=sorted(report["townships"], key=lambda t: (-t["share"], t["code"])),
                    excepted=rem.exceptions(rows),
                    chart=exports.remediation_chart(conn, county, as_of, "svg").decode("utf-8"),
                    risky=rem.at_risk(conn, county, as_of, 15),
                    map=keep_page_layers(status_map(current_app.config, townships(),
                                                    _villages([r["code"] for r in rows]), rows, edit_url)))
    return render_template("leader/remediation.html", as_of=as_of, labels=rem.STATUS_LABELS,
                           **built(("leader.remediation", as_of), build))


@bp.route("/remediation.csv")
def remediation_csv():
    """Download the township table as CSV (UTF-8 with BOM, for Excel)."""
    as_of = _as_of()
    report = rem.progress_report(context.conn(), context.county(), as_of)
    return download(exports.remediation_csv(report), "text/csv; charset=utf-8", f"remediation-{as_of}.csv")


@bp.route("/remediation.xlsx")
def remediation_xlsx():
    """Download the township table as XLSX, with the villages confirmed on an exception."""
    conn, county, as_of = context.conn(), context.county(), _as_of()
    report = rem.progress_report(conn, county, as_of)
    excepted = rem.exceptions(rem.village_rows(conn, county.code, as_of))
    return download(exports.remediation_xlsx(report, county, as_of, excepted), exports.XLSX,
                    f"remediation-{as_of}.xlsx")


@bp.route("/remediation-chart.<fmt>")
def remediation_chart(fmt):
    """Download the burn-up chart as SVG or PNG."""
    if fmt not in CHART_TYPES:
        abort(404)
    as_of = _as_of()
    return download(exports.remediation_chart(context.conn(), context.county(), as_of, fmt), CHART_TYPES[fmt],
                    f"remediation-{as_of}.{fmt}")


def _coverage(as_of) -> dict:
    """What the coverage page shows for ``as_of`` (its map kept with the report)."""
    conn, county = context.conn(), context.county()

    def build():
        report = coverage.coverage_report(conn, county.code)
        return dict(r=report, names={f["id"]: f["properties"]["name"] for f in townships()},
                    ranked=sorted(report["townships"], key=lambda t: (-t["video_covered_share"], t["code"])),
                    failing=[v for v in report["villages"] if v["remote"] and not v["video_covered"]],
                    map=keep_page_layers(coverage_maps.coverage_map(current_app.config, _villages(), report)))
    parts = built("leader.coverage", build)
    rows = rem.village_rows(conn, county.code, as_of)
    by_code = {v["code"]: v for v in parts["r"]["villages"]}
    confirmed = [r for r in rows if r["status"] == "remediated"]
    return dict(parts, progress=rem.progress_report(conn, county, as_of)["county"], excepted=rem.exceptions(rows),
                confirmed_meeting=sum(by_code.get(r["code"], {}).get("video_covered", False) for r in confirmed))


@bp.route("/coverage")
def coverage_page():
    """Show each coverage indicator against its target, the village video rule, townships
    ranked, remote villages that do not meet the rule, the day's remediation figures, the map."""
    as_of = _as_of()
    return render_template("leader/coverage.html", **_coverage(as_of), as_of=as_of, labels=PART_LABELS,
                           share_words=share_words)


@bp.route("/coverage.xlsx")
def coverage_xlsx():
    """Download the coverage page as XLSX: indicators, townships, villages short of the rule, remediation."""
    as_of = _as_of()
    return download(reports.coverage_xlsx(_coverage(as_of), context.county(), as_of), exports.XLSX,
                    f"coverage-{as_of}.xlsx")


@bp.route("/hotspots")
def hotspots():
    """Show the quarter's list by township with status counts, R10 flags and a map (read-only)."""
    conn, county = context.conn(), context.code()
    if not request.args.get("quarter"):
        return redirect(url_for(".hotspots", quarter=qs.default_quarter(conn, county, False, today())))
    quarter = params.query(QuarterOnly).quarter
    features = hl.listed(conn, county, quarter)
    flags = hl.r10_panels(conn, county, [quarter])
    groups = hl.by_township(conn, county, features, flags[0]["flags"] if flags else [])
    towns = read_frame(conn, LAYERS["townships"], county, ["code", "name"])
    return render_template(
        "leader/hotspots.html", q=quarter, groups=groups, flags=flags, total=len(features),
        totals={s: sum(g["statuses"][s] for g in groups) for s in LIFECYCLE},
        published=lists.published(conn, county, quarter),
        county_level=sum(g["levels"]["county"] for g in groups),
        short_towns=sum(g["levels"]["township"] < TOWNSHIP_REQUIRED for g in groups),
        labels=VALUE_LABELS, status_colors=HOTSPOT_COLORS, prev_q=previous_quarter(quarter),
        next_q=next_quarter(quarter),
        map=keep_page_layers(hotspot_maps.leader_map(current_app.config, towns, features)))
