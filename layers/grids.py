"""Grids and village staff in PostGIS (migration 0023): the checks a grid file must pass,
the staff posts (网格员 / 驻村民警 / 法律顾问) and every change to them.

A grid must lie within its village: at least ``INSIDE_MIN`` of its area inside the village
it names (or is located in); and may share at most ``OVERLAP_MAX`` of the smaller grid's
area with another grid. Areas are compared in degrees² of the same small place, which is
accurate enough for these shares. Nothing here commits: the caller owns the transaction.
"""
from __future__ import annotations

from datetime import date

INSIDE_MIN = 0.95       # share of a grid's area that must be inside its village
OVERLAP_MAX = 0.05      # share of the smaller grid's area two grids may share
MAX_REPORTED = 50       # problems listed per check

OUTSIDE = """
    SELECT g.code, g.name, g.village_code,
           CASE WHEN v.code IS NULL THEN NULL
                ELSE ST_Area(ST_Intersection(g.geom, v.geom)) / NULLIF(ST_Area(g.geom), 0) END AS inside
    FROM grids g
    LEFT JOIN villages v ON v.county_code = g.county_code AND v.code = g.village_code
    WHERE g.county_code = %(county)s
      AND (v.code IS NULL
           OR ST_Area(ST_Intersection(g.geom, v.geom)) < %(inside)s * ST_Area(g.geom))
    ORDER BY g.code LIMIT %(limit)s"""
OVERLAPS = """
    SELECT a.code, a.name, b.code, b.name,
           ST_Area(ST_Intersection(a.geom, b.geom)) / NULLIF(LEAST(ST_Area(a.geom), ST_Area(b.geom)), 0)
    FROM grids a JOIN grids b
      ON b.county_code = a.county_code AND a.code < b.code AND a.geom && b.geom
     AND ST_Intersects(a.geom, b.geom) AND NOT ST_Touches(a.geom, b.geom)
    WHERE a.county_code = %(county)s
      AND ST_Area(ST_Intersection(a.geom, b.geom)) > %(overlap)s * LEAST(ST_Area(a.geom), ST_Area(b.geom))
    ORDER BY a.code, b.code LIMIT %(limit)s"""
# A grid takes its village's township (the village may have been given by the file).
TOWNSHIP_FROM_VILLAGE = """
    UPDATE grids g SET township_code = v.township_code
    FROM villages v
    WHERE g.county_code = %(county)s AND v.county_code = g.county_code AND v.code = g.village_code
      AND g.township_code IS DISTINCT FROM v.township_code"""
STAFF_COLUMNS = ("village_code", "grid_code", "role", "name", "phone", "since", "updated_by", "updated_at")


def outside_grids(conn, county: str) -> list[tuple]:
    """Grids not (enough) inside their village: (code, name, village_code, share inside or
    None when the village is unknown or missing)."""
    with conn.cursor() as cur:
        cur.execute(OUTSIDE, {"county": county, "inside": INSIDE_MIN, "limit": MAX_REPORTED})
        return cur.fetchall()


def overlapping_grids(conn, county: str) -> list[tuple]:
    """Pairs of grids that share more than OVERLAP_MAX of the smaller one's area:
    (code, name, other code, other name, share)."""
    with conn.cursor() as cur:
        cur.execute(OVERLAPS, {"county": county, "overlap": OVERLAP_MAX, "limit": MAX_REPORTED})
        return cur.fetchall()


def settle(conn, county: str, actor: str) -> int:
    """After grids are written: each takes its village's township, and a grid's member named
    in the layer becomes its 网格员 post (with the change kept). Returns the posts changed."""
    with conn.cursor() as cur:
        cur.execute(TOWNSHIP_FROM_VILLAGE, {"county": county})
        cur.execute("""SELECT g.village_code, g.code, g.member, g.member_phone FROM grids g
                       LEFT JOIN village_staff s ON s.county_code = g.county_code AND s.grid_code = g.code
                        AND s.role = 'grid_member'
                       WHERE g.county_code = %s AND g.member IS NOT NULL AND g.village_code IS NOT NULL
                         AND (s.id IS NULL OR s.name <> g.member OR s.phone IS DISTINCT FROM g.member_phone
                              OR s.village_code <> g.village_code)""", (county,))
        changed = cur.fetchall()
    for village, grid, name, phone in changed:
        with conn.cursor() as cur:
            cur.execute("DELETE FROM village_staff WHERE county_code = %s AND grid_code = %s"
                        " AND role = 'grid_member' AND village_code <> %s", (county, grid, village))
        set_post(conn, county, village, grid, "grid_member", name, phone, None, actor, mirror=False)
    return len(changed)


def villages(conn, county: str) -> list[dict]:
    """The county's villages: code, name, township_code, township_name."""
    with conn.cursor() as cur:
        cur.execute("""SELECT v.code, v.name, v.township_code, t.name FROM villages v
                       LEFT JOIN townships t ON t.county_code = v.county_code AND t.code = v.township_code
                       WHERE v.county_code = %s ORDER BY v.township_code NULLS LAST, v.code""", (county,))
        return [dict(zip(("code", "name", "township_code", "township_name"), r)) for r in cur.fetchall()]


