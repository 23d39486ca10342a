"""Hotspots and patrol teams as lists: filtered, sorted, a page at a time, or all of them
as CSV/XLSX (every role reads)."""
from __future__ import annotations

from flask import jsonify

from geo.calendar import now, today
from web import context, params
from web.api import bp
from web.api.cameras import XLSX
from web.pages.home import download
from web.schemas.lists import HotspotListQuery, TeamListQuery
from web.services import lists


@bp.route("/hotspots")
def hotspot_table():
    """Hotspots of every quarter by quarter, township, level, status (or active) and source,
    sorted; format=csv|xlsx exports every matching hotspot."""
    q = params.query(HotspotListQuery)
    conn, county = context.conn(), context.code()
    name = f"hotspots-{today().isoformat()}"
    if q.format == "csv":
        return download(lists.hotspot_csv(conn, county, q), "text/csv", f"{name}.csv")
    if q.format == "xlsx":
        return download(lists.hotspot_xlsx(conn, county, context.county(), q, today().isoformat()), XLSX,
                        f"{name}.xlsx")
    return jsonify(lists.hotspot_page(conn, county, q))


def team_rows(q: TeamListQuery):
    """(the day, every team's row for it): the day asked for, else the latest with tracks."""
    conn, county = context.conn(), context.code()
    day = q.day or lists.latest_day(conn, county, today())
    return day, lists.team_rows(conn, county, day, now())


@bp.route("/patrol/teams")
def team_table():
    """Patrol teams by township, kind, staffing (met/short) and off route, with the day's
    distance, visits and last position time, sorted; format=csv|xlsx exports every matching team."""
    q = params.query(TeamListQuery)
    day, rows = team_rows(q)
    if q.format == "csv":
        return download(lists.team_csv(rows, q), "text/csv", f"teams-{day}.csv")
    if q.format == "xlsx":
        return download(lists.team_xlsx(rows, context.county(), q, day), XLSX, f"teams-{day}.xlsx")
    return jsonify({"day": day.isoformat(), **lists.team_page(rows, q)})
