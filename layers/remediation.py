"""Remote-village remediation records, kept as events (R1, R2).

A village's state on a day is the last event in effect by then: events ordered by the
day they took effect (``effective_on``) and then by id, leaving out events that were
reverted and the revert events themselves (which only record the undoing). Nothing is
ever deleted. A village's version is the id of its newest event of any kind; a change
names the version it was based on and is refused when that is no longer the newest.
"""
from __future__ import annotations

import json
from datetime import date

from layers.errors import Conflict, FeatureNotFound, InvalidInput

STATUSES = ("not_started", "in_progress", "remediated")
FIELDS = ("status", "orderly", "services", "video", "confirmed_on", "confirmed_by", "note")
EMPTY = {"status": "not_started", "orderly": False, "services": False, "video": False,
         "confirmed_on": None, "confirmed_by": None, "note": ""}
IN_FORCE = "reverted_by IS NULL AND kind <> 'revert'"

LAST_STATES = f"""
    SELECT DISTINCT ON (village_code) village_code, id, status, orderly, services, video,
           confirmed_on, confirmed_by, note, effective_on
    FROM remediation_events
    WHERE county_code = %(county)s AND {IN_FORCE}
      AND (%(as_of)s::date IS NULL OR effective_on <= %(as_of)s::date)
      AND (%(villages)s::text[] IS NULL OR village_code = ANY(%(villages)s::text[]))
      AND NOT (id = ANY(%(exclude)s::bigint[]))
    ORDER BY village_code, effective_on DESC, id DESC"""

# A village's status in force on a day (the day is an SQL expression).
STATUS_ON = """
    SELECT status FROM remediation_events e
    WHERE e.county_code = v.county_code AND e.village_code = v.code AND {in_force}
      AND e.effective_on <= {day}
    ORDER BY e.effective_on DESC, e.id DESC LIMIT 1"""

PROGRESS = f"""
    SELECT t.code, t.name, count(v.code) AS remote,
           count(v.code) FILTER (WHERE now_.status = 'remediated') AS remediated,
           count(v.code) FILTER (WHERE before_.status = 'remediated') AS remediated_before
    FROM townships t
    JOIN villages v ON v.county_code = t.county_code AND v.township_code = t.code AND v.remote
    LEFT JOIN LATERAL ({STATUS_ON.format(in_force=IN_FORCE, day="%(day)s::date")}) now_ ON true
    LEFT JOIN LATERAL ({STATUS_ON.format(in_force=IN_FORCE, day="%(day)s::date - %(window)s::int")}) before_ ON true
    WHERE t.county_code = %(county)s
    GROUP BY t.code, t.name
    ORDER BY t.code"""

VERSIONS = """
    SELECT village_code, max(id) FROM remediation_events
    WHERE county_code = %(county)s AND village_code = ANY(%(villages)s::text[])
    GROUP BY village_code"""


def _state(row) -> dict:
    return {"status": row[2], "orderly": row[3], "services": row[4], "video": row[5],
            "confirmed_on": row[6], "confirmed_by": row[7], "note": row[8]}


def states(conn, county: str, as_of: date | None = None, villages=None,
           exclude=()) -> dict[str, dict]:
    """Return {village_code: state} in force on ``as_of`` (None: latest) for villages with events.

    exclude: event ids to leave out (to see what a revert would leave).
    """
    with conn.cursor() as cur:
        cur.execute(LAST_STATES, {"county": county, "as_of": as_of, "exclude": list(exclude),
                                  "villages": list(villages) if villages is not None else None})
        return {row[0]: {**_state(row), "effective_on": row[9]} for row in cur.fetchall()}


def versions(conn, county: str, villages) -> dict[str, int]:
    """Return {village_code: id of its newest event}; villages without events are absent."""
    with conn.cursor() as cur:
        cur.execute(VERSIONS, {"county": county, "villages": list(villages)})
        return dict(cur.fetchall())


