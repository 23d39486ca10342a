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

from psycopg2.extras import execute_batch

from geo.calendar import FIRST_YEAR, LAST_YEAR
from layers import village_video
from layers.errors import Conflict, CriteriaNotMet, FeatureNotFound, InvalidInput

STATUSES = ("not_started", "in_progress", "remediated")
FIELDS = ("status", "orderly", "services", "video", "confirmed_on", "confirmed_by", "note",
          "exception_note", "exception_reasons")
EMPTY = {"status": "not_started", "orderly": False, "services": False, "video": False,
         "confirmed_on": None, "confirmed_by": None, "note": "", "exception_note": None,
         "exception_reasons": []}
IN_FORCE = "reverted_by IS NULL AND kind <> 'revert'"

LAST_STATES = f"""
    SELECT DISTINCT ON (village_code) village_code, id, status, orderly, services, video,
           confirmed_on, confirmed_by, note, effective_on, exception_note, exception_reasons
    FROM remediation_events
    WHERE county_code = %(county)s AND {IN_FORCE}
      AND (%(as_of)s::date IS NULL OR effective_on <= %(as_of)s::date)
      AND (%(villages)s::text[] IS NULL OR village_code = ANY(%(villages)s::text[]))
      AND NOT (id = ANY(%(exclude)s::bigint[]))
    ORDER BY village_code, effective_on DESC, id DESC"""

# A village's status in force on a day (the day is an SQL expression), and whether it
# stands on an exception to the R2 criteria.
STATUS_ON = """
    SELECT status, exception_note IS NOT NULL AS excepted FROM remediation_events e
    WHERE e.county_code = v.county_code AND e.village_code = v.code AND {in_force}
      AND e.effective_on <= {day}
    ORDER BY e.effective_on DESC, e.id DESC LIMIT 1"""

