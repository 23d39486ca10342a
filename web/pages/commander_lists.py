"""Hotspots and patrol teams as lists beside the maps (issue 12, item 6), on the pattern of
the camera list: filter, sort, pages, CSV and XLSX of every matching row. Every role reads."""
from __future__ import annotations

from flask import render_template

from geo.calendar import now, today
from layers.catalog import HOTSPOT_LEVELS, HOTSPOT_STATUSES, TEAM_KINDS, VALUE_LABELS
from layers.hotspot_lists import SOURCES
from web import context, params
from web.pages.commander import bp
from web.schemas.lists import HotspotListQuery, TeamListQuery
from web.services import hotspot_lists as hl
from web.services import lists

HOTSPOT_SORTS = {"status": "状态（挂牌、整治中在前）", "quarter": "季度", "code": "编码", "name": "名称", "level": "级别",
                 "township": "乡镇", "source": "来源", "deadline": "整治期限", "area": "面积"}
TEAM_SORTS = {"township": "乡镇", "code": "编码", "name": "名称", "kind": "类型", "members": "队员",
              "staffing": "力量（不足在前）", "distance": "当天里程", "visits": "到访乱点", "last_seen": "最后定位",
              "off_route": "偏离路线（未偏离在前）"}


@bp.route("/hotspots/list")
def hotspot_list():
    """List the hotspots: filter by quarter, township, level, lifecycle status and source; sort, page, export."""
    conn, county = context.conn(), context.code()
    q = params.query(HotspotListQuery)
    shown = q.model_dump(exclude={"page", "format"}, exclude_none=True)
    return render_template("commander/hotspot_list.html", q=q, shown=shown, found=lists.hotspot_page(conn, county, q),
                           towns=hl.township_names(conn, county), quarters=lists.quarters(conn, county),
                           levels=HOTSPOT_LEVELS, statuses=HOTSPOT_STATUSES, sources=SOURCES,
                           source_labels=lists.SOURCE_LABELS, labels=VALUE_LABELS, sorts=HOTSPOT_SORTS)


@bp.route("/teams/list")
def team_list():
    """List the patrol teams: township, kind, staffing (R7), the day's distance and visits,
    last position time, off route; sort, page, export."""
    conn, county = context.conn(), context.code()
    q = params.query(TeamListQuery)
    day = q.day or lists.latest_day(conn, county, today())
    shown = q.model_dump(mode="json", exclude={"page", "format"}, exclude_none=True)
    found = lists.team_page(lists.team_rows(conn, county, day, now()), q)
    return render_template("commander/team_list.html", q=q, shown=shown, found=found, day=day,
                           towns=hl.township_names(conn, county), kinds=TEAM_KINDS, labels=VALUE_LABELS,
                           sorts=TEAM_SORTS)
