"""Quarterly hotspot lists (R3, R10): the list in force, quota, lifecycle with evaluation, flags."""
from __future__ import annotations

import shapely.geometry

from geo.hotspots import WDQ_MEANINGS, wdq, wdq_meaning
from geo.rules import SUPERVISION_QUARTERS, VETO_QUARTERS
from layers import hotspot_lists as lists
from layers import hotspots as hotspot_layer
from layers import places
from layers.catalog import LAYERS
from layers.errors import FeatureNotFound
from layers.frames import read_frame

LEAVING = ("delisted", "carried_over")  # a hotspot leaving the list is evaluated


def current_list(conn, county_code: str, quarter: str) -> dict | None:
    """The draft when there is one (planners check as they go), else the newest published version."""
    all_versions = lists.versions(conn, county_code, quarter)
    for v in all_versions:
        if v["state"] == "draft":
            return v
    return all_versions[0] if all_versions else None


def quota_document(conn, county_code: str, quarter: str) -> dict:
    """The quarter's list (draft first) against R3, with the shortfall in words."""
    lst = current_list(conn, county_code, quarter)
    q = lists.quota(conn, county_code, lst["id"] if lst else None)
    return {"quarter": quarter, **q, "list": lst, "shortfall": lists.shortfall(q)}


def list_document(conn, county_code: str, list_id: int) -> dict:
    """One version of a list with its items and its quota check."""
    lst = lists.get_list(conn, county_code, list_id)
    q = lists.quota(conn, county_code, list_id)
    return {**lst, "items": {"type": "FeatureCollection", "features": lists.items(conn, list_id)},
            "quota": q, "shortfall": lists.shortfall(q)}


def evaluate(conn, county_code: str, code: str, buffer_m: float = 500) -> dict:
    """Before/after counts in the hotspot, its surrounding ring and the rest of the county, with WDQ."""
    counts = hotspot_layer.evaluation_counts(conn, county_code, code, buffer_m)
    value = wdq(counts["R_before"], counts["R_after"], counts["D_before"], counts["D_after"],
                counts["C_before"], counts["C_after"])
    change = counts["R_after"] - counts["R_before"]
    return {**counts, "change": change,
            "change_share": round(change / counts["R_before"], 4) if counts["R_before"] else None,
            "wdq": None if value is None else round(value, 3), "wdq_meaning": wdq_meaning(value),
            "wdq_text": WDQ_MEANINGS[wdq_meaning(value)]}


def change_status(conn, county_code: str, code: str, status: str, user: str, note: str) -> dict:
    """Move a hotspot along its lifecycle, recording the evaluation when it leaves the list.

    Returns {event, code, status, evaluation (or None)}."""
    evaluation = evaluate(conn, county_code, code) if status in LEAVING else None
    event = hotspot_layer.set_status(conn, county_code, code, status, user, note, evaluation)
    return {"event": event, "code": code, "status": status, "evaluation": evaluation}


def r10_flags(conn, county_code: str, quarter: str) -> list[dict]:
    """Townships whose listed hotspots stay on the list 2 (督办) or 3+ (否决) quarters running."""
    chains = hotspot_layer.carried_chains(conn, county_code, quarter)
    by_town: dict = {}
    for c in chains:
        by_town.setdefault(c["township_code"], []).append(c)
    out = []
    for town, cs in sorted(by_town.items(), key=lambda kv: str(kv[0])):
        longest = max(c["quarters"] for c in cs)
        if longest >= SUPERVISION_QUARTERS:
            veto = longest >= VETO_QUARTERS
            out.append({"township_code": town, "quarters": longest,
                        "flag": "veto" if veto else "supervision",
                        "flag_label": "一票否决" if veto else "挂牌督办",
                        "hotspots": [c["code"] for c in cs if c["quarters"] >= SUPERVISION_QUARTERS]})
    return out


def township_names(conn, county_code: str) -> list[tuple[str, str]]:
    """(code, name) of every township, by code."""
    towns = read_frame(conn, LAYERS["townships"], county_code, ["code", "name"])
    return sorted(zip(towns["code"], towns["name"]))


