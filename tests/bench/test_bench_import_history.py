"""Benchmark of the import history's cost (issue 13, item 4): 200,000 incidents from a
GeoPackage imported with the history kept (the entry, the added rows' ids, the before-image
of every row updated or removed) against the same import with no history at all (the
recorder replaced by one that does nothing), on an empty layer (every row added), on a
layer that already holds them (every row updated), and with ``replace``; and the time of
the undo of the import that updated every row. On a shared machine the two wall times
swing by more than the history costs, so the targets are on the time the history's own
steps take (``Timed``), as a share of the import with history: at most 10 % when every
row is added, 25 % when every row is updated, 35 % with replace.
"""
import time

import psycopg2
import pytest

from data.importer import import_file
from data.importer.history import Recorder
from layers import import_history
from tests.bench.report import record
from tests.bench.test_bench_import import _incidents_gpkg

N = 200_000
pytestmark = pytest.mark.bench


SPENT = []


class Timed(Recorder):
    """The recorder, adding the seconds its steps take to SPENT."""

    def _timed(self, step, *args):
        start = time.perf_counter()
        try:
            return step(*args)
        finally:
            SPENT.append(time.perf_counter() - start)

    def start(self):
        return self._timed(super().start)

    def before(self, frame, first):
        return self._timed(super().before, frame, first)

    def added(self, ids):
        return self._timed(super().added, ids)

    def finish(self, added, updated, warnings):
        return self._timed(super().finish, added, updated, warnings)


class NoHistory(Recorder):
    """The import as it was before the history: nothing kept."""

    def start(self):
        pass

    def before(self, frame, first):
        pass

    def added(self, ids):
        pass

    def finish(self, added, updated, warnings):
        pass


def _empty(conn):
    with conn.cursor() as cur:
        cur.execute("TRUNCATE incidents, imports CASCADE")
    conn.commit()


def _timed(conn, path, **kw):
    start = time.perf_counter()
    result = import_file(conn, "incidents", str(path), county_code="410999", actor="bench", **kw)
    conn.commit()
    return time.perf_counter() - start, result


def _pair(conn, path, monkeypatch, preload: bool, **kw):
    """(seconds with history, seconds without, the result with history, the share of the
    import with history its steps took). The import
    without history runs before and after the one with it (their mean is taken), so that a
    warming cache or a busy neighbour on a shared machine weighs on both alike."""
    times = {True: [], False: []}
    for kept in (False, True, False):
        _empty(conn)
        if preload:
            _timed(conn, path)
        SPENT.clear()
        with monkeypatch.context() as m:
            m.setattr("data.importer.Recorder", Timed if kept else NoHistory)
            seconds, got = _timed(conn, path, **kw)
        times[kept].append(seconds)
        if kept:
            result, share = got, sum(SPENT) / seconds
    print(f"\nhistory steps: {share:.1%} of the import with history")
    return times[True][0], sum(times[False]) / 2, result, share


def test_history_overhead_on_200k_incidents(app, tmp_path, monkeypatch):
    path = _incidents_gpkg(tmp_path / "incidents.gpkg", N)
    conn = psycopg2.connect(app.config["RESOLVED_DATABASE_URL"])
    kept, plain, result, added_share = _pair(conn, path, monkeypatch, preload=False)
    assert result.added == N
    record("import 200,000 new incidents with history", kept, plain, "the same import without history",
           target="history steps ≤ 10 %")
    kept, plain, result, updated_share = _pair(conn, path, monkeypatch, preload=True)
    assert result.updated == N
    record("import 200,000 incidents over themselves with history", kept, plain,
           "the same import without history", target="history steps ≤ 25 %")
    _empty(conn)                         # the import with history again, to undo it
    _timed(conn, path)
    _, result = _timed(conn, path)
    start = time.perf_counter()
    import_history.undo(conn, "410999", result.import_id, "bench")
    conn.commit()
    undo = time.perf_counter() - start
    record("undo of the import that updated 200,000 incidents", undo, kept, "the import itself", target="")
    kept, plain, result, replace_share = _pair(conn, path, monkeypatch, preload=True, replace=True)
    record("replace 200,000 incidents with history", kept, plain, "the same import without history",
           target="history steps ≤ 35 %")
    conn.close()
    assert added_share <= 0.10 and updated_share <= 0.25 and replace_share <= 0.35