def grids(conn, county: str) -> list[dict]:
    """The county's grids: code, name, village_code, member."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, name, village_code, member FROM grids WHERE county_code = %s ORDER BY code",
                    (county,))
        return [dict(zip(("code", "name", "village_code", "member"), r)) for r in cur.fetchall()]


def grid_village(conn, county: str, grid: str) -> str | None:
    """The village a grid lies in (None for an unknown grid, or '' when it has none)."""
    with conn.cursor() as cur:
        cur.execute("SELECT coalesce(village_code, '') FROM grids WHERE county_code = %s AND code = %s",
                    (county, grid))
        row = cur.fetchone()
    return row[0] if row else None


def village_exists(conn, county: str, village: str) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM villages WHERE county_code = %s AND code = %s", (county, village))
        return cur.fetchone() is not None


def staff(conn, county: str, village: str | None = None, until: date | None = None) -> list[dict]:
    """The posts held (``STAFF_COLUMNS``), of one village or all, held since before ``until``."""
    with conn.cursor() as cur:
        cur.execute("""SELECT village_code, grid_code, role, name, phone, since, updated_by, updated_at
                       FROM village_staff WHERE county_code = %(county)s
                        AND (%(village)s::text IS NULL OR village_code = %(village)s)
                        AND (%(until)s::date IS NULL OR since < %(until)s)
                       ORDER BY village_code, grid_code NULLS FIRST, role""",
                    {"county": county, "village": village, "until": until})
        return [dict(zip(STAFF_COLUMNS, r)) for r in cur.fetchall()]


def changes(conn, county: str, village: str, limit: int = 50) -> list[dict]:
    """The last changes to a village's posts, newest first."""
    with conn.cursor() as cur:
        cur.execute("""SELECT grid_code, role, name_before, name, phone, by_user, at FROM village_staff_changes
                       WHERE county_code = %s AND village_code = %s ORDER BY at DESC, id DESC LIMIT %s""",
                    (county, village, limit))
        return [dict(zip(("grid_code", "role", "name_before", "name", "phone", "by_user", "at"), r))
                for r in cur.fetchall()]


def set_post(conn, county: str, village: str, grid: str | None, role: str, name: str | None,
             phone: str | None, since: date | None, actor: str, mirror: bool = True) -> dict | None:
    """Give a post to ``name`` (None empties it), keeping who and when and, in
    village_staff_changes, what was there before. A grid member is mirrored on the grid's
    row (its popup) when ``mirror``. Returns the post as held before (None when empty)."""
    key = {"county": county, "village": village, "grid": grid, "role": role}
    with conn.cursor() as cur:
        cur.execute("""DELETE FROM village_staff WHERE county_code = %(county)s AND village_code = %(village)s
                        AND coalesce(grid_code, '') = coalesce(%(grid)s, '') AND role = %(role)s
                       RETURNING name, phone""", key)
        before = cur.fetchone()
        if name is not None:
            cur.execute("""INSERT INTO village_staff (county_code, village_code, grid_code, role, name, phone,
                                                      since, updated_by)
                           VALUES (%(county)s, %(village)s, %(grid)s, %(role)s, %(name)s, %(phone)s,
                                   coalesce(%(since)s, CURRENT_DATE), %(actor)s)""",
                        {**key, "name": name, "phone": phone, "since": since, "actor": actor})
        cur.execute("""INSERT INTO village_staff_changes (county_code, village_code, grid_code, role, name_before,
                                                          phone_before, name, phone, by_user)
                       VALUES (%(county)s, %(village)s, %(grid)s, %(role)s, %(nb)s, %(pb)s, %(name)s, %(phone)s,
                               %(actor)s)""",
                    {**key, "nb": before and before[0], "pb": before and before[1], "name": name, "phone": phone,
                     "actor": actor})
        if mirror and role == "grid_member":
            cur.execute("UPDATE grids SET member = %s, member_phone = %s, updated_at = now()"
                        " WHERE county_code = %s AND code = %s", (name, phone, county, grid))
    return None if before is None else {"name": before[0], "phone": before[1]}


def add_posts(conn, county: str, posts: list[tuple], actor: str) -> None:
    """Write many posts at once into empty ones (a demo, a first load): each (village_code,
    grid_code, role, name, phone), held from today."""
    from psycopg2.extras import execute_values

    with conn.cursor() as cur:
        execute_values(cur, "INSERT INTO village_staff (county_code, village_code, grid_code, role, name, phone,"
                            " updated_by) VALUES %s", [(county, *p, actor) for p in posts])
        execute_values(cur, "INSERT INTO village_staff_changes (county_code, village_code, grid_code, role, name,"
                            " phone, by_user) VALUES %s", [(county, *p, actor) for p in posts])


def backdate_posts(conn, county: str, since: date) -> int:
    """Mark every post of the county as held since ``since`` (a demo's posts, held long before
    the demo's day); the number of posts."""
    with conn.cursor() as cur:
        cur.execute("UPDATE village_staff SET since = %s WHERE county_code = %s", (since, county))
        return cur.rowcount
