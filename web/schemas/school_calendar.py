"""School calendar requests: a year, a holiday or make-up day, a term, an import, an export."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from data.calendar_file import KIND_VALUES
from geo.calendar import FIRST_YEAR, LAST_YEAR, today
from geo.school_calendar import check_term
from web.schemas import Code, Day, Input, OptionalWhole, Whole

Scope = Literal["national", "county"]
MAX_ITEMS = 1000
MAX_CSV_CHARS = 1_000_000


def _kind(value):
    return KIND_VALUES.get(value.strip().lower(), value) if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _blank_none(value):
    return None if isinstance(value, str) and not value.strip() else _strip(value)


Kind = Annotated[Literal["holiday", "workday"], BeforeValidator(_kind)]
DayName = Annotated[str, BeforeValidator(_strip), Field(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
TermName = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
SchoolCode = Annotated[Code | None, BeforeValidator(_blank_none)]


class Year(Input):
    year: Annotated[Whole, Field(ge=FIRST_YEAR, le=LAST_YEAR)] = Field(default_factory=lambda: today().year)


class DayEntry(Input):
    """A holiday or 调休 make-up working day, national or the county's."""

    date: Day
    kind: Kind
    name: DayName = ""
    scope: Scope = "county"


class DayKey(Input):
    date: Day
    scope: Scope = "county"


class TermEntry(Input):
    """A school term [starts, ends] (both included), for every school or one (school_code)."""

    name: TermName
    starts: Day
    ends: Day
    school_code: SchoolCode = None

    @model_validator(mode="after")
    def _sane(self):
        try:
            check_term(self.starts, self.ends)
        except ValueError as err:
            raise ValueError(f"ends: {err}") from None
        return self

    def row(self) -> dict:
        return {"name": self.name, "starts": self.starts, "ends": self.ends, "school_code": self.school_code}


class CalendarChange(Input):
    """POST /api/calendar: days and terms to add or replace (at least one)."""

    days: Annotated[list[DayEntry], Field(max_length=MAX_ITEMS)] = []
    terms: Annotated[list[TermEntry], Field(max_length=MAX_ITEMS)] = []

    @model_validator(mode="after")
    def _some(self):
        if not self.days and not self.terms:
            raise ValueError("days: 应至少给出一个日期或一个学期（days 或 terms）")
        return self


class CalendarRemoval(Input):
    """DELETE /api/calendar: a day (date and scope) or a term (term_id), exactly one."""

    date: Day | None = None
    scope: Scope = "county"
    term_id: OptionalWhole = None

    @model_validator(mode="after")
    def _one(self):
        if (self.date is None) == (self.term_id is None):
            raise ValueError("date: 应给出 date（删除节假日/调休）或 term_id（删除学期），二者取一")
        return self


class TermId(Input):
    term_id: Annotated[Whole, Field(ge=1)]


class ImportForm(Input):
    """The page's import: scope of a days file; ``text`` the file carried over from the
    preview to the confirmation."""

    scope: Scope = "national"
    text: Annotated[str, Field(max_length=MAX_CSV_CHARS)] | None = None


class Export(Input):
    what: Literal["days", "terms"] = "days"
    year: Annotated[Whole, Field(ge=FIRST_YEAR, le=LAST_YEAR)] = Field(default_factory=lambda: today().year)
