"""What pages, the API, exports and the CLI ask for, composed from ``layers`` and ``geo``.

No Flask here: every function takes a connection and plain values (the county, the
user's name, dates already parsed) and returns dicts, lists or GeoDataFrames, raising
the typed errors of ``layers.errors``. The caller owns the transaction.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class County:
    """The county the app serves: administrative code, name, and the remediation plan's
    year (None: the year of the date asked about)."""

    code: str
    name: str
    plan_year: int | None = None

    def year_of(self, day) -> int:
        return int(self.plan_year or day.year)
