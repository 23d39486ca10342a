"""Dispute-screening requests (矛盾纠纷排查): a period, a day, a screening, an incident's flags."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from geo.disputes import LEVELS, period_dates
from web.schemas import Code, Day, Input, Text, Whole, _blank_is_none
from web.schemas.problems import MaybeBool

Count = Annotated[Whole, Field(ge=0, le=100_000)]


class PeriodQuery(Input):
    """A month (2026-11) or a quarter (2026Q4); default: the current month."""

    period: Annotated[str | None, BeforeValidator(_blank_is_none)] = None

    @field_validator("period")
    @classmethod
    def _shape(cls, value):
        if value is None:
            return None
        try:
            start, _end = period_dates(value)
        except ValueError:
            raise ValueError(f"应形如 2026-11（月）或 2026Q4（季度），而不是 '{value[:40]}'") from None
        if not 2000 <= start.year <= 2100:
            raise ValueError("年份应在 2000 与 2100 之间")
        return value


class TargetsQuery(Input):
    """The day the year-on-year counts run to (default: today)."""

    date: Annotated[Day | None, BeforeValidator(_blank_is_none)] = None


class ScreeningFilter(Input):
    """Screenings on local days [from, to) (default: this year), of one level or all."""

    start: Annotated[Day | None, BeforeValidator(_blank_is_none)] = Field(default=None, alias="from")
    end: Annotated[Day | None, BeforeValidator(_blank_is_none)] = Field(default=None, alias="to")
    level: Annotated[Literal[LEVELS] | None, BeforeValidator(_blank_is_none)] = None

    @model_validator(mode="after")
    def _order(self):
        if self.start and self.end and self.end <= self.start:
            raise ValueError("to 应晚于 from")
        return self


class NewScreening(Input):
    """A screening: the level and the unit (the county's code, a township's or a village's),
    the day (not in the future: checked with the county's today), disputes found and
    resolved (resolved ≤ found), a note."""

    level: Literal[LEVELS]
    unit_code: Code
    screened_on: Day
    disputes_found: Count
    resolved: Count
    note: Text = ""

    @field_validator("resolved")
    @classmethod
    def _not_more_than_found(cls, value, info):
        found = info.data.get("disputes_found")
        if found is not None and value > found:
            raise ValueError(f"化解数（{value}）不能多于排查出的纠纷数（{found}）")
        return value


class DisputeFlags(Input):
    """An incident's flags: 民转刑 and 民事纠纷引发的命案 (true/false, 是/否); at least one."""

    civil_to_criminal: MaybeBool = None
    dispute_homicide: MaybeBool = None
    note: Text = ""

    @model_validator(mode="after")
    def _some(self):
        if self.civil_to_criminal is None and self.dispute_homicide is None:
            raise ValueError("请给出 civil_to_criminal（民转刑）或 dispute_homicide（纠纷命案）")
        return self
