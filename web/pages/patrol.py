"""A patrol member's own page (issue 15, item 5): today's route and stops, check-ins with a
photo and a note. Patrol members may open nothing else (``web.auth.PATROL_ENDPOINTS``).

The page is light: its map and stop list are drawn by ``static/patrol_me.js`` from
``/patrol/me/data``; without scripts the stops and their 打卡 forms are still listed.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, jsonify, make_response, redirect, render_template, request, \
    url_for
from flask_login import current_user

from geo.calendar import now
from layers import checkins as records
from layers.errors import FeatureNotFound, InvalidInput
from web import context, params
from web.auth import may
from web.pages.common import asset_urls
from web.schemas.members import Checkin, PhotoSize
from web.services import members

bp = Blueprint("patrol", __name__, url_prefix="/patrol")
GEOLOCATION = {"browsing-topics": "()", "camera": "()", "microphone": "()", "geolocation": "(self)"}


def _member_only() -> None:
    if current_user.role != "patrol":
        abort(403, description="此页面仅供巡防队员使用（用巡防队员账号登录）")


def _tiles() -> str:
    """The base map's tile URL when it is another server's (the app's own tiles are closed to members)."""
    url = current_app.config.get("TILE_URL") or ""
    return "" if url.startswith("/") else url


@bp.route("/me")
def me():
    """Today's route and stops of the member's team, each with its state and a 打卡 form."""
    _member_only()
    day = members.member_day(context.conn(), context.code(), current_user.team_code, now())
    return render_template("patrol/me.html", day=day, assets=asset_urls(), tiles=_tiles(),
                           attribution=current_app.config.get("TILE_ATTRIBUTION", ""), note_max=members.NOTE_MAX)


me.talisman_view_options = {"permissions_policy": GEOLOCATION}  # this page may ask where the member is


@bp.route("/me/data")
def me_data():
    """The member's day as JSON: team, routes (GeoJSON), stops with states, check-ins."""
    _member_only()
    return jsonify(members.member_day(context.conn(), context.code(), current_user.team_code, now()))


def _photo_bytes() -> bytes | None:
    """The uploaded photo's bytes (at most one byte over the limit are read), or None."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None
    data = upload.stream.read(members.PHOTO_MAX_BYTES + 1)
    if not data:
        raise InvalidInput("照片文件为空", "photo")
    return data


@bp.route("/me/checkins", methods=["POST"])
def checkin():
    """Check in at one of today's stops: multipart form {stop, note?, lon?, lat?, accuracy?, photo?}."""
    _member_only()
    form = params.form(Checkin)
    done = members.check_in(context.conn(), context.code(), (current_user.id, current_user.name),
                            current_user.team_code, form, _photo_bytes(), now())
    if g.get("auth_via") == "session":  # a browser: the next page shows it (not API clients)
        flash(f"已在“{done['name']}”打卡" + ("（含照片）" if done["photo"] else ""))
    if request.accept_mimetypes.best == "application/json":  # the page's script, which then reloads it
        return jsonify(done), 201
    return redirect(url_for(".me") + "#stops")


@bp.route("/photos/<int:checkin_id>")
def photo(checkin_id):
    """A check-in's photo (?size=thumb for the thumbnail): for the member who took it, and
    for commanders and admins of its county."""
    found = records.photo(context.conn(), checkin_id, thumb=params.query(PhotoSize).size == "thumb")
    if found is None:
        raise FeatureNotFound(f"打卡记录 {checkin_id} 没有照片")
    if current_user.role == "patrol":
        allowed = found["user_id"] == current_user.id
    else:
        allowed = may("commander") and found["county_code"] in context.scope()
    if not allowed:
        abort(403, description="无权查看这张照片")
    resp = make_response(found["bytes"])
    resp.headers.update({"Content-Type": found["content_type"], "Cache-Control": "private, max-age=3600",
                         "X-Content-Type-Options": "nosniff"})
    return resp
