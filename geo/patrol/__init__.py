"""Patrol (R5, R6, R7): team staffing, visits from GPS tracks, presence, routes, alerts.

Pure functions: no Flask, no database. Everything geometric works in one projected CRS
whose unit is the metre (e.g. UTM 49N, EPSG:32649): GeoDataFrames must carry such a CRS
and bare arrays / shapely geometries are taken to be in it (pass ``crs=`` to have it
checked); a geographic CRS, or two inputs in different CRSs, raise ValueError.

Times: arrays of ``datetime64`` or pandas datetimes. Tz-aware values are compared as
instants; naive values are taken as UTC (numpy's convention). Results come back in the
input's time zone (UTC when naive). Local days (见巡率, school days) are the county's,
``geo.calendar.TIMEZONE`` (Asia/Shanghai).

Visits (API.md ``/api/patrol/visits``, METHODS.md "Patrol"): a visit is a run of a
team's track points inside the place (in time order), with no gap between successive
ones longer than ``max_gap_s`` (600 s; a gap of exactly 10 minutes does not split). A
point outside the place between two inside does not end the run (GPS jitter at the
border, a short step out): only a gap over the limit does. Dwell is from the run's
first to its last point, so a single point inside is a visit of 0 minutes.
A point exactly on a place's border counts as inside (``intersects``, not ``within``).
Places may overlap; a point then counts for each of them.

The package's modules: ``teams`` (R7 staffing), ``presence`` (school places, visits,
见巡率), ``routes`` (road graph, route planning), ``alerts`` (off route, route
travelled, unvisited places, schools on school days) and ``times``; every public name
is importable from ``geo.patrol`` itself.
"""
from __future__ import annotations

from geo.calendar import TIMEZONE
from geo.patrol.alerts import (
                               OffRoute,
                               local_day,
                               off_route,
                               route_share_travelled,
                               school_day,
                               schools_not_visited,
                               unvisited_since,
)
from geo.patrol.presence import (
    LONG_VISIT_MIN,
    MAX_GAP_S,
    SCHOOL_RADIUS_M,
    Visits,
    day_runs,
    presence_rate,
    school_places,
    visits,
    visits_from_runs,
)
from geo.patrol.routes import EXACT_TSP_MAX_STOPS, PlannedRoute, RoadGraph, plan_route, road_graph
from geo.patrol.teams import TOWNSHIP_MIN, VILLAGE_MIN, staffing

__all__ = [
    "EXACT_TSP_MAX_STOPS", "LONG_VISIT_MIN", "MAX_GAP_S", "SCHOOL_RADIUS_M", "TIMEZONE", "TOWNSHIP_MIN",
    "VILLAGE_MIN", "OffRoute", "PlannedRoute", "RoadGraph", "Visits", "local_day", "off_route", "plan_route",
    "day_runs", "presence_rate", "road_graph", "route_share_travelled", "school_day", "school_places", "schools_not_visited",
    "staffing", "unvisited_since", "visits", "visits_from_runs",
]
