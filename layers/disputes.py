"""Dispute screening and the incidents' dispute flags in PostGIS (migration 0022).

Screenings are rows of ``dispute_screenings``; one removed is kept with who and when it was
removed (``deleted_by``, ``deleted_at``) and left out of every read. An incident's flags
(``civil_to_criminal``, ``dispute_homicide``) changed in the app are kept in
``incident_dispute_marks`` with what they were before. Days are local (Asia/Shanghai)
dates. The caller owns the transaction.
"""
from __future__ import annotations

from datetime import date

from geo.calendar import TIMEZONE

COLUMNS = ("id", "level", "unit_code", "unit_name", "township_code", "screened_on", "disputes_found", "resolved",
           "note", "created_by", "created_at")
_SELECT = """SELECT s.id, s.level, s.unit_code,
                    coalesce(t.name, v.name, c.name), coalesce(t.code, v.township_code),
                    s.screened_on, s.disputes_found, s.resolved, s.note, s.created_by, s.created_at
             FROM dispute_screenings s
             LEFT JOIN townships t ON s.level = 'township' AND t.county_code = s.county_code AND t.code = s.unit_code
             LEFT JOIN villages v ON s.level = 'village' AND v.county_code = s.county_code AND v.code = s.unit_code
             LEFT JOIN counties c ON s.level = 'county' AND c.code = s.county_code"""


def add(conn, county: str, values: dict, user: str) -> int:
    """Store a screening (``values``: level, unit_code, screened_on, disputes_found,
    resolved, note); its id."""
    with conn.cursor() as cur:
        cur.execute("""INSERT INTO dispute_screenings (county_code, level, unit_code, screened_on, disputes_found,
                                                       resolved, note, created_by)
                       VALUES (%(county)s, %(level)s, %(unit_code)s, %(screened_on)s, %(disputes_found)s,
                               %(resolved)s, %(note)s, %(user)s) RETURNING id""",
                    {**values, "county": county, "user": user})
        return cur.fetchone()[0]


def listing(conn, county: str, start: date, end: date, level: str | None = None, limit: int = 5000) -> list[dict]:
    """The county's screenings on local days [start, end), newest first (deleted ones left out)."""
    with conn.cursor() as cur:
        cur.execute(f"""{_SELECT} WHERE s.county_code = %(county)s AND s.deleted_at IS NULL
                          AND s.screened_on >= %(start)s AND s.screened_on < %(end)s
                          AND (%(level)s::text IS NULL OR s.level = %(level)s)
                        ORDER BY s.screened_on DESC, s.id DESC LIMIT %(limit)s""",
                    {"county": county, "start": start, "end": end, "level": level, "limit": limit})
        return [dict(zip(COLUMNS, r)) for r in cur.fetchall()]


def screened_days(conn, county: str, start: date, end: date) -> dict[tuple[str, str], list[date]]:
    """{(level, unit_code): [days screened]} on local days [start, end), deleted ones left out."""
    with conn.cursor() as cur:
        cur.execute("""SELECT level, unit_code, array_agg(screened_on ORDER BY screened_on)
                       FROM dispute_screenings
                       WHERE county_code = %s AND deleted_at IS NULL AND screened_on >= %s AND screened_on < %s
                       GROUP BY level, unit_code""", (county, start, end))
        return {(lvl, code): days for lvl, code, days in cur.fetchall()}


def get(conn, county: str, screening_id: int) -> dict | None:
    """One screening that is not deleted, with its author and its creation's local day
    (``created_on``), or None."""
    with conn.cursor() as cur:
        cur.execute("""SELECT id, created_by, (created_at AT TIME ZONE %s)::date FROM dispute_screenings
                       WHERE county_code = %s AND id = %s AND deleted_at IS NULL FOR UPDATE""",
                    (TIMEZONE, county, screening_id))
        row = cur.fetchone()
    return dict(zip(("id", "created_by", "created_on"), row)) if row else None


def remove(conn, county: str, screening_id: int, user: str) -> bool:
    """Mark a screening deleted by ``user`` now (kept, left out of reads); False when absent."""
    with conn.cursor() as cur:
        cur.execute("""UPDATE dispute_screenings SET deleted_by = %s, deleted_at = now()
                       WHERE county_code = %s AND id = %s AND deleted_at IS NULL""", (user, county, screening_id))
        return cur.rowcount == 1


