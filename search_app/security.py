"""What keeps the site safe for everyone: login cookies, CSRF tokens and protective headers.

Every form posts a token that only this site's pages carry, so another site cannot make a
logged-in staff member's browser publish or edit. The login cookie is HttpOnly, SameSite=Lax,
and Secure whenever the request came over HTTPS (directly, or through TRUSTED_PROXIES).
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from ontherecord.archive import Archive
from ontherecord.staff import secret_key

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# No inline script anywhere, so an injected <script> or on* attribute would not run even if
# escaping were ever missed. Inline style attributes place the timeline's boxes.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; media-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'self'")


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked Secure when the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure if configured so, or if this request is HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def csrf_token() -> str:
    """The browser's CSRF token (made on first use), for a form's hidden field."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def exempt(view):
    """Mark a view whose posts need no CSRF token: the secret in its address authorizes them.

    A mail program's one-click unsubscribe (RFC 8058) posts with no cookie, so with no token.
    """
    view.csrf_exempt = True
    return view


def check_csrf() -> None:
    """Refuse a state-changing request that does not carry this browser's token."""
    # A request no view will take (404, 405) changes nothing: let it get its own answer.
    if request.method not in UNSAFE or request.routing_exception is not None:
        return
    if getattr(current_app.view_functions.get(request.endpoint or ""), "csrf_exempt", False):
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, "This form has expired or did not come from this site: reload the page "
                   "and try again.")


def protect(response):
    """Headers that stop the browser from sniffing, framing or running injected scripts."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/staff"):
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cache-Control"] = "no-store"  # drafts must not linger in caches
    return response


def register(app: Flask) -> None:
    """Set up the cookie, the key that signs it, the CSRF check and the headers."""
    if not app.config.get("SECRET_KEY"):
        archive = Archive(app.config["ARCHIVE"])
        # Without an archive there are no staff accounts, so a key for this process will do.
        app.config["SECRET_KEY"] = (secret_key(archive) if archive.root.is_dir()
                                    else secrets.token_hex(32))
    if app.config["TRUSTED_PROXIES"]:
        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)
    app.session_interface = CookieSessions()
    app.before_request(check_csrf)
    app.after_request(protect)
    app.jinja_env.globals["csrf_token"] = csrf_token
