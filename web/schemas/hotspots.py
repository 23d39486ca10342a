"""Hotspot requests: an analysis (quarter, category or focus group, grid, band), list drafts
and items, a hotspot's status, an evaluation."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from geo import hotspots as hs
from layers.catalog import CATEGORY_MAX_LENGTH, HOTSPOT_LEVELS, INCIDENT_FOCUS
from layers.categories import category_key
from web.schemas import (
    Code,
    Day,
    Finite,
    Input,
    Name,
    OptionalWhole,
    Position,
    Quarter,
    Text,
    Whole,
    check_inside,
    geometry,
)

FOCUS = Literal[INCIDENT_FOCUS]
Category = Annotated[str, Field(max_length=CATEGORY_MAX_LENGTH, pattern=r"^[^\x00-\x1f\x7f]+$")]
CELL_M = (100.0, 5000.0)      # the grid's cell, metres
BAND_CELLS = (1, 20)          # the Gi* band, in cells


def _empty_to_none(data: Any, keys: tuple[str, ...]):
    if isinstance(data, dict):
        return {k: (None if k in keys and v in ("", None) else v) for k, v in data.items()}
    return data


def _focus_code(data: Any):
    """``category`` naming a focus group's code (theft, THEFT …) means that group, as it
    did when categories were these codes: it is moved to ``focus``."""
    if isinstance(data, dict) and isinstance(data.get("category"), str) and data.get("focus") is None:
        key = category_key(data["category"])
        if key in INCIDENT_FOCUS:
            return {**{k: v for k, v in data.items() if k != "category"}, "focus": key}
    return data


class Analysis(Input):
    """What an analysis is asked for: the quarter of the incidents, one category as written
    or one R4 focus group (not both; a category that is a focus code means that group), the
    grid's cell and the Gi* band in metres (default: 1,500 m, at least 3 cells)."""

    quarter: Quarter
    category: Category | None = None
    focus: FOCUS | None = None
    cell_m: Annotated[Finite, Field(ge=CELL_M[0], le=CELL_M[1])] = hs.DEFAULT_CELL_M
    band_m: Annotated[Finite | None, Field(validate_default=True)] = None

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data):
        return _focus_code(_empty_to_none(data, ("category", "focus", "cell_m", "band_m")))

    @field_validator("category")
    @classmethod
    def _written(cls, value):
        value = value.strip() if value is not None else None
        if value == "":
            raise ValueError("不能为空")
        return value

    @field_validator("focus")
    @classmethod
    def _one_of_two(cls, value, info: ValidationInfo):
        if value is not None and info.data.get("category") is not None:
            raise ValueError("与 category 只能给出一个（category 为警情中写的类别，focus 为重点类别）")
        return value

    @field_validator("band_m")
    @classmethod
    def _band(cls, value, info: ValidationInfo):
        cell = info.data.get("cell_m")
        if cell is None:
            return value
        if value is None:
            return max(hs.DEFAULT_BAND_M, 3 * cell)
        low, high = BAND_CELLS[0] * cell, BAND_CELLS[1] * cell
        if not low <= value <= high:
            raise ValueError(f"应在 {low:g} 与 {high:g} 之间（格网边长的 1–20 倍），而不是 {value:g}")
        return value

    @property
    def which(self) -> dict:
        """The incidents analysed: {'category': as written or None, 'focus': group or None}."""
        return {"category": self.category, "focus": self.focus}

    def of(self, quarter: str) -> "Analysis":
        """The same analysis for another quarter."""
        return self.model_copy(update={"quarter": quarter})


class Density(Input):
    bandwidth_m: Annotated[Finite, Field(ge=100, le=10_000)] = 1000.0


class GridQuery(Input):
    all: Literal["0", "1"] = "0"


class QuarterOnly(Input):
    quarter: Quarter


class OpenForm(Input):
    """Which candidate's 加入清单 form the planner's page opens without a script (``?add=3``)."""

    add: Annotated[int | None, Field(ge=1, le=100_000)] = None


class Evaluation(Input):
    buffer_m: Annotated[Finite, Field(ge=0, le=5000)] = 500.0


class Revision(Input):
    revision: OptionalWhole = None


