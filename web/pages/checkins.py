"""The commander's list of patrol members' check-ins for a day (issue 15, item 5), on the
commander's blueprint: time, team, member, stop, distance to it, note and photo."""
from __future__ import annotations

from flask import render_template

from geo.calendar import today
from layers import patrol as teams
from web import context, params
from web.auth import require_role
from web.pages.commander import bp
from web.schemas.members import CheckinDay
from web.services import members


@bp.route("/checkins")
@require_role("commander")  # and admins; planners and leaders are refused
def checkins():
    """Show the day's check-ins (?day=YYYY-MM-DD, default today) with photo thumbnails."""
    conn, county = context.conn(), context.code()
    day = params.query(CheckinDay).day or today()
    found = teams.teams(conn, county)
    return render_template("commander/checkins.html", day=day, rows=members.day_list(conn, county, day),
                           names=dict(zip(found["code"], found["name"])))
