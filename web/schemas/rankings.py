"""Ranking requests (issue 16, item 3): a period, a township's history, a publication, the settings."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from geo.rankings import KINDS, period_kind
from web.schemas import Code, Finite, Input, Whole, _blank_is_none
from web.schemas.remediation import Flag


def _period(value: str) -> str:
    period_kind(value)  # ValueError in Chinese when it is neither 2026-11 nor 2026Q4
    if not 2000 <= int(value[:4]) <= 2100:
        raise ValueError(f"年份应在 2000 与 2100 之间，而不是 {value[:4]}")
    return value


Period = Annotated[str, Field(max_length=10), AfterValidator(_period)]
Weight = Annotated[Finite, Field(ge=0, le=1000)]


class RankingQuery(Input):
    """A period (2026-11 or 2026Q4; default: the latest ended period of the configured kind)."""

    period: Annotated[Period | None, BeforeValidator(_blank_is_none)] = None


class PeriodOnly(Input):
    """A period given in the path."""

    period: Period


class HistoryQuery(Input):
    """A township's code."""

    township: Code


class Publish(Input):
    """replace: publish again a period already published (the old rows are kept as replaced)."""

    replace: Flag = False


class RankingConfig(Input):
    """The admin's settings: period kind, a weight ≥ 0 per input key, the bottom places."""

    period_kind: Literal[KINDS]
    weights: Annotated[dict[Annotated[str, Field(min_length=1, max_length=50)], Weight], Field(max_length=50)]
    bottom_places: Annotated[Whole, Field(ge=1, le=100)] = 1
