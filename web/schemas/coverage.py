"""Coverage requests: what-if (cameras treated as faulty, proposed cameras), siting, worst."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from geo.rules import MAX_MIN_WORKING_CAMERAS
from layers.catalog import CAMERA_KINDS
from layers.coverage import WhatIf
from web.schemas import Code, Finite, Input, Position, Quarter, Whole, check_inside

MAX_FAULTY = 10_000   # camera codes treated as faulty in one what-if
MAX_PROPOSED = 500    # proposed cameras in one what-if (each adds a sector to every join)


def _split(value):
    return [c for c in value.split(",") if c] if isinstance(value, str) else value


class ProposedCamera(Position):
    """A camera that does not exist yet: where, what kind, its view."""

    kind: Literal[CAMERA_KINDS] = "fixed"
    azimuth: Annotated[Finite, Field(ge=0, le=360)] | None = None
    fov: Annotated[Finite, Field(gt=0, le=360)] = 90.0
    range_m: Annotated[Finite, Field(gt=0, le=5000)] = 100.0

    @model_validator(mode="after")
    def _inside(self, info: ValidationInfo):
        check_inside([(self.lon, self.lat)], info, "摄像机")
        return self


class WhatIfInput(Input):
    """Cameras to treat as faulty (codes, or "a,b" in a query string) and proposed cameras."""

    faulty: Annotated[list[Code], BeforeValidator(_split), Field(max_length=MAX_FAULTY)] = []
    proposed: Annotated[list[ProposedCamera], Field(max_length=MAX_PROPOSED)] = []

    def what_if(self) -> WhatIf:
        return WhatIf(faulty=list(self.faulty), proposed=[p.model_dump() for p in self.proposed])


class CoverageQuery(Input):
    quarter: Quarter | None = None


class SitingPage(Input):
    """The village whose camera siting to show (none: the villages that need cameras)."""

    village: Code | None = None


class Worst(Input):
    limit: Annotated[Whole, Field(ge=0, le=10_000)] = 20


class Siting(Input):
    """k new cameras of a kind, with their view; along the roads, for the quarter's hotspots."""

    k: Annotated[Whole, Field(ge=1, le=500)] = 10
    kind: Literal[CAMERA_KINDS] = "fixed"
    fov: Annotated[Finite, Field(ge=1, le=360)] | None = None
    range_m: Annotated[Finite, Field(ge=5, le=1000)] = 100.0
    quarter: Quarter | None = None

    @property
    def view(self) -> float:
        """The field of view: as asked, else 360° for dome and PTZ cameras, 90° otherwise."""
        return self.fov if self.fov is not None else (360.0 if self.kind in ("dome", "ptz") else 90.0)


class CameraStatus(Input):
    status: Literal[("working", "faulty", "offline")]
    note: Annotated[str, Field(max_length=2000)] = ""


Share = Annotated[Finite, Field(ge=0, le=1)]


class VideoRuleInput(Input):
    """A county's village video rule: the shares (0–1; 1 = all) of 村口, schools and
    main-road junctions that must be seen, and the working cameras a village must have."""

    entrances_share: Share
    schools_share: Share
    main_junctions_share: Share
    min_working_cameras: Annotated[Whole, Field(ge=0, le=MAX_MIN_WORKING_CAMERAS)]
