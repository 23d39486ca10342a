"""Camera siting: where k new cameras add the most covered road and hotspot area.

Maximal covering (MCLP, METHODS.md "Cameras"). Demand is sampled as weighted points
along roads and over hotspots; candidate cameras stand along roads; a sparse matrix says
which candidate covers which point; greedy picks the cameras (within 1 - 1/e of optimal,
Nemhauser, Wolsey & Fisher 1978) and ``milp_siting`` solves the same problem exactly
(PuLP + CBC) to measure greedy's gap.

The sector test is METHODS.md's: p is covered by a camera at c when |p - c| <= range and
the bearing from c to p, ``atan2(dx, dy)`` clockwise from (grid) north, is within fov/2
of the azimuth; dome and PTZ cameras, fov >= 360 or no azimuth see the full circle. A
directional camera does not count the point it stands on (a road across its view
covers nothing).

The building blocks (``demand_points``, ``candidate_sites``, ``coverage_matrix``) work in
one projected CRS whose unit is the metre (e.g. the local UTM zone) and raise ValueError
on a geographic CRS or when inputs differ in CRS; ``suggest_cameras`` takes any one CRS
and reprojects to a metric one. Pure functions: no Flask, no database.

The package's modules: ``demand`` (demand points), ``sites`` (candidate sites and the
coverage matrix), ``solve`` (greedy and MILP) and ``suggest`` (the whole suggestion);
every public name is importable from ``geo.siting`` itself.
"""
from __future__ import annotations

from geo.sectors import FULL_CIRCLE_KINDS
from geo.siting.demand import HOTSPOT_WEIGHT, demand_points
from geo.siting.sites import KINDS, candidate_sites, coverage_matrix
from geo.siting.solve import GreedyResult, MilpResult, covered_weight, greedy_siting, milp_siting
from geo.siting.suggest import Suggestion, suggest_cameras

__all__ = [
    "FULL_CIRCLE_KINDS", "HOTSPOT_WEIGHT", "KINDS", "GreedyResult", "MilpResult", "Suggestion",
    "candidate_sites", "coverage_matrix", "covered_weight", "demand_points", "greedy_siting", "milp_siting",
    "suggest_cameras",
]
