"""The leader's cockpit (issue 12, item 1): every indicator the seed holds the county to,
against its target, with the same figure as of a month before; and one row per township.

Each figure is taken from the service behind its API (remediation.progress_report,
coverage.coverage_report, hotspot_lists.quota_document and r10_panels, patrol.staffing
and visit_report), never recomputed. Camera status a month ago comes from the status
history (layers.camera_status); coverage and staffing keep no history, so they have no
previous figure. Links are named as (endpoint, arguments) for the edge to turn into URLs."""
from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from geo.calendar import LOCAL, quarter_of
from geo.coverage import ratio
from geo.rules import NETWORKED_TARGET, TOWNSHIP_MIN, TOWNSHIP_REQUIRED, WORKING_TARGET
from layers import camera_status
from layers import hotspots as hotspot_layer
from layers.errors import TooLarge
from web.services import County
from web.services import coverage as cov
from web.services import disputes as dsp
from web.services import hotspot_lists as hl
from web.services import patrol
from web.services import rankings as township_rankings
from web.services import remediation as rem

PATROL_DAYS = 30
VIDEO_TARGET = 1.0     # every village meets the county's video rule


def month_before(day: date) -> date:
    """The same day a month earlier (the month's last day when it has no such day)."""
    year, month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def day_end(day: date) -> datetime:
    """The end of ``day`` in the county (the next day's local midnight)."""
    return datetime.combine(day + timedelta(days=1), time(), LOCAL)


def quarter_for(conn, county_code: str, day: date) -> str:
    """The day's quarter, or the latest quarter with hotspots when the day is after it."""
    latest, q = hotspot_layer.latest_quarter(conn, county_code), quarter_of(day)
    return q if latest is None or q <= latest else latest


def indicator(key, label, value, target, unit, met, previous, detail, note="") -> dict:
    return {"key": key, "label": label, "value": value, "target": target, "unit": unit, "met": met,
            "previous": previous, "detail": detail, "note": note}


def _remediation(conn, county: County, day: date, earlier: date) -> tuple[dict, dict]:
    report = rem.progress_report(conn, county, day)
    now, before = report["county"], rem.progress_report(conn, county, earlier)["county"]
    ind = indicator("remediation", "偏远村整治", now["share"], now["target"], "share", now["on_track"],
                    before["share"], ("leader.remediation", {"as_of": day.isoformat()}),
                    f"已整治 {now['remediated']}/{now['remote']} 村，当日计划 {now['target'] * 100:.1f}%")
    return ind, report


def _cameras(report: dict, at_then: dict, day: date) -> list[dict]:
    c = report["cameras"]
    then = {k: sum(t[k] for t in at_then.values()) for k in camera_status.KEYS}
    problem = ("commander.camera_list", {"status": "problem"})
    return [
        indicator("cameras_working", "摄像机完好率", c["working_share"], c["working_target"], "share",
                  c["working_met"], ratio(then["working"], then["total"]), problem,
                  f"故障 {c['faulty']}、离线 {c['offline']}，共 {c['total']} 台"),
        indicator("cameras_networked", "摄像机联网率", c["networked_share"], c["networked_target"], "share",
                  c["networked_met"], ratio(then["networked"], then["total"]),
                  ("commander.camera_list", {"networked": "0"}),
                  f"未联网 {c['total'] - c['networked']} 台"),
    ]


