"""Response headers, cookie flags, safe redirects and role checks."""

from __future__ import annotations

import functools
import string
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import audit
from portal.extensions import login_manager, talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

HSTS = "max-age=31536000; includeSubDomains"

# For downloads: a file opened by mistake in the browser can run nothing and load nothing.
DOWNLOAD_CSP = {"default-src": "'none'", "sandbox": "", "frame-ancestors": "'none'"}


class SecureCookiesOverHTTPS:
    """WSGI middleware: on an HTTPS request, every cookie set by any part of the portal
    (session, remember-me, language) is marked Secure. Runs after everything else, so no
    cookie escapes it."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            fixed = []
            for name, value in headers:
                if name.lower() == "set-cookie" and "; secure" not in value.lower():
                    value += "; Secure"
                fixed.append((name, value))
            return start_response(status, fixed, exc_info)

        return self.wsgi_app(environ, secure_start_response)


def register(app: Flask) -> None:
    app.wsgi_app = SecureCookiesOverHTTPS(app.wsgi_app)
    if app.config.get("PROXY_COUNT"):
        # Outermost, so that the scheme seen inside is the one the client used.
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    talisman.init_app(
        app,
        force_https=False,
        session_cookie_secure=False,  # set per request below, when the request is HTTPS
        session_cookie_http_only=True,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        # Talisman would send HSTS whenever a client claims X-Forwarded-Proto: https, trusted or not: the
        # header is set below, on requests that are HTTPS as the trusted proxies (PROXY_COUNT) say.
        strict_transport_security=False,
        x_xss_protection=False,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )

    @app.after_request
    def _harden(response):
        # Pages that depend on who is logged in are never stored by shared caches or the
        # browser's back-forward cache after logout.
        if current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = HSTS
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


_UNSAFE_CHARS = set(string.whitespace) | {"\\"} | {chr(c) for c in range(32)} | {"\x7f"}


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site: a local absolute path, nothing else.

    Refuses scheme-relative (`//x`, `/\\x`), absolute (`https:x`), and anything with
    whitespace or control characters, which browsers strip before parsing."""
    if not target or len(target) > 2000:
        return default
    if any(ch in _UNSAFE_CHARS for ch in target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def roles_required(check):
    """Decorator: anonymous visitors are sent to log in; a logged-in user who does not
    satisfy `check(user)` gets 403, and the attempt goes into the audit log."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not check(current_user):
                audit.denied(f"{request.method} {request.path}")
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


secretariat_required = roles_required(lambda u: u.is_secretariat)
admin_required = roles_required(lambda u: u.is_admin)
