"""Opinion calls imported from a call centre's file (layer ``survey_calls``, issue 16 item 1):
Chinese headers and words, numbers kept only as their keyed hash, names never kept, codes
made so that a re-import adds nothing, villages of this county only, undo."""
from __future__ import annotations

import hashlib
import hmac

import pytest

from layers import survey as calls_store
from tests.data.test_importer import _csv, count, load_base, one_problem, refused, rows, run

KEY = "test-survey-key"
HEAD = "调查时间,村编码,话务员,安全感,满意度,手机号码,反映问题,受访人姓名,q_patrol\n"
FIRST = ("2026-03-05 09:10,410999001001,王丽,很安全,满意,+86 138-0013-8000,路灯坏了,张三,是\n"
         "2026-03-05 09:20,410999002001,,3,5,0086 13900139000,,李四,否\n")


@pytest.fixture
def county(app, monkeypatch):
    monkeypatch.setenv("SURVEY_PHONE_KEY", KEY)
    return app.config["COUNTY_CODE"]


def digest(number: str) -> str:
    return hmac.new(KEY.encode(), number.encode(), hashlib.sha256).hexdigest()


def stored_text(conn) -> str:
    """Every call, every column, as text (what a dump of the table would hold)."""
    return " ".join(r[0] for r in rows(conn, "SELECT c::text FROM survey_calls c"))


def test_calls_with_chinese_headers_words_and_numbers(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    path = _csv(tmp_path / "民调.csv", HEAD + FIRST, encoding="gbk")
    result = run(conn, county, "survey_calls", path, actor="admin")
    assert (result.added, result.updated) == (2, 0)
    got = rows(conn, "SELECT village_code, township_code, caller, safety, satisfaction, phone_hash, problems,"
                     " answers, props, created_by FROM survey_calls ORDER BY called_at")
    assert got == [
        ("410999001001", "410999001", "王丽", 5, 4, digest("13800138000"), "路灯坏了", {"patrol": "是"}, {}, "admin"),
        ("410999002001", "410999002", "呼叫中心", 3, 5, digest("13900139000"), "", {"patrol": "否"}, {}, "admin")]
    text = stored_text(conn)
    for secret in ("13800138000", "138-0013", "13900139000", "张三", "李四"):
        assert secret not in text
    one_problem(result.warnings, "受访人姓名", "未保存")
    assert calls_store.count(conn, county, *_march()) == 2


def _march():
    import datetime as dt

    from geo.calendar import day_start
    return day_start(dt.date(2026, 3, 1)), day_start(dt.date(2026, 4, 1))


def test_the_same_calls_again_add_nothing(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    run(conn, county, "survey_calls", _csv(tmp_path / "a.csv", HEAD + FIRST))
    again = run(conn, county, "survey_calls", _csv(tmp_path / "b.csv", HEAD + FIRST))
    assert (again.added, again.updated) == (0, 2)
    later = HEAD + FIRST + "2026-03-06 10:00,410999001001,王丽,2,2,,治安差,,\n"
    assert run(conn, county, "survey_calls", _csv(tmp_path / "c.csv", later)).added == 1
    assert count(conn, "survey_calls") == 3
    # two calls alike in everything are two calls, and stay two on a re-import
    twins = HEAD + "2026-03-07,410999001001,,4,4,,,,\n" * 2
    assert run(conn, county, "survey_calls", _csv(tmp_path / "d.csv", twins)).added == 2
    assert run(conn, county, "survey_calls", _csv(tmp_path / "e.csv", twins)).added == 0
    assert count(conn, "survey_calls") == 5


def test_villages_of_another_county_or_none_are_refused_by_row(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO villages (county_code, code, name, remote, population, geom) VALUES"
                    " ('410888', '410888001001', '外县村', false, 10,"
                    " ST_Multi(ST_GeomFromText('POLYGON((111 33,111.1 33,111.1 33.1,111 33))', 4326)))")
    bad = _csv(tmp_path / "bad.csv", HEAD + FIRST + "2026-03-06 10:00,410999009999,,3,3,,,,\n"
                                            "2026-03-06 10:05,410888001001,,3,3,,,,\n")
    problems = refused(conn, county, "survey_calls", bad)
    one_problem(problems, "bad.csv", "第 4 行", "village_code", "410999009999", "本县没有")
    one_problem(problems, "第 5 行", "410888001001")


def test_bad_scores_and_numbers_are_named_without_repeating_the_number(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    bad = _csv(tmp_path / "bad.csv", HEAD + "2026-03-06 10:00,410999001001,,6,还行,12ab,,,\n"
                                            "2026-03-06,410999001001,,,3,,,,\n")
    problems = refused(conn, county, "survey_calls", bad)
    one_problem(problems, "第 2 行", "safety", "6", "1–5")
    one_problem(problems, "第 2 行", "satisfaction", "还行", "很满意")
    phone = one_problem(problems, "第 2 行", "phone_hash", "不是电话号码")
    assert "12ab" not in phone
    one_problem(problems, "第 3 行", "safety", "为空")


def test_calls_are_never_replaced_wholesale(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    one_problem(refused(conn, county, "survey_calls", _csv(tmp_path / "a.csv", HEAD + FIRST), replace=True),
                "不能清空后替换")


def test_a_number_called_again_this_quarter_is_a_warning(conn, county, tmp_path):
    load_base(conn, county, tmp_path)
    calls_store.insert(conn, county, {"called_at": "2026-02-01 10:00+08", "village_code": "410999001001",
                                      "caller": "表单", "safety": 4, "satisfaction": 4,
                                      "phone_hash": digest("13800138000"), "answers": {}, "problems": ""}, "planner")
    result = run(conn, county, "survey_calls", _csv(tmp_path / "a.csv", HEAD + FIRST))
    assert result.added == 2
    one_problem(result.warnings, "1 个电话号码本季度已调查过")


def test_undo_takes_back_the_import_and_keeps_the_form_calls(conn, county, tmp_path):
    from web.services import imports

    load_base(conn, county, tmp_path)
    calls_store.insert(conn, county, {"called_at": "2026-03-01 10:00+08", "village_code": "410999001001",
                                      "caller": "表单", "safety": 4, "satisfaction": 4, "phone_hash": None,
                                      "answers": {}, "problems": ""}, "planner")
    run(conn, county, "survey_calls", _csv(tmp_path / "a.csv", HEAD + FIRST), actor="admin")
    assert count(conn, "survey_calls") == 3
    undone = imports.undo_last(conn, county, "survey_calls", "admin")
    assert undone["kind"] == "undo" and undone["layer_title"] == "民意调查电话"
    assert rows(conn, "SELECT caller FROM survey_calls") == [("表单",)]
