"""Opinion calls in PostGIS (migration 0020): calls, the county's questions, its settings.

Periods are [start, end) of aware moments (the callers turn local days into moments with
``geo.calendar.day_start``). The township of a call is the village's (a trigger). The
caller owns the transaction.
"""
from __future__ import annotations

import json
from datetime import date, datetime

from geo.calendar import TIMEZONE
from geo.survey import REQUIRED_DAILY

CALL_COLUMNS = ("id", "code", "day", "time", "village_code", "village_name", "township_code", "township_name",
                "caller", "safety", "satisfaction", "answers", "problems", "phone_hash", "created_by")


def village(conn, county: str, code: str) -> dict | None:
    """The village ``code`` of the county: {code, name, township_code}, or None."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, name, township_code FROM villages WHERE county_code = %s AND code = %s",
                    (county, code))
        row = cur.fetchone()
    return dict(zip(("code", "name", "township_code"), row)) if row else None


def villages(conn, county: str) -> list[dict]:
    """Every village with its township and population, by township then code."""
    with conn.cursor() as cur:
        cur.execute("""SELECT v.code, v.name, v.township_code, t.name, coalesce(v.population, 0)
                       FROM villages v LEFT JOIN townships t ON t.county_code = v.county_code
                                                            AND t.code = v.township_code
                       WHERE v.county_code = %s ORDER BY v.township_code, v.code""", (county,))
        return [dict(zip(("code", "name", "township_code", "township_name", "population"), r))
                for r in cur.fetchall()]


def insert(conn, county: str, values: dict, user: str) -> dict:
    """Store one call; ``values``: called_at, village_code, caller, safety, satisfaction,
    phone_hash, answers (dict), problems. Returns {id, code}."""
    with conn.cursor() as cur:
        cur.execute("""WITH n AS (SELECT nextval(pg_get_serial_sequence('survey_calls', 'id')) AS id)
                       INSERT INTO survey_calls (id, county_code, code, called_at, village_code, caller, safety,
                                                 satisfaction, phone_hash, answers, problems, created_by)
                       SELECT n.id, %(county)s, 'MY' || lpad(n.id::text, 8, '0'), %(called_at)s, %(village_code)s,
                              %(caller)s, %(safety)s, %(satisfaction)s, %(phone_hash)s, %(answers)s::jsonb,
                              %(problems)s, %(user)s
                       FROM n RETURNING id, code""",
                    {**values, "answers": json.dumps(values.get("answers") or {}, ensure_ascii=False),
                     "county": county, "user": user})
        call_id, code = cur.fetchone()
    return {"id": call_id, "code": code}


def count(conn, county: str, start: datetime, end: datetime) -> int:
    """Calls made in [start, end)."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM survey_calls WHERE county_code = %s AND called_at >= %s AND called_at < %s",
                    (county, start, end))
        return cur.fetchone()[0]


def per_day(conn, county: str, start: datetime, end: datetime) -> dict[date, int]:
    """{local day: calls} over [start, end) (days without calls absent)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT (called_at AT TIME ZONE %s)::date, count(*) FROM survey_calls
                       WHERE county_code = %s AND called_at >= %s AND called_at < %s GROUP BY 1""",
                    (TIMEZONE, county, start, end))
        return dict(cur.fetchall())


def phone_calls(conn, county: str, phone_hash: str, start: datetime, end: datetime) -> int:
    """Calls to the number of ``phone_hash`` in [start, end)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT count(*) FROM survey_calls WHERE county_code = %s AND phone_hash = %s
                       AND called_at >= %s AND called_at < %s""", (county, phone_hash, start, end))
        return cur.fetchone()[0]


def township_means(conn, county: str, start: datetime, end: datetime) -> list[tuple]:
    """(township_code, calls, mean safety, mean satisfaction) per township over [start, end)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT township_code, count(*), avg(safety)::float8, avg(satisfaction)::float8
                       FROM survey_calls WHERE county_code = %s AND called_at >= %s AND called_at < %s
                       AND township_code IS NOT NULL GROUP BY township_code ORDER BY township_code""",
                    (county, start, end))
        return cur.fetchall()


def village_calls(conn, county: str, start: datetime, end: datetime) -> dict[str, int]:
    """{village_code: calls} over [start, end)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT village_code, count(*) FROM survey_calls WHERE county_code = %s
                       AND called_at >= %s AND called_at < %s GROUP BY village_code""", (county, start, end))
        return dict(cur.fetchall())


