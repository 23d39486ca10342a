"""Map page requests: which layer preset the one map page shows."""
from __future__ import annotations

from typing import Literal

from web.schemas import Input

PRESETS = {"all": "综合", "commander": "巡防指挥", "planner": "乱点整治", "leader": "领导视图"}


class MapPreset(Input):
    """The preset of layers switched on (default: the user's role's)."""

    preset: Literal["all", "commander", "planner", "leader"] | None = None
