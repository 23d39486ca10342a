"""Requests parsed once, at the edge, into the models of ``web.schemas``.

``query``, ``body``, ``form`` read the request and hand it to ``web.schemas.parse`` with
the county's extent (looked up only when a model checks coordinates); a refusal is an
InvalidInput naming the field, answered with 400 by ``web.errors``.
"""
from __future__ import annotations

from flask import g, request

from layers.errors import InvalidInput
from layers.features import county_bounds
from web import context
from web.schemas import parse
from web.schemas import _quarter  # noqa: F401  (re-exported for path values)


def _bounds():
    if "county_bounds" not in g:
        g.county_bounds = county_bounds(context.conn(), context.code())
    return g.county_bounds


def request_args() -> dict:
    """The query string's non-empty values as a plain dict (first value of each key)."""
    return _given(request.args)


def _given(mapping) -> dict:
    """The non-empty values of a query string or form (an empty field counts as absent)."""
    return {k: v for k, v in mapping.to_dict().items() if v != ""}


def query(model, defaults: dict | None = None):
    """The query string as ``model`` (``defaults`` fill what it lacks)."""
    return parse(model, {**(defaults or {}), **_given(request.args)}, {"bounds": _bounds})


def json_object() -> dict:
    """The request's JSON object ({} without a body); 400 when it is not an object."""
    if not request.get_data(cache=True):
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("请求体应为 JSON 对象（{…}）", "body")
    return body


def body(model, defaults: dict | None = None):
    """The JSON body as ``model`` (``defaults`` fill fields the body lacks)."""
    return parse(model, {**(defaults or {}), **json_object()}, {"bounds": _bounds}, "字段 ")


def form(model, defaults: dict | None = None):
    """The submitted form as ``model`` (``defaults`` fill what it lacks)."""
    return parse(model, {**(defaults or {}), **_given(request.form)}, {"bounds": _bounds}, "字段 ")


def body_or_form(model):
    """JSON when the request sends JSON, else the form, as ``model``."""
    return body(model) if request.is_json else form(model)


def quarter(value: str) -> str:
    """A quarter from a path, like 2026Q3 (years 2000–2100)."""
    try:
        return _quarter(value)
    except ValueError as err:
        raise InvalidInput(f"参数 quarter {err}", "quarter") from None

