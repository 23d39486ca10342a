"""The quarter's hotspot analysis, kept (``web.cache``) until one of the tables it reads
changes: adding a hotspot to a draft does not recompute the Gi* grid and candidates, so
the planner's page answers each change in place."""
from __future__ import annotations

from web import context
from web.cache import built
from web.schemas.hotspots import Analysis
from web.services import quarter as qs

ANALYSIS_TABLES = ("incidents", "townships", "villages", "roads", "schools")
LAST_QUARTER_TABLES = ANALYSIS_TABLES + ("hotspots", "hotspot_status_events")


def quarter_analysis(a: Analysis) -> dict:
    """Gi* grid, density and candidates of the quarter before ``a.quarter`` (qs.analysis)."""
    conn, county = context.conn(), context.code()
    return built(("hotspots.analysis", a.model_dump_json()), lambda: qs.analysis(conn, county, a),
                 per_role=False, tables=ANALYSIS_TABLES)


def quarter_candidates(a: Analysis):
    """The ranked candidates for the list of ``a.quarter`` (from the quarter before), as the
    page showed them: the kept analysis's."""
    return quarter_analysis(a)["candidates"]
