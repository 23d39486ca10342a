"""The county map service: Flask app factory."""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask, jsonify, render_template, request

from layers import db
from layers.errors import FeatureNotFound, ImportRefused, LayerNotFound

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(var_dir: Path) -> str:
    """A key kept in var/ so sessions survive restarts."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then FLASK_* environment, then ``config``."""
    app = Flask(__name__)
    app.config.from_mapping(
        VAR_DIR=str(ROOT / "var"),
        COUNTY_CODE="410999",
        COUNTY_NAME="示范县",
        TILE_URL="",
        TILE_ATTRIBUTION="",
        DATABASE_URL=os.environ.get("DATABASE_URL", ""),
        WTF_CSRF_CHECK_DEFAULT=False,
        JSON_AS_ASCII=False,
    )
    app.config.from_prefixed_env()
    if os.environ.get("TILE_URL"):
        app.config["TILE_URL"] = os.environ["TILE_URL"]
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.config["VAR_DIR"]))
    app.json.ensure_ascii = False
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    from web import cli

    cli.init_app(app)
    if not app.config.get("SKIP_DB"):
        db.init_app(app)

    from web import (auth, coverage, coverage_pages, hotspot_lists, hotspots, patrol, patrol_pages,
                     planner_pages, remediation, remediation_pages, views)

    auth.init_app(app)
    app.register_blueprint(auth.bp)
    views.register(app)
    app.register_blueprint(remediation.bp)
    app.register_blueprint(remediation_pages.bp)
    app.register_blueprint(coverage.bp)
    app.register_blueprint(coverage_pages.bp)
    app.register_blueprint(hotspot_lists.bp)
    app.register_blueprint(hotspots.bp)
    app.register_blueprint(patrol.bp)
    app.register_blueprint(patrol_pages.bp)
    app.register_blueprint(planner_pages.bp)
    _register_errors(app)
    return app


def _register_errors(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith(("/api", "/ogc")) or request.accept_mimetypes.best == "application/json"

    @app.errorhandler(LayerNotFound)
    @app.errorhandler(FeatureNotFound)
    def _not_found(err):
        return jsonify({"error": "not_found", "message": str(err)}), 404

    @app.errorhandler(ImportRefused)
    def _refused(err):
        return jsonify({"error": "refused", "message": str(err), "problems": err.problems}), 400

    titles = {400: "请求有误", 403: "无权操作", 404: "页面不存在", 405: "不支持的操作"}
    defaults = {400: "提交的内容有误。", 403: "您的角色无权执行此操作。",
                404: "要找的页面或数据不存在。", 405: "此地址不支持这种操作。"}

    def _page(err):
        from flask_wtf.csrf import CSRFError

        code = err.code or 500
        message = err.description if isinstance(err.description, str) else ""
        if isinstance(err, CSRFError):
            message = "表单已过期或缺少校验码，请返回刷新页面后重新提交。"
        elif not message or message == type(err).description:  # Werkzeug's English default
            message = defaults.get(code, "")
        if wants_json():
            kind = {400: "bad_request", 403: "forbidden", 404: "not_found"}.get(code, "error")
            return jsonify({"error": kind, "message": message}), code
        return render_template("error.html", title=titles.get(code, "出错了"), message=message), code

    for code in (400, 403, 404, 405):
        app.register_error_handler(code, _page)