def progress_counts(conn, county: str, as_of: date, window_days: int = 60) -> list[dict]:
    """Remote villages per township, remediated on ``as_of`` and ``window_days`` before it.

    One index probe per village and day (remediation_events_in_force).
    """
    with conn.cursor() as cur:
        cur.execute(PROGRESS, {"county": county, "day": as_of, "window": window_days})
        return [{"code": c, "name": n, "remote": r, "remediated": d, "remediated_before": b}
                for c, n, r, d, b in cur.fetchall()]


def remote_villages(conn, county: str, township: str | None = None) -> list[dict]:
    """Remote villages with their township: code, name, township_code, township_name."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT v.code, v.name, v.township_code, t.name, v.population
            FROM villages v LEFT JOIN townships t
              ON t.county_code = v.county_code AND t.code = v.township_code
            WHERE v.county_code = %s AND v.remote AND (%s::text IS NULL OR v.township_code = %s)
            ORDER BY v.township_code, v.code""", (county, township, township))
        return [{"code": c, "name": n, "township_code": tc, "township_name": tn, "population": p}
                for c, n, tc, tn, p in cur.fetchall()]


def _check_village(cur, county: str, village: str) -> None:
    cur.execute("SELECT remote FROM villages WHERE county_code = %s AND code = %s",
                (county, village))
    row = cur.fetchone()
    if row is None:
        raise FeatureNotFound(f"没有编码为 '{village}' 的行政村")
    if not row[0]:
        raise InvalidInput(f"行政村 {village} 不是偏远村，无整治记录 (not a remote village)", "code")


def _validate(state: dict) -> dict:
    state = {**EMPTY, **{k: v for k, v in state.items() if k in FIELDS}}
    if state["status"] not in STATUSES:
        raise InvalidInput(f"整治状态 '{state['status']}' 无效（可用：{', '.join(STATUSES)}）", "status")
    for flag in ("orderly", "services", "video"):
        if not isinstance(state[flag], bool):
            raise InvalidInput(f"{flag} 必须是 true 或 false", flag)
    if state["status"] == "remediated" and not state["confirmed_on"]:
        raise InvalidInput("已整治的村必须填写确认日期 confirmed_on", "confirmed_on")
    if state["status"] != "remediated":
        state["confirmed_on"] = None
        state["confirmed_by"] = None
    state["note"] = state["note"] or ""
    return state


INSERT_EVENT = """
    INSERT INTO remediation_events (county_code, village_code, effective_on, user_name, kind,
        status, orderly, services, video, confirmed_on, confirmed_by, note, before, reverts)
    VALUES (%(county)s, %(village)s, %(effective_on)s, %(user)s, %(kind)s, %(status)s,
        %(orderly)s, %(services)s, %(video)s, %(confirmed_on)s, %(confirmed_by)s, %(note)s,
        %(before)s, %(reverts)s)
    RETURNING id"""


def _jsonable(state: dict | None):
    if state is None:
        return None
    return json.dumps({k: (v.isoformat() if isinstance(v, date) else v)
                       for k, v in state.items() if k in FIELDS}, ensure_ascii=False)


def record_change(conn, county: str, village: str, new_state: dict, user: str,
                  effective_on: date, expected_version: int | None, kind: str = "change") -> int:
    """Record a change of a remote village's remediation; return the new event's id.

    expected_version: the village's version the user saw (None when it had no events).
    Raises Conflict when somebody changed the village since. Does not commit.
    """
    state = _validate(new_state)
    if state["status"] == "remediated":
        effective_on = state["confirmed_on"]
    with conn.cursor() as cur:
        _check_village(cur, county, village)
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{county}/{village}",))
        current_version = versions(conn, county, [village]).get(village)
        if current_version != expected_version:
            raise Conflict(f"行政村 {village} 的整治记录已被他人修改，请刷新后再改 "
                           f"(version {expected_version} is no longer current: {current_version})",
                           current=current_version)
        before = states(conn, county, None, [village]).get(village)
        cur.execute(INSERT_EVENT, {"county": county, "village": village,
                                   "effective_on": effective_on, "user": user, "kind": kind,
                                   **state, "before": _jsonable(before), "reverts": None})
        return cur.fetchone()[0]


