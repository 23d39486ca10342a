"""The school calendar's tables (migration 0017): ``calendar_days`` (holidays and 调休
make-up working days, national when county_code is NULL) and ``school_terms``.

Every change is audit-logged by the caller (``web.services.school_calendar``); both
tables are tracked by ``layers.versions`` so that kept visit reports and alerts follow.
"""
from __future__ import annotations

from datetime import date

from layers.errors import FeatureNotFound

DAY_COLUMNS = ("id", "county_code", "day", "kind", "name", "changed_by", "changed_at")
TERM_COLUMNS = ("id", "county_code", "name", "starts", "ends", "school_code", "changed_by", "changed_at")


def _rows(cur, columns) -> list[dict]:
    return [dict(zip(columns, row)) for row in cur.fetchall()]


def days(conn, county_code: str, start: date, end: date) -> list[dict]:
    """National and the county's holidays and make-up days from ``start`` to ``end`` (both
    included), by day (a day may have a national and a county row)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(DAY_COLUMNS)} FROM calendar_days"
                    " WHERE (county_code IS NULL OR county_code = %s) AND day BETWEEN %s AND %s"
                    " ORDER BY day, county_code NULLS FIRST", (county_code, start, end))
        return _rows(cur, DAY_COLUMNS)


def day_row(conn, county_code: str | None, day: date) -> dict | None:
    """The row of ``day`` at that scope (county_code None = national), or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(DAY_COLUMNS)} FROM calendar_days"
                    " WHERE county_code IS NOT DISTINCT FROM %s AND day = %s", (county_code, day))
        rows = _rows(cur, DAY_COLUMNS)
    return rows[0] if rows else None


def set_day(conn, county_code: str | None, day: date, kind: str, name: str, who: str | None) -> None:
    """Add or replace the entry of ``day`` at that scope."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO calendar_days (county_code, day, kind, name, changed_by) VALUES (%s, %s, %s, %s, %s)"
                    " ON CONFLICT ON CONSTRAINT calendar_days_key DO UPDATE SET kind = EXCLUDED.kind,"
                    " name = EXCLUDED.name, changed_by = EXCLUDED.changed_by, changed_at = now()",
                    (county_code, day, kind, name, who))


def remove_day(conn, county_code: str | None, day: date) -> dict:
    """Delete the entry of ``day`` at that scope; the row removed; FeatureNotFound without one."""
    with conn.cursor() as cur:
        cur.execute(f"DELETE FROM calendar_days WHERE county_code IS NOT DISTINCT FROM %s AND day = %s"
                    f" RETURNING {', '.join(DAY_COLUMNS)}", (county_code, day))
        rows = _rows(cur, DAY_COLUMNS)
    if not rows:
        raise FeatureNotFound(f"{day.isoformat()} 没有{'全国' if county_code is None else '本县'}节假日或调休记录")
    return rows[0]


def terms(conn, county_code: str) -> list[dict]:
    """The county's terms, by start."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(TERM_COLUMNS)} FROM school_terms WHERE county_code = %s"
                    " ORDER BY starts, school_code NULLS FIRST, name", (county_code,))
        return _rows(cur, TERM_COLUMNS)


def term(conn, county_code: str, term_id: int) -> dict:
    """One term of the county; FeatureNotFound when there is none."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(TERM_COLUMNS)} FROM school_terms WHERE county_code = %s AND id = %s",
                    (county_code, term_id))
        rows = _rows(cur, TERM_COLUMNS)
    if not rows:
        raise FeatureNotFound(f"没有编号为 {term_id} 的学期")
    return rows[0]


def term_named(conn, county_code: str, name: str, school_code: str | None) -> dict | None:
    with conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(TERM_COLUMNS)} FROM school_terms WHERE county_code = %s AND name = %s"
                    " AND school_code IS NOT DISTINCT FROM %s", (county_code, name, school_code))
        rows = _rows(cur, TERM_COLUMNS)
    return rows[0] if rows else None


def save_term(conn, county_code: str, row: dict, who: str | None, term_id: int | None = None) -> int:
    """Add a term, or change term ``term_id``, or (by name and school) replace it; its id."""
    values = {"county": county_code, "name": row["name"], "starts": row["starts"], "ends": row["ends"],
              "school": row.get("school_code"), "who": who, "id": term_id}
    with conn.cursor() as cur:
        if term_id is not None:
            cur.execute("UPDATE school_terms SET name = %(name)s, starts = %(starts)s, ends = %(ends)s,"
                        " school_code = %(school)s, changed_by = %(who)s, changed_at = now()"
                        " WHERE county_code = %(county)s AND id = %(id)s RETURNING id", values)
        else:
            cur.execute("INSERT INTO school_terms (county_code, name, starts, ends, school_code, changed_by)"
                        " VALUES (%(county)s, %(name)s, %(starts)s, %(ends)s, %(school)s, %(who)s)"
                        " ON CONFLICT ON CONSTRAINT school_terms_key DO UPDATE SET starts = EXCLUDED.starts,"
                        " ends = EXCLUDED.ends, changed_by = EXCLUDED.changed_by, changed_at = now() RETURNING id",
                        values)
        found = cur.fetchone()
    if found is None:
        raise FeatureNotFound(f"没有编号为 {term_id} 的学期")
    return found[0]


def remove_term(conn, county_code: str, term_id: int) -> dict:
    """Delete a term; the row removed; FeatureNotFound without one."""
    with conn.cursor() as cur:
        cur.execute(f"DELETE FROM school_terms WHERE county_code = %s AND id = %s RETURNING {', '.join(TERM_COLUMNS)}",
                    (county_code, term_id))
        rows = _rows(cur, TERM_COLUMNS)
    if not rows:
        raise FeatureNotFound(f"没有编号为 {term_id} 的学期")
    return rows[0]
