"""Remote-village remediation (R1, R2): progress against the plan, village states, changes."""
from __future__ import annotations

from datetime import date

from geo.remediation import burnup, milestones, plan_target, project, share
from layers import remediation as records
from layers import village_video
from layers.errors import FeatureNotFound, InvalidInput
from web.schemas.remediation import Change
from web.services import County

WINDOW_DAYS = 60  # the pace of the last 60 days projects the finish
STATUS_LABELS = {"not_started": "未开始", "in_progress": "整治中", "remediated": "已整治"}


def _unit(code, name, remote, done, excepted, done_before, as_of, year, target) -> dict:
    s = share(done, remote)
    p = project(remote, done, done_before, as_of, year, WINDOW_DAYS)
    return {"code": code, "name": name, "remote": remote, "remediated": done,
            "remediated_with_exception": excepted, "share": s,
            "target": round(target, 4), "on_track": s >= round(target, 4),
            "gap_pp": round((s - target) * 100, 1),
            "projection": {"pace_per_30_days": round(p.pace_per_day * 30, 2),
                           "finish": p.finish.isoformat() if p.finish else None,
                           "on_time": p.on_time, "done": p.done}}


def progress_report(conn, county: County, as_of: date) -> dict:
    """The API.md progress document for ``as_of``, with gaps and projections added."""
    year = county.year_of(as_of)
    target = plan_target(as_of, year)
    now = records.progress_counts(conn, county.code, as_of, WINDOW_DAYS)
    keys = ("remote", "remediated", "remediated_with_exception", "remediated_before")
    townships = [_unit(r["code"], r["name"], *(r[k] for k in keys), as_of, year, target) for r in now]
    totals = [sum(r[k] for r in now) for k in keys]
    return {"as_of": as_of.isoformat(), "plan_year": year,
            "milestones": [{"date": d.isoformat(), "share": s} for d, s in milestones(year)],
            "county": _unit(county.code, county.name, *totals, as_of, year, target),
            "townships": townships, "window_days": WINDOW_DAYS}


def computed_video(conn, county_code: str, codes: list[str]) -> dict[str, dict] | None:
    """The R2 video criterion of villages from the camera layer under the county's rule
    ({code: {"met", "failed", "reasons"}}), or None while the county has no cameras. It
    uses the cameras as they are now, whatever the as-of date."""
    return village_video.video_checks(conn, county_code, codes)


def _row(village: dict, state: dict, computed: dict | None, version) -> dict:
    check = computed.get(village["code"]) if computed is not None else None
    video = check["met"] if check else state["video"]
    return {**village, **{k: state[k] for k in records.FIELDS},
            "video": video, "video_recorded": state["video"],
            "video_source": "recorded" if computed is None else "computed",
            "video_failed": check["failed"] if check else ([] if video else ["video"]),
            "video_reasons": check["reasons"] if check else ([] if video else ["视频覆盖未录入为达标"]),
            "confirmed_on": state["confirmed_on"].isoformat() if state["confirmed_on"] else None,
            "excepted": state["status"] == "remediated" and state["exception_note"] is not None,
            "criteria_met": int(state["orderly"]) + int(state["services"]) + int(video),
            "version": version}


def village_rows(conn, county_code: str, as_of: date, code: str | None = None) -> list[dict]:
    """Every remote village (or the one ``code``) with its state on ``as_of`` and version.

    ``video`` is the computed criterion once the county has cameras (``video_source``
    'computed'; ``video_failed`` and ``video_reasons`` say what does not hold), else the
    recorded one ('recorded'); ``video_recorded`` is what the state in force recorded.
    ``excepted``: the village is 已整治 on an exception (``exception_note``).
    """
    villages = [v for v in records.remote_villages(conn, county_code) if code is None or v["code"] == code]
    codes = [v["code"] for v in villages]
    on_day = records.states(conn, county_code, as_of, codes if code else None)
    versions = records.versions(conn, county_code, codes)
    computed = computed_video(conn, county_code, codes) if codes else None
    return [_row(v, on_day.get(v["code"], records.EMPTY), computed, versions.get(v["code"]))
            for v in villages]