def units(conn, county: str) -> dict[str, list[dict]]:
    """The units that screen: {'county': [{code, name}], 'township': [{code, name}],
    'village': [{code, name, township_code}]}, by code."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, name FROM counties WHERE code = %s", (county,))
        row = cur.fetchone()
        out = {"county": [{"code": county, "name": row[1] if row else "本县"}]}
        cur.execute("SELECT code, name FROM townships WHERE county_code = %s ORDER BY code", (county,))
        out["township"] = [{"code": c, "name": n} for c, n in cur.fetchall()]
        cur.execute("SELECT code, name, township_code FROM villages WHERE county_code = %s ORDER BY code",
                    (county,))
        out["village"] = [{"code": c, "name": n, "township_code": t} for c, n, t in cur.fetchall()]
    return out


def unit_exists(conn, county: str, level: str, code: str) -> bool:
    """Whether the county has a unit of ``level`` with ``code`` (the county itself for 'county')."""
    if level == "county":
        return code == county
    table = {"township": "townships", "village": "villages"}[level]
    with conn.cursor() as cur:
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE county_code = %s AND code = %s)", (county, code))
        return cur.fetchone()[0]


def flagged_counts(conn, county: str, first: date, last: date) -> dict[str, int]:
    """{civil_to_criminal, dispute_homicide}: incidents so flagged that occurred on local days
    first..last (inclusive)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT count(*) FILTER (WHERE civil_to_criminal), count(*) FILTER (WHERE dispute_homicide)
                       FROM incidents
                       WHERE county_code = %(county)s AND (civil_to_criminal OR dispute_homicide)
                         AND occurred_at >= (%(first)s::date)::timestamp AT TIME ZONE %(tz)s
                         AND occurred_at < (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s""",
                    {"county": county, "first": first, "last": last, "tz": TIMEZONE})
        ctc, homicide = cur.fetchone()
    return {"civil_to_criminal": ctc, "dispute_homicide": homicide}


def incident_flags(conn, county: str, code: str) -> dict | None:
    """{civil_to_criminal, dispute_homicide} of an incident (row locked), or None when absent."""
    with conn.cursor() as cur:
        cur.execute("""SELECT civil_to_criminal, dispute_homicide FROM incidents
                       WHERE county_code = %s AND code = %s FOR UPDATE""", (county, code))
        row = cur.fetchone()
    return dict(zip(("civil_to_criminal", "dispute_homicide"), row)) if row else None


def mark_incident(conn, county: str, code: str, flags: dict, before: dict, note: str, user: str) -> None:
    """Set an incident's flags and keep the change (who, when, what before)."""
    args = {**flags, "county": county, "code": code, "note": note, "user": user,
            "was_ctc": before["civil_to_criminal"], "was_hom": before["dispute_homicide"]}
    with conn.cursor() as cur:
        cur.execute("""UPDATE incidents SET civil_to_criminal = %(civil_to_criminal)s,
                              dispute_homicide = %(dispute_homicide)s, updated_at = now()
                       WHERE county_code = %(county)s AND code = %(code)s""", args)
        cur.execute("""INSERT INTO incident_dispute_marks (county_code, incident_code, civil_to_criminal,
                              dispute_homicide, was_civil_to_criminal, was_dispute_homicide, note, by_user)
                       VALUES (%(county)s, %(code)s, %(civil_to_criminal)s, %(dispute_homicide)s, %(was_ctc)s,
                               %(was_hom)s, %(note)s, %(user)s)""", args)


def marks(conn, county: str, code: str) -> list[dict]:
    """The flag changes of an incident made in the app, oldest first."""
    keys = ("civil_to_criminal", "dispute_homicide", "was_civil_to_criminal", "was_dispute_homicide", "note",
            "by_user", "at")
    with conn.cursor() as cur:
        cur.execute(f"""SELECT {', '.join(keys)} FROM incident_dispute_marks
                        WHERE county_code = %s AND incident_code = %s ORDER BY at, id""", (county, code))
        return [dict(zip(keys, r)) for r in cur.fetchall()]


def set_flags(conn, county: str, civil_to_criminal: list[str], dispute_homicide: list[str]) -> int:
    """Flag incidents by code in bulk (demo data, as if imported); how many rows changed."""
    with conn.cursor() as cur:
        cur.execute("""UPDATE incidents SET civil_to_criminal = code = ANY(%(ctc)s),
                              dispute_homicide = code = ANY(%(hom)s)
                       WHERE county_code = %(county)s AND (code = ANY(%(ctc)s) OR code = ANY(%(hom)s)
                             OR civil_to_criminal OR dispute_homicide)""",
                    {"county": county, "ctc": civil_to_criminal, "hom": dispute_homicide})
        return cur.rowcount


def demo_candidates(conn, county: str, first: date, last: date, categories: tuple[str, ...]) -> list[str]:
    """Codes of incidents on local days first..last (inclusive) whose focus is one of
    ``categories``, by time (demo data)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT code FROM incidents
                       WHERE county_code = %(county)s AND focus = ANY(%(cats)s)
                         AND occurred_at >= (%(first)s::date)::timestamp AT TIME ZONE %(tz)s
                         AND occurred_at < (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s
                       ORDER BY occurred_at, code""",
                    {"county": county, "cats": list(categories), "first": first, "last": last, "tz": TIMEZONE})
        return [r[0] for r in cur.fetchall()]


def count(conn) -> tuple[int, int]:
    """(screenings including deleted, flag changes) stored: for tests that a refusal wrote nothing."""
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM dispute_screenings), (SELECT count(*) FROM incident_dispute_marks)")
        return cur.fetchone()


def add_many(conn, county: str, rows: list[dict], user: str) -> int:
    """Store many screenings at once (demo data, past records); how many."""
    from psycopg2.extras import execute_values

    with conn.cursor() as cur:
        execute_values(cur, """INSERT INTO dispute_screenings (county_code, level, unit_code, screened_on,
                                      disputes_found, resolved, note, created_by) VALUES %s""",
                       [(county, r["level"], r["unit_code"], r["screened_on"], r["disputes_found"], r["resolved"],
                         r.get("note", ""), user) for r in rows], page_size=1000)
    return len(rows)


def stored_in(conn, county: str) -> tuple[int, int]:
    """(screenings not deleted, incidents flagged) of the county."""
    with conn.cursor() as cur:
        cur.execute("""SELECT (SELECT count(*) FROM dispute_screenings WHERE county_code = %(c)s AND deleted_at IS NULL),
                              (SELECT count(*) FROM incidents WHERE county_code = %(c)s
                                 AND (civil_to_criminal OR dispute_homicide))""", {"c": county})
        return cur.fetchone()
