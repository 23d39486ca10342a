"""Coverage indicators from per-village measurements: shares, targets, the R2 rule, roll-ups.

Inputs are plain numbers in metres (road lengths) and counts; nothing here touches a
database or a CRS.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass

# 雪亮工程 targets (METHODS.md, REQUIREMENTS R8: 完好率, 联网率, 道路交叉口无死角) and the R2
# village rule's defaults, written once in geo.rules and importable from here as before
# (JUNCTION_TARGET is not used here, only re-exported)
from geo.rules import DEFAULT_VIDEO_RULE, JUNCTION_TARGET, NETWORKED_TARGET, WORKING_TARGET  # noqa: F401

# The rule's parts that are shares: (name, label, total key, seen key)
SHARE_PARTS = (("entrances", "村口", "entrances", "seen_entrances"),
               ("schools", "学校", "schools", "covered_schools"),
               ("main_junctions", "主干道路口", "main_junctions", "covered_main_junctions"))
PART_LABELS = {**{name: label for name, label, _, _ in SHARE_PARTS}, "cameras": "正常工作的摄像机"}
DIRECTIONS = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")


@dataclass(frozen=True)
class VideoRule:
    """A county's village video rule (R2 视频覆盖): what share of the village's 村口, schools
    and main-road junctions working cameras must see, and how many working cameras it has."""

    entrances_share: float = DEFAULT_VIDEO_RULE["entrances_share"]
    schools_share: float = DEFAULT_VIDEO_RULE["schools_share"]
    main_junctions_share: float = DEFAULT_VIDEO_RULE["main_junctions_share"]
    min_working_cameras: int = DEFAULT_VIDEO_RULE["min_working_cameras"]

    @classmethod
    def of(cls, values: dict | None) -> "VideoRule":
        """The rule from a dict holding (some of) its fields; the defaults for the rest."""
        return cls(**{k: v for k, v in (values or {}).items() if k in cls.__dataclass_fields__})

    def as_dict(self) -> dict:
        return asdict(self)

    def share(self, part: str) -> float:
        return getattr(self, f"{part}_share")

    def describe(self) -> str:
        """The rule in words, e.g. 村口全部、学校全部、主干道路口至少 50% 在正常摄像机视野内；至少 1 台…"""
        seen = "、".join(f"{label}{share_words(self.share(name))}" for name, label, _, _ in SHARE_PARTS)
        return f"{seen}在正常工作的摄像机视野内；村内至少 {self.min_working_cameras} 台正常工作的摄像机"


def share_words(share: float) -> str:
    """全部 for 1, 不作要求 for 0, else 至少 NN%."""
    if share >= 1:
        return "全部"
    if share <= 0:
        return "不作要求"
    return f"至少 {share:.0%}"


def ratio(part: float, whole: float) -> float:
    """part / whole rounded to 4 places; 0 when whole is 0."""
    return round(part / whole, 4) if whole else 0.0


def part_met(seen: int, total: int, share: float) -> bool:
    """Whether ``seen`` of ``total`` is at least ``share`` of them (nothing to see: met)."""
    return total == 0 or seen >= share * total - 1e-9


def video_failures(row: dict, rule: VideoRule) -> list[str]:
    """The parts of ``rule`` the village ``row`` does not meet ('entrances', 'schools',
    'main_junctions', 'cameras'); empty when it meets the R2 video criterion (视频覆盖)."""
    failed = [name for name, _, total, seen in SHARE_PARTS
              if not part_met(row[seen], row[total], rule.share(name))]
    if row["working_cameras"] < rule.min_working_cameras:
        failed.append("cameras")
    return failed


def village_indicators(rows: list[dict], rule: VideoRule | None = None) -> list[dict]:
    """Add the shares (road length as information), ``video_failed`` (the rule's parts not
    met) and ``video_covered`` (the R2 criterion under ``rule``) to per-village rows."""
    rule = rule or VideoRule()
    out = []
    for r in rows:
        failed = video_failures(r, rule)
        out.append({**r, "road_m": round(r["road_m"], 1), "covered_road_m": round(r["covered_road_m"], 1),
                    "road_share": ratio(r["covered_road_m"], r["road_m"]),
                    "junction_share": ratio(r["covered_junctions"], r["junctions"]),
                    "entrance_share": ratio(r["seen_entrances"], r["entrances"]),
                    "main_junction_share": ratio(r["covered_main_junctions"], r["main_junctions"]),
                    "video_failed": failed, "video_covered": not failed})
    return out


def direction(bearing: float | None) -> str:
    """One of eight compass words for a bearing in degrees clockwise from north."""
    if bearing is None:
        return ""
    return DIRECTIONS[int(((bearing % 360) + 22.5) // 45) % 8]


def entrance_name(e: dict) -> str:
    """A 村口 in words: its side of the village, its road(s) and its position."""
    roads = "、".join(n for n in e.get("roads") or [] if n) or "无名道路"
    side = direction(e.get("bearing"))
    return f"村{side}{roads}村口（{e['lon']:.5f}, {e['lat']:.5f}）" if side else \
        f"{roads}村口（{e['lon']:.5f}, {e['lat']:.5f}）"


def video_reasons(row: dict, rule: VideoRule) -> list[str]:
    """Why a village does not meet the rule, in words: the unseen 村口 and schools by name
    (when ``row`` carries the details of village_coverage(detail=True)), the junction share,
    the working cameras."""
    reasons = []
    for name in video_failures(row, rule):
        if name == "cameras":
            reasons.append(f"村内正常工作的摄像机 {row['working_cameras']} 台，要求至少 {rule.min_working_cameras} 台")
            continue
        _, label, total, seen = next(p for p in SHARE_PARTS if p[0] == name)
        need = f"{row[seen]}/{row[total]} 在监控范围内，要求{share_words(rule.share(name))}"
        unseen = [x for x in row.get(f"{name}_detail") or [] if not x["seen"]]
        if name == "entrances" and unseen:
            reasons.append(f"村口未在监控范围内：{'；'.join(entrance_name(e) for e in unseen)}（{need}）")
        elif name == "schools" and unseen:
            reasons.append(f"学校未在监控范围内：{'、'.join(s['name'] for s in unseen)}（{need}）")
        else:
            reasons.append(f"{label} {need}")
    return reasons


PROPOSED_RANGE_M = 50.0  # a dome proposed at a 村口, school or junction sees this far


def _needed(seen: int, total: int, share: float) -> int:
    """How many more of ``total`` must be seen for the share to hold."""
    return max(0, math.ceil(share * total - 1e-9) - seen)


def village_proposals(row: dict, rule: VideoRule, range_m: float = PROPOSED_RANGE_M) -> list[dict]:
    """Cameras that would make a village (a row with the details of village_coverage) meet
    ``rule``: a dome at each 村口, school and main junction the rule still needs seen, the
    unseen ones in their order, then domes at the village's centre until it has enough
    working cameras. Each: lon, lat, kind, azimuth, fov, range_m and what it is for."""
    out = []
    for name, label, total, seen in SHARE_PARTS:
        unseen = [x for x in row.get(f"{name}_detail") or [] if not x["seen"]]
        for x in unseen[:_needed(row[seen], row[total], rule.share(name))]:
            what = entrance_name(x) if name == "entrances" else x.get("name") or f"（{x['lon']:.5f}, {x['lat']:.5f}）"
            out.append({"lon": x["lon"], "lat": x["lat"], "for": f"{label}：{what}"})
    missing = rule.min_working_cameras - row["working_cameras"] - len(out)
    if missing > 0 and row.get("centre"):
        out += [{"lon": row["centre"][0], "lat": row["centre"][1], "for": "村内正常工作的摄像机数量"}] * missing
    return [{**p, "kind": "dome", "azimuth": None, "fov": 360.0, "range_m": range_m} for p in out]


SUMMED = ("road_m", "covered_road_m", "junctions", "covered_junctions", "schools", "covered_schools",
          "entrances", "seen_entrances", "main_junctions", "covered_main_junctions", "working_cameras")


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
             "entrance_share": ratio(s["seen_entrances"], s["entrances"]),
             "main_junction_share": ratio(s["covered_main_junctions"], s["main_junctions"]),
             "video_covered_share": ratio(s["video_covered"], s["villages"])}
            for code, s in sorted(sums.items(), key=lambda kv: str(kv[0]))]


def total(villages: list[dict], code: str) -> dict:
    """``roll_up`` of every village into one row with ``code``; zeros (not nothing) when
    there are no villages."""
    rows = roll_up([{**v, "all": code} for v in villages], key="all")
    if rows:
        return rows[0]
    return {"code": code, **dict.fromkeys(SUMMED, 0), "villages": 0, "video_covered": 0,
            "road_share": 0.0, "junction_share": 0.0, "entrance_share": 0.0, "main_junction_share": 0.0,
            "video_covered_share": 0.0}


def camera_indicators(counts: dict) -> dict:
    """Working (完好率) and networked (联网率) rates against their targets."""
    return {**counts, "working_share": ratio(counts["working"], counts["total"]),
            "networked_share": ratio(counts["networked"], counts["total"]),
            "working_target": WORKING_TARGET, "networked_target": NETWORKED_TARGET,
            "working_met": ratio(counts["working"], counts["total"]) >= WORKING_TARGET,
            "networked_met": ratio(counts["networked"], counts["total"]) >= NETWORKED_TARGET}
