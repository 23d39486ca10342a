"""The header search box's request: what was typed and how many hits at most."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from web.schemas import Input, Whole

MAX_QUERY = 50
MAX_LIMIT = 20


class SearchQuery(Input):
    """q: 1–50 characters once trimmed, no control characters; limit: 1–20 (default 20)."""

    q: Annotated[str, Field(max_length=1000)]
    limit: Annotated[Whole, Field(ge=1, le=MAX_LIMIT)] = MAX_LIMIT

    @field_validator("q")
    @classmethod
    def _typed(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("不能为空")
        if len(value) > MAX_QUERY:
            raise ValueError(f"过长（最多 {MAX_QUERY} 个字符）")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("含有不允许的字符")
        return value
