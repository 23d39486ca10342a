"""The county a user switches to (``POST /account/county``)."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from web.schemas import Input

CountyCode = Annotated[str, Field(pattern=r"^[0-9]{6}$", max_length=6)]


class CountyChoice(Input):
    """A six-digit county code, which must be one of the user's counties; ``next``: the
    page to go back to (a path on this site)."""

    county: CountyCode
    next: Annotated[str, Field(max_length=2000)] | None = None
