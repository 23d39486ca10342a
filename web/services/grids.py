"""Grids and 一村（格）一警一法律顾问 (issue 16, item 5): staffing per village and township,
the posts held, and setting a post (who and when kept, every change logged).

The rule is ``geo.grids``. ``township_staffing(conn, county_code, start, end)`` is what the
rankings read: posts are kept as they stand (no end dates), so a period counts the posts
held now whose holder started before ``end``; ``start`` is not used.
"""
from __future__ import annotations

from datetime import date

from geo import grids as rule
from layers import grids as store
from layers.errors import InvalidInput


def _doc(conn, county_code: str, until: date | None) -> tuple[list[dict], dict[str, dict]]:
    rows = rule.staffing(store.villages(conn, county_code), store.grids(conn, county_code),
                         store.staff(conn, county_code, until=until))
    return rows, rule.township_summary(rows)


def staffing(conn, county_code: str) -> dict:
    """Per village (met/short, what is missing), per township and county-wide."""
    rows, towns = _doc(conn, county_code, None)
    names = {r["township_code"]: r["township_name"] for r in rows}
    met = sum(r["met"] for r in rows)
    return {"villages": rows,
            "townships": [{"code": code, "name": names.get(code), **t} for code, t in sorted(towns.items())],
            "county": {"villages": len(rows), "met": met, "short": len(rows) - met,
                       "share": round(met / len(rows), 4) if rows else None},
            "grids": sum(r["grids"] for r in rows)}


def township_staffing(conn, county_code: str, start: date, end: date) -> dict[str, dict]:
    """Per township code: {"villages", "met", "share" (None without villages), "short"},
    counting posts whose holder started before ``end`` (``start`` is not used: no history)."""
    return _doc(conn, county_code, end)[1]


def _shown(post: dict) -> dict:
    return {**post, "role_label": rule.ROLE_LABELS[post["role"]], "since": post["since"].isoformat(),
            "updated_at": post["updated_at"].isoformat()}


def posts(conn, county_code: str, village: str | None = None) -> list[dict]:
    """The posts held (of one village, or all), with the role's label."""
    return [_shown(p) for p in store.staff(conn, county_code, village)]


def _village_of(conn, county_code: str, values) -> str:
    """The village of the post: the grid's (which must lie in the village given, if any)."""
    if values.grid_code is not None:
        village = store.grid_village(conn, county_code, values.grid_code)
        if village is None:
            raise InvalidInput(f"字段 grid_code 没有编码为 {values.grid_code} 的网格", "grid_code")
        if not village:
            raise InvalidInput(f"字段 grid_code 网格 {values.grid_code} 不在任何村内", "grid_code")
        if values.village_code is not None and values.village_code != village:
            raise InvalidInput(f"字段 grid_code 网格 {values.grid_code} 不属于村 {values.village_code}", "grid_code")
        return village
    if not store.village_exists(conn, county_code, values.village_code):
        raise InvalidInput(f"字段 village_code 没有编码为 {values.village_code} 的村", "village_code")
    return values.village_code


def set_post(conn, county_code: str, values, actor: str) -> dict:
    """Set (or, with no name, empty) a post from ``StaffPost``; returns the post and what it
    held before. Raises InvalidInput naming the field for an unknown village or grid."""
    village = _village_of(conn, county_code, values)
    before = store.set_post(conn, county_code, village, values.grid_code, values.role, values.name,
                            values.phone, values.since, actor)
    held = [p for p in store.staff(conn, county_code, village)
            if p["grid_code"] == values.grid_code and p["role"] == values.role]
    return {"village_code": village, "grid_code": values.grid_code, "role": values.role,
            "post": _shown(held[0]) if held else None, "before": before}
