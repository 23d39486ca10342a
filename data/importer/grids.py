"""After a grid file is written (inside the import's savepoint): check the grids against
their villages and each other, then settle townships and grid members.

Rules (``layers.grids``): a grid lies within its village — at least 95% of its area inside
the village it names (所属村) or, when the file names none, the village its inner point
falls in — and shares at most 5% of the smaller grid's area with any other grid. Every grid
breaking a rule is named (code and name) with the share found; the file is then refused and
nothing is written. A grid's 网格员 (member) becomes its grid_member post.
"""
from __future__ import annotations

import logging

from layers import grids as store

LOGGER = logging.getLogger(__name__)


def _pct(share) -> str:
    return f"{share * 100:.1f}%"


def check(conn, county_code: str, problems) -> bool:
    """Add a problem for each grid outside its village or overlapping another; True when
    there were none."""
    ok = True
    for code, name, village, inside in store.outside_grids(conn, county_code):
        ok = False
        if village is None:
            what = "不在任何行政村内，也没有填写所属村 (lies in no village and names none)"
        elif inside is None:
            what = f"所属村 '{village}' 不存在 (no such village)"
        else:
            what = (f"只有 {_pct(inside)} 的面积在所属村 {village} 内，至少应为 {_pct(store.INSIDE_MIN)} "
                    f"(only {_pct(inside)} of its area inside its village)")
        problems.file(f"网格 {code}（{name}）: {what}", rank=1)
    for code, name, other, other_name, share in store.overlapping_grids(conn, county_code):
        ok = False
        problems.file(f"网格 {code}（{name}）与网格 {other}（{other_name}）重叠 {_pct(share)}，"
                      f"最多允许 {_pct(store.OVERLAP_MAX)} (grids overlap by {_pct(share)} of the smaller)", rank=1)
    return ok


def after_write(conn, county_code: str, problems, actor: str | None) -> bool:
    """Check the county's grids; when they pass, settle townships and members. Returns
    whether they passed (the caller rolls the write back otherwise)."""
    if not check(conn, county_code, problems):
        return False
    changed = store.settle(conn, county_code, actor or "import")
    LOGGER.info("grids: %d grid member posts set from the file", changed)
    return True
