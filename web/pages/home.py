"""Home: each user's first page, the map of every layer, exports, the web assets."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from flask import Blueprint, Response, abort, redirect, send_from_directory, url_for
from flask_login import current_user

from layers.db import reads_only
from web import context, params
from web.pages.common import overview_page
from web.schemas.maps import PRESETS, MapPreset
from web.services import exports

VENDOR_DIR = Path(__file__).resolve().parent.parent / "assets" / "node_modules"
VENDOR_SUFFIXES = {".js", ".css", ".png", ".svg", ".map"}
HOME_BY_ROLE = {"commander": "commander.index", "planner": "planner.index",
                "leader": "leader.index", "admin": "admin.index", "patrol": "patrol.me"}

bp = reads_only(Blueprint("home", __name__))  # its GETs may read a replica (layers.db)


@bp.route("/")
def index():
    """Send each user to the page of their role."""
    return redirect(url_for(HOME_BY_ROLE.get(current_user.role, "home.map_page")))


@bp.route("/map")
def map_page():
    """The one map page: every layer, with a preset of them switched on (综合, 巡防指挥,
    乱点整治, 领导视图); the user's role's preset unless one is asked for."""
    preset = params.query(MapPreset).preset or (current_user.role if current_user.role in PRESETS else "all")
    return overview_page(f"地图 · {PRESETS[preset]}", preset, presets=PRESETS)


@bp.route("/favicon.ico")
def favicon():
    """The site's icon where browsers look for it by default."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


def download(body, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/exports/hotspots/<quarter>.xlsx")
def hotspots_xlsx(quarter):
    """The quarter's published list as XLSX."""
    quarter = params.quarter(quarter)
    frame = exports.published_hotspots(context.conn(), context.code(), quarter)
    return download(exports.hotspots_xlsx(frame, context.county(), quarter), exports.XLSX, f"hotspots-{quarter}.xlsx")


@bp.route("/exports/hotspots/<quarter>.<fmt>")
def hotspot_areas(quarter, fmt):
    """The quarter's published areas as GeoPackage or GeoJSON (WGS 84)."""
    if fmt not in exports.AREA_FORMATS:
        abort(404)
    quarter = params.quarter(quarter)
    frame = exports.published_hotspots(context.conn(), context.code(), quarter)
    return download(exports.hotspot_areas(frame, quarter, fmt), exports.AREA_FORMATS[fmt][1],
                    f"hotspots-{quarter}.{fmt}")


def vendor(filename: str):
    """Serve a built web asset installed from npm by `make install`: only files under a
    package's dist/ with the kinds the pages load, never package.json, READMEs or sources."""
    path = PurePosixPath(filename)
    dist_at = 2 if path.parts[:1] and path.parts[0].startswith("@") else 1  # @scope/package/dist/…
    if not VENDOR_DIR.is_dir() or len(path.parts) <= dist_at + 1 or path.parts[dist_at] != "dist" \
            or path.suffix not in VENDOR_SUFFIXES or ".." in path.parts:
        abort(404)
    return send_from_directory(VENDOR_DIR, filename, max_age=86400)
