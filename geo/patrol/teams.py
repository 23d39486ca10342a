"""R7 staffing: patrol team strength per township and village against the minimums."""
from __future__ import annotations

import pandas as pd

from geo.rules import TOWNSHIP_MIN, VILLAGE_MIN  # R7: members of a township / village team


def staffing(teams, township_codes, village_codes) -> dict:
    """Team strength against R7, in the shape of API.md ``/api/patrol/staffing``.

    teams: rows (a DataFrame or an iterable of dicts) with ``kind``
    (``township_fulltime`` or ``village_volunteer``), ``township_code``,
    ``village_code`` (volunteer teams) and ``members``. A township's full-time members
    are the sum over its full-time teams, against ``TOWNSHIP_MIN``; a village's volunteer
    members the sum over its volunteer teams, against ``VILLAGE_MIN``. Every township
    and village listed appears, those with no team with 0 members and ``met`` false.
    """
    rows = teams.to_dict("records") if isinstance(teams, pd.DataFrame) else list(teams)
    fulltime: dict = {}
    volunteer: dict = {}
    for r in rows:
        if r["kind"] == "township_fulltime":
            fulltime[r["township_code"]] = fulltime.get(r["township_code"], 0) + int(r["members"])
        elif r["kind"] == "village_volunteer":
            volunteer[r["village_code"]] = volunteer.get(r["village_code"], 0) + int(r["members"])
        else:
            raise ValueError(f"unknown team kind {r['kind']!r}")
    return {
        "townships": [{"code": c, "fulltime_members": fulltime.get(c, 0), "required": TOWNSHIP_MIN,
                       "met": fulltime.get(c, 0) >= TOWNSHIP_MIN} for c in township_codes],
        "villages": [{"code": c, "volunteer_members": volunteer.get(c, 0), "required": VILLAGE_MIN,
                      "met": volunteer.get(c, 0) >= VILLAGE_MIN} for c in village_codes],
    }
