"""The village video rule on hand-built geometry: 村口, their depth, main junctions, working
cameras, the county's stored rule, and past remediations recorded as exceptions."""
import datetime as dt

import pytest
from shapely.geometry import LineString, Point

from geo.coverage import VideoRule, village_indicators, village_proposals, video_reasons
from layers import remediation, village_video
from layers.coverage import WhatIf
from layers.errors import CriteriaNotMet, InvalidInput
from tests.helpers import COUNTY, put, square
from tests.layers.test_coverage import cam as _cam

Y = 33.01  # the county road runs west-east along this latitude through village V1
M_LON = 1 / 93_300  # about a metre of longitude at 33 N, in degrees


@pytest.fixture
def village(app, conn):
    """V1 (111.00-111.02 E, 33.00-33.02 N): a county road crossing it west to east, a village
    road from the middle of it north out of the village. 村口: west, east, north; one main
    junction where the village road meets the county road."""
    put(conn, "townships", [{"code": "410999001", "name": "甲镇", "geometry": square(110.9, 32.9, 0.3)}])
    put(conn, "villages", [{"code": "V1", "name": "一村", "remote": True, "population": 1, "remediated_on": None,
                            "geometry": square(111.0, 33.0, 0.02)}])
    put(conn, "roads", [{"code": "R1", "name": "东西路", "class": "county",
                         "geometry": LineString([(110.99, Y), (111.03, Y)])},
                        {"code": "R2", "name": "北村道", "class": "village",
                         "geometry": LineString([(111.01, Y), (111.01, 33.03)])}])
    return conn


def cam(code, x, y=None, **kw):
    """A camera (tests.layers.test_coverage.cam) on this module's county road by default."""
    return _cam(code, x, y=Y if y is None else y, **kw)


def checked(conn, what_if=None, rule=None):
    (row,) = village_video.village_coverage(conn, COUNTY, what_if, ["V1"], detail=True)
    (ind,) = village_indicators([row], rule or VideoRule())
    return {**ind, "reasons": video_reasons(ind, rule or VideoRule())}


def test_entrances_are_where_roads_cross_the_border(village):
    put(village, "cameras", [cam("W", 111.0003, kind="dome", fov=360, range_m=50)])  # 28 m inside, west
    v = checked(village)
    assert (v["entrances"], v["seen_entrances"]) == (3, 1)
    assert (v["main_junctions"], v["covered_main_junctions"]) == (1, 0)
    assert v["working_cameras"] == 1
    sides = {(tuple(e["roads"]), e["seen"]) for e in v["entrances_detail"]}
    assert sides == {(("东西路",), True), (("东西路",), False), (("北村道",), False)}
    assert [e["seen"] for e in v["entrances_detail"]] == [False, False, True]  # unseen first
    assert v["video_covered"] is False and v["video_failed"] == ["entrances", "main_junctions"]
    # the unseen 村口 named by side, road and position
    assert "村东东西路村口（111.02000, 33.01000）" in v["reasons"][0]
    assert "村北北村道村口（111.01000, 33.02000）" in v["reasons"][0]
    assert "1/3 在监控范围内，要求全部" in v["reasons"][0]


def test_an_entrance_is_seen_within_30_m_inside(village):
    # a dome 60 m inside the east 村口 seeing 40 m reaches 20 m from the border: seen
    put(village, "cameras", [cam("E", 111.02 - 60 * M_LON, kind="dome", fov=360, range_m=40)])
    assert [e["seen"] for e in checked(village)["entrances_detail"] if e["lon"] > 111.015] == [True]
    # 100 m inside, it reaches 60 m from the border: not seen
    put(village, "cameras", [cam("E", 111.02 - 100 * M_LON, kind="dome", fov=360, range_m=40)])
    assert [e["seen"] for e in checked(village)["entrances_detail"] if e["lon"] > 111.015] == [False]


