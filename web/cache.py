"""What pages and analyses build from the data, kept in the process until the data changes.

A map page's parts (megabytes of HTML and GeoJSON) and an analysis's answer take seconds
to build and are the same for everyone until a table they read changes. They are kept
under a key made of what was asked (the page or the request's path and query), the
county, the user's role, today's date (Asia/Shanghai: defaults such as "this quarter"
follow it) and the data version (``layers.versions``: every statement that changes a
tracked table raises it), so a change shows at the next request and nothing stale is
served. Only one request builds a given key at a time; the others wait for its result
instead of building the same thing again (up to HEAVY_WAIT_S, then 429). Entries are dropped least recently used first
when their total size passes MAP_CACHE_MB (default 256) per process. The server's
processes share what they built through files under VAR_DIR/cache (``Shelf``, up to four
times MAP_CACHE_MB): a page is built once, not once per gunicorn worker.

Building runs inside ``web.limits.heavy_slot``: a kept answer costs no heavy slot, a build
takes one (and may be refused with 429 like any heavy request).
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import pickle
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path

from flask import Response, current_app, request
from flask_login import current_user

from geo.calendar import today
from layers.errors import Busy
from layers.versions import data_version
from web import context
from web.limits import acquire_waiting, heavy_slot, wait_left, waiting

LOGGER = logging.getLogger(__name__)
DEFAULT_MB = 256


def size_of(value) -> int:
    """About how many bytes ``value`` holds (strings, bytes, and containers of them)."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, dict):
        return sum(size_of(k) + size_of(v) for k, v in value.items()) + 64
    if isinstance(value, (list, tuple)):
        return sum(size_of(v) for v in value) + 64
    return sys.getsizeof(value)


def _busy() -> Busy:
    return Busy("正在为其他用户生成同样的内容，请稍后刷新", retry_after=5)


def _again_or_build(lookup, build, keep):
    """Once the right to build is held: the value another builder kept meanwhile, or a new
    one, built and kept."""
    found, value = lookup()
    if found:
        return value
    value = build()
    keep(value)
    return value


class Kept:
    """A least-recently-used store of built values, bounded by their total size."""

    def __init__(self, max_bytes: int, wait_s: float = 30.0):
        self.max_bytes = max_bytes
        self.wait_s = wait_s  # how long a request waits for another's build of the same key
        self._entries: OrderedDict = OrderedDict()
        self._sizes: dict = {}
        self._total = 0
        self._lock = threading.Lock()
        self._building: dict = {}
        self.hits = self.builds = 0

    def _lookup(self, key):
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return True, self._entries[key]
        return False, None

    def get(self, key, build):
        """The value kept under ``key``, built by ``build()`` (once, whoever asks) if none is."""
        found, value = self._lookup(key)
        if found:
            return value
        with self._lock:
            building = self._building.setdefault(key, [threading.Lock(), 0])
            building[1] += 1
        try:
            if not acquire_waiting(building[0], wait_left(self.wait_s)):
                raise _busy()
            try:
                return _again_or_build(lambda: self._lookup(key), build, lambda value: self._keep(key, value))
            finally:
                building[0].release()
        finally:
            with self._lock:
                building[1] -= 1
                if not building[1]:
                    self._building.pop(key, None)

    def _keep(self, key, value) -> None:
        size = size_of(value) + size_of(key)  # a key holds what was asked: count it too
        with self._lock:
            self.builds += 1
            if size > self.max_bytes // 4:  # one answer may not push out everything else
                return
            self._entries[key] = value
            self._sizes[key] = size
            self._total += size
            while self._total > self.max_bytes:
                old, _ = self._entries.popitem(last=False)
                self._total -= self._sizes.pop(old)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            self._total = 0


