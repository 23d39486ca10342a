"""The 四单制 problem list's state machine (seed §11; issue 16, item 2), pure.

列单 listed → 交单 assigned (a responsible department and a deadline) → 办单 handling →
回访 callback → 销单 closed, only when the person called back is satisfied; an unsatisfied
callback sends the problem back to 办单 handling. Nothing else: no skipping a step, no way
out of 销单. Who may take each step: planners (政法委) and admins every step; commanders
record the handling (办单 started and done). Overdue: not closed and the deadline (the last
day allowed, a local date) has passed; closed on time: closed on or before the deadline.
"""
from __future__ import annotations

from datetime import date

STATES = ("listed", "assigned", "handling", "callback", "closed")
LABELS = {"listed": "列单", "assigned": "交单", "handling": "办单", "callback": "回访", "closed": "销单"}
#: (from, to): the roles that may take the step (admins may take every step)
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("listed", "assigned"): frozenset({"planner"}),
    ("assigned", "handling"): frozenset({"planner", "commander"}),
    ("handling", "callback"): frozenset({"planner", "commander"}),
    ("callback", "closed"): frozenset({"planner"}),
    ("callback", "handling"): frozenset({"planner"}),
}
#: what each step is called on a button
ACTIONS = {("listed", "assigned"): "交单（交责任单位限期办理）", ("assigned", "handling"): "开始办理（办单）",
           ("handling", "callback"): "办结，待回访", ("callback", "closed"): "回访满意，销单",
           ("callback", "handling"): "回访不满意，退回办理"}
#: what a problem is about (people's reports and the seed's focus areas)
CATEGORIES = ("治安", "矛盾纠纷", "道路交通", "电信诈骗", "校园周边", "环境卫生", "基础设施", "公共服务", "其他")
SOURCES = {"call": "民意电话", "checkin": "巡防打卡", "planner": "政法委列单", "incident": "警情", "other": "其他"}
MAX_DEADLINE_DAYS = 366  # a deadline at most a year after the day it is set


class StepRefused(ValueError):
    """A step the state machine refuses. ``kind``: 'state' (not allowed from this state:
    409), 'input' (a value the step needs is missing or wrong: 400, ``field`` names it)."""

    def __init__(self, message: str, kind: str, field: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.field = field


def label(state: str) -> str:
    """The Chinese name of a state (the code itself when unknown)."""
    return LABELS.get(state, state)


def allowed(from_state: str, to_state: str) -> bool:
    """Whether the step from ``from_state`` to ``to_state`` exists at all."""
    return (from_state, to_state) in TRANSITIONS


def next_states(state: str) -> list[str]:
    """The states a problem in ``state`` may go to, in the order of STATES."""
    return [to for to in STATES if (state, to) in TRANSITIONS]


def may_take(role: str, from_state: str, to_state: str) -> bool:
    """Whether ``role`` may take the step (admins every step that exists)."""
    roles = TRANSITIONS.get((from_state, to_state))
    return roles is not None and (role == "admin" or role in roles)


def check_step(from_state: str, to_state: str, *, department: str | None = None, deadline: date | None = None,
               satisfied: bool | None = None, today: date | None = None) -> None:
    """Raise StepRefused unless the step is allowed with these values.

    交单 needs ``department`` and ``deadline`` (not before ``today`` when given, at most
    MAX_DEADLINE_DAYS after it); leaving 回访 needs ``satisfied``: True closes (销单), False
    sends back to 办单; any other step takes neither a department nor a callback result.
    """
    if from_state not in STATES:
        raise StepRefused(f"未知状态 '{from_state}'", "input", "expected")
    if to_state not in STATES:
        raise StepRefused(f"未知状态 '{to_state}'", "input", "to")
    if not allowed(from_state, to_state):
        raise StepRefused(f"问题当前为“{label(from_state)}”，不能转为“{label(to_state)}”", "state")
    if (from_state, to_state) == ("listed", "assigned"):
        _check_assignment(department, deadline, today)
    if from_state == "callback":
        if satisfied is None:
            raise StepRefused("回访后须填写当事人是否满意（satisfied）", "input", "satisfied")
        if satisfied and to_state != "closed":
            raise StepRefused("当事人满意时应销单，而不是退回办理", "state")
        if not satisfied and to_state == "closed":
            raise StepRefused("当事人不满意，不能销单：应退回办单", "state")
    elif satisfied is not None:
        raise StepRefused("只有回访（回访 → 销单或退回办单）时才填写是否满意", "input", "satisfied")


def _check_assignment(department: str | None, deadline: date | None, today: date | None) -> None:
    if not department or not department.strip():
        raise StepRefused("交单须指定责任单位（department）", "input", "department")
    if deadline is None:
        raise StepRefused("交单须指定办结期限（deadline）", "input", "deadline")
    if today is not None and deadline < today:
        raise StepRefused(f"办结期限 {deadline} 早于今天 {today}", "input", "deadline")
    if today is not None and (deadline - today).days > MAX_DEADLINE_DAYS:
        raise StepRefused(f"办结期限 {deadline} 超过一年", "input", "deadline")


def overdue(state: str, deadline: date | None, today: date) -> bool:
    """Not closed and past its deadline (the deadline day itself is still on time)."""
    return state != "closed" and deadline is not None and today > deadline


def closed_on_time(state: str, deadline: date | None, closed_on: date | None) -> bool | None:
    """For a closed problem: closed on or before its deadline; None when not closed."""
    if state != "closed" or closed_on is None or deadline is None:
        return None
    return closed_on <= deadline
