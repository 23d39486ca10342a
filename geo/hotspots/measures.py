"""Measures of hotspots: PAI, hit rate, the quarter-on-quarter trend, WDQ.

Counts are incidents; areas in any one unit (m² throughout ``geo.hotspots``).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import stats

TREND_ALPHA = 0.05


def pai(n, N, a, A):  # noqa: N803 -- the paper's names
    """Predictive accuracy index (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008); NaN when N or A is 0.

    n incidents inside the hotspots, N all incidents, a the hotspots' area, A the study
    area (same units as a). Scalars or arrays.
    """
    n, a = np.asarray(n, dtype=float), np.asarray(a, dtype=float)
    if not N or not A:
        return np.full(np.shape(n), np.nan) if np.ndim(n) else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(a > 0, (n / N) / (a / A), np.nan)
    return out if out.ndim else float(out)


def trend_p(now, before) -> np.ndarray:
    """Two-sided exact p that two Poisson counts have the same rate (conditional binomial test).

    Given now + before, now ~ Binomial(now + before, 1/2) under equal rates; the symmetric
    two-sided p is min(1, 2·P(X <= min(now, before))), what ``scipy.stats.binomtest``
    gives. Vectorised; 1 when both are 0.
    """
    now, before = np.asarray(now, dtype=float), np.asarray(before, dtype=float)
    return np.minimum(1.0, 2.0 * stats.binom.cdf(np.minimum(now, before), now + before, 0.5))


def count_trend(now, before, alpha: float = TREND_ALPHA):
    """"up", "down" or "stable" (``trend_p`` >= alpha); None without a previous count. Scalars."""
    if before is None or (isinstance(before, float) and math.isnan(before)):
        return None
    if trend_p(now, before) >= alpha or now == before:
        return "stable"
    return "up" if now > before else "down"


def wdq(R_before, R_after, D_before, D_after, C_before, C_after):  # noqa: N803 -- the paper's names
    """Weighted Displacement Quotient (Bowers & Johnson 2003).

    R: incidents in the listed area, D: in a buffer around it, C: in a control area,
    before and after. WDQ = (D_a/C_a − D_b/C_b) / (R_a/C_a − R_b/C_b). Meaningful only
    when the denominator is negative (the area improved against the control): otherwise,
    or when a control count is 0, None for scalars and NaN in arrays.
    """
    args = [np.asarray(a, dtype=float) for a in (R_before, R_after, D_before, D_after, C_before, C_after)]
    rb, ra, db, da, cb, ca = np.broadcast_arrays(*args)
    with np.errstate(divide="ignore", invalid="ignore"):
        den = ra / ca - rb / cb
        out = np.where((cb > 0) & (ca > 0) & (den < 0), (da / ca - db / cb) / den, np.nan)
    if out.ndim == 0:
        return None if math.isnan(out) else float(out)
    return out


WDQ_MEANINGS = {
    "diffusion": "扩散效益：周边也改善 (diffusion of benefits: the surroundings improved too)",
    "no effect": "周边无变化 (no displacement, no diffusion)",
    "displacement": "转移：部分案件移到周边 (displacement: part of the incidents moved next door)",
    "gain erased": "转移抵消了成效 (displacement larger than the gain: the gain was erased)",
    "not meaningful": "整治区未改善，WDQ 无意义 (the listed area did not improve: WDQ not meaningful)",
}


def wdq_meaning(value, tol: float = 0.0) -> str:
    """"diffusion" (> tol), "no effect" (|WDQ| <= tol), "displacement" (−1 <= WDQ < −tol),
    "gain erased" (< −1) or "not meaningful" (None/NaN); WDQ_MEANINGS has the sentences."""
    if value is None or math.isnan(value):
        return "not meaningful"
    if value > tol:
        return "diffusion"
    if value >= -tol:
        return "no effect"
    return "displacement" if value >= -1 else "gain erased"