def history(conn, county: str, village: str) -> list[dict]:
    """Every event of a village, newest first, with who, when, before and after."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT id, effective_on, recorded_at, user_name, kind, status, orderly, services,
                   video, confirmed_on, confirmed_by, note, before, reverts, reverted_by
            FROM remediation_events WHERE county_code = %s AND village_code = %s
            ORDER BY id DESC""", (county, village))
        out = []
        for r in cur.fetchall():
            out.append({"id": r[0], "effective_on": r[1], "recorded_at": r[2], "user": r[3],
                        "kind": r[4],
                        "after": {"status": r[5], "orderly": r[6], "services": r[7],
                                  "video": r[8], "confirmed_on": r[9], "confirmed_by": r[10],
                                  "note": r[11]},
                        "before": r[12], "reverts": r[13], "reverted_by": r[14]})
        return out


def revert(conn, county: str, event_id: int, user: str, expected_version: int | None) -> int:
    """Undo one event: mark it reverted and record a revert event; return its id.

    The reverted event stays in the history; progress for every date is computed as if it
    had never been made. Does not commit.
    """
    with conn.cursor() as cur:
        cur.execute("SELECT village_code, kind, reverted_by, effective_on FROM remediation_events"
                    " WHERE county_code = %s AND id = %s", (county, event_id))
        row = cur.fetchone()
        if row is None:
            raise FeatureNotFound(f"没有编号为 {event_id} 的整治记录")
        village, kind, reverted_by, effective_on = row
        if kind == "revert":
            raise InvalidInput("撤销记录本身不能再撤销；请重新录入正确的状态", "event")
        if reverted_by is not None:
            raise InvalidInput(f"记录 {event_id} 已被撤销 (already reverted by {reverted_by})", "event")
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{county}/{village}",))
        current_version = versions(conn, county, [village]).get(village)
        if current_version != expected_version:
            raise Conflict(f"行政村 {village} 的整治记录已被他人修改，请刷新后再撤销",
                           current=current_version)
        before = states(conn, county, None, [village]).get(village)
        after = states(conn, county, None, [village], exclude=[event_id]).get(village) or dict(EMPTY)
        after = {k: after[k] for k in FIELDS}
        cur.execute(INSERT_EVENT, {"county": county, "village": village,
                                   "effective_on": effective_on, "user": user, "kind": "revert",
                                   **after, "before": _jsonable(before), "reverts": event_id})
        new_id = cur.fetchone()[0]
        cur.execute("UPDATE remediation_events SET reverted_by = %s WHERE id = %s",
                    (new_id, event_id))
        return new_id


def record_imported(conn, county: str, user: str = "import") -> int:
    """Turn villages' ``remediated_on`` into 'import' events where not already recorded.

    A remote village with remediated_on gets one event: remediated, confirmed that day,
    the three criteria met. Returns how many events were added. Does not commit.
    """
    with conn.cursor() as cur:
        cur.execute("""
            INSERT INTO remediation_events (county_code, village_code, effective_on, user_name,
                kind, status, orderly, services, video, confirmed_on, confirmed_by, note)
            SELECT v.county_code, v.code, v.remediated_on, %(user)s, 'import', 'remediated',
                   true, true, true, v.remediated_on, %(user)s, '导入的历史记录'
            FROM villages v
            WHERE v.county_code = %(county)s AND v.remote AND v.remediated_on IS NOT NULL
              AND NOT EXISTS (
                SELECT 1 FROM remediation_events e
                WHERE e.county_code = v.county_code AND e.village_code = v.code
                  AND e.status = 'remediated' AND e.confirmed_on = v.remediated_on
                  AND e.reverted_by IS NULL AND e.kind <> 'revert')""",
                    {"county": county, "user": user})
        return cur.rowcount


def events_in_force(conn, county: str, until: date) -> list[tuple]:
    """(village_code, effective_on, id, status) of remote villages' events in force by ``until``."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT e.village_code, e.effective_on, e.id, e.status
            FROM remediation_events e
            JOIN villages v ON v.county_code = e.county_code AND v.code = e.village_code AND v.remote
            WHERE e.county_code = %s AND e.effective_on <= %s
              AND e.reverted_by IS NULL AND e.kind <> 'revert'""", (county, until))
        return cur.fetchall()
