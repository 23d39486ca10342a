"""Mapping an incident category (as the police write it) to an R4 focus group."""
from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import Field, field_validator

from layers.catalog import CATEGORY_MAX_LENGTH, INCIDENT_FOCUS
from web.schemas import Input


class CategoryFocus(Input):
    """A category as written (NFKC, trimmed, 1–100 characters, no control characters) and
    the focus group it belongs to."""

    category: Annotated[str, Field(max_length=1000)]
    focus: Literal[INCIDENT_FOCUS]

    @field_validator("category")
    @classmethod
    def _written(cls, value: str) -> str:
        value = unicodedata.normalize("NFKC", value).strip()
        if not value:
            raise ValueError("不能为空")
        if len(value) > CATEGORY_MAX_LENGTH:
            raise ValueError(f"过长（最多 {CATEGORY_MAX_LENGTH} 个字符）")
        if any(unicodedata.category(c)[0] == "C" for c in value):
            raise ValueError("含有不允许的字符")
        return value