def listing(conn, county: str, start: datetime, end: datetime, township: str | None,
            limit: int | None = 2000) -> list[dict]:
    """Calls in [start, end) (of one township when given), newest first, at most ``limit``."""
    with conn.cursor() as cur:
        cur.execute("""SELECT c.id, c.code, (c.called_at AT TIME ZONE %(tz)s)::date,
                              to_char(c.called_at AT TIME ZONE %(tz)s, 'HH24:MI'), c.village_code, v.name,
                              c.township_code, t.name, c.caller, c.safety, c.satisfaction, c.answers, c.problems,
                              c.phone_hash, c.created_by
                       FROM survey_calls c
                       LEFT JOIN villages v ON v.county_code = c.county_code AND v.code = c.village_code
                       LEFT JOIN townships t ON t.county_code = c.county_code AND t.code = c.township_code
                       WHERE c.county_code = %(county)s AND c.called_at >= %(start)s AND c.called_at < %(end)s
                         AND (%(township)s::text IS NULL OR c.township_code = %(township)s)
                       ORDER BY c.called_at DESC, c.id DESC LIMIT %(limit)s""",
                    {"tz": TIMEZONE, "county": county, "start": start, "end": end, "township": township,
                     "limit": limit})
        return [dict(zip(CALL_COLUMNS, r)) for r in cur.fetchall()]


def required_daily(conn, county: str) -> int:
    """Calls the county requires a day (50 unless set)."""
    with conn.cursor() as cur:
        cur.execute("SELECT required_daily FROM survey_settings WHERE county_code = %s", (county,))
        row = cur.fetchone()
    return row[0] if row else REQUIRED_DAILY


def set_required_daily(conn, county: str, required: int, user: str) -> None:
    """Set the calls required a day."""
    with conn.cursor() as cur:
        cur.execute("""INSERT INTO survey_settings (county_code, required_daily, updated_by) VALUES (%s, %s, %s)
                       ON CONFLICT (county_code) DO UPDATE SET required_daily = EXCLUDED.required_daily,
                       updated_by = EXCLUDED.updated_by, updated_at = now()""", (county, required, user))


QUESTION_COLUMNS = ("key", "text", "kind", "position", "active", "updated_by", "updated_at")


def questions(conn, county: str, active_only: bool = True) -> list[dict]:
    """The county's questions by position."""
    with conn.cursor() as cur:
        cur.execute("""SELECT key, text, kind, position, active, updated_by, updated_at FROM survey_questions
                       WHERE county_code = %s AND (active OR NOT %s) ORDER BY position, key""",
                    (county, active_only))
        return [dict(zip(QUESTION_COLUMNS, r)) for r in cur.fetchall()]


def save_question(conn, county: str, values: dict, user: str) -> None:
    """Add or change a question (by key); ``values``: key, text, kind, position, active."""
    with conn.cursor() as cur:
        cur.execute("""INSERT INTO survey_questions (county_code, key, text, kind, position, active, updated_by)
                       VALUES (%(county)s, %(key)s, %(text)s, %(kind)s, %(position)s, %(active)s, %(user)s)
                       ON CONFLICT (county_code, key) DO UPDATE SET text = EXCLUDED.text, kind = EXCLUDED.kind,
                       position = EXCLUDED.position, active = EXCLUDED.active, updated_by = EXCLUDED.updated_by,
                       updated_at = now()""", {**values, "county": county, "user": user})


def insert_many(conn, county: str, rows: list[tuple], user: str) -> int:
    """Store many calls at once (the demo); each row: (called_at, village_code, caller,
    safety, satisfaction, phone_hash, answers dict, problems). Returns the count."""
    from psycopg2.extras import execute_values

    with conn.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence('survey_calls', 'id')) FROM generate_series(1, %s)",
                    (len(rows),))
        ids = [r[0] for r in cur.fetchall()]
        values = [(i, county, f"MY{i:08d}", *r[:6], json.dumps(r[6], ensure_ascii=False), r[7], user)
                  for i, r in zip(ids, rows)]
        execute_values(cur, """INSERT INTO survey_calls (id, county_code, code, called_at, village_code, caller, safety,
                                                         satisfaction, phone_hash, answers, problems, created_by)
                               VALUES %s""", values, page_size=2000)
    return len(rows)


def repeated_numbers(conn, county: str, codes: list[str]) -> int:
    """Of the calls ``codes``, how many reached a number called by another call of the
    county in the same quarter (local time)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT count(*) FROM survey_calls a
                       WHERE a.county_code = %(county)s AND a.code = ANY(%(codes)s) AND a.phone_hash IS NOT NULL
                         AND EXISTS (SELECT 1 FROM survey_calls b WHERE b.county_code = a.county_code
                             AND b.phone_hash = a.phone_hash AND b.id <> a.id
                             AND date_trunc('quarter', b.called_at AT TIME ZONE %(tz)s)
                                 = date_trunc('quarter', a.called_at AT TIME ZONE %(tz)s))""",
                    {"county": county, "codes": codes, "tz": TIMEZONE})
        return cur.fetchone()[0]
