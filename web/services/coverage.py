"""Video coverage (R2, R5, R8): the county's report, worst villages, gaps, siting, cameras."""
from __future__ import annotations

from geo.coverage import (VideoRule, camera_indicators, ratio, roll_up, total, village_indicators, village_proposals,
                          video_reasons)
from geo.rules import ENTRANCE_DEPTH_M, JUNCTION_TARGET, MAIN_ROAD_CLASSES
from geo.siting import suggest_cameras
from layers import coverage
from layers import hotspots as hotspot_layer
from layers import village_video
from layers.catalog import LAYERS
from layers.errors import FeatureNotFound, InvalidInput
from layers.features import query_features
from layers.frames import hotspots_of_quarter, read_frame
from web.schemas.coverage import Siting

WhatIf = coverage.WhatIf


def video_rule(conn, county_code: str) -> VideoRule:
    """The county's village video rule (the defaults where an admin has set none)."""
    return VideoRule.of(village_video.get_rule(conn, county_code))


def rule_document(conn, county_code: str) -> dict:
    """The rule as /api/video-rule gives it: its parts, in words, who set it when."""
    stored = village_video.get_rule(conn, county_code)
    rule = VideoRule.of(stored)
    return {**rule.as_dict(), "video_covered": rule.describe(), "updated_by": stored["updated_by"],
            "updated_at": stored["updated_at"], "entrance_depth_m": ENTRANCE_DEPTH_M,
            "main_road_classes": list(MAIN_ROAD_CLASSES), "road_share": "仅供参考，不作为达标条件"}


def set_video_rule(conn, county_code: str, rule: dict, user: str, address: str | None = None) -> dict:
    """Replace the county's rule (audit-logged); the new rule_document."""
    village_video.set_rule(conn, county_code, rule, user, address)
    return rule_document(conn, county_code)


def villages_checked(conn, county_code: str, what_if: WhatIf | None = None, villages=None,
                     detail: bool = False, rule: VideoRule | None = None) -> list[dict]:
    """Per village: what its cameras see and whether it meets the county's rule (with the
    reasons in words when ``detail``)."""
    rule = rule or video_rule(conn, county_code)
    rows = village_indicators(coverage.village_coverage(conn, county_code, what_if, villages, detail), rule)
    if detail:
        for r in rows:
            r["video_reasons"] = video_reasons(r, rule)
    return rows


def village_check(conn, county_code: str, code: str, what_if: WhatIf | None = None) -> dict:
    """One village's video check with its 村口, schools and main junctions and the reasons;
    FeatureNotFound when there is no such village."""
    rows = villages_checked(conn, county_code, what_if, [code], detail=True)
    if not rows:
        raise FeatureNotFound(f"没有编码为 '{code}' 的行政村")
    return {**rows[0], "rule": rule_document(conn, county_code)}


def village_siting(conn, county_code: str, code: str) -> dict:
    """Where to add cameras so that a village meets the rule: its check, the proposed
    cameras (geo.coverage.village_proposals) and its check with them added (what-if)."""
    check = village_check(conn, county_code, code)
    proposals = village_proposals(check, VideoRule.of(check["rule"]))
    after = village_check(conn, county_code, code, WhatIf(proposed=proposals)) if proposals else check
    return {"village": check, "proposed": proposals,
            "with_proposed": {k: after[k] for k in ("video_covered", "video_failed", "video_reasons")}}


def failing_villages(conn, county_code: str) -> list[dict]:
    """The villages that do not meet the rule: remote ones first, then by code."""
    rows = [v for v in villages_checked(conn, county_code) if not v["video_covered"]]
    return sorted(rows, key=lambda v: (not v["remote"], v["code"]))