def _hotspots(conn, code: str, quarter: str, earlier_q: str) -> tuple[list[dict], dict, list]:
    quota, before = hl.quota_document(conn, code, quarter), hl.quota_document(conn, code, earlier_q)
    statuses = [f["properties"]["status"] for f in hl.listed(conn, code, quarter)]
    count = {s: statuses.count(s) for s in hotspot_layer.LIFECYCLE}
    towns_met = sum(t["met"] for t in quota["townships"])
    met = quota["county"]["met"] and towns_met == len(quota["townships"])
    flags = hl.r10_panels(conn, code, [quarter])
    flags_before = hl.r10_panels(conn, code, [earlier_q])
    detail = ("leader.hotspots", {"quarter": quarter})
    inds = [
        indicator("hotspots", f"{quarter} 县级乱点挂牌", quota["county"]["selected"], quota["county"]["required"],
                  "count", met, before["county"]["selected"], detail,
                  f"挂牌 {count['listed']}、整治中 {count['remediating']}、摘牌 {count['delisted']}；"
                  f"乡镇配额达标 {towns_met}/{len(quota['townships'])}"),
        indicator("r10_flags", "R10 督办/否决乡镇", len(flags[0]["flags"]) if flags else 0, 0, "count",
                  not flags, len(flags_before[0]["flags"]) if flags_before else 0, detail,
                  "、".join(f"{f['township_name']}{f['flag_label']}" for f in flags[0]["flags"]) if flags else "无"),
    ]
    return inds, quota, flags[0]["flags"] if flags else []


def mean_rate(rows: list[dict]) -> float | None:
    """The places' mean 见巡率 (None without places)."""
    return round(sum(r["presence_rate"] for r in rows) / len(rows), 4) if rows else None


def patrol_periods(day: date) -> list[tuple[datetime, datetime]]:
    """The 30 days up to the end of ``day`` and the 30 days before them."""
    end = day_end(day)
    start = end - timedelta(days=PATROL_DAYS)
    return [(start, end), (start - timedelta(days=PATROL_DAYS), start)]


def _visits(conn, code: str, start: datetime, end: datetime) -> dict:
    try:
        return patrol.visit_report(conn, code, start, end)
    except TooLarge:
        return {"hotspots": [], "schools": []}


def _patrol(conn, code: str, day: date) -> list[dict]:
    (s, e), (s0, e0) = patrol_periods(day)
    recent, before = _visits(conn, code, s, e), _visits(conn, code, s0, e0)
    detail = ("commander.patrol_page", {"day": day.isoformat()})
    return [indicator(f"patrol_{k}", f"{label}见巡率（近 {PATROL_DAYS} 天）", mean_rate(recent[k]), None, "share",
                      None, mean_rate(before[k]), detail, f"{len(recent[k])} 处，较前 {PATROL_DAYS} 天")
            for k, label in (("hotspots", "乱点"), ("schools", "学校"))]


def _staffing(conn, code: str) -> tuple[dict, dict]:
    doc = patrol.staffing(conn, code)
    short = sum(not t["met"] for t in doc["townships"])
    return indicator("staffing", "R7 专职队伍不足乡镇", short, 0, "count", short == 0, None,
                     ("commander.patrol_page", {}), f"共 {len(doc['townships'])} 个乡镇，每乡镇专职 ≥ 15 人"), doc


def _survey(conn, code: str, day: date, earlier: date) -> dict:
    """Yesterday's opinion calls against the required count (issue 16), with the same day a
    month before and the previous month's days that met it."""
    from web.services import survey

    then = survey.daily(conn, code, earlier - timedelta(days=1))
    now = survey.daily_summary(conn, code, day - timedelta(days=1))
    return indicator("survey_daily", f"民意调查电话（{now['date']}）", now["calls"], now["required"], "count",
                     now["met"], then["calls"], ("survey.plan_page", {}),
                     f"{now['month']} 月 {now['month_days_met']}/{now['month_days']} 天达到每天 {now['required']} 个")
def _disputes(conn, code: str, day: date) -> dict:
    """矛盾纠纷 (seed §9): 民转刑 year on year as the value (target −10%), dispute homicides
    (−20%) and the townships missing a screening this month in the note; met when both are."""
    ctc, homicide = dsp.year_on_year(conn, code, day)["targets"]
    month = f"{day.year}-{day.month:02d}"
    towns = dsp.cadence(conn, code, month, day)["levels"]["township"]
    short = [u["name"] for u in towns["units"] if u["missing"]]
    said = lambda t: f"{t['this_year']}/{t['last_year']} 起" + ("" if t["change"] is None else  # noqa: E731
                                                              f" {t['change'] * 100:+.1f}%")
    return indicator("disputes", "民转刑同比", ctc["change"], ctc["target"], "share", ctc["met"] and homicide["met"],
                     None, ("disputes.index", {"period": month}),
                     f"民转刑 {said(ctc)}；纠纷命案 {said(homicide)}（目标 ≤ -20%，{'达标' if homicide['met'] else '未达标'}）；"
                     f"本月缺排查乡镇 {len(short)} 个" + (f"：{'、'.join(short[:4])}" if short else ""))


