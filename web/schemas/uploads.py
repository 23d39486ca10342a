"""What the import page sends: the layer, how to read the file, columns matched by hand."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from geo.crs import parse_crs
from layers.catalog import importable
from web.schemas import Input, Name

ENCODINGS = ("utf-8", "gbk", "gb18030")


def _layer(value: str) -> str:
    if value not in importable():
        raise ValueError(f"未知图层 '{value[:40]}'，可用：{'、'.join(importable())}")
    return value


def _crs(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    parse_crs(value)  # ValueError names the bad value
    return value.strip()


LayerName = Annotated[str, Field(max_length=40), AfterValidator(_layer)]
Column = Annotated[str, Field(min_length=1, max_length=200)]


class UploadTo(Input):
    """The layer an upload is meant for (optional at upload)."""

    layer: LayerName | None = None


class CheckOptions(Input):
    """How to read the uploaded file for a layer."""

    layer: LayerName
    crs: Annotated[str | None, Field(max_length=40), AfterValidator(_crs)] = None
    encoding: Literal["utf-8", "gbk", "gb18030"] | None = None
    sheet: Name | None = None
    columns: Annotated[dict[Column, Column | None], Field(max_length=300)] | None = None

    @model_validator(mode="after")
    def _columns_of_the_layer(self):
        if self.columns:
            names = {c.name for c in importable()[self.layer].columns if not c.derived}
            for source, target in self.columns.items():
                if target is not None and target not in names:
                    raise ValueError(f"列 '{source[:40]}' 对应的字段 '{target[:40]}' 不属于图层 {self.layer}")
            targets = [t for t in self.columns.values() if t is not None]
            if len(targets) != len(set(targets)):
                raise ValueError("两个列对应了同一个字段")
        return self
