"""Quarterly hotspots: grid counts, Getis-Ord Gi*, FDR classes, kernel density, candidates, WDQ.

Pure functions on GeoDataFrames and numpy arrays: no database, no Flask. All the work
is done in a metric CRS (metres): by default the local WGS 84 / UTM zone of the county
(``metric_crs_for``, from ``geo.crs``). Formulas and conventions are those of
``METHODS.md`` ("Hotspots").

Defaults (quoted by the README):

- **Cells**: squares of ``DEFAULT_CELL_M`` = 500 m, aligned to multiples of the cell
  size in the metric CRS (so grids of different quarters and categories coincide).
  A cell belongs to the county grid when it shares a positive area with the county
  polygon (``keep="intersects"``; ``keep="centre"`` keeps cells whose centre is inside
  instead), so every incident inside the county is counted. ``row`` counts from the
  south (y), ``col`` from the west (x); a point on a cell edge belongs to the cell to
  its north/east.
- **Gi\\*** (Ord & Getis 1995): binary distance-band weights between cell centres,
  w_ij = 1 when the distance is <= the band, each cell its own neighbour (w_ii = 1).
  Default band ``DEFAULT_BAND_M`` = 1,500 m (3 cells: 29 cells in each neighbourhood).
  ``scale_defaults`` gives ArcGIS Optimized Hot Spot Analysis's data-driven band
  instead (mean distance to the k-th nearest incident location, k = 5% of N clamped to
  [3, 30]). p is two-sided from the analytic z. The z values equal PySAL esda's
  ``G_Local(y, DistanceBand(centres, band, binary=True), transform='B', star=True)``.
  On a ``make_grid`` grid (``cell_m`` given) the band's neighbour offsets are built once
  and applied to the row/col raster as a correlation: the product W·x without building
  W (0.2 s and tens of MB for 1.5 million cells, where the CSR matrix takes ~1 GB);
  ``band_weights`` gives W as a scipy CSR matrix (same offsets, or a KD-tree for
  irregular points) for ``gi_star(weights=...)``: one sparse mat-vec.
- **Significance**: Benjamini-Hochberg false-discovery-rate control with
  ``scipy.stats.false_discovery_control(p, method='bh')``; a cell is in class ±3, ±2, ±1
  (ArcGIS ``Gi_Bin``: 99, 95, 90% confidence) when its BH-adjusted p is <= 0.01, 0.05,
  0.10, with the sign of z; otherwise 0.
- **Kernel density**: quartic kernel K(d) = 3/(π h²)·(1 − d²/h²)² for d < h, returned
  in incidents per km² (``per="m2"`` for per m²); pairs within h found with a KD-tree.
  The bandwidth is the caller's (no fixed default); ``scale_defaults`` gives ArcGIS
  Kernel Density's default search radius for the incidents.
- **Candidates**: cells of class >= ``CANDIDATE_MIN_CLASS`` = 2 (hot at 95% after FDR)
  merged with 8-connectivity (cells touching at an edge or a corner) into areas,
  dissolved to one MultiPolygon each, in the grid's metric CRS (areas in m²). Ranked by
  the number of incidents inside this quarter, ties by the highest Gi* z. PAI =
  (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008) with N all incidents on the grid and A the
  county's area. Trend: exact conditional (binomial) test of this quarter's count
  against last quarter's, "up"/"down" at p < 0.05, else "stable".
- **Quota picks** (``fill_quota``): where a township has fewer significant candidates
  than its quota, its highest-count cells outside (and not touching) any candidate or
  earlier pick are added one cell each, flagged ``significant=False``.
- **WDQ** (Bowers & Johnson 2003): ``wdq`` returns None (NaN for arrays) unless the
  listed area improved against the control (a negative denominator).

The package's modules: ``grid`` (grid, cell lookup, counts, townships), ``gistar``
(weights, Gi*, FDR, ``hotspot_grid``), ``density`` (kernel density, scale defaults),
``areas`` (candidates, quota picks) and ``measures`` (PAI, trend, WDQ); every public
name is importable from ``geo.hotspots`` itself.
"""
from __future__ import annotations

from geo.crs import metric_crs_for
from geo.hotspots.areas import CANDIDATE_COLUMNS, CANDIDATE_MIN_CLASS, candidates, fill_quota
from geo.hotspots.density import kernel_density, quartic_kernel, scale_defaults
from geo.hotspots.gistar import DEFAULT_BAND_M, FDR_ALPHAS, band_weights, fdr_classes, gi_star, hotspot_grid
from geo.hotspots.grid import (
                               DEFAULT_CELL_M,
                               assign_townships,
                               category_counts,
                               cell_index,
                               count_incidents,
                               grid_spec,
                               make_grid,
)
from geo.hotspots.measures import TREND_ALPHA, WDQ_MEANINGS, count_trend, pai, trend_p, wdq, wdq_meaning

__all__ = [
    "CANDIDATE_COLUMNS", "CANDIDATE_MIN_CLASS", "DEFAULT_BAND_M", "DEFAULT_CELL_M", "FDR_ALPHAS", "TREND_ALPHA",
    "WDQ_MEANINGS", "assign_townships", "band_weights", "candidates", "category_counts", "cell_index",
    "count_incidents", "count_trend", "fdr_classes", "fill_quota", "gi_star", "grid_spec", "hotspot_grid",
    "kernel_density", "make_grid", "metric_crs_for", "pai", "quartic_kernel", "scale_defaults", "trend_p",
    "wdq", "wdq_meaning",
]
