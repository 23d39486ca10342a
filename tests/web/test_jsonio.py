"""Long JSON answers are written a slice at a time (web/jsonio.py): the same text as
Flask's own provider, and other threads of the worker run while it is written."""
from __future__ import annotations

import json
import threading
import time

from flask.json.provider import DefaultJSONProvider

from web.jsonio import SlicedJSONProvider


def grid(n: int) -> dict:
    cells = [{"type": "Feature", "properties": {"row": i, "名称": f"村{i}", "gi_p": None, "gi_z": 1.25},
              "geometry": {"type": "Polygon", "coordinates": [[(111.0, 33.0), (111.1, 33.0), (111.0, 33.1)]]}}
             for i in range(n)]
    return {"type": "FeatureCollection", "features": cells, "params": {"cells": n, "classes": [3, 2, 1]}}


def test_the_text_is_flasks_own(app):
    plain, sliced = DefaultJSONProvider(app), SlicedJSONProvider(app)
    plain.ensure_ascii = sliced.ensure_ascii = False
    for doc in (grid(3000), [{"x": list(range(2000))}, {"y": 1}], list(range(600)), {"a": 1}, [],
                {"k": {"deep": {"deeper": list(range(1000))}}}, {3: list(range(700)), 1: 2}):
        for kwargs in ({}, {"separators": (",", ":")}):
            assert sliced.dumps(doc, **kwargs) == plain.dumps(doc, **kwargs)
        assert json.loads(sliced.dumps(doc, indent=2)) == json.loads(plain.dumps(doc))
    with app.test_request_context("/"):
        assert json.loads(app.json.response(grid(1000)).get_data()) == json.loads(plain.dumps(grid(1000)))


def longest_stall(dumps, doc) -> float:
    """The longest time a ticking thread went without running while ``dumps(doc)`` ran."""
    gaps, done = [], threading.Event()

    def tick():
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
    ticker = threading.Thread(target=tick)
    ticker.start()
    time.sleep(0.05)
    dumps(doc)
    done.set()
    ticker.join()
    return max(gaps)


def test_other_threads_run_while_a_long_answer_is_written(app):
    plain, sliced = DefaultJSONProvider(app), SlicedJSONProvider(app)
    doc = grid(60_000)
    stalls = {name: min(longest_stall(p.dumps, doc) for _ in range(2)) for name, p in (("plain", plain), ("sliced", sliced))}
    print(stalls)
    assert stalls["plain"] > 0.1 and stalls["sliced"] < stalls["plain"] / 4
