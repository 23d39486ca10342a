"""The staffing rule of villages and grids (一村（格）一警一法律顾问, a 网格员 per grid)."""
from geo.grids import staffing, township_summary

V = [{"code": "v1", "name": "一村", "township_code": "t1"}, {"code": "v2", "name": "二村", "township_code": "t1"},
     {"code": "v3", "name": "三村", "township_code": "t2"}]


def post(village, role, grid=None, name="某人"):
    return {"village_code": village, "grid_code": grid, "role": role, "name": name}


def by_code(rows):
    return {r["code"]: r for r in rows}


def test_a_village_without_grids_needs_its_officer_and_adviser():
    rows = by_code(staffing(V[:2], [], [post("v1", "police"), post("v1", "legal_adviser"), post("v2", "police")]))
    assert rows["v1"]["met"] and rows["v1"]["missing"] == [] and rows["v1"]["grids"] == 0
    assert not rows["v2"]["met"] and rows["v2"]["missing"] == ["缺法律顾问"]
    assert rows["v2"]["police"] and not rows["v2"]["legal_adviser"]


def test_every_grid_needs_its_member():
    grids = [{"code": "g1", "village_code": "v1"}, {"code": "g2", "village_code": "v1"}]
    staff = [post("v1", "police"), post("v1", "legal_adviser"), post("v1", "grid_member", "g1")]
    row = staffing(V[:1], grids, staff)[0]
    assert not row["met"] and row["grids_without_member"] == ["g2"] and row["missing"] == ["1 个网格缺网格员"]
    row = staffing(V[:1], grids, staff + [post("v1", "grid_member", "g2")])[0]
    assert row["met"] and row["grids"] == 2


def test_police_per_grid_counts_when_every_grid_has_one():
    grids = [{"code": "g1", "village_code": "v1"}, {"code": "g2", "village_code": "v1"}]
    base = [post("v1", "legal_adviser"), post("v1", "grid_member", "g1"), post("v1", "grid_member", "g2")]
    row = staffing(V[:1], grids, base + [post("v1", "police", "g1")])[0]
    assert not row["met"] and not row["police"] and row["missing"] == ["1 个网格缺驻村民警"]
    row = staffing(V[:1], grids, base + [post("v1", "police", "g1"), post("v1", "police", "g2")])[0]
    assert row["met"] and row["police"]


def test_missing_police_and_a_post_of_a_grid_gone_elsewhere():
    grids = [{"code": "g1", "village_code": "v1"}]
    staff = [post("v1", "legal_adviser"), post("v1", "grid_member", "g1"), post("v2", "grid_member", "g1")]
    rows = by_code(staffing(V[:2], grids, staff))
    assert rows["v1"]["missing"] == ["缺驻村民警"]
    assert rows["v2"]["missing"] == ["缺驻村民警", "缺法律顾问"] and rows["v2"]["grids"] == 0


def test_township_counts_and_share():
    staff = [post("v1", "police"), post("v1", "legal_adviser")]
    towns = township_summary(staffing(V, [], staff))
    assert towns == {"t1": {"villages": 2, "met": 1, "short": 1, "share": 0.5},
                     "t2": {"villages": 1, "met": 0, "short": 1, "share": 0.0}}
    assert township_summary([]) == {}
