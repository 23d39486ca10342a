"""Browser protections and the sign-in throttle, set up once by ``init_app(app)``.

Headers (Flask-Talisman) on every answer: a Content-Security-Policy without inline
scripts (each inline script the pages need carries the request's nonce: ``csp_nonce()``
in templates, the ``with_nonce`` filter for folium's header), ``frame-ancestors 'none'``
and X-Frame-Options DENY, X-Content-Type-Options nosniff, Referrer-Policy
strict-origin-when-cross-origin (a Tianditu browser key checks the origin), a
Permissions-Policy. ``style-src`` keeps 'unsafe-inline': Leaflet, folium's map header and
the legends set inline styles. The session cookie is HttpOnly and SameSite=Lax, and
Secure with HSTS and a redirect to https when ``HTTPS`` is set (FLASK_HTTPS=1). Behind a
reverse proxy, ``PROXY`` (FLASK_PROXY=1, the number of proxies) makes werkzeug's ProxyFix
trust their X-Forwarded-For/-Proto/-Host, so that addresses and https are the client's.

Throttling: failed sign-ins (form or HTTP Basic) are counted per account and per address
in Flask-Limiter's storage with its moving-window strategy; once either limit is used up,
sign-in answers 429 with Retry-After until the window has moved on. The default storage
is the process's memory: each server process counts on its own (set
RATELIMIT_STORAGE_URI to a shared store supported by the ``limits`` package otherwise).
"""
from __future__ import annotations

import hashlib
import math
import re
import time
import unicodedata
from urllib.parse import urlsplit

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from limits import parse
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

DEFAULTS = {"HTTPS": False, "PROXY": 0, "RATELIMIT_STORAGE_URI": "memory://",
            "SIGN_IN_LIMIT_ACCOUNT": "10 per 15 minutes", "SIGN_IN_LIMIT_ADDRESS": "30 per 15 minutes"}
CSP = {"default-src": "'self'", "script-src": "'self'", "style-src": "'self' 'unsafe-inline'",
       "img-src": "'self' data:", "font-src": "'self'", "connect-src": "'self'", "object-src": "'none'",
       "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'"}
PERMISSIONS = {"browsing-topics": "()", "camera": "()", "microphone": "()", "geolocation": "()"}
_SCRIPT_TAG = re.compile(r"<script\b(?![^>]*\bnonce=)", re.I)


def flag(value) -> bool:
    """A setting's truth: 1, true, yes, on (FLASK_* values arrive as JSON or text)."""
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def tile_source(tile_url: str) -> str | None:
    """The CSP source of a TILE_URL's host (a first label holding {s}, as in t{s}.tianditu.gov.cn,
    becomes *), or None for the app's own tiles."""
    if not tile_url or tile_url.startswith("/"):
        return None
    parts = urlsplit(tile_url.replace("{s}", "0"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = urlsplit(tile_url).netloc.split(".")
    if "{s}" in host[0] and len(host) > 2:
        host[0] = "*"
    host = ".".join(host)
    return f"{parts.scheme}:" if "{" in host else f"{parts.scheme}://{host}"


def content_security_policy(config) -> dict:
    policy = dict(CSP)
    source = tile_source(config.get("TILE_URL", ""))
    if source:
        policy["img-src"] += " " + source
    return policy


def with_nonce(html) -> Markup:
    """Trusted HTML (folium's map header) with the request's CSP nonce on every <script>."""
    nonce = getattr(request, "csp_nonce", "")
    return Markup(_SCRIPT_TAG.sub(f'<script nonce="{nonce}"', str(html)))


def account_key(name) -> str:
    """The throttle's key of a typed user name: normalised and case-folded like the stored
    one, hashed so that a 100,000-character name costs no memory."""
    folded = unicodedata.normalize("NFKC", str(name or "")).strip().casefold()
    return hashlib.sha256(folded.encode("utf-8", "replace")).hexdigest()[:32]


class SignInThrottle:
    """Failed sign-ins per account and per address, in Flask-Limiter's storage."""

    def __init__(self, strategy, per_account: str, per_address: str):
        self.strategy = strategy  # None: throttling is off (RATELIMIT_ENABLED=False)
        self.limits = {"account": parse(per_account), "address": parse(per_address)}

    def _ids(self, name, address) -> dict:
        return {"account": ("sign-in", "account", account_key(name)),
                "address": ("sign-in", "address", address or "unknown")}

    def wait(self, name, address) -> int:
        """Seconds until a sign-in may be tried again; 0 when it may be tried now."""
        if self.strategy is None:
            return 0
        waits = [self.strategy.get_window_stats(self.limits[kind], *ids).reset_time - time.time()
                 for kind, ids in self._ids(name, address).items()
                 if not self.strategy.test(self.limits[kind], *ids)]
        return max(1, math.ceil(max(waits))) if waits else 0

    def failed(self, name, address) -> bool:
        """Count a failure; return whether it used up a limit."""
        if self.strategy is None:
            return False
        for kind, ids in self._ids(name, address).items():
            self.strategy.hit(self.limits[kind], *ids)
        return self.wait(name, address) > 0


def throttle() -> SignInThrottle:
    return current_app.extensions["countymap_throttle"]


def init_app(app) -> None:
    """Proxy headers, security headers and cookies, the nonce filter and the throttle."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    https, proxies = flag(app.config["HTTPS"]), int(app.config["PROXY"] or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_port=proxies, x_prefix=proxies)
    Talisman(app, force_https=https, frame_options="DENY",
             content_security_policy=content_security_policy(app.config),
             content_security_policy_nonce_in=["script-src"], permissions_policy=PERMISSIONS,
             referrer_policy="strict-origin-when-cross-origin", strict_transport_security=https,
             strict_transport_security_include_subdomains=False, session_cookie_secure=https,
             session_cookie_http_only=True, session_cookie_samesite="Lax")
    app.config.update(SESSION_COOKIE_SECURE=https, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.jinja_env.filters["with_nonce"] = with_nonce
    limiter = Limiter(get_remote_address, app=app, strategy="moving-window")
    app.extensions["countymap_throttle"] = SignInThrottle(
        limiter.limiter if limiter.enabled else None,
        app.config["SIGN_IN_LIMIT_ACCOUNT"], app.config["SIGN_IN_LIMIT_ADDRESS"])
