"""Township rankings and accountability (R10 as seed §12 means it): periods, the score,
ranks with ties, the bottom places, consecutive bottom periods and their flags. Pure.

Periods are months ('2026-11') or quarters ('2026Q4'), as half-open ranges of local days.

The score of a township is the weighted mean of its inputs, each normalised to 0–100:

- a share (0–1) on the fixed scale share × 100; a 1–5 mean (survey 安全感/满意度) on the
  fixed scale (mean − 1) / 4 × 100; a count (hotspots) min–max across the townships of
  the period (all equal: 100 each). Fixed scales keep a share's meaning whatever the other
  townships did; a count has no natural top, so it is compared across townships.
- an input where lower is better is turned round (100 − x).
- an input missing for a township (None: no problem closed in the period, no remote village)
  leaves the township's score as the weighted mean of its other inputs: the missing input's
  weight is spread over them in proportion to their weights. A township with no input at
  all has no score and no rank (and is never in the bottom places).

Ranks are competition ranks (1, 2, 2, 4) on the score rounded to 2 decimals. The bottom N
places are every ranked township whose score is at most the N-th lowest score: a tie at the
bottom puts every tied township in the bottom places. A township's consecutive count is
its count in the period just before plus 1 when it is in the bottom places (the count of a
period before that does not carry over: a period not in the bottom resets it to 0); months
and quarters run on across years (2026-12 → 2027-01, 2026Q4 → 2027Q1). Flags: 1 → 约谈,
2 → 挂牌督办, 3 or more → 一票否决.
"""
from __future__ import annotations

import math
import re
from datetime import date

MONTH_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
QUARTER_RE = re.compile(r"^([0-9]{4})Q([1-4])$")
KINDS = ("month", "quarter")
KIND_LABELS = {"month": "月度", "quarter": "季度"}
SCALES = ("share", "mean5", "minmax")
FLAGS = {1: "约谈", 2: "挂牌督办", 3: "一票否决"}
DIGITS = 2


def period_kind(period: str) -> str:
    """'month' or 'quarter'; ValueError for anything else."""
    if MONTH_RE.match(period or ""):
        return "month"
    if QUARTER_RE.match(period or ""):
        return "quarter"
    raise ValueError(f"应形如 2026-11（月）或 2026Q4（季度），而不是 '{period}'")


def _index(period: str) -> tuple[str, int]:
    """(kind, months or quarters since year 0): consecutive periods differ by 1."""
    kind = period_kind(period)
    year, part = (int(x) for x in (MONTH_RE if kind == "month" else QUARTER_RE).match(period).groups())
    return kind, year * (12 if kind == "month" else 4) + part - 1


def _name(kind: str, index: int) -> str:
    year, part = divmod(index, 12 if kind == "month" else 4)
    return f"{year}-{part + 1:02d}" if kind == "month" else f"{year}Q{part + 1}"


def previous_period(period: str) -> str:
    """The period just before: 2027-01 → 2026-12, 2027Q1 → 2026Q4."""
    kind, i = _index(period)
    return _name(kind, i - 1)


def next_period(period: str) -> str:
    """The period just after: 2026-12 → 2027-01, 2026Q4 → 2027Q1."""
    kind, i = _index(period)
    return _name(kind, i + 1)


