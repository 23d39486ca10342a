"""The inputs of the township ranking (issue 16, item 3), one registered function each.

An input is ``Input(key, label_zh, higher_is_better, fn, scale)``; ``fn(conn, county_code,
start, end)`` answers {township_code: value or None} over the local days [start, end) (None:
the township has no value for the period; its weight goes to its other inputs, see
``geo.rankings``). ``scale`` says how the value is put on 0–100: 'share' (0–1), 'mean5'
(a 1–5 mean) or 'minmax' (a count compared across townships).

Registered: safety and satisfaction (the opinion calls' 1–5 means), problems, remediation,
coverage, hotspots, screening (dispute screenings held of those owed), staffing (villages
with their police officer, legal adviser and grid members). ``DEFAULT_WEIGHTS``: what people
feel counts double (seed §12 measures the programme by 安全感 and 满意度), the rest 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from geo.calendar import quarter_of
from geo.calendar import today as local_today
from geo.coverage import roll_up
from layers import hotspots as hotspot_layer
from layers.problems import township_names
from web.services import County
from web.services import coverage as coverage_service
from web.services import disputes as dispute_service
from web.services import grids as grid_service
from web.services import problems as problem_service
from web.services import remediation as remediation_service
from web.services import survey as survey_service

Values = dict[str, float | None]


@dataclass(frozen=True)
class Input:
    """One input of the score: its key, its Chinese label, whether higher is better, the
    function that reads it for a period, and its 0–100 scale (``geo.rankings.normalise``)."""

    key: str
    label_zh: str
    higher_is_better: bool
    fn: Callable[..., Values]
    scale: str = "share"


INPUTS: dict[str, Input] = {}


def register(one: Input) -> None:
    INPUTS[one.key] = one


def _as_of(end: date) -> date:
    """The period's last day, or today while the period runs on."""
    return min(end - timedelta(days=1), local_today())


def problems_on_time(conn, county_code: str, start: date, end: date) -> Values:
    """Share of the problems closed (销单) in the period that were closed by their deadline."""
    return {t: v["on_time_share"] for t, v in problem_service.township_problems(conn, county_code, start, end).items()}


def remediation_share(conn, county_code: str, start: date, end: date) -> Values:
    """R1: share of the township's remote villages remediated at the period's end (None
    without remote villages)."""
    report = remediation_service.progress_report(conn, County(county_code, county_code), _as_of(end))
    shares = {t["code"]: t["share"] for t in report["townships"] if t["remote"]}
    return {t: shares.get(t) for t in township_names(conn, county_code)}


def video_rule_share(conn, county_code: str, start: date, end: date) -> Values:
    """Share of the township's villages meeting the county's video rule with the cameras as
    they are now (coverage keeps no history: every period reads today's cameras)."""
    towns = {t["code"]: t["video_covered_share"] for t in roll_up(coverage_service.villages_checked(conn, county_code))}
    return {t: towns.get(t) for t in township_names(conn, county_code)}


def hotspot_quarters(conn, county_code: str, start: date, end: date) -> Values:
    """The existing R10 input: the most quarters in a row one of the township's hotspots has
    stayed listed, in the quarter of the period's end (0: none listed; 2 is 挂牌督办 and 3
    一票否决 under the hotspot rule). Lower is better."""
    longest: dict[str, int] = {}
    for c in hotspot_layer.carried_chains(conn, county_code, quarter_of(end - timedelta(days=1))):
        longest[c["township_code"]] = max(longest.get(c["township_code"], 0), c["quarters"])
    return {t: float(longest.get(t, 0)) for t in township_names(conn, county_code)}


def _opinion(key: str) -> Callable[..., Values]:
    """The period's mean 安全感 or 满意度 of the opinion calls (None without calls)."""
    def read(conn, county_code: str, start: date, end: date) -> Values:
        calls = survey_service.township_opinion(conn, county_code, start, end)
        return {t: (calls.get(t) or {}).get(key) for t in township_names(conn, county_code)}
    return read


def screening_share(conn, county_code: str, start: date, end: date) -> Values:
    """Share of the township's screening slots (two a month, seed §9) held in the period."""
    done = dispute_service.township_screening(conn, county_code, start, end)
    return {t: (done.get(t) or {}).get("share") for t in township_names(conn, county_code)}


def staffing_share(conn, county_code: str, start: date, end: date) -> Values:
    """Share of the township's villages with their police officer, legal adviser and grid
    members (一村（格）一警一法律顾问, seed §10), posts held now (no history of posts)."""
    staffed = grid_service.township_staffing(conn, county_code, start, end)
    return {t: (staffed.get(t) or {}).get("share") for t in township_names(conn, county_code)}


register(Input("safety", "群众安全感", True, _opinion("safety"), "mean5"))
register(Input("satisfaction", "群众满意度", True, _opinion("satisfaction"), "mean5"))
register(Input("problems", "问题按期办结率", True, problems_on_time, "share"))
register(Input("remediation", "偏远村整治率", True, remediation_share, "share"))
register(Input("coverage", "村视频规则达标率", True, video_rule_share, "share"))
register(Input("hotspots", "乱点连续挂牌季度", False, hotspot_quarters, "minmax"))
register(Input("screening", "矛盾纠纷排查按期率", True, screening_share, "share"))
register(Input("staffing", "一村一警一法律顾问配齐率", True, staffing_share, "share"))

DEFAULT_WEIGHTS = {key: 2.0 if key in ("safety", "satisfaction") else 1.0 for key in INPUTS}
