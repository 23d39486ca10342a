"""The camera list's request: filters, sort, page, format."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from layers.camera_list import SORTS
from layers.catalog import CAMERA_KINDS
from web.schemas import Code, Input, Whole

STATUS_FILTERS = ("working", "faulty", "offline", "problem")   # problem: faulty or offline
MAX_PAGE = 10_000


class ListQuery(Input):
    """What every list beside a map takes besides its filters: order, page, format; blank
    fields are "any"."""

    order: Literal["asc", "desc"] = "asc"
    page: Annotated[Whole, Field(ge=1, le=MAX_PAGE)] = 1
    format: Literal["json", "csv", "xlsx"] = "json"

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data):
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v not in ("", None)}
        return data


class CameraListQuery(ListQuery):
    """Which cameras (status, kind, township, networked), in what order, which page, and
    as what (json, csv, xlsx: an export holds every matching camera)."""

    status: Literal[STATUS_FILTERS] | None = None
    kind: Literal[CAMERA_KINDS] | None = None
    township: Code | None = None
    networked: Literal["0", "1"] | None = None
    sort: Literal[tuple(SORTS)] = "status"

    def filters(self) -> dict:
        statuses = {"problem": ["faulty", "offline"], None: None}.get(self.status, [self.status])
        return {"statuses": statuses, "kind": self.kind, "township": self.township,
                "networked": None if self.networked is None else self.networked == "1"}
