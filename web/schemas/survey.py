"""Opinion-call requests (民意调查): a call, the list's filters, a day, a week, a question."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from geo.survey import QUESTION_KINDS, parse_week
from web.schemas import Code, Day, Input, Moment, Name, Text, Whole, _blank_is_none

Score = Annotated[Whole, Field(ge=1, le=5)]
Answer = Annotated[bool | int | str, Field(union_mode="left_to_right")]
Phone = Annotated[str | None, BeforeValidator(_blank_is_none),
                  Field(default=None, max_length=40, pattern=r"^[0-9+\-() .·\s]*$")]
Week = Annotated[str, AfterValidator(lambda v: parse_week(v) and v)]
QuestionKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class NewCall(Input):
    """One call: when (default now), the respondent's village, 安全感 and 满意度 1–5, the
    phone number dialled (hashed at once, never stored), answers by question key, free
    text, and the caller (default the user; a call-centre's caller id)."""

    called_at: Moment | None = None
    village_code: Code
    safety: Score
    satisfaction: Score
    phone: Phone = None
    answers: Annotated[dict[QuestionKey, Answer], Field(max_length=50)] = {}
    problems: Text = ""
    caller: Annotated[Name | None, BeforeValidator(_blank_is_none)] = None

    @model_validator(mode="after")
    def _short_answers(self):
        for key, value in self.answers.items():
            if isinstance(value, str) and len(value) > 500:
                raise ValueError(f"answers.{key} 过长（最多 500 个字符）")
        return self


class Period(Input):
    """Local days [from, to); default the last ``DEFAULT_DAYS`` days up to today."""

    start: Day | None = Field(default=None, alias="from")
    end: Day | None = Field(default=None, alias="to")
    township: Annotated[Code | None, BeforeValidator(_blank_is_none)] = None

    @model_validator(mode="after")
    def _order(self):
        if self.start and self.end and self.end <= self.start:
            raise ValueError("to 应晚于 from")
        if self.start and self.end and (self.end - self.start).days > 1100:
            raise ValueError("from 与 to 最多相隔 3 年")
        return self

    def days(self, today: date, default_days: int = 7) -> tuple[date, date]:
        end = self.end or today + timedelta(days=1)
        return self.start or end - timedelta(days=default_days), end


class DayQuery(Input):
    """A local day (default today)."""

    date: Day | None = None


class WeekQuery(Input):
    """An ISO week like 2026-W49 (default this week)."""

    week: Week | None = None


class Question(Input):
    """A question of the county's list: key, text, kind, position on the form, asked now."""

    key: QuestionKey
    text: Name
    kind: Literal[tuple(QUESTION_KINDS)]
    position: Annotated[Whole, Field(ge=0, le=1000)] = 0
    active: bool = True


class Settings(Input):
    """The county's survey settings: calls required a day."""

    required_daily: Annotated[Whole, Field(ge=1, le=10000)]
