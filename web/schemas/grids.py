"""Grid staff requests: which village's posts to read, and a post to set or empty."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from geo.grids import ROLES
from web.schemas import Code, Day, Input, _blank_is_none

Person = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f<>]+$")]
Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9+()\- ]+$")]


class StaffFilter(Input):
    """The posts of one village (all when none)."""

    village: Annotated[Code | None, BeforeValidator(_blank_is_none)] = None


class StaffPost(Input):
    """A post to set: the village (or the grid, whose village it is), the role, the holder's
    name (blank empties the post), phone and the day they started (default today). A
    grid member needs a grid; police and legal advisers are posted per village, or per grid
    with a grid_code."""

    role: Literal[ROLES]
    grid_code: Annotated[Code | None, BeforeValidator(_blank_is_none)] = Field(default=None, validate_default=True)
    village_code: Annotated[Code | None, BeforeValidator(_blank_is_none)] = Field(default=None,
                                                                                  validate_default=True)
    name: Annotated[Person | None, BeforeValidator(_blank_is_none)] = None
    phone: Annotated[Phone | None, BeforeValidator(_blank_is_none)] = None
    since: Annotated[Day | None, BeforeValidator(_blank_is_none)] = None

    @field_validator("grid_code")
    @classmethod
    def _grid(cls, grid, info: ValidationInfo):
        if info.data.get("role") == "grid_member" and grid is None:
            raise ValueError("网格员须指定网格（grid_code）")
        return grid

    @field_validator("village_code")
    @classmethod
    def _village(cls, village, info: ValidationInfo):
        if village is None and info.data.get("grid_code") is None:
            raise ValueError("请指定村（village_code）或网格（grid_code）")
        return village


class StaffPage(Input):
    """The staffing page: one township's villages (else the short ones), one village's posts."""

    township: Annotated[Code | None, BeforeValidator(_blank_is_none)] = None
    village: Annotated[Code | None, BeforeValidator(_blank_is_none)] = None
