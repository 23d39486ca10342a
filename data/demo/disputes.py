"""The demo county's dispute screening (issue 16, item 4): a year of screenings with a few
gaps, and incidents flagged 民转刑 and dispute homicide; deterministic (seeded).

Screenings run from ``FIRST_DAY`` to ``AS_OF``: the county once a month except in
``COUNTY_GAP`` (that month is missing), each township once in each half-month except
``TOWNSHIP_GAPS`` of them (drawn), each village a few times at any time. The demo's
incidents already cover two years, so the flags go on existing incidents (of focus
dispute or assault): ``CIVIL_TO_CRIMINAL`` (this year to ``AS_OF``, the same span last
year) meets the −10% target, ``DISPUTE_HOMICIDE`` does not meet −20%.

Written by ``data.loader.load_demo`` after the layers; a county that already has
screenings or flags keeps them.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from data.demo.constants import AS_OF
from geo import disputes as rules
from layers import disputes as store

FIRST_DAY = dt.date(2025, 12, 1)
COUNTY_GAP = (2026, 7)
TOWNSHIP_GAPS = 7
VILLAGE_MEAN = 3.0
#: (this year, the same span last year): 36 vs 45 is −20% (met); 5 vs 5 is 0% (not met)
CIVIL_TO_CRIMINAL = (36, 45)
DISPUTE_HOMICIDE = (5, 5)
NOTES = ("邻里纠纷", "土地承包纠纷", "婚姻家庭纠纷", "宅基地纠纷", "劳资纠纷", "")
USER = "demo"


def _day(rng, first: dt.date, last: dt.date) -> dt.date:
    last = min(last, AS_OF)
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _row(rng, level: str, code: str, day: dt.date) -> dict:
    found = int(rng.integers(0, 9 if level != "village" else 4))
    return {"level": level, "unit_code": code, "screened_on": day, "disputes_found": found,
            "resolved": int(rng.integers(0, found + 1)), "note": str(rng.choice(NOTES))}


def plan(units: dict, seed: int = 0) -> list[dict]:
    """The screenings of the units ({'county': [...], 'township': [...], 'village': [...]},
    as ``layers.disputes.units``): deterministic for a seed."""
    rng = np.random.default_rng(seed + 1616)
    end = AS_OF + dt.timedelta(days=1)
    rows = []
    for code in (u["code"] for u in units["county"]):
        for first, last in rules.slots("county", FIRST_DAY, end):
            if (first.year, first.month) != COUNTY_GAP and first <= AS_OF:
                rows.append(_row(rng, "county", code, _day(rng, first, last)))
    halves = [(u["code"], s) for u in units["township"] for s in rules.slots("township", FIRST_DAY, end)
              if s[1] < AS_OF]      # ended slots only: the running one is left to chance below
    gaps = set(rng.choice(len(halves), size=min(TOWNSHIP_GAPS, len(halves)), replace=False).tolist()) \
        if halves else set()
    for i, (code, (first, last)) in enumerate(halves):
        if i not in gaps:
            rows.append(_row(rng, "township", code, _day(rng, first, last)))
    for u in units["township"]:
        if rng.random() < 0.5:           # the half-month running on AS_OF
            first = dt.date(AS_OF.year, AS_OF.month, 1 if AS_OF.day <= 15 else 16)
            rows.append(_row(rng, "township", u["code"], _day(rng, first, AS_OF)))
    for u in units["village"]:
        for _ in range(int(rng.poisson(VILLAGE_MEAN))):
            rows.append(_row(rng, "village", u["code"], _day(rng, FIRST_DAY, AS_OF)))
    return rows


def _pick(rng, codes: list[str], n: int, taken: set) -> list[str]:
    free = [c for c in codes if c not in taken]
    if not free:
        return []
    return sorted(rng.choice(free, size=min(n, len(free)), replace=False).tolist())


def flags(conn, county: str, seed: int = 0) -> tuple[list[str], list[str]]:
    """(民转刑 codes, dispute-homicide codes): drawn among the county's dispute and assault
    incidents this year to AS_OF and the same span last year."""
    rng = np.random.default_rng(seed + 1617)
    spans = ((dt.date(AS_OF.year, 1, 1), AS_OF), rules.same_span_last_year(AS_OF))
    ctc: list[str] = []
    homicide: list[str] = []
    for i, (first, last) in enumerate(spans):
        disputes = store.demo_candidates(conn, county, first, last, ("dispute", "assault"))
        assaults = store.demo_candidates(conn, county, first, last, ("assault",))
        ctc += _pick(rng, disputes, CIVIL_TO_CRIMINAL[i], set())
        homicide += _pick(rng, assaults, DISPUTE_HOMICIDE[i], set(ctc))
    return ctc, homicide


def load(conn, county: str, seed: int = 0) -> int:
    """Write the demo screenings and flags unless the county has some; how many screenings."""
    screenings, flagged = store.stored_in(conn, county)
    written = 0
    if screenings == 0:
        written = store.add_many(conn, county, plan(store.units(conn, county), seed), USER)
    if flagged == 0:
        store.set_flags(conn, county, *flags(conn, county, seed))
    return written
