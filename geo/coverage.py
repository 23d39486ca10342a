"""Coverage indicators from per-village measurements: shares, targets, the R2 rule, roll-ups.

Inputs are plain numbers in metres (road lengths) and counts; nothing here touches a
database or a CRS.
"""
from __future__ import annotations

from collections import defaultdict

# 雪亮工程 targets (METHODS.md, REQUIREMENTS R8: 完好率, 联网率, 道路交叉口无死角) and the R2
# rule (at least half the village's road length covered), written once in geo.rules and
# importable from here as before (JUNCTION_TARGET is not used here, only re-exported)
from geo.rules import JUNCTION_TARGET, NETWORKED_TARGET, ROAD_SHARE_FOR_VIDEO, WORKING_TARGET  # noqa: F401


def ratio(part: float, whole: float) -> float:
    """part / whole rounded to 4 places; 0 when whole is 0."""
    return round(part / whole, 4) if whole else 0.0


def video_covered(road_m: float, covered_road_m: float, schools: int, covered_schools: int,
                  min_road_share: float = ROAD_SHARE_FOR_VIDEO) -> bool:
    """The R2 video-coverage criterion of a village (视频覆盖).

    Met when at least ``min_road_share`` of the village's road length is inside a working
    camera's sector and every school in the village is covered. A village with no mapped
    road does not meet it: there is nothing to show it is covered.
    """
    return road_m > 0 and covered_road_m / road_m >= min_road_share and covered_schools == schools


def village_indicators(rows: list[dict], min_road_share: float = ROAD_SHARE_FOR_VIDEO) -> list[dict]:
    """Add road_share, junction_share and video_covered to per-village rows."""
    out = []
    for r in rows:
        out.append({**r, "road_m": round(r["road_m"], 1), "covered_road_m": round(r["covered_road_m"], 1),
                    "road_share": ratio(r["covered_road_m"], r["road_m"]),
                    "junction_share": ratio(r["covered_junctions"], r["junctions"]),
                    "video_covered": video_covered(r["road_m"], r["covered_road_m"], r["schools"],
                                                   r["covered_schools"], min_road_share)})
    return out


SUMMED = ("road_m", "covered_road_m", "junctions", "covered_junctions", "schools", "covered_schools")


def roll_up(villages: list[dict], key: str = "township_code") -> list[dict]:
    """Sum village measurements per township (or any key) and recompute the shares."""
    sums: dict = defaultdict(lambda: dict.fromkeys(SUMMED, 0) | {"villages": 0, "video_covered": 0})
    for v in villages:
        s = sums[v[key]]
        for name in SUMMED:
            s[name] += v[name]
        s["villages"] += 1
        s["video_covered"] += int(v["video_covered"])
    return [{"code": code, **{k: (round(val, 1) if isinstance(val, float) else val) for k, val in s.items()},
             "road_share": ratio(s["covered_road_m"], s["road_m"]),
             "junction_share": ratio(s["covered_junctions"], s["junctions"]),
             "video_covered_share": ratio(s["video_covered"], s["villages"])}
            for code, s in sorted(sums.items(), key=lambda kv: str(kv[0]))]


def total(villages: list[dict], code: str) -> dict:
    """``roll_up`` of every village into one row with ``code``; zeros (not nothing) when
    there are no villages."""
    rows = roll_up([{**v, "all": code} for v in villages], key="all")
    if rows:
        return rows[0]
    return {"code": code, **dict.fromkeys(SUMMED, 0), "villages": 0, "video_covered": 0,
            "road_share": 0.0, "junction_share": 0.0, "video_covered_share": 0.0}


def camera_indicators(counts: dict) -> dict:
    """Working (完好率) and networked (联网率) rates against their targets."""
    return {**counts, "working_share": ratio(counts["working"], counts["total"]),
            "networked_share": ratio(counts["networked"], counts["total"]),
            "working_target": WORKING_TARGET, "networked_target": NETWORKED_TARGET,
            "working_met": ratio(counts["working"], counts["total"]) >= WORKING_TARGET,
            "networked_met": ratio(counts["networked"], counts["total"]) >= NETWORKED_TARGET}
