"""The commander's first screen (issue 12, item 2): alerts to act on beside a map of the
teams' latest positions, the day's tracks and the hotspots. Routes on commander's blueprint."""
from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, url_for

from geo.calendar import now, today
from web import context, params
from web.cache import built
from web.maps import commander_home as home_maps
from web.maps.patrol import STATUS
from web.pages.commander import bp
from web.pages.common import townships
from web.schemas.patrol import Day_
from web.services import commander_home as home
from web.services import patrol

PLAN_ARGS = {"start": "08:00", "stops": "hotspots,schools"}
ACT_LABELS = {"team": "查看巡防", "hotspot": "安排巡查", "school": "安排巡查", "camera": "处理状态"}


def act_url(alert: dict, day) -> str:
    """Where to act on an alert: a camera's status form, the team in the day's patrol page
    (at its alerts), the plan of the team responsible for (or nearest to) a hotspot or school."""
    if alert["kind"] == "camera":
        return url_for("commander.camera", code=alert["code"])
    if alert["kind"] == "team" or not alert["team"]:
        return url_for("commander.patrol_page", day=day.isoformat(), team=alert["team"], _anchor="patrol-alerts")
    return url_for("commander.plan", team_code=alert["team"], **PLAN_ARGS)


@bp.route("/map")
def map_page():
    """The commander's map is the one map page with the commander's preset."""
    return redirect(url_for("home.map_page", preset="commander"), code=301)


@bp.route("/")
def index():
    """What needs action now: alerts, each to locate on the map and a link to act; the map
    of teams, tracks and hotspots. The day is the county's latest day with tracks."""
    conn, county = context.conn(), context.code()
    day = params.query(Day_).day or patrol.latest_track_day(conn, county, today())
    minute = now().replace(second=0, microsecond=0)

    def build():
        screen = home.first_screen(conn, county, day, minute)
        parts = home_maps.layers(screen)
        names = dict(zip(screen["teams"]["code"], screen["teams"]["name"]))
        alerts = [{**a, "act": act_url(a, day), "act_label": ACT_LABELS[a["kind"]],
                   "team_name": names.get(a["team"], "")} for a in screen["alerts"]]
        keep = ("day", "now", "today", "counts", "school_day", "school_note", "cameras_problem", "camera_days", "cameras_recent")
        return ({**{k: screen[k] for k in keep}, "alerts": alerts, "hot_counts": parts["counts"]},
                home_maps.home_map(current_app.config, townships(), parts))
    screen, parts = built(("commander.home", day, minute), build)
    return render_template("commander/home.html", s=screen, map=parts, kinds=home.KIND_LABELS,
                           status_styles=STATUS)


@bp.route("/tracks")
def day_lines():
    """The day's tracks and the routes as GeoJSON for the first screen's map (fetched after
    the page, which stays small); the day as on the first screen."""
    conn, county = context.conn(), context.code()
    day = params.query(Day_).day or patrol.latest_track_day(conn, county, today())
    minute = now().replace(second=0, microsecond=0)
    return jsonify(built(("commander.tracks", day, minute),
                         lambda: home_maps.lines(home.day_lines(conn, county, day, minute))))
