"""Patrol members' check-ins for a day (issue 15, item 5): commanders and admins."""
from __future__ import annotations

from flask import jsonify, url_for

from geo.calendar import today
from web import context, params
from web.api import bp
from web.auth import require_role
from web.schemas.members import CheckinDay
from web.services import members


@bp.route("/patrol/checkins", methods=["GET"])
@require_role("commander")
def patrol_checkins():
    """The check-ins of ?day=YYYY-MM-DD (default today): time, team, member, stop, where,
    distance to the stop, note, and the photo's URL when there is one."""
    day = params.query(CheckinDay).day or today()
    rows = members.day_list(context.conn(), context.code(), day)
    for r in rows:
        r["photo"] = url_for("patrol.photo", checkin_id=r["id"]) if r.pop("has_photo") else None
    return jsonify({"day": day.isoformat(), "checkins": rows})
