"""How the demo county's incidents are distributed: hours of the day, seasons, category mixes."""
from __future__ import annotations

import datetime as dt

import numpy as np

from layers.catalog import INCIDENT_CATEGORIES

# relative hour-of-day profiles: (centre hour, spread, weight) bumps on a base level
HOURS = {
    "robbery": (0.2, [(23, 3.0, 1.0)]),
    "snatching": (0.2, [(10, 2.0, 0.6), (19, 2.0, 1.0)]),
    "theft": (0.3, [(3, 2.5, 0.8), (14, 3.0, 1.0)]),
    "telecom_fraud": (0.1, [(10, 2.0, 1.0), (15, 2.5, 1.0)]),
    "illegal_fundraising": (0.05, [(10, 2.0, 1.0), (15, 2.0, 0.8)]),
    "drugs": (0.15, [(22, 3.0, 1.0), (1, 2.0, 0.8)]),
    "assault": (0.15, [(21, 2.5, 1.0), (0, 2.0, 0.8)]),
    "traffic_accident": (0.25, [(8, 1.2, 1.0), (12, 1.5, 0.5), (18, 1.5, 1.1)]),
    "dispute": (0.2, [(11, 3.0, 1.0), (19, 3.0, 1.0)]),
    "other": (0.4, [(14, 5.0, 1.0)]),
}

# category mixes of the incident sources (missing categories get a small floor)
MIX_SEAT = {"robbery": 0.03, "snatching": 0.08, "theft": 0.45, "telecom_fraud": 0.05,
             "illegal_fundraising": 0.01, "drugs": 0.05, "assault": 0.09,
             "traffic_accident": 0.06, "dispute": 0.11, "other": 0.07}
MIX_TOWN = {"robbery": 0.02, "snatching": 0.04, "theft": 0.30, "telecom_fraud": 0.05,
             "illegal_fundraising": 0.02, "drugs": 0.03, "assault": 0.12,
             "traffic_accident": 0.08, "dispute": 0.25, "other": 0.09}
MIX_ROAD = {"theft": 0.05, "assault": 0.03, "traffic_accident": 0.80, "dispute": 0.07,
             "other": 0.05}
MIX_VILLAGE_SPECIAL = [
    {"drugs": 0.45, "theft": 0.15, "assault": 0.15, "dispute": 0.15, "other": 0.10},
    {"illegal_fundraising": 0.45, "telecom_fraud": 0.20, "dispute": 0.20, "other": 0.15},
    {"dispute": 0.45, "assault": 0.25, "theft": 0.15, "other": 0.15},
    {"theft": 0.55, "robbery": 0.05, "dispute": 0.20, "other": 0.20},
]
MIX_BACKGROUND = {"robbery": 0.005, "snatching": 0.01, "theft": 0.22, "telecom_fraud": 0.25,
                   "illegal_fundraising": 0.04, "drugs": 0.01, "assault": 0.08,
                   "traffic_accident": 0.04, "dispute": 0.25, "other": 0.095}
MIX_ROAD_BACKGROUND = {"traffic_accident": 0.85, "theft": 0.05, "other": 0.10}


def mix(d: dict[str, float], floor: float = 0.0) -> np.ndarray:
    """Category probabilities in the order of ``INCIDENT_CATEGORIES``, each raised by ``floor``."""
    p = np.array([d.get(c, 0.0) for c in INCIDENT_CATEGORIES], float) + floor
    return p / p.sum()


def hour_profile(cat: str) -> np.ndarray:
    """Probabilities of the 24 hours of the day for a category."""
    base, bumps = HOURS.get(cat, (0.4, [(14, 5.0, 1.0)]))
    h = np.arange(24) + 0.5
    w = np.full(24, base)
    for mu, sd, a in bumps:
        diff = np.abs(h - mu)
        diff = np.minimum(diff, 24 - diff)
        w += a * np.exp(-0.5 * (diff / sd) ** 2)
    return w / w.sum()


def season(cat: str, days: list[dt.date]) -> np.ndarray:
    """Relative daily intensity of a category over the period (by date)."""
    doy = np.array([d.timetuple().tm_yday for d in days], float)
    cyc = 2 * np.pi / 365.25
    t = np.linspace(0.0, 1.0, len(days))
    if cat in ("robbery", "snatching", "theft"):
        s = 1 + 0.25 * np.cos(cyc * (doy - 20))
    elif cat in ("assault", "dispute", "drugs"):
        s = 1 + 0.25 * np.cos(cyc * (doy - 200))
    elif cat == "traffic_accident":
        s = 1 + 0.15 * np.cos(cyc * (doy - 40))
        md = np.array([(d.month, d.day) for d in days])
        s = s + 0.6 * ((md[:, 0] == 10) & (md[:, 1] <= 7))
        for festival in (dt.date(2025, 1, 29), dt.date(2026, 2, 17)):
            off = np.array([(d - festival).days for d in days])
            s = s + 0.5 * (np.abs(off) <= 7)
    elif cat == "telecom_fraud":
        s = 0.75 + 0.5 * t
    elif cat == "illegal_fundraising":
        s = 1.2 - 0.4 * t
    else:
        s = np.ones(len(days))
    wd = np.array([d.weekday() for d in days])
    s = s * np.where(wd >= 4, 1.12, 1.0)
    return s


# How the police write each group's incidents (shares within the group), as real exports
# carry them; 寻衅滋事 and 赌博 map to no focus group and count as 'other'.
WRITTEN = {
    "robbery": {"抢劫": 0.8, "拦路抢劫": 0.2},
    "snatching": {"抢夺": 0.7, "飞车抢夺": 0.3},
    "theft": {"盗窃": 0.4, "盗窃电动车": 0.25, "入室盗窃": 0.15, "扒窃": 0.1, "盗窃车内财物": 0.1},
    "telecom_fraud": {"电信网络诈骗": 0.6, "诈骗": 0.4},
    "illegal_fundraising": {"非法吸收公众存款": 0.5, "集资诈骗": 0.3, "非法集资": 0.2},
    "drugs": {"吸毒": 0.6, "贩毒": 0.2, "容留他人吸毒": 0.2},
    "assault": {"殴打他人": 0.6, "故意伤害": 0.4},
    "traffic_accident": {"交通事故": 1.0},
    "dispute": {"邻里纠纷": 0.4, "家庭纠纷": 0.3, "纠纷": 0.3},
    "other": {"寻衅滋事": 0.35, "赌博": 0.35, "其他": 0.3},
}
WRITTEN_SEED = 20261120  # its own stream: the incidents themselves do not change


def written(cats: np.ndarray) -> list[str]:
    """A category as the police write it for each group index (of ``INCIDENT_CATEGORIES``)."""
    rng = np.random.default_rng(WRITTEN_SEED)
    u = rng.random(len(cats))
    out = np.empty(len(cats), dtype=object)
    for k, group in enumerate(INCIDENT_CATEGORIES):
        names, shares = zip(*WRITTEN[group].items())
        sel = cats == k
        pick = np.minimum(np.searchsorted(np.cumsum(shares), u[sel], side="right"), len(names) - 1)
        out[sel] = np.array(names, dtype=object)[pick]
    return list(out)
