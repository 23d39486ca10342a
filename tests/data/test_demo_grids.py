"""The demo county's grids and staff: about 1,200 grids inside their villages, none
overlapping, a police officer and legal adviser in most villages, some short."""
from __future__ import annotations

from datetime import date

from data.demo import grids as demo
from data.demo.constants import COUNTY_CODE
from layers import grids as store
from web.services.grids import staffing, township_staffing


def test_load_demo_writes_grids_and_staff(demo_conn, demo_county):
    conn, counts = demo_conn, demo_county.counts
    assert 1000 <= counts["grids"] <= 1500
    assert store.outside_grids(conn, COUNTY_CODE) == [] and store.overlapping_grids(conn, COUNTY_CODE) == []
    with conn.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT village_code), max(n), count(*) FILTER (WHERE township_code IS NULL)"
                    " FROM grids, LATERAL (SELECT count(*) n FROM grids g2 WHERE g2.village_code = grids.village_code) c")
        grids, villages, most, unlocated = cur.fetchone()
    assert villages == counts["villages"] and most <= demo.MAX_GRIDS and unlocated == 0
    doc = staffing(conn, COUNTY_CODE)
    assert doc["grids"] == grids and 0.7 <= doc["county"]["share"] < 1.0
    missing = {m.split(" 个网格")[-1] for v in doc["villages"] for m in v["missing"]}
    assert missing == {"缺驻村民警", "缺法律顾问", "缺网格员"}
    towns = township_staffing(conn, COUNTY_CODE, date(2026, 1, 1), date(2027, 1, 1))
    assert len(towns) == counts["townships"] and sum(t["villages"] for t in towns.values()) == counts["villages"]
    assert towns == {t["code"]: {k: t[k] for k in ("villages", "met", "short", "share")} for t in doc["townships"]}
    assert township_staffing(conn, COUNTY_CODE, date(2020, 1, 1), date(2020, 2, 1)) == {
        code: {"villages": t["villages"], "met": 0, "short": t["villages"], "share": 0.0} for code, t in towns.items()}
    assert demo.load_staff(conn, COUNTY_CODE, {}, 0) == 0          # a second load keeps the posts