def coverage_report(conn, county_code: str, what_if: WhatIf | None = None, quarter: str | None = None) -> dict:
    """The /api/coverage document: cameras, villages, townships, county, hotspots, schools."""
    villages = villages_checked(conn, county_code, what_if)
    quarter = quarter or hotspot_layer.latest_quarter(conn, county_code)
    hotspots = coverage.hotspot_coverage(conn, county_code, what_if, quarter)
    for h in hotspots:
        h["area_share"] = ratio(h["covered_m2"], h["area_m2"])
    schools = coverage.school_coverage(conn, county_code, what_if)
    return {
        "cameras": camera_indicators(coverage.camera_counts(conn, county_code, what_if)),
        "county": {**total(villages, county_code), "junction_target": JUNCTION_TARGET,
                   "schools_covered_share": ratio(sum(s["covered"] for s in schools), len(schools)),
                   "hotspot_area_share": ratio(sum(h["covered_m2"] for h in hotspots),
                                               sum(h["area_m2"] for h in hotspots))},
        "villages": villages, "townships": roll_up(villages), "hotspots": hotspots, "schools": schools,
        "quarter": quarter,
        "rule": rule_document(conn, county_code),
        "what_if": {"faulty": what_if.faulty if what_if else [],
                    "proposed": len(what_if.proposed) if what_if else 0},
    }


def worst_villages(villages: list[dict], limit: int) -> list[dict]:
    """The villages (with roads) whose road coverage is lowest, worst first."""
    rows = sorted((v for v in villages if v["road_m"] > 0), key=lambda v: (v["road_share"], -v["road_m"]))
    return rows[:limit]


def worst(conn, county_code: str, limit: int) -> list[dict]:
    """``worst_villages`` of the county as its cameras are now."""
    return worst_villages(villages_checked(conn, county_code), limit)


def gaps(conn, county_code: str, what_if: WhatIf | None = None, quarter: str | None = None) -> dict:
    """Uncovered road stretches, hotspot parts and school surroundings, as GeoJSON."""
    quarter = quarter or hotspot_layer.latest_quarter(conn, county_code)
    return {"type": "FeatureCollection", "features": coverage.gaps(conn, county_code, what_if, quarter)}


def _round(value, digits=1):
    return None if value != value else round(float(value), digits)


def siting(conn, county_code: str, ask: Siting, what_if: WhatIf | None = None) -> dict:
    """k new cameras along roads that add the most covered road and hotspot area, as GeoJSON."""
    k, kind, fov, range_m, quarter = ask.k, ask.kind, ask.view, ask.range_m, ask.quarter
    roads = read_frame(conn, LAYERS["roads"], county_code, ["code"])
    if roads.empty:
        raise InvalidInput("县内没有道路图层，无法选址")
    quarter = quarter or hotspot_layer.latest_quarter(conn, county_code)
    hotspots = hotspots_of_quarter(conn, county_code, quarter)
    existing = coverage.sector_frame(conn, county_code, what_if)
    result = suggest_cameras(roads, hotspots if len(hotspots) else None, existing if len(existing) else None,
                             k, kind=kind, fov=fov, range_m=range_m)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(g.x, 6), round(g.y, 6)]},
                 "properties": {"rank": int(r["rank"]), "kind": r["kind"], "azimuth": _round(r["azimuth"]),
                                "fov": float(r["fov"]), "range_m": float(r["range_m"]),
                                "gain_road_m": _round(r["gain_road_m"]),
                                "gain_hotspot_m2": _round(r["gain_hotspot_m2"]),
                                "cumulative": _round(r["cumulative"])}}
                for g, (_, r) in zip(result.cameras.geometry, result.cameras.iterrows())]
    return {"type": "FeatureCollection", "features": features, "quarter": quarter,
            "curve": result.curve.round(4).to_dict(orient="records"),
            "params": {"k": k, "kind": kind, "fov": fov, "range_m": range_m}}


def camera(conn, county_code: str, code: str) -> dict:
    """One camera's attributes (raw values); FeatureNotFound when there is none."""
    feats, _ = query_features(conn, LAYERS["cameras"], county_code=county_code, codes=[code], limit=1)
    if not feats:
        raise FeatureNotFound(f"没有编码为 '{code}' 的摄像机")
    return feats[0]["properties"]


camera_counts = coverage.camera_counts
camera_history = coverage.camera_history
set_camera_status = coverage.set_camera_status
working_sectors = coverage.working_sectors