def test_the_whole_rule_and_faulty_cameras(village):
    put(village, "cameras", [cam("W", 111.0003, kind="dome", fov=360, range_m=50),
                             cam("E", 111.0197, kind="dome", fov=360, range_m=50),
                             cam("N", 111.01, y=33.0197, kind="dome", fov=360, range_m=50),
                             cam("J", 111.0101, kind="dome", fov=360, range_m=30)])
    v = checked(village)
    assert (v["seen_entrances"], v["covered_main_junctions"], v["working_cameras"]) == (3, 1, 4)
    assert v["video_covered"] is True and v["reasons"] == []
    broken = checked(village, WhatIf(faulty=["E", "J"]))
    assert broken["video_failed"] == ["entrances", "main_junctions"]
    # a county that asks for 2 of 3 村口, no junction and 4 cameras
    lenient = VideoRule(entrances_share=0.6, main_junctions_share=0, min_working_cameras=4)
    assert checked(village, WhatIf(faulty=["E", "J"]), lenient)["video_failed"] == ["cameras"]
    assert "村内正常工作的摄像机 2 台，要求至少 4 台" in checked(village, WhatIf(faulty=["E", "J"]), lenient)["reasons"]


def test_schools_and_cameras_outside_do_not_count(village):
    put(village, "schools", [{"code": "S1", "name": "一小", "geometry": Point(111.005, 33.005)}])
    put(village, "cameras", [cam("OUT", 110.99, kind="dome", fov=360)])  # outside the village
    v = checked(village)
    assert (v["schools"], v["covered_schools"], v["working_cameras"]) == (1, 0, 0)
    assert v["video_failed"] == ["entrances", "schools", "main_junctions", "cameras"]
    assert any(r.startswith("学校未在监控范围内：一小") for r in v["reasons"])


def test_proposed_cameras_make_the_village_meet_the_rule(village):
    put(village, "schools", [{"code": "S1", "name": "一小", "geometry": Point(111.005, 33.005)}])
    v = checked(village)
    proposals = village_proposals(v, VideoRule())
    assert len(proposals) == 5  # three 村口, the school, the junction
    assert {p["kind"] for p in proposals} == {"dome"}
    after = checked(village, WhatIf(proposed=proposals))
    assert after["video_covered"] is True, after["reasons"]
    # only the cameras the rule lacks: a county that asks for no junction and 6 cameras
    rule = VideoRule(main_junctions_share=0, min_working_cameras=6)
    more = village_proposals(v, rule)
    assert len(more) == 6 and more[-1]["for"] == "村内正常工作的摄像机数量"


def test_rule_is_stored_per_county_validated_and_audited(village):
    assert village_video.get_rule(village, COUNTY)["updated_by"] is None  # the defaults
    assert village_video.get_rule(village, COUNTY)["main_junctions_share"] == 0.5
    rule = {"entrances_share": 0.8, "schools_share": 1, "main_junctions_share": 0, "min_working_cameras": 2}
    got = village_video.set_rule(village, COUNTY, rule, "admin")
    assert {k: got[k] for k in rule} == rule and got["updated_by"] == "admin"
    assert village_video.get_rule(village, "other")["entrances_share"] == 1.0  # another county keeps the defaults
    for bad, field in (({**rule, "entrances_share": 1.5}, "entrances_share"),
                       ({**rule, "schools_share": -0.1}, "schools_share"),
                       ({**rule, "min_working_cameras": 51}, "min_working_cameras"),
                       ({**rule, "min_working_cameras": 1.5}, "min_working_cameras"),
                       ({**rule, "main_junctions_share": True}, "main_junctions_share")):
        with pytest.raises(InvalidInput) as err:
            village_video.set_rule(village, COUNTY, bad, "admin")
        assert err.value.field == field
    with village.cursor() as cur:
        cur.execute("SELECT actor, action, target, before, after FROM audit_log ORDER BY id")
        ((actor, action, target, before, after),) = cur.fetchall()
    assert (actor, action, target) == ("admin", "video_rule_changed", COUNTY)
    assert before["entrances_share"] == 1.0 and after == rule


