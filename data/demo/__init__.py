"""A reproducible synthetic county for demos, tests and benchmarks.

``generate_county(seed)`` builds a made-up county around 111.6 E, 33.8 N with
every layer of ``layers.catalog.LAYERS``: townships and villages that tile
the county, a road network, cameras, two years of clustered incidents,
schools, patrol teams with routes and a week of GPS tracks, and the hotspot
lists of the last four quarters. The same seed always gives the same frames.

Incidents come from a few dozen clusters (seat, township centres, blackspots on
main roads, a few villages) plus a background by village population and along
roads; the hotspot lists are picked on them quarter by quarter, and the
remediation of most listed places thins their later incidents out, so the
lists' carried-over / delisted statuses agree with the data.

Everything is built in a metric CRS (UTM 49N, EPSG:32649) and returned in
EPSG:4326. The data "ends" on ``AS_OF`` (2026-11-26): incidents cover the two
years up to that day, tracks the week up to it, remediation dates lie before
it and the latest hotspot list is that of 2026Q3.

Value conventions of the returned frames:

- text columns hold ``str`` (pandas' string dtype); optional text that is
  absent is ``None`` in an object column (``village_code`` of township teams);
- ``remediated_on``, ``installed_on`` and ``deadline`` hold ``datetime.date``
  (``remediated_on`` is ``None`` when there is none);
- ``occurred_at`` / ``recorded_at`` are ``datetime64[ns, Asia/Shanghai]``;
- ``azimuth`` is float with ``NaN`` where a dome camera has no fixed heading;
- ``remote`` / ``networked`` are numpy ``bool``; ``population`` / ``members``
  ``int64``.

One module per step, run in order by ``generate.generate_county``, each with its
own random stream: ``townships_villages`` (into ``land.Land``), ``roads`` (with
``road_network``), ``schools``, ``cameras``, ``incidents`` (after
``incidents_model``), ``patrol`` (teams, routes, tracks), ``hotspots``, ``frames``.
"""
from __future__ import annotations

from data.demo.constants import (
    AS_OF,
    CENTER_LONLAT,
    COUNTY_CODE,
    COUNTY_NAME,
    HOTSPOT_QUARTERS,
    METRIC_CRS,
    PLAN_YEAR,
    TIMEZONE,
)
from data.demo.generate import generate_county

__all__ = ["AS_OF", "CENTER_LONLAT", "COUNTY_CODE", "COUNTY_NAME", "HOTSPOT_QUARTERS",
           "METRIC_CRS", "PLAN_YEAR", "TIMEZONE", "generate_county"]
