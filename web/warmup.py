"""The nightly warm-up of the visit runs, so that no commander waits for a cold month.

A report of visits (``/api/patrol/visits``, the commander's and leader's pages) reads the
stored runs of each past day (migration 0019); a day not stored yet is computed from its
points first, which at full scale costs about a second a day (a cold month: 30 s). So every
night at WARM_VISITS_AT (local time, default 02:30; ``off`` or empty: never) each server
process's thread wakes, one of them takes a PostgreSQL advisory lock (the others skip), and
it stores the runs of the days from the first day of last month to yesterday not stored yet,
for every county with teams (``flask tracks warm`` does the same by hand, e.g. after a bulk
import of tracks). Started by gunicorn's ``post_worker_init`` (gunicorn.conf.py), not by
commands or tests.
"""
from __future__ import annotations

import logging
import threading
import time as clock
from datetime import date, datetime, time, timedelta

from geo.calendar import LOCAL, now, today
from geo.school_calendar import check_day
from layers import db
from layers import visit_runs as records
from layers.counties import parse_codes
from layers.errors import Busy, InvalidInput
from web.services import patrol

LOGGER = logging.getLogger(__name__)
DEFAULT_AT = "02:30"


def parse_day(text: str, field: str) -> date:
    """A YYYY-MM-DD day in the years the county's records use; InvalidInput naming ``field``."""
    try:
        day = date.fromisoformat(str(text).strip())
        check_day(day)
    except ValueError as err:
        raise InvalidInput(f"{field} 应为 YYYY-MM-DD 日期：{err}", field) from None
    return day


def parse_at(text) -> time | None:
    """WARM_VISITS_AT as a local time of day; None for ``off`` or empty; InvalidInput else."""
    raw = str(text or "").strip().lower()
    if raw in ("", "off", "none", "false", "0"):
        return None
    try:
        at = datetime.strptime(raw, "%H:%M").time()
    except ValueError:
        raise InvalidInput(f"WARM_VISITS_AT 应为 HH:MM（如 02:30）或 off，收到 {text!r}", "WARM_VISITS_AT") from None
    return at


def default_first(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def warm_all(url: str, county: str | None = None, first: date | None = None) -> list[dict]:
    """Store the runs of the days from ``first`` (default: the first day of last month) to
    yesterday, for ``county`` (codes, comma-separated) or every county with teams; one row
    per county. Busy when another process is warming."""
    yesterday = today() - timedelta(days=1)
    start = first or default_first(today())
    rows = []
    with db.transaction(url) as conn:
        if not records.try_warmup_lock(conn):
            raise Busy("另一个进程正在预热巡逻到访数据，请稍后再试", retry_after=60)
        try:
            codes = parse_codes(county, "--county") if county else records.counties_with_teams(conn)
            for code in codes:
                began = clock.perf_counter()
                done = patrol.warm_visits(conn, code, start, yesterday)
                rows.append({"county": code, "first": start, "last": yesterday, **done,
                             "seconds": clock.perf_counter() - began})
        finally:
            conn.rollback()   # nothing pending (each week is committed), or an error's aborted transaction
            records.release_warmup_lock(conn)
    return rows


def next_run(moment: datetime, at: time) -> datetime:
    """The first ``at`` (local) strictly after ``moment``."""
    local = moment.astimezone(LOCAL)
    candidate = datetime.combine(local.date(), at, LOCAL)
    return candidate if candidate > local else datetime.combine(local.date() + timedelta(days=1), at, LOCAL)


def _loop(url: str, at: time) -> None:
    while True:
        clock.sleep(max(1.0, (next_run(now(), at) - now()).total_seconds()))
        try:
            for row in warm_all(url):
                LOGGER.info("visit runs warmed: %s", row)
        except Busy:
            LOGGER.info("visit runs: another process is warming them")
        except Exception:   # noqa: BLE001 — the next night tries again; the server goes on
            LOGGER.exception("visit runs warm-up failed")


def start(app) -> threading.Thread | None:
    """Start this process's nightly warm-up thread (None when WARM_VISITS_AT is off)."""
    at = parse_at(app.config.get("WARM_VISITS_AT", DEFAULT_AT))
    if at is None:
        return None
    thread = threading.Thread(target=_loop, args=(app.config["RESOLVED_DATABASE_URL"], at),
                              name="visit-runs-warmup", daemon=True)
    thread.start()
    return thread
