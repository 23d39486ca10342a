"""Incident categories as the police write them, and the R4 focus group each maps to.

An incident keeps ``category`` as written in the file and carries ``focus``: one of
``catalog.INCIDENT_FOCUS`` (robbery … dispute, or 'other'). The mapping (migration 0010) is
the shipped defaults (``incident_focus_defaults()``: the English codes, their Chinese
labels and dozens of the names real exports use) under what the county's admin added
(``incident_focus_map``, which wins). Categories match by their key: NFKC (full-width
letters and spaces become ordinary ones), surrounding whitespace trimmed, lower case. A
category neither knows is 'other'. The database sets ``focus`` of a row written without
one (trigger ``incidents_set_focus``); mapping a category anew moves the focus of the
county's incidents written that way at once.
"""
from __future__ import annotations

import unicodedata

from layers.catalog import INCIDENT_FOCUS, VALUE_LABELS
from layers.errors import InvalidInput

FOCUS_LABELS = {code: VALUE_LABELS[code] for code in INCIDENT_FOCUS}
SOURCES = {"county": "本县设定", "default": "系统默认", "unmapped": "未对应（按其他计）"}


def category_key(written: str) -> str:
    """The key categories are compared by (as the database's ``category_key``)."""
    return unicodedata.normalize("NFKC", written).strip().lower()


def focus_of(conn, county: str, written: list[str]) -> dict[str, str | None]:
    """{category as written: its focus, or None when the mapping does not know it}."""
    with conn.cursor() as cur:
        cur.execute("SELECT w, incident_focus(%s, w) FROM unnest(%s::text[]) AS w", (county, list(written)))
        return dict(cur.fetchall())


KNOWN = """
    SELECT EXISTS (SELECT 1 FROM incident_focus_map WHERE county_code = %(county)s
                   AND written_key = category_key(%(written)s))
        OR EXISTS (SELECT 1 FROM incident_focus_defaults() WHERE written = category_key(%(written)s))
        OR EXISTS (SELECT 1 FROM incidents WHERE county_code = %(county)s
                   AND category_key(category) = category_key(%(written)s))"""


def check_known(conn, county: str, written: str, field: str = "category") -> None:
    """InvalidInput naming ``field`` when no incident of the county is written ``written``
    and the mapping does not know it either (a typing error, most likely)."""
    with conn.cursor() as cur:
        cur.execute(KNOWN, {"county": county, "written": written})
        if not cur.fetchone()[0]:
            raise InvalidInput(f"参数 {field} 未知的案件类别 '{written}'：本县警情中没有这样写的类别，类别映射中也没有"
                               f"（按重点类别分析请用 focus={'/'.join(INCIDENT_FOCUS)}）", field)


MAPPING = """
    WITH counted AS (
        SELECT category_key(category) AS key, mode() WITHIN GROUP (ORDER BY category) AS written,
               count(*) AS n
        FROM incidents WHERE county_code = %(county)s GROUP BY 1),
    own AS (SELECT written_key AS key, written, focus, added_by, added_at
            FROM incident_focus_map WHERE county_code = %(county)s),
    shipped AS (SELECT written AS key, written, focus FROM incident_focus_defaults())
    SELECT coalesce(c.written, o.written, s.written), coalesce(o.focus, s.focus, 'other'),
           CASE WHEN o.key IS NOT NULL THEN 'county' WHEN s.key IS NOT NULL THEN 'default'
                ELSE 'unmapped' END,
           coalesce(c.n, 0), s.focus, o.added_by, o.added_at
    FROM counted c FULL JOIN own o USING (key) FULL JOIN shipped s USING (key)
    ORDER BY 4 DESC, 1"""
MAPPING_COLUMNS = ("category", "focus", "source", "incidents", "default_focus", "added_by", "added_at")


def mapping(conn, county: str) -> list[dict]:
    """Every category the county's incidents are written with, or the mapping knows, most
    incidents first: {category, focus, source ('county', 'default' or 'unmapped'),
    incidents, default_focus (the shipped one or None), added_by, added_at}."""
    with conn.cursor() as cur:
        cur.execute(MAPPING, {"county": county})
        rows = [dict(zip(MAPPING_COLUMNS, row)) for row in cur.fetchall()]
    for row in rows:
        row["added_at"] = row["added_at"].isoformat() if row["added_at"] else None
    return rows


SET_FOCUS = """
    INSERT INTO incident_focus_map (county_code, written, focus, added_by)
    VALUES (%(county)s, %(written)s, %(focus)s, %(by)s)
    ON CONFLICT (county_code, written_key)
    DO UPDATE SET written = EXCLUDED.written, focus = EXCLUDED.focus, added_by = EXCLUDED.added_by,
                  added_at = now()"""
REFOCUS = """
    UPDATE incidents SET focus = %(focus)s
    WHERE county_code = %(county)s AND category_key(category) = category_key(%(written)s)
      AND focus <> %(focus)s
      AND lonlat_ok(geom) AND moment_ok(occurred_at)  -- rows from before 0008's checks stay as they are"""


def set_focus(conn, county: str, written: str, focus: str, by: str | None) -> dict:
    """Map ``written`` to ``focus`` for the county and move the focus of its incidents
    written that way. Returns {category, focus, before (the focus it had, None when
    unmapped), incidents (how many changed)}. The focus codes themselves are fixed
    (InvalidInput). Does not commit."""
    if focus not in INCIDENT_FOCUS:
        raise InvalidInput(f"重点类别应为 {', '.join(INCIDENT_FOCUS)} 之一，而不是 '{focus}'", "focus")
    if category_key(written) in INCIDENT_FOCUS:
        raise InvalidInput(f"'{written}' 是重点类别本身的代码，其对应关系不能修改", "category")
    params = {"county": county, "written": written, "focus": focus, "by": by}
    with conn.cursor() as cur:
        cur.execute("SELECT incident_focus(%(county)s, %(written)s)", params)
        before = cur.fetchone()[0]
        cur.execute(SET_FOCUS, params)
        cur.execute(REFOCUS, params)
        changed = cur.rowcount
    return {"category": written, "focus": focus, "before": before, "incidents": changed}
