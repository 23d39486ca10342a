"""The leader's cockpit as JSON: every indicator against its target, a month before, by township."""
from __future__ import annotations

from flask import jsonify, url_for

from geo.calendar import today
from web import context, params
from web.api import bp
from web.cache import built
from web.schemas.cockpit import CockpitQuery
from web.services import cockpit as service
from web.services import coverage


def document(day=None) -> dict:
    """The cockpit for ``day`` (default: the asked date, else today), links as URLs."""
    day = day or params.query(CockpitQuery).date or today()
    conn, county = context.conn(), context.county()

    def build():   # coverage is as of now whatever the day: kept once for every day asked
        report = built("cockpit.coverage", lambda: coverage.coverage_report(conn, county.code), heavy=False,
                       per_role=False)
        return service.cockpit(conn, county, day, report)
    doc = built(("cockpit", day), build, per_role=False)
    out = {**doc, "indicators": []}
    for ind in doc["indicators"]:
        endpoint, args = ind["detail"]
        out["indicators"].append({**{k: v for k, v in ind.items() if k != "detail"},
                                  "detail_url": url_for(endpoint, **args)})
    return out


@bp.route("/cockpit")
def cockpit():
    """Every indicator {key, label, value, target, unit, met, previous, detail_url} and townships."""
    return jsonify(document())