def test_past_remediations_failing_the_rule_become_exceptions(village):
    """migration 0011: a village confirmed before the check whose video criterion fails now
    gets an event of the same day on an exception; one that meets it is left alone."""
    put(village, "villages", [{"code": "V2", "name": "二村", "remote": True, "population": 1,
                               "remediated_on": None, "geometry": square(111.05, 33.0, 0.02)}])
    state = {"status": "remediated", "orderly": True, "services": True, "video": True,
             "confirmed_on": dt.date(2026, 3, 1), "confirmed_by": "planner"}
    for code in ("V1", "V2"):
        remediation.record_change(village, COUNTY, code, state, "planner", dt.date(2026, 3, 1), None)
    assert remediation.mark_legacy(village) == 0  # no cameras: the recorded criterion holds
    put(village, "cameras", [cam("V2C", 111.06, y=33.01, kind="dome", fov=360)])  # V2 has no road: met
    assert remediation.mark_legacy(village) == 1
    states = remediation.states(village, COUNTY)
    assert states["V1"]["exception_note"] == remediation.LEGACY_EXCEPTION
    assert states["V1"]["effective_on"] == dt.date(2026, 3, 1) and states["V1"]["status"] == "remediated"
    assert any("村口未在监控范围内" in r for r in states["V1"]["exception_reasons"])
    assert states["V2"]["exception_note"] is None
    assert remediation.mark_legacy(village) == 0  # once
    (township,) = remediation.progress_counts(village, COUNTY, dt.date(2026, 3, 1))
    assert (township["remediated"], township["remediated_with_exception"]) == (2, 1)
    assert remediation.progress_counts(village, COUNTY, dt.date(2026, 2, 28))[0]["remediated"] == 0


def test_confirmation_needs_every_criterion_unless_on_an_exception(village):
    state = {"status": "remediated", "orderly": True, "services": True, "video": False,
             "confirmed_on": dt.date(2026, 3, 1)}
    day = dt.date(2026, 3, 1)
    with pytest.raises(CriteriaNotMet) as err:
        remediation.record_change(village, COUNTY, "V1", state, "p", day, None,
                                  video={"met": False, "reasons": ["村口未在监控范围内：…"]})
    assert err.value.field == "video" and err.value.reasons == ["村口未在监控范围内：…"]
    with pytest.raises(CriteriaNotMet) as err:
        remediation.record_change(village, COUNTY, "V1", {**state, "services": False}, "p", day, None,
                                  video={"met": True, "reasons": []})
    assert err.value.field == "services"
    with pytest.raises(InvalidInput):  # nothing to except
        remediation.record_change(village, COUNTY, "V1", {**state, "exception_note": "x"}, "p", day, None,
                                  video={"met": True, "reasons": []})
    with pytest.raises(InvalidInput):  # an exception is for confirmations only
        remediation.record_change(village, COUNTY, "V1", {**state, "status": "in_progress", "exception_note": "x"},
                                  "p", day, None)
    event = remediation.record_change(village, COUNTY, "V1", {**state, "exception_note": " 摄像机已装未录入 ",
                                                              "exception_reasons": ["村口…"]}, "p", day, None,
                                      video={"met": False, "reasons": ["村口…"]})
    (h,) = remediation.history(village, COUNTY, "V1")
    assert h["id"] == event and h["after"]["exception_note"] == "摄像机已装未录入"
    assert h["after"]["exception_reasons"] == ["村口…"]


def test_two_parts_of_one_road_meeting_are_not_a_junction(app, conn):
    """A county road stored as two parts that meet inside the village: its joint is no
    junction; a village road ending there makes it one."""
    from shapely.geometry import MultiLineString

    put(conn, "townships", [{"code": "410999001", "name": "甲镇", "geometry": square(110.9, 32.9, 0.3)}])
    put(conn, "villages", [{"code": "V1", "name": "一村", "remote": True, "population": 1, "remediated_on": None,
                            "geometry": square(111.0, 33.0, 0.02)}])
    put(conn, "roads", [{"code": "R1", "name": "东西路", "class": "county", "geometry": MultiLineString(
        [[(110.99, Y), (111.01, Y)], [(111.01, Y), (111.03, Y)]])}])
    assert checked(conn)["main_junctions"] == 0
    put(conn, "roads", [{"code": "R2", "name": "北村道", "class": "village",
                         "geometry": LineString([(111.01, Y), (111.01, 33.03)])}])
    assert checked(conn)["main_junctions"] == 1
