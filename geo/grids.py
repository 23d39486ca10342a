"""Staffing of villages and grids (seed §10: 一村（格）一警一法律顾问, a 网格员 per grid).

The rule, per village:

* police (驻村民警): met when the village has its own officer, or when it has grids and
  every grid has its own officer (a village-level officer covers all its grids);
* legal adviser (法律顾问): the same, with advisers;
* grid members (网格员): every grid of the village has its member (a village without grids
  has nothing to miss here).

A village is *met* when all three hold, else *short*, with what is missing in words.
Per township: villages, met, short and the share met (None without villages). Plain
values in, plain values out: no database, no CRS.
"""
from __future__ import annotations

from collections import defaultdict

ROLES = ("grid_member", "police", "legal_adviser")
ROLE_LABELS = {"grid_member": "网格员", "police": "驻村民警", "legal_adviser": "法律顾问"}
POSTS_PER_VILLAGE = ("police", "legal_adviser")


def _covered(role: str, village_posts: set, grid_posts: dict, grid_codes: list[str]) -> tuple[bool, list[str]]:
    """Whether ``role`` is covered in a village, and the grids left without it when not."""
    if role in village_posts:
        return True, []
    missing = [g for g in grid_codes if role not in grid_posts.get(g, set())]
    return bool(grid_codes) and not missing, missing


def village_staffing(village: dict, grid_codes: list[str], staff: list[dict]) -> dict:
    """One village's staffing.

    village: {code, name, township_code, ...}; grid_codes: its grids' codes; staff: its posts
    held, each {role, grid_code (None for a village post), name}. Returns the village's
    fields plus grids (count), police, legal_adviser (bool), grids_without_member (codes),
    met (bool) and missing (list of Chinese phrases).
    """
    village_posts = {s["role"] for s in staff if s.get("grid_code") is None}
    grid_posts: dict[str, set] = defaultdict(set)
    for s in staff:
        if s.get("grid_code") is not None:
            grid_posts[s["grid_code"]].add(s["role"])
    out = {**village, "grids": len(grid_codes)}
    missing = []
    for role in POSTS_PER_VILLAGE:
        ok, short_grids = _covered(role, village_posts, grid_posts, grid_codes)
        out[role] = ok
        if not ok:
            missing.append(f"缺{ROLE_LABELS[role]}" if not grid_codes or len(short_grids) == len(grid_codes)
                           else f"{len(short_grids)} 个网格缺{ROLE_LABELS[role]}")
    without = [g for g in grid_codes if "grid_member" not in grid_posts.get(g, set())]
    out["grids_without_member"] = without
    if without:
        missing.append(f"{len(without)} 个网格缺网格员")
    out["met"] = not missing
    out["missing"] = missing
    return out


def staffing(villages: list[dict], grids: list[dict], staff: list[dict]) -> list[dict]:
    """Every village's staffing (``village_staffing``), in the order given.

    grids: {code, village_code}; staff: {village_code, grid_code, role, name}. Grids and
    posts of villages not listed are ignored.
    """
    grids_of: dict[str, list[str]] = defaultdict(list)
    for g in grids:
        if g.get("village_code"):
            grids_of[g["village_code"]].append(g["code"])
    staff_of: dict[str, list[dict]] = defaultdict(list)
    known = {g["code"]: g.get("village_code") for g in grids}
    for s in staff:
        if s.get("grid_code") is not None and known.get(s["grid_code"]) != s["village_code"]:
            continue    # a post of a grid no longer in this village
        staff_of[s["village_code"]].append(s)
    return [village_staffing(v, grids_of.get(v["code"], []), staff_of.get(v["code"], [])) for v in villages]


def township_summary(rows: list[dict]) -> dict[str, dict]:
    """Per township code: {villages, met, short, share}; share is met / villages (None
    for none). Villages without a township are left out."""
    out: dict[str, dict] = {}
    for r in rows:
        code = r.get("township_code")
        if not code:
            continue
        t = out.setdefault(code, {"villages": 0, "met": 0, "short": 0, "share": None})
        t["villages"] += 1
        t["met" if r["met"] else "short"] += 1
    for t in out.values():
        t["share"] = round(t["met"] / t["villages"], 4) if t["villages"] else None
    return out