class ItemFields(Revision):
    """A draft item's editable fields (all optional when changing one)."""

    name: Name | None = None
    level: Literal[HOTSPOT_LEVELS] | None = None
    township_code: Code | None = None
    unit: Annotated[str, Field(max_length=200)] | None = None
    deadline: Day | None = None
    reason: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data):
        return _empty_to_none(data, ("deadline", "unit", "township_code"))

    def changes(self) -> dict:
        """The fields the request set."""
        return {k: getattr(self, k) for k in ("name", "level", "township_code", "unit", "deadline", "reason")
                if k in self.model_fields_set}


PLACE_LAYERS = ("villages", "schools", "roads")
MAX_BUFFER_M = 2000.0       # around a picked place
RADIUS_M = (6.0, 1260.0)    # a point's circle: about 100 m² to 5 km²


class Spot(Position):
    """A clicked point, inside the county."""

    @model_validator(mode="after")
    def _inside(self, info: ValidationInfo):
        check_inside([(self.lon, self.lat)], info, "")
        return self


class Place(Input):
    """A village, school or road section to make a hotspot of: its code, the buffer in
    metres, and for a road the point clicked (the section is the road near it)."""

    layer: Literal[PLACE_LAYERS]
    code: Code
    buffer_m: Annotated[Finite, Field(ge=0, le=MAX_BUFFER_M)] = 0.0
    at: Spot | None = None
    section_m: Annotated[Finite, Field(ge=10, le=5000)] | None = None


class NewItem(ItemFields):
    """A hotspot to put on a draft: a name, a level and its area, given as a GeoJSON
    polygon (WGS 84), a GeoJSON point with ``radius_m``, or a ``place`` (village, school,
    road) with a buffer. The name may be left out for a place (the place's name)."""

    name: Name | None = None
    level: Literal[HOTSPOT_LEVELS]
    geometry: Any = None
    radius_m: Annotated[Finite, Field(ge=RADIUS_M[0], le=RADIUS_M[1])] | None = None
    place: Place | None = None
    # what the analysis found (significance, counts, z) comes only with candidates
    # (POST …/candidates), never from the client
    source: Literal["drawn"] = "drawn"

    @field_validator("geometry")
    @classmethod
    def _area(cls, value, info: ValidationInfo):
        return None if value is None else geometry(value, info, ("Polygon", "MultiPolygon", "Point"))

    @model_validator(mode="after")
    def _one_shape(self):
        if (self.geometry is None) == (self.place is None):
            raise ValueError("应给出 geometry（面，或点加 radius_m）或 place（村、学校、道路）二者之一")
        point = self.geometry is not None and self.geometry.geom_type == "Point"
        if point != (self.radius_m is not None):
            raise ValueError("点须给出半径 radius_m（米），面不需要" if point else "radius_m 只用于点")
        if self.place is None and not self.name:
            raise ValueError("缺少 name（乱点名称）")
        return self

    def item(self) -> dict:
        return self.model_dump(exclude={"revision"})


class CandidatePick(Input):
    """A ranked candidate as the planner saw it (rank, township, count) and the fields
    the planner set (the candidate's defaults otherwise)."""

    rank: Annotated[Whole, Field(ge=1)]
    township_code: Annotated[str, Field(max_length=100)] = ""
    count: Annotated[Whole, Field(ge=0)]
    name: Name | None = None
    level: Literal[HOTSPOT_LEVELS] | None = None
    unit: Annotated[str, Field(max_length=200)] | None = None
    deadline: Day | None = None
    reason: Text | None = None


class CandidateBatch(Revision):
    """Several ranked candidates to put on a draft in one change."""

    candidates: Annotated[list[CandidatePick], Field(min_length=1, max_length=200)]


class StatusChange(Input):
    status: Literal[("remediating", "delisted", "carried_over")]
    note: Text = ""


class DraftForm(Revision):
    """The draft a planner's form was made for (its id and revision), and the candidate it
    names (rank, township, count) when it adds one."""

    draft_id: OptionalWhole = None
    rank: OptionalWhole = None
    township_code: Annotated[str, Field(max_length=100)] = ""
    count: OptionalWhole = None


class PlaceQuery(Spot):
    """A click on the map to pick a village, school or road: where, which layer, and the
    buffer (and road section) the hotspot would have."""

    layer: Literal[PLACE_LAYERS]
    buffer_m: Annotated[Finite, Field(ge=0, le=MAX_BUFFER_M)] = 0.0
    section_m: Annotated[Finite, Field(ge=10, le=5000)] | None = None
