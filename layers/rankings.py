"""Township rankings in PostGIS (migration 0024): the admin's settings (every save kept) and
the published periods (frozen: a replace marks the rows in force as replaced, who and when,
and writes new ones). The caller owns the transaction.
"""
from __future__ import annotations

from psycopg2.extras import Json

CONFIG_KEYS = ("period_kind", "weights", "bottom_places", "updated_by", "updated_at")
RESULT_KEYS = ("period", "period_kind", "township_code", "township_name", "score", "rank", "inputs", "bottom",
               "consecutive", "flag", "config", "published_by", "published_at")
_RESULTS = """SELECT r.period, r.period_kind, r.township_code, coalesce(t.name, r.township_code), r.score, r.rank,
                     r.inputs, r.bottom, r.consecutive, r.flag, r.config, r.published_by, r.published_at
              FROM ranking_results r
              LEFT JOIN townships t ON t.county_code = r.county_code AND t.code = r.township_code"""


def config(conn, county: str) -> dict | None:
    """The settings in force (the newest saved), or None when none was saved."""
    with conn.cursor() as cur:
        cur.execute("""SELECT period_kind, weights, bottom_places, updated_by, updated_at FROM ranking_config
                       WHERE county_code = %s ORDER BY id DESC LIMIT 1""", (county,))
        row = cur.fetchone()
    return dict(zip(CONFIG_KEYS, row)) if row else None


def config_history(conn, county: str, limit: int = 20) -> list[dict]:
    """The saved settings, newest first."""
    with conn.cursor() as cur:
        cur.execute("""SELECT period_kind, weights, bottom_places, updated_by, updated_at FROM ranking_config
                       WHERE county_code = %s ORDER BY id DESC LIMIT %s""", (county, limit))
        return [dict(zip(CONFIG_KEYS, r)) for r in cur.fetchall()]


def save_config(conn, county: str, period_kind: str, weights: dict, bottom_places: int, user: str) -> None:
    """Keep new settings (the older ones stay as history)."""
    with conn.cursor() as cur:
        cur.execute("""INSERT INTO ranking_config (county_code, period_kind, weights, bottom_places, updated_by)
                       VALUES (%s, %s, %s, %s, %s)""", (county, period_kind, Json(weights), bottom_places, user))


def published(conn, county: str, period: str) -> list[dict]:
    """The period's rows in force (none when it was not published), best rank first."""
    with conn.cursor() as cur:
        cur.execute(f"""{_RESULTS} WHERE r.county_code = %s AND r.period = %s AND r.replaced_at IS NULL
                        ORDER BY r.rank NULLS LAST, r.township_code""", (county, period))
        return [dict(zip(RESULT_KEYS, r)) for r in cur.fetchall()]


def lock(conn, county: str) -> None:
    """Serialise publications of the county until the transaction ends."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('ranking_results:' || %s))", (county,))


def latest_period(conn, county: str, kind: str) -> str | None:
    """The latest published period of ``kind`` (periods of a kind sort as text)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT max(period) FROM ranking_results
                       WHERE county_code = %s AND period_kind = %s AND replaced_at IS NULL""", (county, kind))
        return cur.fetchone()[0]


def periods(conn, county: str) -> list[str]:
    """Every published period, latest first."""
    with conn.cursor() as cur:
        cur.execute("""SELECT DISTINCT period FROM ranking_results WHERE county_code = %s AND replaced_at IS NULL
                       ORDER BY period DESC""", (county,))
        return [r[0] for r in cur.fetchall()]


def replace(conn, county: str, period: str, user: str) -> int:
    """Mark the period's rows in force as replaced by ``user`` now; how many."""
    with conn.cursor() as cur:
        cur.execute("""UPDATE ranking_results SET replaced_by = %s, replaced_at = now()
                       WHERE county_code = %s AND period = %s AND replaced_at IS NULL""", (user, county, period))
        return cur.rowcount


def publish(conn, county: str, period: str, kind: str, rows: list[dict], config: dict, user: str) -> None:
    """Store a period's rows ({township_code, score, rank, inputs, bottom, consecutive, flag})."""
    with conn.cursor() as cur:
        for r in rows:
            cur.execute("""INSERT INTO ranking_results (county_code, period, period_kind, township_code, score, rank,
                                                        inputs, bottom, consecutive, flag, config, published_by)
                           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                        (county, period, kind, r["township_code"], r["score"], r["rank"], Json(r["inputs"]),
                         r["bottom"], r["consecutive"], r["flag"], Json(config), user))


def history(conn, county: str, township: str, kind: str | None = None) -> list[dict]:
    """A township's published rows, oldest period first (of ``kind`` only when given)."""
    with conn.cursor() as cur:
        cur.execute(f"""{_RESULTS} WHERE r.county_code = %s AND r.township_code = %s AND r.replaced_at IS NULL
                          AND (%s::text IS NULL OR r.period_kind = %s) ORDER BY r.period""",
                    (county, township, kind, kind))
        return [dict(zip(RESULT_KEYS, r)) for r in cur.fetchall()]


def replaced_count(conn, county: str, period: str) -> int:
    """How many rows of the period were replaced (kept as history)."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM ranking_results WHERE county_code = %s AND period = %s"
                    " AND replaced_at IS NOT NULL", (county, period))
        return cur.fetchone()[0]


def count(conn) -> tuple[int, int]:
    """(settings, result rows) stored: for tests that a refusal wrote nothing."""
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM ranking_config), (SELECT count(*) FROM ranking_results)")
        return cur.fetchone()