def period_dates(period: str) -> tuple[date, date]:
    """(first day, first day of the next period): a half-open range of local days."""
    kind, i = _index(period)
    months = 1 if kind == "month" else 3
    first = i * months
    start = date(first // 12, first % 12 + 1, 1)
    after = first + months
    return start, date(after // 12, after % 12 + 1, 1)


def period_of(day: date, kind: str) -> str:
    """The period of ``kind`` that ``day`` falls in."""
    return f"{day.year}-{day.month:02d}" if kind == "month" else f"{day.year}Q{(day.month - 1) // 3 + 1}"


def last_ended(day: date, kind: str) -> str:
    """The latest period of ``kind`` that has ended by ``day`` (the one before ``day``'s)."""
    return previous_period(period_of(day, kind))


def normalise(values: dict[str, float | None], scale: str, higher_is_better: bool = True) -> dict[str, float | None]:
    """Each township's value on 0–100 (module doc): ``scale`` 'share' (0–1), 'mean5' (1–5)
    or 'minmax' (across the townships given); None stays None; NaN counts as None."""
    clean = {t: (None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v))
             for t, v in values.items()}
    present = [v for v in clean.values() if v is not None]
    lo, hi = (min(present), max(present)) if present else (0.0, 0.0)
    out: dict[str, float | None] = {}
    for t, v in clean.items():
        if v is None:
            out[t] = None
            continue
        if scale == "share":
            x = v * 100
        elif scale == "mean5":
            x = (v - 1) / 4 * 100
        elif scale == "minmax":
            x = 100.0 if hi == lo else (v - lo) / (hi - lo) * 100
        else:
            raise ValueError(f"unknown scale {scale!r}")
        x = min(100.0, max(0.0, x))
        out[t] = x if higher_is_better else 100.0 - x
    return out


def weighted_score(normalised: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """The weighted mean of one township's normalised inputs ({key: 0–100 or None}) over the
    inputs it has (a missing input's weight spread over the others); None when none counts."""
    total = sum(weights.get(k, 0.0) for k, v in normalised.items() if v is not None)
    if total <= 0:
        return None
    return round(sum(weights.get(k, 0.0) * v for k, v in normalised.items() if v is not None) / total, DIGITS)


def competition_ranks(scores: dict[str, float | None]) -> dict[str, int | None]:
    """Rank 1 for the highest score; ties share a rank and the next rank skips (1, 2, 2, 4);
    no score, no rank."""
    ranked = [round(s, DIGITS) for s in scores.values() if s is not None]
    return {t: None if s is None else 1 + sum(o > round(s, DIGITS) for o in ranked) for t, s in scores.items()}


def bottom_places(scores: dict[str, float | None], places: int) -> set[str]:
    """The townships in the last ``places`` places: score at most the ``places``-th lowest
    (every township tied there included); none without scores."""
    ranked = sorted(round(s, DIGITS) for s in scores.values() if s is not None)
    if not ranked or places < 1:
        return set()
    cut = ranked[min(places, len(ranked)) - 1]
    return {t for t, s in scores.items() if s is not None and round(s, DIGITS) <= cut}


def consecutive(bottom: bool, previous: int | None) -> int:
    """The count of consecutive bottom periods: ``previous`` is the township's count in the
    period just before (None when that period was not published or did not rank it)."""
    return (previous or 0) + 1 if bottom else 0


def flag(count: int) -> str | None:
    """约谈 after 1 bottom period, 挂牌督办 after 2 in a row, 一票否决 after 3 or more."""
    return FLAGS[min(count, 3)] if count >= 1 else None


def rank_townships(inputs: dict[str, dict[str, float | None]], scales: dict[str, tuple[str, bool]],
                   weights: dict[str, float], places: int, previous: dict[str, int] | None = None) -> dict[str, dict]:
    """Rank townships. ``inputs``: {key: {township: raw value or None}} (every township a key
    of each); ``scales``: {key: (scale, higher_is_better)}; ``weights``: {key: weight ≥ 0}
    (inputs without a weight, or weight 0, do not count); ``previous``: {township: consecutive
    count in the period just before}. Returns {township: {score, rank, bottom, consecutive,
    flag, inputs: {key: {value, normalised, weight}}}}."""
    towns = sorted({t for values in inputs.values() for t in values})
    norm = {k: normalise(v, *scales[k]) for k, v in inputs.items()}
    used = {k: float(weights.get(k, 0.0)) for k in inputs}
    scores = {t: weighted_score({k: norm[k].get(t) for k in inputs if used[k] > 0}, used) for t in towns}
    ranks, bottom = competition_ranks(scores), bottom_places(scores, places)
    out = {}
    for t in towns:
        count = consecutive(t in bottom, (previous or {}).get(t))
        out[t] = {"score": scores[t], "rank": ranks[t], "bottom": t in bottom, "consecutive": count,
                  "flag": flag(count),
                  "inputs": {k: {"value": inputs[k].get(t),
                                 "normalised": None if norm[k].get(t) is None else round(norm[k][t], DIGITS),
                                 "weight": used[k]} for k in inputs}}
    return out
