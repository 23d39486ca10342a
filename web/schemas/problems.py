"""Problem-list requests (四单制): the list's filters, a new problem, a step, a period."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from geo.problems import CATEGORIES, SOURCES, STATES
from web.schemas import Code, Day, Input, Name, OptionalWhole, Text, _blank_is_none, check_inside
from web.schemas.members import Lat, Lon
from web.schemas.remediation import Flag

Title = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
MaybeBool = Annotated[bool | None, BeforeValidator(lambda v: None if v in ("", None) else
                                                   {"true": True, "false": False, "是": True, "否": False,
                                                    "1": True, "0": False}.get(v, v) if isinstance(v, str) else v)]


class ProblemFilter(Input):
    """The list's filters: a state, a township, a department, only the overdue ones; JSON or GeoJSON."""

    state: Annotated[Literal[STATES] | None, BeforeValidator(_blank_is_none)] = None
    township: Code | None = None
    department: Name | None = None
    overdue: Flag = False
    format: Literal["json", "geojson"] = "json"


class NewProblem(Input):
    """A problem to list: its source ('call' with the call's id, 'checkin' with the check-in's
    id, 'incident' with the incident's code, 'planner' or 'other' free), title (a check-in's
    or incident's is made up when none), category, description, where (lon and lat inside the
    county, or a village_code): needed for planner and other problems."""

    source: Literal[tuple(SOURCES)]
    source_ref: Code | None = None
    title: Title | None = None
    category: Literal[CATEGORIES] = "其他"
    description: Text = ""
    note: Text = ""
    village_code: Code | None = None
    lon: Lon = None
    lat: Lat = Field(default=None, validate_default=True)

    @field_validator("lat")
    @classmethod
    def _where(cls, lat, info: ValidationInfo):
        lon = info.data.get("lon")
        if (lon is None) != (lat is None):
            raise ValueError("应与 lon 同时给出或同时不给")
        if lon is not None:
            check_inside([(lon, lat)], info, "问题位置")
        return lat

    @model_validator(mode="after")
    def _source(self):
        if self.source in ("call", "checkin", "incident") and not self.source_ref:
            raise ValueError("来源为民意电话、巡防打卡或警情时须给出 source_ref（电话、打卡的编号或警情编号）")
        if self.source == "checkin" and not self.source_ref.isdigit():
            raise ValueError("source_ref 应为打卡编号（整数）")
        if self.source in ("planner", "other") and self.lon is None and not self.village_code:
            raise ValueError("请在地图上指定问题位置（lon、lat）或所在村（village_code）")
        return self


class Step(Input):
    """A step: the state to go to, the state (and optionally the version) the user saw, and
    what the step needs: department and deadline for 交单, satisfied when leaving 回访."""

    to: Literal[STATES]
    expected: Literal[STATES]
    version: OptionalWhole = None
    department: Annotated[Name | None, BeforeValidator(_blank_is_none)] = None
    deadline: Annotated[Day | None, BeforeValidator(_blank_is_none)] = None
    satisfied: MaybeBool = None
    note: Text = ""


class Period(Input):
    """[from, to) in local days (default: the year so far)."""

    start: Day | None = Field(default=None, alias="from")
    end: Day | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _order(self):
        if self.start and self.end and self.end <= self.start:
            raise ValueError("to 应晚于 from")
        return self

    def days(self, today: date) -> tuple[date, date]:
        from datetime import timedelta

        return self.start or date(today.year, 1, 1), self.end or today + timedelta(days=1)
