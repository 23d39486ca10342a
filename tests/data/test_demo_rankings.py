"""The demo county's published rankings: the ended quarters of the demo year, published in
order from the demo data, with a 约谈 and a 挂牌督办 in the history; a second load keeps them."""
from __future__ import annotations

from data.demo import rankings as demo
from data.demo.constants import COUNTY_CODE
from layers import rankings as store
from web.services import rankings


def test_load_demo_publishes_the_past_quarters(demo_conn, demo_county):
    conn, counts = demo_conn, demo_county.counts
    assert counts["rankings"] == 3
    assert rankings.periods(conn, COUNTY_CODE) == ["2026Q3", "2026Q2", "2026Q1"]
    flags = {r["flag"] for p in ("2026Q1", "2026Q2", "2026Q3") for r in store.published(conn, COUNTY_CODE, p)}
    assert {"约谈", "挂牌督办"} <= flags
    for p in ("2026Q1", "2026Q2", "2026Q3"):
        rows = store.published(conn, COUNTY_CODE, p)
        assert len(rows) == 16 and any(r["bottom"] for r in rows)
        assert all(r["consecutive"] >= 1 for r in rows if r["bottom"])
    panel = rankings.cockpit_panel(conn, COUNTY_CODE)
    assert panel["period"] == "2026Q3" and panel["bottom"] and len(panel["earlier"]) == 2
    assert demo.load(conn, COUNTY_CODE) == [] and store.count(conn)[1] == 48


def test_published_inputs_are_the_parts_own_figures(demo_conn):
    """The opinion calls, the screenings and the staffing enter the ranking as their own
    services give them for the period; the township with most incidents per head feels it."""
    from datetime import date

    from web.services.disputes import township_screening
    from web.services.grids import township_staffing
    from web.services.survey import township_opinion

    conn = demo_conn
    start, end = date(2026, 7, 1), date(2026, 10, 1)
    opinion = township_opinion(conn, COUNTY_CODE, start, end)
    screening = township_screening(conn, COUNTY_CODE, start, end)
    staffing = township_staffing(conn, COUNTY_CODE, start, end)
    rows = store.published(conn, COUNTY_CODE, "2026Q3")
    for r in rows:
        t, got = r["township_code"], r["inputs"]
        assert got["safety"]["value"] == opinion[t]["safety"] and got["safety"]["weight"] == 2
        assert got["satisfaction"]["value"] == opinion[t]["satisfaction"]
        assert got["screening"]["value"] == screening[t]["share"]
        assert got["staffing"]["value"] == staffing[t]["share"]
    assert all(0 < staffing[t]["share"] <= 1 for t in staffing)  # posts held through the demo year
