"""Fixed facts of the demo county: codes, dates, CRS, road classes."""
from __future__ import annotations

import datetime as dt

from geo.calendar import TIMEZONE

COUNTY_CODE = "410999"
COUNTY_NAME = "示范县"
PLAN_YEAR = 2026
#: The last day the demo data covers ("today" of the demo).
AS_OF = dt.date(2026, 11, 26)
#: Quarters whose hotspot lists are generated, oldest first.
HOTSPOT_QUARTERS = ("2025Q4", "2026Q1", "2026Q2", "2026Q3")
CENTER_LONLAT = (111.6, 33.8)
METRIC_CRS = "EPSG:32649"
#: Metres; polygon vertices are snapped to this grid so that they tile exactly.
PREC = 0.01
#: Road classes, most important first; arrays of classes hold indexes into this.
ROAD_CLASSES = ("national", "provincial", "county", "township", "village")

__all__ = ["AS_OF", "CENTER_LONLAT", "COUNTY_CODE", "COUNTY_NAME", "HOTSPOT_QUARTERS",
           "METRIC_CRS", "PLAN_YEAR", "PREC", "ROAD_CLASSES", "TIMEZONE"]