def r10_panels(conn, county_code: str, quarters: list[str]) -> list[dict]:
    """R10 flags of each quarter that has some, township names added."""
    names = dict(township_names(conn, county_code))
    out = []
    for q in quarters:
        flags = [{**f, "township_name": names.get(f["township_code"], f["township_code"])}
                 for f in r10_flags(conn, county_code, q)]
        if flags:
            out.append({"quarter": q, "flags": flags})
    return out


def by_township(conn, county_code: str, features: list[dict], flags: list[dict]) -> list[dict]:
    """Every township with its hotspots, counts by level and status, and its R10 flag."""
    flag_of = {f["township_code"]: f for f in flags}
    groups = []
    for code, name in township_names(conn, county_code):
        mine = [f["properties"] for f in features if f["properties"]["township_code"] == code]
        groups.append({"code": code, "name": name, "hotspots": mine, "flag": flag_of.get(code),
                       "levels": {lv: sum(h["level"] == lv for h in mine) for lv in ("county", "township")},
                       "statuses": {s: sum(h["status"] == s for h in mine) for s in hotspot_layer.LIFECYCLE}})
    return groups


listed = hotspot_layer.listed
status_history = hotspot_layer.status_history


def new_item(conn, county_code: str, new) -> dict:
    """A draft item from what the planner sent (``web.schemas.hotspots.NewItem``): a drawn polygon as
    it is, a point grown to a circle of ``radius_m``, or a picked village, school or road
    section buffered by ``buffer_m``; the name defaults to the place's."""
    item = new.item()
    if new.place is not None:
        p = new.place
        name, geom = places.area(conn, county_code, p.layer, p.code, p.buffer_m,
                                 (p.at.lon, p.at.lat) if p.at else None, p.section_m)
        picked = {"layer": p.layer, "code": p.code, "buffer_m": p.buffer_m}
        item.update(geometry=geom, source="picked", picked=picked,
                    name=new.name or f"{name}{PLACE_SUFFIX[p.layer]}")
    elif new.geometry.geom_type == "Point":
        item.update(geometry=places.circle(conn, new.geometry.x, new.geometry.y, new.radius_m), source="point",
                    picked={"radius_m": new.radius_m, "at": [new.geometry.x, new.geometry.y]})
    item.pop("place", None)
    item.pop("radius_m", None)
    return item


PLACE_SUFFIX = {"villages": "治安乱点", "schools": "周边治安乱点", "roads": "路段治安乱点"}


def place_preview(conn, county_code: str, ask) -> dict:
    """The place at a click (``web.schemas.hotspots.PlaceQuery``) and the area a hotspot
    made of it would have, as a GeoJSON feature: layer, code, name, distance_m, area_m2,
    township_code; FeatureNotFound when nothing is there."""
    found = places.nearest(conn, county_code, ask.layer, ask.lon, ask.lat)
    if found is None:
        what = places.PICKABLE[ask.layer]
        where = f"不在任何{what}内" if ask.layer == "villages" else f"附近 {places.NEAR_M[ask.layer]:g} 米内没有{what}"
        raise FeatureNotFound(f"所点位置{where}")
    buffer_m = ask.buffer_m if ask.layer == "villages" or ask.buffer_m > 0 else places.DEFAULT_BUFFER_M[ask.layer]
    at = (ask.lon, ask.lat) if ask.layer == "roads" else None
    _, geom = places.area(conn, county_code, ask.layer, found["code"], buffer_m, at, ask.section_m)
    area = lists.area_m2(geom)
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geom),
            "properties": {**found, "buffer_m": buffer_m, "section_m": ask.section_m if at else None,
                           "area_m2": round(area, 1), "name_suggested": f"{found['name']}{PLACE_SUFFIX[ask.layer]}",
                           "township_code": places.township_at(conn, county_code, geom),
                           "fits": lists.MIN_AREA_M2 <= area <= lists.MAX_AREA_M2}}
