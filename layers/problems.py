"""The 四单制 problem list in PostGIS (migration 0021): problems and their steps.

A problem's row holds its current state and a version; a step is written with the update
that makes it, in the caller's transaction, only when the row is still in the state and
version the user saw (``step``: None otherwise, nothing written). Days are local
(Asia/Shanghai) dates.
"""
from __future__ import annotations

from datetime import date

from geo.calendar import TIMEZONE

COLUMNS = ("id", "code", "title", "description", "category", "source_kind", "source_ref", "lon", "lat",
           "township_code", "township_name", "village_code", "village_name", "department", "deadline", "state",
           "version", "created_by", "created_at", "updated_at", "closed_on")
_SELECT = """SELECT p.id, p.code, p.title, p.description, p.category, p.source_kind, p.source_ref,
                    ST_X(p.geom), ST_Y(p.geom), p.township_code, t.name, p.village_code, v.name, p.department,
                    p.deadline, p.state, p.version, p.created_by, p.created_at, p.updated_at,
                    (p.closed_at AT TIME ZONE %(tz)s)::date
             FROM problems p
             LEFT JOIN townships t ON t.county_code = p.county_code AND t.code = p.township_code
             LEFT JOIN villages v ON v.county_code = p.county_code AND v.code = p.village_code"""
STEP_COLUMNS = ("id", "from_state", "to_state", "by_user", "at", "note", "department", "deadline", "satisfied")


def _rows(cur) -> list[dict]:
    return [dict(zip(COLUMNS, row)) for row in cur.fetchall()]


def create(conn, county: str, values: dict, where: tuple[float, float] | None, user: str) -> dict:
    """Store a problem in state listed with its first step; ``values``: title, description,
    category, source_kind, source_ref, note. Township and village located from ``where``
    (lon, lat). Returns {id, code}."""
    lon, lat = where if where else (None, None)
    with conn.cursor() as cur:
        cur.execute("""WITH n AS (SELECT nextval(pg_get_serial_sequence('problems', 'id')) AS id),
                            pt AS (SELECT CASE WHEN %(lon)s::float8 IS NULL THEN NULL
                                          ELSE ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) END AS g)
                       INSERT INTO problems (id, county_code, code, title, description, category, source_kind,
                                             source_ref, geom, township_code, village_code, created_by)
                       SELECT n.id, %(county)s, 'WT' || lpad(n.id::text, 6, '0'), %(title)s, %(description)s,
                              %(category)s, %(source_kind)s, %(source_ref)s, pt.g,
                              (SELECT code FROM townships WHERE county_code = %(county)s
                                 AND ST_Intersects(geom, pt.g) ORDER BY code LIMIT 1),
                              (SELECT code FROM villages WHERE county_code = %(county)s
                                 AND ST_Intersects(geom, pt.g) ORDER BY code LIMIT 1),
                              %(user)s
                       FROM n, pt RETURNING id, code""",
                    {**values, "county": county, "lon": lon, "lat": lat, "user": user})
        problem_id, code = cur.fetchone()
        cur.execute("""INSERT INTO problem_steps (problem_id, from_state, to_state, by_user, note)
                       VALUES (%s, NULL, 'listed', %s, %s)""", (problem_id, user, values.get("note", "")))
    return {"id": problem_id, "code": code}


def get(conn, county: str, problem_id: int) -> dict | None:
    """One problem of the county, or None."""
    with conn.cursor() as cur:
        cur.execute(f"{_SELECT} WHERE p.county_code = %(county)s AND p.id = %(id)s",
                    {"tz": TIMEZONE, "county": county, "id": problem_id})
        rows = _rows(cur)
    return rows[0] if rows else None


def steps(conn, problem_id: int) -> list[dict]:
    """A problem's steps, oldest first."""
    with conn.cursor() as cur:
        cur.execute("""SELECT id, from_state, to_state, by_user, at, note, department, deadline, satisfied
                       FROM problem_steps WHERE problem_id = %s ORDER BY at, id""", (problem_id,))
        return [dict(zip(STEP_COLUMNS, row)) for row in cur.fetchall()]


def current(conn, county: str, problem_id: int) -> tuple[str, int] | None:
    """(state, version) of a problem, its row locked until the transaction ends; None when absent."""
    with conn.cursor() as cur:
        cur.execute("SELECT state, version FROM problems WHERE county_code = %s AND id = %s FOR UPDATE",
                    (county, problem_id))
        return cur.fetchone()


def step(conn, county: str, problem_id: int, seen: tuple[str, int], to_state: str, user: str,
         values: dict) -> int | None:
    """Move the problem from ``seen`` (state, version) to ``to_state`` and keep the step
    (``values``: note, department, deadline, satisfied; department and deadline set on the
    problem when given). The new version, or None when the problem is no longer as seen
    (nothing written)."""
    args = {**values, "county": county, "id": problem_id, "from": seen[0], "version": seen[1], "to": to_state,
            "user": user}
    with conn.cursor() as cur:
        cur.execute("""UPDATE problems SET state = %(to)s, version = version + 1, updated_at = now(),
                              department = coalesce(%(department)s, department),
                              deadline = coalesce(%(deadline)s::date, deadline),
                              closed_at = CASE WHEN %(to)s = 'closed' THEN now() END
                       WHERE county_code = %(county)s AND id = %(id)s AND state = %(from)s AND version = %(version)s
                       RETURNING version""", args)
        row = cur.fetchone()
        if row is None:
            return None
        cur.execute("""INSERT INTO problem_steps (problem_id, from_state, to_state, by_user, note, department,
                                                  deadline, satisfied)
                       VALUES (%(id)s, %(from)s, %(to)s, %(user)s, %(note)s, %(department)s, %(deadline)s,
                               %(satisfied)s)""", args)
    return row[0]


