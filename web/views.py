"""Pages: home, the map shell, and one blueprint per user (commander, planner, leader)."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, send_from_directory, url_for
from flask_login import current_user

from layers.db import get_conn

ROOT = Path(__file__).resolve().parent
VENDOR_DIR = ROOT / "assets" / "node_modules"

bp = Blueprint("views", __name__)
commander = Blueprint("commander", __name__, url_prefix="/commander")
planner = Blueprint("planner", __name__, url_prefix="/planner")
leader = Blueprint("leader", __name__, url_prefix="/leader")

HOME_BY_ROLE = {"commander": "commander.index", "planner": "planner.index",
                "leader": "leader.index", "admin": "views.map_page"}


@bp.route("/")
def home():
    """Send each user to the page of their role."""
    return redirect(url_for(HOME_BY_ROLE.get(current_user.role, "views.map_page")))


def _map_page(title: str, view: str, template: str = "views/map_page.html", **extra):
    from web.maps import render_shell

    parts = render_shell(get_conn(), current_app.config, view=view)
    return render_template(template, title=title, view=view, map=parts, **extra)


@bp.route("/map")
def map_page():
    """Show every layer on one map."""
    return _map_page("综合地图", "all")


@commander.route("/")
def index():
    """Show the patrol commander's map."""
    return _map_page("巡防指挥", "commander")


@planner.route("/", endpoint="index")
def planner_index():
    """Show the planner's map of hotspots."""
    return _map_page("乱点整治", "planner")


@leader.route("/", endpoint="index")
def leader_index():
    """Show the leader's overview map."""
    return _map_page("领导视图", "leader")


def vendor(filename: str):
    """Serve a web asset installed from npm by `make install`."""
    if not VENDOR_DIR.is_dir():
        abort(404)
    return send_from_directory(VENDOR_DIR, filename, max_age=86400)


def register(app) -> None:
    from web import api, ogc

    app.register_blueprint(bp)
    app.register_blueprint(commander)
    app.register_blueprint(planner)
    app.register_blueprint(leader)
    app.register_blueprint(api.bp)
    app.register_blueprint(ogc.bp)
    app.add_url_rule("/vendor/<path:filename>", "vendor", vendor)