PROGRESS = f"""
    SELECT t.code, t.name, count(v.code) AS remote,
           count(v.code) FILTER (WHERE now_.status = 'remediated') AS remediated,
           count(v.code) FILTER (WHERE now_.status = 'remediated' AND now_.excepted) AS excepted,
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
            "confirmed_on": row[6], "confirmed_by": row[7], "note": row[8],
            "exception_note": row[10], "exception_reasons": list(row[11] or [])}


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
    """Remote villages per township, remediated on ``as_of`` (and how many of them on an
    exception to the R2 criteria) and ``window_days`` before it.

    One index probe per village and day (remediation_events_in_force).
    """
    with conn.cursor() as cur:
        cur.execute(PROGRESS, {"county": county, "day": as_of, "window": window_days})
        return [{"code": c, "name": n, "remote": r, "remediated": d, "remediated_with_exception": x,
                 "remediated_before": b}
                for c, n, r, d, x, b in cur.fetchall()]


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
    state["exception_note"] = (state["exception_note"] or "").strip() or None
    if state["exception_note"] and state["status"] != "remediated":
        raise InvalidInput("例外说明只用于确认已整治", "exception_note")
    state["exception_reasons"] = list(state["exception_reasons"] or []) if state["exception_note"] else []
    return state


def check_criteria(village: str, state: dict, video: dict) -> None:
    """Refuse (CriteriaNotMet) a confirmation 已整治 where an R2 criterion does not hold.

    video: {"met": bool, "reasons": [...]} — the video criterion as computed (or as
    recorded while the county has no cameras). 管理有序 and 服务规范 must be recorded as
    met; the video criterion must hold unless the state carries an exception note (and an
    exception where it holds is refused: there is nothing to except).
    """
    if state["status"] != "remediated":
        return
    for flag, label in (("orderly", "管理有序"), ("services", "服务规范")):
        if not state[flag]:
            raise CriteriaNotMet(f"行政村 {village} 未达到“{label}”，不能确认已整治", village,
                                 [f"{label}未达标"], flag)
    if video["met"] and state["exception_note"]:
        raise InvalidInput("视频覆盖已达标，无需按例外确认；请清空例外说明", "exception_note")
    if not video["met"] and not state["exception_note"]:
        raise CriteriaNotMet(f"行政村 {village} 视频覆盖未达标，不能确认已整治："
                             + "；".join(video["reasons"]) + "。可在摄像机选址页补点，或填写例外说明后按例外确认",
                             village, video["reasons"], "video")


INSERT_EVENT = """
    INSERT INTO remediation_events (county_code, village_code, effective_on, user_name, kind,
        status, orderly, services, video, confirmed_on, confirmed_by, note, exception_note,
        exception_reasons, before, reverts)
    VALUES (%(county)s, %(village)s, %(effective_on)s, %(user)s, %(kind)s, %(status)s,
        %(orderly)s, %(services)s, %(video)s, %(confirmed_on)s, %(confirmed_by)s, %(note)s,
        %(exception_note)s, %(exception_reasons)s, %(before)s, %(reverts)s)
    RETURNING id"""


def _jsonable(state: dict | None):
    if state is None:
        return None
    return json.dumps({k: (v.isoformat() if isinstance(v, date) else v)
                       for k, v in state.items() if k in FIELDS}, ensure_ascii=False)


def record_change(conn, county: str, village: str, new_state: dict, user: str,
                  effective_on: date, expected_version: int | None, kind: str = "change",
                  video: dict | None = None) -> int:
    """Record a change of a remote village's remediation; return the new event's id.

    expected_version: the village's version the user saw (None when it had no events).
    video: the video criterion for ``check_criteria`` ({"met", "reasons"}); None: as the
    state records it. Raises Conflict when somebody changed the village since, then
    CriteriaNotMet when a confirmation 已整治 lacks a criterion. Does not commit.
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
        check_criteria(village, state, video or {"met": state["video"], "reasons": ["视频覆盖未录入为达标"]})
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
                   video, confirmed_on, confirmed_by, note, before, reverts, reverted_by,
                   exception_note, exception_reasons
            FROM remediation_events WHERE county_code = %s AND village_code = %s
            ORDER BY id DESC""", (county, village))
        out = []
        for r in cur.fetchall():
            out.append({"id": r[0], "effective_on": r[1], "recorded_at": r[2], "user": r[3],
                        "kind": r[4],
                        "after": {"status": r[5], "orderly": r[6], "services": r[7],
                                  "video": r[8], "confirmed_on": r[9], "confirmed_by": r[10],
                                  "note": r[11], "exception_note": r[15],
                                  "exception_reasons": list(r[16] or [])},
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


IMPORT_EXCEPTION = "导入时视频覆盖未达标"
LEGACY_EXCEPTION = "迁移时视频覆盖未达标"
LEGACY_OTHER = "迁移时整治标准未全部达标"

PENDING_IMPORTS = """
    SELECT v.code, v.name, v.remediated_on FROM villages v
    WHERE v.county_code = %(county)s AND v.remote AND v.remediated_on IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM remediation_events e
        WHERE e.county_code = v.county_code AND e.village_code = v.code
          AND e.status = 'remediated' AND e.confirmed_on = v.remediated_on
          AND e.reverted_by IS NULL AND e.kind <> 'revert')
    ORDER BY v.code"""


def _event(county: str, village: str, day: date, user: str, kind: str, state: dict, before=None) -> dict:
    return {"county": county, "village": village, "effective_on": day, "user": user, "kind": kind,
            **{**EMPTY, **state}, "before": _jsonable(before), "reverts": None}


def record_imported(conn, county: str, user: str = "import") -> dict:
    """Turn villages' ``remediated_on`` into 'import' events where not already recorded.

    A remote village with remediated_on gets one event: remediated, confirmed that day,
    管理有序 and 服务规范 met. Where the county has cameras and the village does not meet
    its video rule, the event stands on an exception (IMPORT_EXCEPTION, with the reasons).
    Returns {"added": n, "exceptions": [{code, name, reasons}]}. Does not commit.
    """
    with conn.cursor() as cur:
        cur.execute(PENDING_IMPORTS, {"county": county})
        pending = cur.fetchall()
    checks = village_video.video_checks(conn, county, [code for code, _, _ in pending]) if pending else None
    events, exceptions = [], []
    for code, name, day in pending:
        check = (checks or {}).get(code, {"met": True, "reasons": []})
        state = {"status": "remediated", "orderly": True, "services": True, "video": check["met"],
                 "confirmed_on": day, "confirmed_by": user, "note": "导入的历史记录"}
        if not check["met"]:
            state.update(exception_note=IMPORT_EXCEPTION, exception_reasons=check["reasons"])
            exceptions.append({"code": code, "name": name, "reasons": check["reasons"]})
        events.append(_event(county, code, day, user, "import", state))
    with conn.cursor() as cur:
        execute_batch(cur, INSERT_EVENT, events)
    return {"added": len(events), "exceptions": exceptions}


def _legacy_reasons(state: dict, video: dict) -> list[str]:
    reasons = [f"{label}未录入为达标" for flag, label in (("orderly", "管理有序"), ("services", "服务规范"))
               if not state[flag]]
    return reasons + ([] if video["met"] else video["reasons"] or ["视频覆盖未达标"])


def mark_legacy(conn, user: str = "migration") -> int:
    """Record, as exceptions, the remediations recorded before the R2 check (migration 0011):
    every village whose state in force is 已整治 without an exception while a criterion
    does not hold (video as computed where its county has cameras, else as recorded) gets
    an event of the same day and state on an exception (LEGACY_EXCEPTION, or LEGACY_OTHER
    when the video criterion holds). Returns how many. Does not commit."""
    with conn.cursor() as cur:
        cur.execute("SELECT DISTINCT county_code FROM remediation_events ORDER BY 1")
        counties = [r[0] for r in cur.fetchall()]
    events = []
    for county in counties:
        confirmed = {v: s for v, s in states(conn, county).items()
                     if s["status"] == "remediated" and not s["exception_note"]}
        checks = village_video.video_checks(conn, county, confirmed) if confirmed else None
        for village, state in sorted(confirmed.items()):
            if checks is not None and village not in checks:
                continue        # no longer in the villages layer: nothing to check it against
            if not FIRST_YEAR <= state["effective_on"].year <= LAST_YEAR:
                continue        # a date from before the sane-value checks (0008): left as it is
            video = checks[village] if checks is not None else \
                {"met": state["video"], "reasons": ["视频覆盖未录入为达标"]}
            reasons = _legacy_reasons(state, video)
            if reasons:
                new = {**{k: state[k] for k in FIELDS}, "exception_reasons": reasons,
                       "exception_note": LEGACY_OTHER if video["met"] else LEGACY_EXCEPTION}
                events.append(_event(county, village, state["effective_on"], user, "change", new, state))
    with conn.cursor() as cur:
        execute_batch(cur, INSERT_EVENT, events)
    return len(events)


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
