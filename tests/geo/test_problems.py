"""The 四单制 state machine, exhaustively: every (from, to) pair allowed or refused."""
from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from geo import problems as m

TODAY = date(2026, 11, 20)
ALLOWED = {("listed", "assigned"), ("assigned", "handling"), ("handling", "callback"),
           ("callback", "closed"), ("callback", "handling")}
ROLES = ("planner", "commander", "leader", "admin", "patrol")


def values(from_state, to_state) -> dict:
    """What an allowed step needs to pass."""
    out = {"today": TODAY}
    if (from_state, to_state) == ("listed", "assigned"):
        out.update(department="县公安局", deadline=date(2026, 12, 1))
    if from_state == "callback":
        out["satisfied"] = to_state == "closed"
    return out


@pytest.mark.parametrize("from_state,to_state", list(product(m.STATES, m.STATES)))
def test_every_pair(from_state, to_state):
    assert m.allowed(from_state, to_state) == ((from_state, to_state) in ALLOWED)
    if (from_state, to_state) in ALLOWED:
        m.check_step(from_state, to_state, **values(from_state, to_state))
    else:
        with pytest.raises(m.StepRefused) as err:
            m.check_step(from_state, to_state, **values(from_state, to_state))
        assert err.value.kind == "state"
        assert m.label(from_state) in str(err.value) and m.label(to_state) in str(err.value)


def test_closed_is_final_and_every_state_has_a_label():
    assert m.next_states("closed") == []
    assert [m.label(s) for s in m.STATES] == ["列单", "交单", "办单", "回访", "销单"]
    assert m.next_states("callback") == ["handling", "closed"]


@pytest.mark.parametrize("from_state,to_state,role", list(product(m.STATES, m.STATES, ROLES)))
def test_who_may_take_each_step(from_state, to_state, role):
    expected = (from_state, to_state) in ALLOWED and (
        role in ("admin", "planner")
        or role == "commander" and (from_state, to_state) in {("assigned", "handling"), ("handling", "callback")})
    assert m.may_take(role, from_state, to_state) == expected


@pytest.mark.parametrize("kwargs,field", [
    ({"deadline": date(2026, 12, 1)}, "department"),
    ({"department": "  ", "deadline": date(2026, 12, 1)}, "department"),
    ({"department": "县公安局"}, "deadline"),
    ({"department": "县公安局", "deadline": date(2026, 11, 19)}, "deadline"),
    ({"department": "县公安局", "deadline": date(2028, 1, 1)}, "deadline"),
])
def test_handing_out_needs_a_department_and_a_deadline(kwargs, field):
    with pytest.raises(m.StepRefused) as err:
        m.check_step("listed", "assigned", today=TODAY, **kwargs)
    assert (err.value.kind, err.value.field) == ("input", field)


def test_the_deadline_may_be_today():
    m.check_step("listed", "assigned", department="县公安局", deadline=TODAY, today=TODAY)


def test_leaving_the_callback_needs_its_result():
    for to in ("closed", "handling"):
        with pytest.raises(m.StepRefused) as err:
            m.check_step("callback", to)
        assert (err.value.kind, err.value.field) == ("input", "satisfied")
    with pytest.raises(m.StepRefused, match="不满意，不能销单") as err:
        m.check_step("callback", "closed", satisfied=False)
    assert err.value.kind == "state"
    with pytest.raises(m.StepRefused, match="满意时应销单"):
        m.check_step("callback", "handling", satisfied=True)


def test_a_callback_result_only_when_leaving_the_callback():
    with pytest.raises(m.StepRefused) as err:
        m.check_step("handling", "callback", satisfied=True)
    assert err.value.field == "satisfied"


def test_unknown_states_are_input_errors():
    with pytest.raises(m.StepRefused) as err:
        m.check_step("lost", "closed")
    assert (err.value.kind, err.value.field) == ("input", "expected")
    with pytest.raises(m.StepRefused) as err:
        m.check_step("listed", "gone")
    assert (err.value.kind, err.value.field) == ("input", "to")


def test_overdue_and_on_time():
    deadline = date(2026, 11, 20)
    assert not m.overdue("handling", deadline, deadline)            # the deadline day is still on time
    assert m.overdue("handling", deadline, date(2026, 11, 21))
    assert not m.overdue("closed", deadline, date(2026, 12, 31))
    assert not m.overdue("listed", None, date(2026, 12, 31))
    assert m.closed_on_time("closed", deadline, deadline) is True
    assert m.closed_on_time("closed", deadline, date(2026, 11, 21)) is False
    assert m.closed_on_time("callback", deadline, None) is None
