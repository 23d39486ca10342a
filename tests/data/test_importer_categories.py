"""Importing incidents whose categories are written as the police write them: kept as
written, each with its R4 focus group; unknown ones count as 'other', named in one warning,
never refused."""
from __future__ import annotations

from data.importer import import_file
from layers import categories
from tests.data.test_importer import IN_V1, _csv, county, load_base, rows  # noqa: F401 - county is a fixture

CATEGORIES = (["盗窃"] * 3 + ["盗窃电动车"] * 2 + [" 入室盗窃", "ＴＨＥＦＴ", "电信网络诈骗", "诈骗", "非法吸收公众存款",
              "吸毒", "殴打他人", "交通事故", "邻里纠纷", "其他"] + ["赌博"] * 7 + ["卖淫嫖娼"] * 5 + ["寻衅滋事　"])
FOCUS = {"盗窃": "theft", "盗窃电动车": "theft", "入室盗窃": "theft", "ＴＨＥＦＴ": "theft",
         "电信网络诈骗": "telecom_fraud", "诈骗": "telecom_fraud", "非法吸收公众存款": "illegal_fundraising",
         "吸毒": "drugs", "殴打他人": "assault", "交通事故": "traffic_accident", "邻里纠纷": "dispute",
         "其他": "other", "赌博": "other", "卖淫嫖娼": "other", "寻衅滋事": "other"}


def police_csv(tmp_path, cats=CATEGORIES, prefix="P", name="jq.csv"):
    """A CSV of incidents, one per category in ``cats``, with a focus column of its own."""
    lines = ["code,occurred_at,category,focus,lon,lat"] + [
        f"{prefix}{i:03d},2026-08-0{1 + i % 9} 10:00,{c},robbery,{IN_V1[0]},{IN_V1[1]}" for i, c in enumerate(cats)]
    return _csv(tmp_path / name, "\n".join(lines) + "\n")


def test_categories_are_kept_as_written_with_their_focus_and_unknown_ones_warned_once(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    result = import_file(conn, "incidents", police_csv(tmp_path), county_code=county, chunk_rows=4)
    assert (result.added, result.rows) == (len(CATEGORIES), len(CATEGORIES))     # nothing refused
    unmapped = [w for w in result.warnings if "未对应重点类别" in w]
    assert unmapped == ["jq.csv: 13 起案件的类别未对应重点类别，按“其他”计：赌博 7、卖淫嫖娼 5、寻衅滋事 1"
                        "（管理员可在“警情类别映射”中指定）(13 incidents of 3 categories with no focus group "
                        "are counted as 'other'; an admin can map them)"]
    got = rows(conn, "SELECT category, focus, props->>'focus' FROM incidents ORDER BY code")
    assert [g[0] for g in got] == [c.strip() for c in CATEGORIES]         # as written (trimmed by the reader)
    assert all(focus == FOCUS[written] for written, focus, _ in got)
    assert {g[2] for g in got} == {"robbery"}   # a file's own 'focus' column is kept aside, never trusted


def test_a_county_mapping_is_used_at_import_and_a_mapped_file_gives_no_warning(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    categories.set_focus(conn, county, "赌博", "other", "admin")        # known, deliberately no group
    categories.set_focus(conn, county, "卖淫嫖娼", "other", "admin")
    categories.set_focus(conn, county, "寻衅滋事", "assault", "admin")
    result = import_file(conn, "incidents", police_csv(tmp_path), county_code=county)
    assert not [w for w in result.warnings if "未对应重点类别" in w]
    assert rows(conn, "SELECT DISTINCT focus FROM incidents WHERE category LIKE '寻衅滋事%%'") == [("assault",)]


def test_the_warning_names_the_twenty_most_frequent(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    cats = [f"类别{i:02d}" for i in range(25) for _ in range(1 + i % 3)]
    result = import_file(conn, "incidents", police_csv(tmp_path, cats), county_code=county)
    (warning,) = [w for w in result.warnings if "未对应重点类别" in w]
    assert warning.startswith(f"jq.csv: {len(cats)} 起案件的类别未对应重点类别，按“其他”计：类别02 3、类别05 3、")
    assert "等 25 类" in warning and f"{len(cats)} incidents of 25 categories" in warning