def township_rows(names: list[tuple[str, str]], progress: dict, coverage: dict, cameras: dict, quota: dict,
                  staffing: dict, flags: list[dict]) -> list[dict]:
    """One row per township: each indicator that has a township figure (None where it has none,
    such as remediation in a township without remote villages)."""
    remediation = {t["code"]: t for t in progress["townships"]}
    video = {t["code"]: t["video_covered_share"] for t in coverage["townships"]}
    quota_of = {t["code"]: t for t in quota["townships"]}
    staff = {t["code"]: t for t in staffing["townships"]}
    flag_of = {f["township_code"]: f["flag_label"] for f in flags}
    rows = []
    for code, name in names:
        c, q, s, r = cameras.get(code), quota_of.get(code, {}), staff.get(code, {}), remediation.get(code, {})
        rows.append({"code": code, "name": name, "remediation": r.get("share"),
                     "remediation_met": r.get("on_track"), "video": video.get(code),
                     "cameras_working": ratio(c["working"], c["total"]) if c else None,
                     "cameras_networked": ratio(c["networked"], c["total"]) if c else None,
                     "hotspots": q.get("selected"), "hotspots_met": q.get("met"),
                     "staffing": s.get("fulltime_members"), "staffing_met": s.get("met"),
                     "r10_flag": flag_of.get(code, "")})
    return rows


def cockpit(conn, county: County, day: date, coverage: dict | None = None) -> dict:
    """The cockpit for ``day``: indicators (each with the figure a month before) and townships.
    ``coverage``: coverage.coverage_report as it is now, when the caller keeps one."""
    earlier = month_before(day)
    r1, progress = _remediation(conn, county, day, earlier)
    report = coverage or cov.coverage_report(conn, county.code)
    video = report["county"]
    cams_now = camera_status.counts_at(conn, county.code, day_end(day))
    cams_then = camera_status.counts_at(conn, county.code, day_end(earlier))
    quarter = quarter_for(conn, county.code, day)
    hot, quota, flags = _hotspots(conn, county.code, quarter, quarter_for(conn, county.code, earlier))
    staffing, staff_doc = _staffing(conn, county.code)
    inds = [r1, indicator("video", "村视频规则达标", video["video_covered_share"], VIDEO_TARGET, "share",
                          video["video_covered_share"] >= VIDEO_TARGET, None, ("leader.coverage_page", {}),
                          f"达标 {video['video_covered']}/{video['villages']} 村（按现有摄像机）"),
            *_cameras(report, cams_then, day), hot[0], staffing, *_patrol(conn, county.code, day), hot[1],
            _survey(conn, county.code, day, earlier), _disputes(conn, county.code, day)]
    towns = township_rows(hl.township_names(conn, county.code), progress, report, cams_now, quota, staff_doc, flags)
    return {"date": day.isoformat(), "previous_date": earlier.isoformat(), "quarter": quarter,
            "indicators": inds, "townships": towns,
            "ranking": township_rankings.cockpit_panel(conn, county.code)}  # issue 16: the latest published ranking


# the township table's columns: (key, label, unit, target)
COLUMNS = [("remediation", "偏远村整治", "share", None), ("video", "视频规则达标", "share", VIDEO_TARGET),
           ("cameras_working", "摄像机完好率", "share", WORKING_TARGET),
           ("cameras_networked", "联网率", "share", NETWORKED_TARGET),
           ("hotspots", "乡镇级乱点", "count", TOWNSHIP_REQUIRED), ("staffing", "专职队员", "count", TOWNSHIP_MIN)]


def figure(value, unit: str) -> str:
    """A figure for people: shares with one decimal (62.4%), counts whole, none as —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if unit == "share" else f"{value:g}"
