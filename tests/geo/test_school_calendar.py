"""School days: the 2026 national schedule (State Council, 2025-11-04), 调休, terms."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from data import calendar_file
from geo import school_calendar as sc
from layers.errors import ImportRefused

ROOT = Path(__file__).resolve().parents[2]


def demo_calendar(terms: bool = True) -> sc.SchoolCalendar:
    days = calendar_file.parse((ROOT / "data/calendar/holidays-2026.csv").read_bytes())["rows"]
    term_rows = calendar_file.parse((ROOT / "data/calendar/terms-demo.csv").read_bytes())["rows"] if terms else []
    return sc.build([{"day": r["date"], "kind": r["kind"], "name": r["name"], "county_code": None} for r in days],
                    term_rows)


def test_the_2026_file_is_the_state_councils_schedule():
    cal = demo_calendar()
    assert len(cal.holidays) == 33 and len(cal.workdays) == 6
    assert sorted(cal.workdays) == [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                                    date(2026, 9, 20), date(2026, 10, 10)]
    assert [d for d in cal.holidays if d.month == 2] == [date(2026, 2, d) for d in range(15, 24)]  # 春节 9 days


def test_golden_week_is_no_school_day():
    cal = demo_calendar()
    for d in range(1, 8):
        day = date(2026, 10, d)
        assert not cal.is_school_day(day)
        assert cal.why_not(day) == "国庆节"
    assert cal.note(date(2026, 10, 5)) == "今日非上学日（国庆节）"
    assert cal.is_school_day(date(2026, 10, 8))  # Thursday after the week


def test_make_up_saturday_is_a_school_day():
    cal = demo_calendar()
    assert date(2026, 10, 10).weekday() == 5 and cal.is_school_day(date(2026, 10, 10))
    assert date(2026, 9, 20).weekday() == 6 and cal.is_school_day(date(2026, 9, 20))
    assert cal.is_school_day(date(2026, 5, 9))
    assert not cal.is_school_day(date(2026, 10, 17))  # an ordinary Saturday
    assert cal.why_not(date(2026, 10, 17)) == "周六"
    # 2026-02-28 is a make-up working day, but before the spring term starts
    assert cal.is_working_day(date(2026, 2, 28)) and not cal.is_school_day(date(2026, 2, 28))


def test_summer_break_is_no_school_day():
    cal = demo_calendar()
    for day in (date(2026, 7, 13), date(2026, 8, 3), date(2026, 8, 31)):
        assert day.weekday() < 5 and cal.is_working_day(day) and not cal.is_school_day(day)
        assert cal.why_not(day) == "不在学期内（寒暑假）"
    assert cal.count_school_days(date(2026, 7, 11), date(2026, 8, 31)) == 0


def test_term_edges_are_included():
    cal = demo_calendar()
    assert cal.is_school_day(date(2026, 3, 2))        # first day of the spring term (Monday)
    assert not cal.is_school_day(date(2026, 3, 1))    # the Sunday before
    assert cal.is_school_day(date(2026, 7, 10))       # last day (Friday)
    assert not cal.is_school_day(date(2026, 7, 13))   # the Monday after
    assert cal.is_school_day(date(2026, 9, 1))        # autumn term, Tuesday
    assert not cal.is_school_day(date(2026, 8, 31))


def test_counts_over_a_range():
    cal = demo_calendar()
    # October 2026: 22 weekdays, 5 of them in the national holiday (1, 2, 5, 6, 7), plus the 10th
    assert cal.count_school_days(date(2026, 10, 1), date(2026, 10, 31)) == 22 - 5 + 1
    # September 2026 from the 1st: 22 weekdays, 中秋 the 25th (Friday) off, the 20th worked
    assert cal.count_school_days(date(2026, 9, 1), date(2026, 9, 30)) == 22 - 1 + 1
    months = sc.month_counts(cal, 2026)
    assert [m["school_days"] for m in months][6:8] == [8, 0]  # July: 1–10 only; August: none
    assert sum(m["days"] for m in months) == 365


def test_without_terms_every_working_day_is_a_school_day():
    cal = demo_calendar(terms=False)
    assert cal.is_school_day(date(2026, 8, 3)) and not cal.is_school_day(date(2026, 10, 1))


def test_a_schools_own_terms_replace_the_countys():
    cal = sc.build([], [{"name": "秋季", "starts": date(2026, 9, 1), "ends": date(2027, 1, 22), "school_code": None},
                        {"name": "秋季", "starts": date(2026, 8, 24), "ends": date(2027, 1, 15), "school_code": "S1"}])
    assert cal.is_school_day(date(2026, 8, 24), "S1") and not cal.is_school_day(date(2026, 8, 24), "S2")
    assert not cal.is_school_day(date(2027, 1, 20), "S1") and cal.is_school_day(date(2027, 1, 20))


def test_the_countys_day_overrides_the_national_one():
    rows = [{"day": date(2026, 10, 8), "kind": "workday", "name": "", "county_code": None},
            {"day": date(2026, 10, 8), "kind": "holiday", "name": "县庆", "county_code": "410999"}]
    cal = sc.build(rows, [])
    assert not cal.is_school_day(date(2026, 10, 8)) and cal.why_not(date(2026, 10, 8)) == "县庆"


def test_old_mac_line_ends_are_read():
    rows = calendar_file.parse("date,kind,name\r2026-10-01,holiday,国庆节\r")["rows"]
    assert rows == [{"date": date(2026, 10, 1), "kind": "holiday", "name": "国庆节"}]


def test_chinese_headers_and_values_are_read():
    text = "日期,类型,名称\n2026/10/1,节假日,国庆节\n2026-10-10,调休上班,国庆节调休\n"
    rows = calendar_file.parse(text.encode("gbk"))["rows"]
    assert [(r["date"], r["kind"]) for r in rows] == [(date(2026, 10, 1), "holiday"), (date(2026, 10, 10), "workday")]
    terms = calendar_file.parse("学期名称,开始日期,结束日期,学校代码\n2026秋季学期,2026-09-01,2027-01-22,\n")
    assert terms["kind"] == "terms" and terms["rows"][0]["school_code"] is None


@pytest.mark.parametrize("text, where", [
    ("date,kind,name\n2026-10-01,holiday,国庆\n2026-13-01,holiday,x\n", "第 3 行 字段 date"),
    ("date,kind,name\n2026-10-01,vacation,x\n", "第 2 行 字段 kind"),
    ("date,kind,name\n1999-10-01,holiday,x\n", "第 2 行 字段 date"),
    ("date,kind,name\n2026-10-01,holiday,a\n2026-10-01,workday,b\n", "第 3 行 字段 date"),
    ("name,starts,ends,school_code\n秋季,2026-09-01,2026-08-01,\n", "第 2 行 字段 ends"),
    ("name,starts,ends,school_code\n,2026-09-01,2026-12-01,\n", "第 2 行 字段 name"),
    ("when,what\n2026-10-01,holiday\n", "第 1 行"),
    ("date,kind,name\n2026-10-01,holiday," + "x" * 200_000 + "\n", "不是可读的 CSV"),
    (b"\xff\xfe\x00d", "文件应为 UTF-8 或 GBK"),
])
def test_bad_rows_are_named(text, where):
    with pytest.raises(ImportRefused) as err:
        calendar_file.parse(text)
    assert any(p.startswith(where) for p in err.value.problems), err.value.problems


def test_export_reads_back():
    cal = demo_calendar()
    rows = [{"date": d, "kind": "holiday", "name": n} for d, n in cal.holidays.items()]
    again = calendar_file.parse(calendar_file.write_days(rows))["rows"]
    assert {r["date"]: r["name"] for r in again} == cal.holidays
