"""The import history: which entries to list, and an entry's id in a path."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from layers.catalog import importable
from web.schemas import Input

MAX_ID = 2 ** 63 - 1


class ImportsQuery(Input):
    """?layer= (a layer's name), ?limit= (1–500, 100 by default), ?before= (an id: the
    entries older than it, for the next page)."""

    layer: str | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    before: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None

    @field_validator("layer")
    @classmethod
    def _known(cls, value):
        if value is not None and value not in importable():
            raise ValueError("不是已知的图层：" + "、".join(importable()))
        return value


class ImportId(Input):
    """An import's id (a positive whole number)."""

    id: Annotated[int, Field(ge=1, le=MAX_ID)]
