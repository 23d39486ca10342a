"""Query-string parameters checked once, with a 400 naming the parameter."""
from __future__ import annotations

from flask import abort, request


def number_arg(name: str, default: float, low: float, high: float) -> float:
    """A number from the query string within [low, high]; ``default`` when absent or empty."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        abort(400, description=f"参数 {name} 应为数字，而不是 '{raw}'")
    if not low <= value <= high:
        abort(400, description=f"参数 {name} 应在 {low:g} 与 {high:g} 之间，而不是 {value:g}")
    return value
