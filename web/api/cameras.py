"""The cameras as a list: filtered, sorted, a page at a time, or all of them as CSV/XLSX."""
from __future__ import annotations

from flask import jsonify

from geo.calendar import today
from web import context, params
from web.api import bp
from web.pages.home import download
from web.schemas.cameras import CameraListQuery
from web.services import cameras

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/cameras")
def camera_list():
    """Cameras by status, kind, township and networked, sorted; format=csv|xlsx exports every
    matching camera (every role reads)."""
    q = params.query(CameraListQuery)
    conn, county = context.conn(), context.code()
    name = f"cameras-{today().isoformat()}"
    if q.format == "csv":
        return download(cameras.csv_text(conn, county, q), "text/csv", f"{name}.csv")
    if q.format == "xlsx":
        return download(cameras.xlsx(conn, county, context.county(), q, today().isoformat()), XLSX, f"{name}.xlsx")
    return jsonify(cameras.page(conn, county, q))
