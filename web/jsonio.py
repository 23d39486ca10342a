"""JSON answers that never hold the interpreter for seconds.

The standard library's C encoder writes a whole value in one call without letting other
threads run: a 60,000-cell Gi* grid (tens of MB) stopped every other request of the
worker for seconds (a light request took 10 s while two analyses answered,
tests/web/test_attack_server.py). This provider writes long lists a slice at a time, so
between slices the worker's other threads get their turn; the text is the same as the
standard provider's (Flask's settings: sorted keys, ``ensure_ascii``, its ``default``).
"""
from __future__ import annotations

from flask.json.provider import DefaultJSONProvider

SLICE = 256          # list items written in one call of the C encoder
LONG = 2 * SLICE     # a list longer than this is written in slices


def _long(value, depth: int = 3) -> bool:
    """Whether ``value`` holds a long list within ``depth`` levels."""
    if isinstance(value, (list, tuple)):
        return len(value) > LONG or (depth > 0 and any(_long(v, depth - 1) for v in value))
    if isinstance(value, dict):
        return depth > 0 and any(_long(v, depth - 1) for v in value.values())
    return False


class SlicedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider writing long lists in slices (see the module doc)."""

    def dumps(self, obj, **kwargs) -> str:
        if not _long(obj):
            return super().dumps(obj, **kwargs)
        return "".join(self._pieces(obj, kwargs))

    def _pieces(self, obj, kwargs: dict):
        comma, colon = kwargs.get("separators") or ((",", ": ") if kwargs.get("indent") is not None else (", ", ": "))
        if not _long(obj):
            yield super().dumps(obj, **kwargs)
        elif isinstance(obj, dict):
            keys = sorted(obj) if kwargs.get("sort_keys", self.sort_keys) else list(obj)
            yield "{"
            for i, key in enumerate(keys):
                yield (comma if i else "") + super().dumps(str(key), **kwargs) + colon
                yield from self._pieces(obj[key], kwargs)
            yield "}"
        elif len(obj) <= LONG:  # a short list of values that hold long lists
            yield "["
            for i, item in enumerate(obj):
                yield comma if i else ""
                yield from self._pieces(item, kwargs)
            yield "]"
        else:
            yield "["
            for start in range(0, len(obj), SLICE):
                part = super().dumps(list(obj[start:start + SLICE]), **kwargs)
                yield (comma if start else "") + part[1:-1]
            yield "]"
