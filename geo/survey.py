"""Opinion calls (民意调查), the pure part: phone numbers normalised, the day's check
against the required count, a quota spread in proportion (largest remainder), weeks.

No database, no Flask. Populations are head counts; a day is a local (Asia/Shanghai) date.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

REQUIRED_DAILY = 50          # seed §12: at least 50 calls a day
SCORES = (1, 2, 3, 4, 5)
QUESTION_KINDS = {"scale": "1–5 分", "yesno": "是/否", "text": "文字"}
WEEK_RE = re.compile(r"^([0-9]{4})-W([0-9]{2})$")
_PHONE_RE = re.compile(r"^[0-9]{5,15}$")


def normalise_phone(raw: str) -> str | None:
    """The digits of a Chinese phone number as dialled at home: spaces, dashes, brackets
    and dots gone, a leading +86 / 0086 / 86 (before 11 digits) dropped. None when what
    is left is not 5–15 digits."""
    text = re.sub(r"[\s\-().·]", "", str(raw or ""))
    if text.startswith("+"):
        text = text[1:]
        if text.startswith("86"):
            text = text[2:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text if _PHONE_RE.match(text) else None


def met(calls: int, required: int = REQUIRED_DAILY) -> bool:
    """Whether a day's calls reach the required count."""
    return calls >= required


def largest_remainder(total: int, weights: dict) -> dict:
    """``total`` whole units shared among ``weights``' keys in proportion to their weights
    (largest-remainder / Hamilton method): the shares sum to ``total`` exactly. Ties in the
    remainder go to the larger weight, then to the key first in sort order. Keys with
    weight 0 get 0 (all zero: shared equally)."""
    keys = sorted(weights)
    if not keys or total <= 0:
        return {k: 0 for k in keys}
    w = {k: max(float(weights[k] or 0), 0.0) for k in keys}
    whole = sum(w.values())
    if whole <= 0:
        w, whole = {k: 1.0 for k in keys}, float(len(keys))
    exact = {k: total * w[k] / whole for k in keys}
    shares = {k: int(exact[k]) for k in keys}
    left = total - sum(shares.values())
    order = sorted(keys, key=lambda k: (-(exact[k] - shares[k]), -w[k], k))
    for k in order[:left]:
        shares[k] += 1
    return shares


def parse_week(text: str) -> date:
    """The Monday of an ISO week like 2026-W49; ValueError when there is no such week."""
    m = WEEK_RE.match(text or "")
    if not m:
        raise ValueError(f"应形如 2026-W49，而不是 '{text}'")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} 年没有第 {week} 周") from None


def week_of(day: date) -> str:
    """The ISO week of ``day``, like 2026-W49."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_days(monday: date) -> list[date]:
    """The seven days of the week starting ``monday``."""
    return [monday + timedelta(days=i) for i in range(7)]


def quarter_start(day: date) -> date:
    """The first day of ``day``'s quarter."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def mean(values: list) -> float | None:
    """The mean rounded to 2 places, None for no values."""
    return round(sum(values) / len(values), 2) if values else None


def monday_of(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())
