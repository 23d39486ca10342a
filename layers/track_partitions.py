"""Month partitions of ``patrol_tracks`` (migration 0015).

The table is range-partitioned on ``recorded_at`` by month of the county's local time
(Asia/Shanghai): ``patrol_tracks_y2026m05`` holds May 2026, ``patrol_tracks_default``
whatever arrived for a month not yet made. ``ensure_months`` makes the months a write
touches before it writes (cheap when they exist: the months this process knows are kept
in a set), ``move_default`` puts rows of the default partition into their months,
``prune`` detaches and drops whole months older than the retention, ``list_partitions``
says what there is.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from psycopg2 import sql

from geo.calendar import LOCAL
from layers import visit_runs

TABLE = "patrol_tracks"
DEFAULT_PARTITION = "patrol_tracks_default"
DEFAULT_RETENTION_MONTHS = 24
NAME = re.compile(r"^patrol_tracks_y(\d{4})m(\d{2})$")

_known: set[tuple[str, date]] = set()   # (database, first day of a month) made or seen
_known_lock = threading.Lock()


@dataclass(frozen=True)
class Partition:
    name: str
    month: date | None      # first day of the month; None for the default partition
    rows: int               # estimated (pg_class.reltuples) unless counted
    bytes: int              # table, indexes and TOAST


def _month(value) -> date:
    """The first local day of the month holding ``value`` (a datetime, a date or a timestamp)."""
    if isinstance(value, datetime) or isinstance(value, pd.Timestamp):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize(LOCAL) if stamp.tzinfo is None else stamp.tz_convert(LOCAL)
        return date(stamp.year, stamp.month, 1)
    return date(value.year, value.month, 1)


def months_between(start, end) -> list[date]:
    """The first days of every month from ``start``'s to ``end``'s, both included."""
    first, last = _month(start), _month(end)
    out = []
    while first <= last:
        out.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return out


def _database(conn) -> str:
    return conn.get_dsn_parameters().get("dbname", "") + "@" + conn.get_dsn_parameters().get("host", "")


def ensure_months(conn, start, end) -> list[str]:
    """Make the month partitions covering [start, end] (local months) that this process
    does not know to exist; rows of those months waiting in the default partition move in.
    Returns the partitions made. Does not commit. Only months found already made are kept
    in the process's set: one made here is not (the caller may roll it back), the next
    call finds it in the database and keeps it then."""
    db = _database(conn)
    wanted = [m for m in months_between(start, end) if (db, m) not in _known]
    if not wanted:
        return []
    with conn.cursor() as cur:
        cur.execute("SELECT m, to_regclass(patrol_tracks_month_name((m::timestamp) AT TIME ZONE 'Asia/Shanghai'))"
                    " IS NOT NULL FROM unnest(%s::date[]) AS m", (wanted,))
        found = dict(cur.fetchall())
        missing = [m for m in wanted if not found.get(m)]
        names = []
        if missing:
            cur.execute("SELECT patrol_tracks_ensure_month((m::timestamp) AT TIME ZONE 'Asia/Shanghai')"
                        " FROM unnest(%s::date[]) AS m ORDER BY m", (missing,))
            names = [r[0] for r in cur.fetchall()]
    with _known_lock:
        _known.update((db, m) for m in wanted if found.get(m))
    return names


def forget() -> None:
    """Forget the months known to exist (after a prune, a restore, or in tests)."""
    with _known_lock:
        _known.clear()


def ensure_for_frame(conn, frame) -> None:
    """Make the months of a frame's ``recorded_at`` column (before an upsert)."""
    if frame is None or "recorded_at" not in frame or not len(frame):
        return
    times = pd.to_datetime(frame["recorded_at"], utc=True).dropna()
    if len(times):
        for month in sorted({_month(t) for t in times}):   # only the months present, not the gaps
            ensure_months(conn, month, month)


def move_default(conn) -> int:
    """Move every row of the default partition into its month; return how many moved."""
    with conn.cursor() as cur:
        cur.execute("SELECT patrol_tracks_move_default()")
        return int(cur.fetchone()[0])


LIST = """
    SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'patrol_tracks'::regclass ORDER BY c.relname"""


def list_partitions(conn, exact: bool = False) -> list[Partition]:
    """Every partition, oldest month first, the default partition last: name, month, rows
    (counted when ``exact``, else the planner's estimate, 0 before the first ANALYZE) and bytes."""
    with conn.cursor() as cur:
        cur.execute(LIST)
        rows = cur.fetchall()
        out = []
        for name, estimate, size in rows:
            if exact or estimate < 0:
                cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name)))
                estimate = cur.fetchone()[0]
            match = NAME.match(name)
            month = date(int(match[1]), int(match[2]), 1) if match else None
            out.append(Partition(name, month, int(estimate), int(size)))
    return sorted(out, key=lambda p: (p.month is None, p.month or date.min))


def today() -> date:
    """The county's local date."""
    return datetime.now(LOCAL).date()


def cutoff(keep_months: int, today: date) -> date:
    """The first month kept: the current month and the ``keep_months`` - 1 before it."""
    if keep_months < 1:
        raise ValueError(f"保留月数必须是正整数（收到 {keep_months}）")
    index = today.year * 12 + today.month - 1 - (keep_months - 1)
    return date(index // 12, index % 12 + 1, 1)


def prune(conn, keep_months: int = DEFAULT_RETENTION_MONTHS, dry_run: bool = False,
          on: date | None = None) -> list[Partition]:
    """Detach and drop every month partition older than the last ``keep_months`` months
    (this month counts as one); the default partition is never dropped. Returns the
    partitions dropped (or that would be, with ``dry_run``). Does not commit."""
    first_kept = cutoff(keep_months, on or today())
    old = [p for p in list_partitions(conn) if p.month is not None and p.month < first_kept]
    if dry_run or not old:
        return old
    with conn.cursor() as cur:
        for part in old:
            cur.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
                sql.Identifier(TABLE), sql.Identifier(part.name)))
            cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(part.name)))
    visit_runs.forget(conn, before=first_kept)   # the stored visit runs of the days dropped
    forget()
    return old
