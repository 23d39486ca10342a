"""Heavy requests are admitted one slot at a time, so that no crowd can exhaust the server.

A heavy request (an analysis, a coverage computation, a route plan, a page that runs
one) takes a slot of its user (HEAVY_PER_USER at once, default 2) and a slot of the
process (HEAVY_TOTAL, default the cores divided among the server's processes, at least
1), waiting up to
HEAVY_WAIT_S seconds (default 10) for the latter; it is refused with 429 and
Retry-After when its user already holds all theirs, when no slot frees in time, or
when the process's memory is above 80% of MEMORY_LIMIT_MB (default 2,048). Each
request's own work is bounded by the budgets of ``web.services.budget`` (413), so the
process stays under MEMORY_LIMIT_MB: about its base plus HEAVY_TOTAL times the largest
budgeted request. The slots are per process (one gunicorn worker holds its own).

A request that waits (for a slot, or for another's build of the same answer) holds one of
the worker's threads (WEB_THREADS) all the while: at most HEAVY_QUEUE of them wait at once
(default the threads less the heavy slots less two), the next is refused at once with 429,
so eight analyses asked together leave threads for the light requests meanwhile.
"""
from __future__ import annotations

import functools
import os
import threading
import time
from collections import Counter
from contextlib import contextmanager

import psutil
from flask import current_app, g, has_request_context
from flask_login import current_user

from layers.errors import Busy

MB = 1024 * 1024
_lock = threading.Lock()
_per_user: Counter = Counter()
_process: threading.BoundedSemaphore | None = None
_process_size = 0
_waiting = 0


def _config(name: str, default):
    return type(default)(current_app.config.get(name, default))


def default_heavy_total() -> int:
    """The cores shared out among the server's processes (WEB_WORKERS, set by
    gunicorn.conf.py), at least one each: heavy work never takes every core from the light
    requests of the other processes."""
    return max(1, (os.cpu_count() or 2) // max(1, int(os.environ.get("WEB_WORKERS", "1"))))


def _process_slots() -> threading.BoundedSemaphore:
    global _process, _process_size
    size = _config("HEAVY_TOTAL", default_heavy_total())
    with _lock:
        if _process is None or _process_size != size:
            _process, _process_size = threading.BoundedSemaphore(size), size
        return _process


def default_heavy_queue() -> int:
    """The worker's threads less its heavy slots less two kept for light requests."""
    threads = int(os.environ.get("WEB_THREADS", "8"))
    return max(1, threads - _config("HEAVY_TOTAL", default_heavy_total()) - 2)


@contextmanager
def waiting():
    """Count the block among the requests that wait; Busy (429) at once when HEAVY_QUEUE
    already do. Outside a request (a command, a script) nothing is counted."""
    global _waiting
    if not has_request_context():
        yield
        return
    with _lock:
        if _waiting >= _config("HEAVY_QUEUE", default_heavy_queue()):
            raise Busy("服务器正忙于其他分析，请稍后再试", retry_after=10)
        _waiting += 1
    try:
        yield
    finally:
        with _lock:
            _waiting -= 1


def acquire_waiting(lock, wait_s: float) -> bool:
    """Take ``lock`` (a Lock or a Semaphore) at once, or wait up to ``wait_s`` among the
    counted waiters (``waiting``)."""
    if lock.acquire(blocking=False):
        return True
    with waiting():
        return lock.acquire(timeout=wait_s)


def memory_used_mb() -> float:
    """This process's resident memory in MB."""
    return psutil.Process().memory_info().rss / MB


def wait_left(wait_s: float) -> float:
    """Seconds this request may still wait for a lock or a slot: its waits together stay
    within ``wait_s`` (HEAVY_WAIT_S), not ``wait_s`` per lock (a page waits on another's
    build of the same value, then on the shelf's lock, then on a heavy slot)."""
    if not has_request_context():
        return wait_s
    deadline = g.get("wait_deadline")
    if deadline is None:
        deadline = g.wait_deadline = time.monotonic() + wait_s
    return max(0.0, min(wait_s, deadline - time.monotonic()))


@contextmanager
def heavy_slot(user: str):
    """Hold a user slot and a process slot for the block; Busy (429) when none is free."""
    per_user = _config("HEAVY_PER_USER", 2)
    limit_mb = _config("MEMORY_LIMIT_MB", 2048)
    with _lock:
        if _per_user[user] >= per_user:
            raise Busy(f"您已有 {per_user} 个分析在运行，请等其完成后再试", retry_after=5)
        _per_user[user] += 1
    try:
        if memory_used_mb() > 0.8 * limit_mb:
            raise Busy("服务器内存紧张，请稍后再试", retry_after=10)
        slots = _process_slots()
        if not acquire_waiting(slots, wait_left(_config("HEAVY_WAIT_S", 10.0))):
            raise Busy("服务器正忙于其他分析，请稍后再试", retry_after=10)
        if has_request_context():
            g.pop("wait_deadline", None)  # the work begins: later waits have a budget of their own
        try:
            yield
        finally:
            slots.release()
    finally:
        with _lock:
            _per_user[user] -= 1


def heavy(view):
    """Run a route's view inside ``heavy_slot`` of the signed-in user."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with heavy_slot(current_user.name):
            return view(*args, **kwargs)
    return wrapped
