"""Remediation requests: a day to report on, a planner's change, a revert."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, model_validator

from layers.remediation import STATUSES
from web.schemas import Day, Input, OptionalWhole, Text

WORDS = {"是": True, "否": False, "on": True, "off": False}


def _yes_no(value):
    if value in (None, ""):
        return False
    return WORDS.get(value.strip().lower(), value) if isinstance(value, str) else value


Flag = Annotated[bool, BeforeValidator(_yes_no)]


class AsOf(Input):
    """The day a report is for (default: today)."""

    as_of: Day | None = None


class Change(Input):
    """A change a planner asks for: the status, the three R2 criteria, a note, the day it
    took effect (confirmed_on is accepted for it), the version the planner saw, and — to
    confirm 已整治 although the video criterion does not hold — an exception note."""

    status: Literal[STATUSES]
    orderly: Flag = False
    services: Flag = False
    video: Flag = False
    note: Text = ""
    exception_note: Text = ""
    effective_on: Day | None = None
    version: OptionalWhole = None

    @model_validator(mode="before")
    @classmethod
    def _confirmed_on(cls, data):
        if isinstance(data, dict) and not data.get("effective_on") and data.get("confirmed_on"):
            data = {**data, "effective_on": data["confirmed_on"]}
        if isinstance(data, dict) and data.get("effective_on") == "":
            data = {**data, "effective_on": None}
        return data


class Revert(Input):
    """Undo one event, naming the version the planner saw."""

    version: OptionalWhole = None
