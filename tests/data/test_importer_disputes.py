"""Incidents' dispute flags (民转刑, 民事纠纷引发的命案; migration 0022) imported with the
Chinese headers and 是/否 values; a file without them keeps what the rows had."""
from __future__ import annotations

import pytest

from layers.disputes import flagged_counts
from tests.data.test_importer import IN_V1, _csv, count, load_base, one_problem, refused, rows, run


@pytest.fixture
def county(app):
    return app.config["COUNTY_CODE"]


def test_flags_with_chinese_headers_and_values(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    path = _csv(tmp_path / "警情.csv",
                "警情编号,报警时间,警情类别,是否民转刑,是否纠纷命案,经度,纬度\n"
                f"J1,2026-03-05 10:00,纠纷,是,否,{IN_V1[0]},{IN_V1[1]}\n"
                f"J2,2026-03-06 10:00,伤害,是,是,{IN_V1[0]},{IN_V1[1]}\n"
                f"J3,2026-03-07 10:00,盗窃,否,,{IN_V1[0]},{IN_V1[1]}\n")
    assert run(conn, county, "incidents", path).added == 3
    assert rows(conn, "SELECT code, civil_to_criminal, dispute_homicide FROM incidents ORDER BY code") == [
        ("J1", True, False), ("J2", True, True), ("J3", False, False)]
    import datetime as dt
    assert flagged_counts(conn, county, dt.date(2026, 1, 1), dt.date(2026, 3, 6)) == {
        "civil_to_criminal": 2, "dispute_homicide": 1}
    # the short headers too; then a file without the columns keeps the flags
    short = _csv(tmp_path / "short.csv", "警情编号,报警时间,警情类别,民转刑,纠纷命案,经度,纬度\n"
                                         f"J3,2026-03-07 10:00,盗窃,是,是,{IN_V1[0]},{IN_V1[1]}\n")
    assert run(conn, county, "incidents", short).updated == 1
    plain = _csv(tmp_path / "plain.csv", "警情编号,报警时间,警情类别,经度,纬度\n"
                                         f"J2,2026-03-06 11:00,伤害,{IN_V1[0]},{IN_V1[1]}\n"
                                         f"J4,2026-03-08 10:00,伤害,{IN_V1[0]},{IN_V1[1]}\n")
    assert run(conn, county, "incidents", plain).added == 1
    assert rows(conn, "SELECT code, civil_to_criminal, dispute_homicide FROM incidents ORDER BY code") == [
        ("J1", True, False), ("J2", True, True), ("J3", True, True), ("J4", False, False)]


def test_a_word_that_is_not_yes_or_no_is_refused(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    path = _csv(tmp_path / "bad.csv", "警情编号,报警时间,警情类别,是否民转刑,经度,纬度\n"
                                      f"J1,2026-03-05 10:00,纠纷,也许,{IN_V1[0]},{IN_V1[1]}\n")
    one_problem(refused(conn, county, "incidents", path), "bad.csv", "civil_to_criminal", "也许")
    assert count(conn, "incidents") == 0
