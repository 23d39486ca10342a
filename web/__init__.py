"""The county map service: the Flask app factory.

web/services  what users ask for, composed from layers/ and geo/ (no Flask)
web/api       the JSON API (/api), one module per capability
web/pages     pages for people: home and one blueprint per user
web/ogc       OGC API - Features (/ogc)
web/maps      folium maps (no database, no request)
web/errors    every typed error and HTTP error answered once; a refused request changes nothing
"""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask
from flask_compress import Compress

from layers import db
from web.jsonio import SlicedJSONProvider

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(var_dir: Path) -> str:
    """A key kept in var/ so sessions survive restarts."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


TEXT_SETTINGS = ("COUNTY_CODE", "COUNTY_NAME", "TILE_URL", "TILE_ATTRIBUTION", "SECRET_KEY")


def _configure(app: Flask, config: dict | None) -> None:
    app.config.from_mapping(
        VAR_DIR=str(ROOT / "var"), COUNTY_CODE="410999", COUNTY_NAME="示范县", TILE_URL="",
        TILE_ATTRIBUTION="", DATABASE_URL=os.environ.get("DATABASE_URL", ""),
        WTF_CSRF_CHECK_DEFAULT=False, JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,  # request bodies (imports go through the CLI)
        COMPRESS_MIMETYPES=["text/html", "text/css", "text/csv", "application/javascript", "application/json",
                            "application/vnd.mapbox-vector-tile",
                            "application/geo+json", "application/schema+json", "image/svg+xml",
                            "application/vnd.oai.openapi+json;version=3.0"],
        COMPRESS_MIN_SIZE=1024, COMPRESS_LEVEL=5, COMPRESS_ALGORITHM=["gzip"])
    app.config.from_prefixed_env()
    if os.environ.get("TILE_URL"):
        app.config["TILE_URL"] = os.environ["TILE_URL"]
    if config:
        app.config.update(config)
    for key in TEXT_SETTINGS:  # FLASK_* values are read as JSON: 410999 would be a number
        if app.config.get(key) is not None:
            app.config[key] = str(app.config[key])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.config["VAR_DIR"]))
    app.json = SlicedJSONProvider(app)
    app.json.ensure_ascii = False


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then FLASK_* environment, then ``config``."""
    app = Flask(__name__)
    _configure(app, config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    from web import api, auth, cache, cli, errors, ogc, osmand, pages, scope, security, tiles
    from web.services import budget

    budget.configure(app.config)
    cache.init_app(app)
    cli.init_app(app)
    if not app.config.get("SKIP_DB"):
        db.init_app(app)
    security.init_app(app)
    app.extensions["countymap_compress"] = Compress(app)  # gzip for answers over 1 KB the client accepts
    auth.init_app(app)
    scope.init_app(app)  # after sign-in: ?county= is checked against the user's counties
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(ogc.bp)
    app.register_blueprint(tiles.bp)
    osmand.init_app(app)  # patrol phones: no session, no CSRF (web.auth.OPEN_ENDPOINTS)
    pages.register(app)
    errors.init_app(app)
    return app
