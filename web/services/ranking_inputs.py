"""The inputs of the township ranking (issue 16, item 3), one registered function each.

An input is ``Input(key, label_zh, higher_is_better, fn, scale)``; ``fn(conn, county_code,
start, end)`` answers {township_code: value or None} over the local days [start, end) (None:
the township has no value for the period; its weight goes to its other inputs, see
``geo.rankings``). ``scale`` says how the value is put on 0–100: 'share' (0–1), 'mean5'
(a 1–5 mean) or 'minmax' (a count compared across townships).

Registered here: problems, remediation, coverage, hotspots. Added by the integrator, one
line each, when their modules are merged (they do not exist on this branch):

    safety:       web.services.survey.township_opinion(conn, code, start, end)[t]["safety"]        (1–5, mean5)
    satisfaction: web.services.survey.township_opinion(conn, code, start, end)[t]["satisfaction"]  (1–5, mean5)
    screening:    web.services.disputes.township_screening(conn, code, start, end)[t]["share"]     (share)
    staffing:     web.services.grids.township_staffing(conn, code, start, end)[t]["share"]         (share)

e.g. ``register(Input("safety", "群众安全感", True, _survey("safety"), "mean5"))``.
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
from web.services import problems as problem_service
from web.services import remediation as remediation_service

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


register(Input("problems", "问题按期办结率", True, problems_on_time, "share"))
register(Input("remediation", "偏远村整治率", True, remediation_share, "share"))
register(Input("coverage", "村视频规则达标率", True, video_rule_share, "share"))
register(Input("hotspots", "乱点连续挂牌季度", False, hotspot_quarters, "minmax"))