class Shelf:
    """Built values on disk, shared by the server's processes: each gunicorn worker keeps its
    own memory, and a value one of them built is read by the others instead of built again.
    One pickle file per key (under the app's own var/cache, mode 0700), written whole and
    then renamed; a lock file per key, so that one process builds while the others wait (up
    to ``wait_s``, then 429); the oldest files go when the folder passes ``max_bytes``."""

    def __init__(self, folder: Path, max_bytes: int, wait_s: float):
        self.folder, self.max_bytes, self.wait_s = folder, max_bytes, wait_s  # made at the first build

    def get(self, key, build):
        path = self.folder / hashlib.sha256(repr(key).encode("utf-8")).hexdigest()
        found, value = self._load(path)
        if found:
            return value
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "a") as lock:
            self._hold(lock)
            try:
                return _again_or_build(lambda: self._load(path), build, lambda value: self._save(path, value))
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _hold(self, lock) -> None:
        with contextlib.suppress(BlockingIOError):
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        deadline = time.monotonic() + wait_left(self.wait_s)
        with waiting():
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise _busy() from None
                    time.sleep(0.05)

    @staticmethod
    def _load(path: Path):
        try:
            with path.open("rb") as fh:
                return True, pickle.load(fh)
        except FileNotFoundError:
            return False, None
        except Exception:  # a torn or old file: built again
            LOGGER.warning("dropping unreadable kept value %s", path.name, exc_info=True)
            path.unlink(missing_ok=True)
            return False, None

    def _save(self, path: Path, value) -> None:
        tmp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        self._trim()

    def _trim(self) -> None:
        files = []
        for entry in os.scandir(self.folder):
            if "." not in entry.name:
                with contextlib.suppress(FileNotFoundError):
                    stat = entry.stat()
                    files.append((stat.st_mtime, stat.st_size, entry.path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            for gone in (path, path + ".lock"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(gone)
            total -= size


def init_app(app) -> None:
    size, wait = int(app.config.get("MAP_CACHE_MB", DEFAULT_MB)) * 1024 * 1024, float(app.config.get("HEAVY_WAIT_S", 10.0))
    app.extensions["countymap_kept"] = Kept(size, wait)
    app.extensions["countymap_shelf"] = Shelf(Path(app.config["VAR_DIR"]) / "cache", 4 * size, wait)


def _store() -> Kept:
    return current_app.extensions["countymap_kept"]


def code_version() -> str:
    """A digest of the app's own Python, templates and scripts: values the shelf kept on disk
    are not served by a newer version of the code (a page's build may have changed)."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        root, digest = Path(__file__).resolve().parent.parent, hashlib.sha256()
        for folder in ("web", "layers", "geo"):
            for path in sorted((root / folder).rglob("*")):
                if path.suffix in (".py", ".html", ".js", ".css") and "node_modules" not in path.parts:
                    digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
        _CODE_VERSION = digest.hexdigest()[:16]
    return _CODE_VERSION


_CODE_VERSION: str | None = None


def _key(what, per_role: bool = True, tables: tuple[str, ...] | None = None) -> tuple:
    config = current_app.config
    return (what, code_version(), context.code(), current_user.role if per_role else "", today(),
            tables, data_version(context.conn(), tables), config.get("TILE_URL"), config.get("TILE_ATTRIBUTION"))


def built(what, build, heavy: bool = True, per_role: bool = True, tables: tuple[str, ...] | None = None):
    """``build()``'s value for ``what`` (hashable: a page's name and its arguments), kept
    until the data changes; a build runs in the user's heavy slot unless ``heavy`` is false
    (for quick reads asked often, such as a layer's extent, or a part of a heavy build).
    ``per_role``: false when the value is the same whatever the user's role. ``tables``:
    the only tables the value depends on (default: all tracked), so that a change
    elsewhere (a draft list's item) does not rebuild it."""
    def heavy_build():
        with heavy_slot(current_user.name):
            return build()
    key, make = _key(what, per_role, tables), heavy_build if heavy else build
    shelf = current_app.extensions["countymap_shelf"]
    return _store().get(key, lambda: shelf.get(key, make))


def kept_json(what, build) -> Response:
    """A JSON answer of ``build()`` (a value for jsonify) kept like ``built``'s."""
    body = built(what, lambda: current_app.json.dumps(build()).encode("utf-8"))
    return Response(body, status=200, mimetype="application/json")


def kept(view):
    """Keep a GET route's successful JSON answers until the data changes (see module doc);
    other methods, and answers other than 200, pass through. The view builds in a heavy
    slot (do not also wrap it in ``web.limits.heavy``)."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if request.method != "GET":
            with heavy_slot(current_user.name):
                return view(*args, **kwargs)
        what = (request.endpoint, tuple(sorted((request.view_args or {}).items())),
                tuple(sorted(request.args.items(multi=True))))
        try:
            body, mimetype = built(what, lambda: _answer(view(*args, **kwargs)))
        except _NotKept as passed:
            return passed.response
        return Response(body, status=200, mimetype=mimetype)
    return wrapped


class _NotKept(Exception):
    """A view's answer other than 200: passed through, not kept."""

    def __init__(self, response):
        super().__init__()
        self.response = response


def _answer(response) -> tuple[bytes, str]:
    response = current_app.make_response(response)
    if response.status_code != 200:
        raise _NotKept(response)
    return response.get_data(), response.mimetype
