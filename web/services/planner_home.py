"""The planner's first screen (issue 12): the coming quarter's hotspot list and its quota,
the list in force and its hotspots' states, remediation against the plan with the
villages most at risk, and what others changed since the planner's last visit."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from layers import changes
from layers import hotspots as hotspot_layer
from web.services import County
from web.services import quarter as qs
from web.services import remediation as rem

FIRST_VISIT_DAYS = 7   # without an earlier visit: what changed in the last week
KIND_LABELS = {"remediation": "整治记录", "list": "乱点清单发布", "hotspot": "乱点状态", "camera": "摄像机状态"}


def list_state(conn, county_code: str, quarter: str) -> dict:
    """A quarter's list: draft or published (version, origin), quota met or short."""
    panel = qs.list_panel(conn, county_code, quarter)
    q = panel["quota"]
    return {"quarter": quarter, "list": panel["list"], "draft": panel["draft"] is not None,
            "county": q["county"], "towns_met": sum(t["met"] for t in q["townships"]),
            "towns": len(q["townships"]), "shortfall": panel["shortfall"]}


def in_force(conn, county_code: str, quarter: str) -> dict:
    """The hotspots of the quarter in force, counted by status."""
    features = hotspot_layer.listed(conn, county_code, quarter)
    counts: dict = {}
    for f in features:
        counts[f["properties"]["status"]] = counts.get(f["properties"]["status"], 0) + 1
    return {"quarter": quarter, "total": len(features), "by_status": counts}


def home(conn, county: County, user: str, today: date, now: datetime) -> dict:
    """Everything the planner's first screen shows."""
    coming = qs.default_quarter(conn, county.code, True, today)
    last_visit = changes.previous_sign_in(conn, user)
    since = last_visit or now - timedelta(days=FIRST_VISIT_DAYS)
    counts, recent = changes.since(conn, county.code, since, user)
    report = rem.progress_report(conn, county, today)
    latest = qs.default_quarter(conn, county.code, False, today)
    return {"coming": list_state(conn, county.code, coming), "current": in_force(conn, county.code, latest),
            "progress": report["county"], "late_towns": [t for t in report["townships"]
                                                         if not t["projection"]["on_time"]],
            "at_risk": rem.at_risk(conn, county, today, 10), "since": since.isoformat(),
            "first_visit": last_visit is None, "change_counts": counts, "changes": recent,
            "kind_labels": KIND_LABELS}
