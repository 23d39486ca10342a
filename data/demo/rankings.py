"""The demo county's published township rankings (issue 16, item 3): every period of the
configured kind (quarters by default) of the demo year that has ended by the demo's day,
computed from the demo data with the settings in force and published in order by admin,
so the cockpit shows the latest period's bottom townships with their history.

Written by ``data.loader.load_demo`` after the layers and the problems; a county that
already has published rankings keeps them (nothing published is replaced).
"""
from __future__ import annotations

from data.demo.constants import AS_OF
from geo.rankings import last_ended, next_period, period_of


def load(conn, county_code: str, user: str = "admin") -> list[str]:
    """Publish the demo year's ended periods (unless some are published); the periods published.
    Does not commit."""
    from web.services import rankings  # the service composes the registered inputs

    if rankings.periods(conn, county_code):
        return []
    kind = rankings.config(conn, county_code)["period_kind"]
    period, last, done = period_of(AS_OF.replace(month=1, day=1), kind), last_ended(AS_OF, kind), []
    while period <= last:
        rankings.publish(conn, county_code, period, user, AS_OF)
        done.append(period)
        period = next_period(period)
    return done