def listing(conn, county: str, state: str | None = None, township: str | None = None,
            department: str | None = None, overdue_on: date | None = None, limit: int = 2000) -> list[dict]:
    """The county's problems, newest first; filtered by state, township, department, and
    with ``overdue_on`` only those open and past their deadline on that day."""
    with conn.cursor() as cur:
        cur.execute(f"""{_SELECT} WHERE p.county_code = %(county)s
                          AND (%(state)s::text IS NULL OR p.state = %(state)s)
                          AND (%(township)s::text IS NULL OR p.township_code = %(township)s)
                          AND (%(department)s::text IS NULL OR p.department = %(department)s)
                          AND (%(overdue)s::date IS NULL OR p.state <> 'closed' AND p.deadline < %(overdue)s)
                        ORDER BY p.created_at DESC, p.id DESC LIMIT %(limit)s""",
                    {"tz": TIMEZONE, "county": county, "state": state, "township": township,
                     "department": department, "overdue": overdue_on, "limit": limit})
        return _rows(cur)


def for_stats(conn, county: str, end: date) -> list[dict]:
    """Every problem created before ``end`` (a local day, exclusive) with what stats need:
    township_code, department, deadline, created_on, closed_on (local dates) and its
    callbacks' results [(local day, satisfied), ...]."""
    keys = ("township_code", "department", "deadline", "created_on", "closed_on", "callbacks")
    with conn.cursor() as cur:
        cur.execute("""SELECT p.township_code, p.department, p.deadline, (p.created_at AT TIME ZONE %(tz)s)::date,
                              (p.closed_at AT TIME ZONE %(tz)s)::date,
                              coalesce((SELECT array_agg(ARRAY[(s.at AT TIME ZONE %(tz)s)::date::text,
                                                               s.satisfied::text] ORDER BY s.at)
                                        FROM problem_steps s
                                        WHERE s.problem_id = p.id AND s.from_state = 'callback'), '{}')
                       FROM problems p
                       WHERE p.county_code = %(county)s AND (p.created_at AT TIME ZONE %(tz)s)::date < %(end)s""",
                    {"tz": TIMEZONE, "county": county, "end": end})
        rows = [dict(zip(keys, r)) for r in cur.fetchall()]
    for r in rows:
        r["callbacks"] = [(date.fromisoformat(d), s == "true") for d, s in r["callbacks"]]
    return rows


def village_point(conn, county: str, village_code: str) -> tuple[float, float] | None:
    """A point inside the village (lon, lat), or None when the county has no such village."""
    with conn.cursor() as cur:
        cur.execute("""SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM villages
                       WHERE county_code = %s AND code = %s""", (county, village_code))
        return cur.fetchone()


def checkin_source(conn, county: str, checkin_id: int) -> dict | None:
    """A patrol check-in as a problem's source: {stop_name, note, at, lon, lat}, or None."""
    with conn.cursor() as cur:
        cur.execute("""SELECT stop_name, note, at, ST_X(geom), ST_Y(geom) FROM patrol_checkins
                       WHERE county_code = %s AND id = %s""", (county, checkin_id))
        row = cur.fetchone()
    return dict(zip(("stop_name", "note", "at", "lon", "lat"), row)) if row else None


def incident_source(conn, county: str, code: str) -> dict | None:
    """An incident as a problem's source: {category, occurred_at, lon, lat}, or None."""
    with conn.cursor() as cur:
        cur.execute("""SELECT category, occurred_at, ST_X(geom), ST_Y(geom) FROM incidents
                       WHERE county_code = %s AND code = %s""", (county, code))
        row = cur.fetchone()
    return dict(zip(("category", "occurred_at", "lon", "lat"), row)) if row else None


def township_names(conn, county: str) -> dict[str, str]:
    """{code: name} of every township of the county, by code."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, name FROM townships WHERE county_code = %s ORDER BY code", (county,))
        return dict(cur.fetchall())


def departments(conn, county: str) -> list[str]:
    """The departments problems have been handed to, by name."""
    with conn.cursor() as cur:
        cur.execute("""SELECT DISTINCT department FROM problems WHERE county_code = %s AND department IS NOT NULL
                       ORDER BY department""", (county,))
        return [r[0] for r in cur.fetchall()]


def count_in(conn, county: str) -> int:
    """How many problems the county has."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM problems WHERE county_code = %s", (county,))
        return cur.fetchone()[0]


def count(conn) -> tuple[int, int]:
    """(problems, steps) stored: for tests that a refusal wrote nothing."""
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM problems), (SELECT count(*) FROM problem_steps)")
        return cur.fetchone()


def backdate(conn, problem_id: int, created_at, steps_at: list) -> None:
    """Set a problem's creation and its steps' times (demo data: a history spread over
    past days); ``steps_at`` in the order of the steps; closed_at follows the closing step."""
    with conn.cursor() as cur:
        cur.execute("""UPDATE problem_steps s SET at = x.at FROM
                         (SELECT id, row_number() OVER (ORDER BY at, id) AS n FROM problem_steps
                          WHERE problem_id = %s) o,
                         unnest(%s::timestamptz[]) WITH ORDINALITY AS x(at, n)
                       WHERE s.id = o.id AND o.n = x.n""", (problem_id, steps_at))
        cur.execute("""UPDATE problems SET created_at = %s, updated_at = %s,
                              closed_at = CASE WHEN state = 'closed' THEN %s END WHERE id = %s""",
                    (created_at, steps_at[-1], steps_at[-1], problem_id))
