"""The warm-up of stored visit runs: ``flask tracks warm`` and the nightly thread
(web/warmup.py) store the past days' runs, so a report reads them instead of the points."""
from datetime import date, datetime, time

import psycopg2
import pytest

from geo.calendar import LOCAL
from layers import visit_runs
from tests.web.test_patrol_api import county  # noqa: F401  (the fixture)
from tests.web.test_visit_runs import same, stored_days
from tests.web.test_visits_near_places import DAYS, full_scan, tracked  # noqa: F401  (the fixture)
from web import warmup
from web.services import patrol as service


def test_warm_stores_the_past_days_and_the_report_reads_them(tracked, runner, conn, app):
    out = runner.invoke(args=["tracks", "warm", "--since", "2026-11-20"])
    assert out.exit_code == 0, out.output
    assert "410999" in out.output and "计算 computed" in out.output
    conn.rollback()
    days = stored_days(conn)
    assert {date.fromisoformat(d) for d in DAYS} <= set(days)
    assert min(days) == date(2026, 11, 20)    # every settled day from --since, those without points too
    start, end = datetime(2026, 11, 23, tzinfo=LOCAL), datetime(2026, 11, 26, tzinfo=LOCAL)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM patrol_visit_runs")
        runs = cur.fetchone()[0]
    assert runs > 0
    same(service.visit_report(conn, "410999", start, end), full_scan(conn, start, end))
    again = runner.invoke(args=["tracks", "warm", "--since", "2026-11-20"])
    assert again.exit_code == 0 and "计算 computed 0 天" in again.output, again.output


@pytest.mark.parametrize("args, message", [(["--since", "2026-13-01"], "--since"),
                                           (["--since", "9999-01-01"], "--since"),
                                           (["--since", "[1]"], "--since"),
                                           (["--county", "41x999"], "41x999")])
def test_bad_input_is_named_and_nothing_is_stored(tracked, runner, conn, args, message):
    out = runner.invoke(args=["tracks", "warm", *args])
    assert out.exit_code != 0 and message in out.output, out.output
    conn.rollback()
    assert stored_days(conn) == {}


def test_one_warm_up_at_a_time(tracked, runner, app, conn):
    holder = psycopg2.connect(app.config["RESOLVED_DATABASE_URL"])
    try:
        assert visit_runs.try_warmup_lock(holder)
        out = runner.invoke(args=["tracks", "warm"])
        assert out.exit_code != 0 and "另一个进程正在预热" in out.output
        conn.rollback()
        assert stored_days(conn) == {}
    finally:
        holder.close()
    assert runner.invoke(args=["tracks", "warm"]).exit_code == 0   # the lock went with its session


def test_the_nightly_schedule():
    at = time(2, 30)
    assert warmup.next_run(datetime(2026, 12, 5, 1, 0, tzinfo=LOCAL), at) == datetime(2026, 12, 5, 2, 30, tzinfo=LOCAL)
    assert warmup.next_run(datetime(2026, 12, 5, 2, 30, tzinfo=LOCAL), at) == datetime(2026, 12, 6, 2, 30, tzinfo=LOCAL)
    assert warmup.next_run(datetime(2026, 12, 31, 23, 0, tzinfo=LOCAL), at) == datetime(2027, 1, 1, 2, 30, tzinfo=LOCAL)
    assert warmup.default_first(date(2026, 1, 15)) == date(2025, 12, 1)
    assert warmup.parse_at("off") is None and warmup.parse_at("") is None and warmup.parse_at("03:05") == time(3, 5)
    with pytest.raises(ValueError, match="WARM_VISITS_AT"):
        warmup.parse_at("25:00")


def test_the_thread_starts_only_when_asked(app):
    app.config["WARM_VISITS_AT"] = "off"
    assert warmup.start(app) is None
    app.config["WARM_VISITS_AT"] = "02:30"
    thread = warmup.start(app)
    assert thread.daemon and thread.is_alive() and thread.name == "visit-runs-warmup"
