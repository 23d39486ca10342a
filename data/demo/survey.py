"""The demo county's opinion calls (issue 16, item 1): a year of calls up to AS_OF, about 50
a day with a handful of short days, scores that differ by township, some free-text
problems, phone hashes with a few numbers called twice in a quarter; deterministic.

Written by ``data.loader.load_demo`` after the layers (villages located in townships); a
county that already has calls keeps them. The demo's phone hashes use a key of their own
(the numbers are made up); real calls use the installation's key (``data.importer.phones``).
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from data.demo.constants import AS_OF
from geo.calendar import LOCAL
from layers import survey as store

DAYS = 365
SHORT_DAYS = 8                        # days the centre fell short of 50
CALLERS = ("坐席01", "坐席02", "坐席03", "坐席04")
QUESTIONS = ({"key": "patrol_seen", "text": "最近一个月在村里见到过巡逻吗", "kind": "yesno", "position": 1, "active": True},
             {"key": "lighting", "text": "夜间道路照明情况（1–5 分）", "kind": "scale", "position": 2, "active": True},
             {"key": "fraud_aware", "text": "是否知道防范电信诈骗的方法", "kind": "yesno", "position": 3, "active": True},
             {"key": "suggestion", "text": "对平安建设的建议", "kind": "text", "position": 4, "active": False})
PROBLEMS = ("夜里路灯不亮", "村口车辆太快", "有陌生人上门推销保健品", "邻里宅基地纠纷没人调解", "集市上有小偷",
            "接到冒充客服的诈骗电话", "学校门口接送拥堵", "河边没有护栏", "垃圾长期无人清运", "报警后出警慢")
KEY = b"demo-survey-phones"
NUMBERS = 200_000                     # distinct numbers drawn from: a few called twice a quarter


def _day_counts(rng) -> list[int]:
    """Calls per day, oldest first: 50 or 51, a few short days of 30–48."""
    counts = [int(v) for v in rng.integers(50, 52, DAYS)]
    for i in rng.choice(DAYS - 1, SHORT_DAYS, replace=False):
        counts[int(i)] = int(rng.integers(30, 49))
    return counts


def _score(rng, mean: float) -> int:
    return int(np.clip(np.rint(rng.normal(mean, 0.8)), 1, 5))


def township_means(villages: list[dict], incidents: dict[str, int], rng) -> dict[str, tuple[float, float]]:
    """Each township's mean 安全感 and 满意度: lower where incidents per head are higher
    (people feel what happens around them), with some spread of its own."""
    people: dict[str, float] = {}
    for v in villages:
        people[v["township_code"] or ""] = people.get(v["township_code"] or "", 0) + max(v["population"], 1)
    towns = sorted(people)
    rate = {t: incidents.get(t, 0) / people[t] for t in towns}
    low, high = min(rate.values()), max(rate.values())
    scaled = {t: (rate[t] - low) / (high - low) if high > low else 0.5 for t in towns}
    return {t: (4.4 - 1.1 * scaled[t] + 0.3 * rng.random(), 4.2 - 1.2 * scaled[t] + 0.4 * rng.random())
            for t in towns}


def plan(villages: list[dict], seed: int = 0, incidents: dict[str, int] | None = None) -> list[tuple]:
    """The calls as rows for ``layers.survey.insert_many`` (oldest first); ``incidents``:
    the count per township that shapes its scores."""
    from data.importer.phones import phone_hash  # here: data.importer imports data.loader's helpers

    rng = np.random.default_rng([int(seed), 16001])
    means = township_means(villages, incidents or {}, rng)
    weights = np.array([max(v["population"], 1) for v in villages], dtype=float)
    weights /= weights.sum()
    rows, first = [], AS_OF - dt.timedelta(days=DAYS - 1)
    for i, n in enumerate(_day_counts(rng)):
        day = first + dt.timedelta(days=i)
        for k in rng.choice(len(villages), n, p=weights):
            v = villages[int(k)]
            safety_mean, satisfaction_mean = means[v["township_code"] or ""]
            at = dt.datetime.combine(day, dt.time(8), LOCAL) + dt.timedelta(seconds=int(rng.integers(0, 10 * 3600)))
            phone = None
            if rng.random() < 0.6:
                phone = f"13{int(rng.integers(0, NUMBERS)) * 4099 % 10**9:09d}"
            answers = {"patrol_seen": bool(rng.random() < 0.7), "lighting": _score(rng, 3.6),
                       "fraud_aware": bool(rng.random() < 0.8)}
            text = str(rng.choice(PROBLEMS)) if rng.random() < 0.06 else ""
            rows.append((at, v["code"], CALLERS[int(rng.integers(len(CALLERS)))], _score(rng, safety_mean),
                         _score(rng, satisfaction_mean), phone and phone_hash(phone, KEY), answers, text))
    rows.sort(key=lambda r: r[0])
    return rows


def load(conn, county_code: str, seed: int = 0, frames: dict | None = None) -> int:
    """Write the demo questions and calls (unless the county has calls); the calls written.
    ``frames``: the demo's layers (incidents per township shape the scores). Does not commit."""
    if store.count(conn, county_code, dt.datetime(2000, 1, 1, tzinfo=LOCAL), dt.datetime(2101, 1, 1, tzinfo=LOCAL)):
        return 0
    for q in QUESTIONS:
        store.save_question(conn, county_code, q, "admin")
    villages = store.villages(conn, county_code)
    if not villages:
        return 0
    incidents = {}
    if frames is not None and "township_code" in frames["incidents"]:
        incidents = {str(k): int(n) for k, n in frames["incidents"]["township_code"].value_counts().items()}
    return store.insert_many(conn, county_code, plan(villages, seed, incidents), "planner")
