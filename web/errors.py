"""Every refusal answered in one place: typed errors and HTTP errors become their status,
as JSON for /api and /ogc (and clients asking for JSON), as a Chinese page otherwise.

A request answered with 400 or more is rolled back (``layers.db.init_app``): a refused
request changes nothing.
"""
from __future__ import annotations

import logging

import psycopg2
from flask import Flask, current_app, g, jsonify, render_template, request, url_for
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from layers.errors import (Busy, Conflict, CriteriaNotMet, DatabaseUnavailable, FeatureNotFound, ImportRefused,
                           InvalidInput, LayerNotFound, QuotaShort, TooLarge)

LOGGER = logging.getLogger(__name__)
STATUS = {InvalidInput: 400, ImportRefused: 400, LayerNotFound: 404, FeatureNotFound: 404,
          Conflict: 409, TooLarge: 413, QuotaShort: 422, CriteriaNotMet: 422, Busy: 429, DatabaseUnavailable: 503}
RETRY_AFTER_S = 5  # when the database cannot be reached
KINDS = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "quota_short",
         429: "too_many_requests", 500: "error", 503: "unavailable"}
# OGC API exception codes (the "code" of its exception schema)
OGC_CODES = {400: "InvalidParameterValue", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
             405: "MethodNotAllowed", 409: "Conflict", 413: "PayloadTooLarge", 422: "UnprocessableEntity",
             429: "TooManyRequests", 500: "ServerError", 503: "ServiceUnavailable"}
TITLES = {400: "请求有误", 403: "无权操作", 404: "页面不存在", 405: "不支持的操作", 409: "记录已被修改",
          413: "请求过大", 422: "未达到要求", 429: "请稍后再试", 500: "服务器出错", 503: "暂时无法服务"}
DEFAULTS = {400: "提交的内容有误。", 403: "您的角色无权执行此操作。", 404: "要找的页面或数据不存在。",
            405: "此地址不支持这种操作。", 413: "提交的内容过大（每次最多 16 MB；打卡照片最多 10 MB）。",
            500: "服务器出错，请稍后再试。", 503: "数据库暂时无法连接，请稍后再试。"}


def wants_json() -> bool:
    return request.path.startswith(("/api", "/ogc", "/tiles")) or request.accept_mimetypes.best == "application/json"


def error_response(status: int, message: str, **extra):
    """The answer to a refused request: JSON or the Chinese error page."""
    if wants_json():
        body = {"error": KINDS.get(status, "error"), "message": message,
                "code": OGC_CODES.get(status, "Error"), "description": message, **extra}
        return jsonify(body), status
    return render_template("error.html", title=TITLES.get(status, "出错了"), message=message), status


def _extra(err) -> dict:
    if isinstance(err, Conflict):
        return {err.key: err.current}
    if isinstance(err, QuotaShort):
        return {"shortfall": err.shortfall}
    if isinstance(err, ImportRefused):
        return {"problems": err.problems}
    if isinstance(err, CriteriaNotMet):
        return {"field": err.field, "reasons": err.reasons, "siting": siting_url(err.village)}
    if isinstance(err, (InvalidInput, TooLarge)) and err.field:
        return {"field": err.field}
    return {}


def siting_url(village: str) -> str:
    """The camera siting page of a village (where to add cameras to meet the rule)."""
    return url_for("commander.siting", village=village)


def _typed(err):
    status = next(code for kind, code in STATUS.items() if isinstance(err, kind))
    response, status = error_response(status, str(err), **_extra(err))
    retry = getattr(err, "retry_after", RETRY_AFTER_S if status == 503 else None)
    return (response, status, {"Retry-After": str(retry)}) if retry else (response, status)


def _database_down(err):
    LOGGER.error("database unreachable: %s", str(err).strip())
    if "_login_user" not in g:  # the page must not ask the database who is signed in
        g._login_user = AnonymousUserMixin()
    return _typed(DatabaseUnavailable("数据库暂时无法连接，请稍后再试"))


def _unexpected(err):
    """Anything unforeseen: logged with its traceback, answered 500 in the client's format."""
    LOGGER.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500, DEFAULTS[500])


def _no_nul():
    """Refuse a NUL character anywhere in the path, the query string, the form or the
    headers (PostgreSQL cannot store it): 400 before anything reads it."""
    values = [request.path, *request.args.values(), *request.headers.values()]
    if request.endpoint == "api.upload_file":  # the import page's files: IMPORT_MAX_BYTES, not 16 MB
        request.max_content_length = int(current_app.config.get("IMPORT_MAX_BYTES") or 200 * 1024 * 1024)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values())
    if any("\x00" in v for v in values):
        return error_response(400, "请求中含有不允许的 NUL 字符")
    return None


def _http(err: HTTPException):
    code = err.code or 500
    message = err.description if isinstance(err.description, str) else ""
    if isinstance(err, CSRFError):
        message = "表单已过期或缺少校验码，请返回刷新页面后重新提交。"
    elif not message or message == type(err).description:  # Werkzeug's English default
        message = DEFAULTS.get(code, "")
    response, status = error_response(code, message)
    if hasattr(response, "headers"):
        for key, value in err.get_headers():
            if key.lower() in ("allow", "retry-after"):
                response.headers[key] = value
    return response, status


def init_app(app: Flask) -> None:
    """Register the handlers: each typed error, every HTTP error, a lost database, and
    anything else; and the NUL guard ahead of every other request hook."""
    app.before_request_funcs.setdefault(None, []).insert(0, _no_nul)
    for kind in STATUS:
        app.register_error_handler(kind, _typed)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(psycopg2.OperationalError, _database_down)
    app.register_error_handler(psycopg2.InterfaceError, _database_down)
    app.register_error_handler(Exception, _unexpected)
