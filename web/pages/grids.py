"""Grids and 一村（格）一警一法律顾问 (issue 16, item 5): staffing per township and village,
and a form to set a village's police officer or legal adviser, or a grid's member.

Planners and admins set posts; commanders and leaders read; patrol members may not open it.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from geo.grids import ROLE_LABELS
from layers import grids as store
from layers.errors import InvalidInput
from web import context, params
from web.auth import may, require_role
from web.pages.common import attempt
from web.schemas.grids import StaffPage, StaffPost
from web.services import grids

bp = Blueprint("grids", __name__, url_prefix="/grids")
READERS = ("planner", "commander", "leader")


def _page(values: dict, status: int = 200):
    conn, county = context.conn(), context.code()
    q = params.query(StaffPage)
    township, village = q.township, q.village
    doc = grids.staffing(conn, county)
    rows = [v for v in doc["villages"] if (v["township_code"] == township if township else not v["met"])]
    posts = grids.posts(conn, county, village) if village else []
    changes = store.changes(conn, county, village, 20) if village else []
    return render_template("grids/staffing.html", doc=doc, rows=rows, township=township, village=village,
                           posts=posts, changes=changes, roles=ROLE_LABELS, v=values,
                           may_edit=may("planner")), status


@bp.route("/staffing")
@require_role(*READERS)
def staffing():
    """Staffing per township; the short villages (or a township's every village) with what is missing."""
    return _page(request.args.to_dict())


@bp.route("/staffing", methods=["POST"])
@require_role("planner")
def set_post():
    """Set a post from the form; a refusal is explained and nothing is written."""
    try:
        values = params.form(StaffPost)
    except InvalidInput as err:
        flash(f"未保存：{err}")
        return _page(request.form.to_dict(), 400)
    done, err = attempt(grids.set_post, context.conn(), context.code(), values, context.user_name())
    if err is not None:
        flash(f"未保存：{err}")
        return _page(request.form.to_dict(), 400)
    held = done["post"]
    flash(f"已保存：{ROLE_LABELS[values.role]} {held['name'] if held else '（空缺）'}")
    return redirect(url_for(".staffing", village=done["village_code"]))