def exceptions(rows: list[dict]) -> list[dict]:
    """The villages of ``village_rows`` that are 已整治 on an exception, by township."""
    return [r for r in rows if r["excepted"]]


def village_row(conn, county_code: str, code: str, as_of: date) -> dict:
    """One remote village's row (village_rows); FeatureNotFound when there is none."""
    rows = village_rows(conn, county_code, as_of, code)
    if not rows:
        raise FeatureNotFound(f"没有编码为 '{code}' 的偏远村")
    return rows[0]


def at_risk(conn, county: County, as_of: date, limit: int = 20) -> list[dict]:
    """Villages most at risk of missing 31 December: not remediated, in late townships first."""
    report = progress_report(conn, county, as_of)
    late = {t["code"]: t for t in report["townships"] if not t["projection"]["on_time"]}
    rows = [r for r in village_rows(conn, county.code, as_of) if r["status"] != "remediated"]
    for r in rows:
        t = late.get(r["township_code"])
        r["township_finish"] = t["projection"]["finish"] if t else None
        r["township_late"] = t is not None
    rows.sort(key=lambda r: (not r["township_late"], r["status"] != "not_started",
                             r["criteria_met"], r["code"]))
    return rows[:limit]


def series(conn, county: County, as_of: date, remote: int) -> list[tuple[date, float]]:
    """The daily remediated share from 1 January of the plan year to ``as_of``."""
    start = date(county.year_of(as_of), 1, 1)
    if as_of < start:
        return []
    return burnup(records.events_in_force(conn, county.code, as_of), remote, start, as_of)


def history(conn, county_code: str, code: str) -> list[dict]:
    """A village's every change, newest first, with ISO dates."""
    events = records.history(conn, county_code, code)
    for e in events:
        e["effective_on"] = e["effective_on"].isoformat()
        e["recorded_at"] = e["recorded_at"].isoformat()
        if e["after"]["confirmed_on"]:
            e["after"]["confirmed_on"] = e["after"]["confirmed_on"].isoformat()
    return events


def record_change(conn, county_code: str, code: str, change: Change, user: str, today: date) -> int:
    """Record a planner's change; return the event id (which is the village's new version).

    The change takes effect on ``change.effective_on`` (default ``today``), never later.
    A confirmation 已整治 is refused (CriteriaNotMet, with the reasons) when 管理有序 or
    服务规范 is not met, or the video criterion — computed from the cameras once the
    county has them — does not hold and ``change.exception_note`` gives no exception.
    The event records the video criterion as it stood (computed where there are cameras)."""
    effective_on = change.effective_on or today
    if effective_on > today:
        raise InvalidInput(f"日期 {effective_on} 在今天之后，不能预先确认", "effective_on")
    check = (computed_video(conn, county_code, [code]) or {}).get(code)
    video = check["met"] if check else change.video
    state = {"status": change.status, "note": change.note, "orderly": change.orderly,
             "services": change.services, "video": video, "exception_note": change.exception_note,
             "exception_reasons": check["reasons"] if check else ([] if video else ["视频覆盖未录入为达标"])}
    if change.status == "remediated":
        state.update(confirmed_on=effective_on, confirmed_by=user)
    return records.record_change(conn, county_code, code, state, user, effective_on, change.version,
                                 video={"met": video, "reasons": state["exception_reasons"]})


TABLE_HEAD = ["乡镇编码", "乡镇", "偏远村数", "已整治", "其中按例外认定", "整治比例", "计划目标", "差距(百分点)",
              "近60天速度(村/30天)", "预计完成日期", "年底前完成"]


def table_rows(report: dict) -> list[list]:
    """The township table of a progress report (best first, the county last), for exports."""
    rows = []
    for t in sorted(report["townships"], key=lambda t: -t["share"]) + [report["county"]]:
        p = t["projection"]
        rows.append([t["code"], t["name"], t["remote"], t["remediated"], t["remediated_with_exception"],
                     t["share"], t["target"],
                     t["gap_pp"], p["pace_per_30_days"], p["finish"] or "按当前速度无法完成",
                     "是" if p["on_time"] else "否"])
    return rows
