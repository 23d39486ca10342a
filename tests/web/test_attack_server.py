"""The production server (gunicorn, gunicorn.conf.py) under the attack that once killed it.

Eight leaders at once asked for a 100 m kernel density with a 10 km bandwidth (22.7 s, a
63 MB answer, 4.9 GB each): now refused by the budget in milliseconds. Eight heavy but
allowed analyses at once (a 150 m grid, every cell) are admitted two at a time, a few wait
and the rest are told at once to come back (HEAVY_QUEUE: waiting requests hold threads);
the worker's memory stays under MEMORY_LIMIT_MB all along and a light request is answered
meanwhile in well under the analyses' time (it once took 10 s: every thread was waiting,
and the JSON encoder held the interpreter for seconds, web/jsonio.py).
"""
from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from base64 import b64encode
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LIMIT_MB = 1536
ATTACK = "/api/hotspots/density?quarter=2026Q3&cell_m=100&band_m=2000&bandwidth_m=10000"
HEAVY = "/api/hotspots/grid?quarter=2026Q3&cell_m=150&band_m=1500&all=1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base: str, path: str, role: str = "leader", password: str = PASSWORD) -> tuple[int, float, dict]:
    token = b64encode(f"{role}:{password}".encode()).decode()
    req = urllib.request.Request(base + path, headers={"Authorization": f"Basic {token}"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            resp.read()
            return resp.status, time.perf_counter() - start, dict(resp.headers)
    except urllib.error.HTTPError as err:
        err.read()
        return err.code, time.perf_counter() - start, dict(err.headers)


class Sampler(threading.Thread):
    """The peak resident memory of a process and its children, sampled every 50 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root, self.peak, self.running = psutil.Process(pid), 0, True

    def run(self):
        while self.running:
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                self.peak = max(self.peak, max(p.memory_info().rss for p in procs[1:] or procs))
            except psutil.Error:
                pass
            time.sleep(0.05)


@pytest.fixture
def server(demo_app, tmp_path):
    url = demo_app.config["RESOLVED_DATABASE_URL"]
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "FLASK_SECRET_KEY": "test", "FLASK_VAR_DIR": str(tmp_path),
           "FLASK_MEMORY_LIMIT_MB": str(LIMIT_MB), "FLASK_HEAVY_TOTAL": "2", "FLASK_HEAVY_WAIT_S": "5",
           "FLASK_RATELIMIT_ENABLED": "false", "BIND": f"127.0.0.1:{port}", "WEB_WORKERS": "1"}
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "web:create_app()"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if get(base, "/login")[0] == 200:
                break
        except OSError:
            time.sleep(0.25)
    yield base, proc.pid
    proc.terminate()
    proc.wait(30)


def test_eight_attacks_at_once_are_refused_and_the_server_answers(server):
    base, pid = server
    sampler = Sampler(pid)
    sampler.start()
    with ThreadPoolExecutor(8) as pool:
        attacks = list(pool.map(lambda _: get(base, ATTACK), range(8)))
    assert [status for status, _, _ in attacks] == [413] * 8
    assert max(seconds for _, seconds, _ in attacks) < 5

    with ThreadPoolExecutor(9) as pool:
        heavy = [pool.submit(get, base, HEAVY, role) for role in ("leader", "planner") * 4]
        time.sleep(1)
        light = get(base, "/api/patrol/staffing", "commander")
        results = [f.result() for f in heavy]
    sampler.running = False
    statuses = sorted(status for status, _, _ in results)
    print(f"\nheavy statuses {statuses}; light request {light[1]:.2f} s; peak {sampler.peak / 2**20:.0f} MB")
    assert set(statuses) <= {200, 429} and statuses.count(200) >= 2
    assert all(int(h["Retry-After"]) > 0 for status, _, h in results if status == 429)
    assert light[0] == 200 and light[1] < 3
    assert sampler.peak < LIMIT_MB * 2**20
    assert get(base, "/api/hotspots/quota?quarter=2026Q3")[0] == 200
