"""The app's settings and their defaults; each is documented in README.md (a test checks)."""

from __future__ import annotations

from typing import Any

from ontherecord import alerts
from ontherecord.archive import default_root
from ontherecord.bulk import DEFAULT_LICENSE


def waitress_options(config: dict[str, Any]) -> dict[str, Any]:
    """How waitress must serve the app for its settings to hold.

    Waitress refuses bodies over 1 GB and drops X-Forwarded-* headers on its own; the app's
    MAX_CONTENT_LENGTH and TRUSTED_PROXIES (ProxyFix) are to decide those instead.
    """
    return {"max_request_body_size": config["MAX_CONTENT_LENGTH"] + 2**20,
            "clear_untrusted_proxy_headers": not config["TRUSTED_PROXIES"]}


def defaults() -> dict[str, Any]:
    """Default settings; some follow the environment ($ONTHERECORD_ARCHIVE, _MAIL_HOST…)."""
    return {
        "ARCHIVE": str(default_root()),
        "SITE_NAME": "On the Record",
        # None keeps the engine the index was built with; "auto", "whoosh" or "tantivy"
        # rebuilds it so at start-up if it was chosen otherwise (see index.store).
        "SEARCH_ENGINE": None,
        "PAGE_SIZE": 20,
        "SESSIONS_PER_PAGE": 10,
        "HITS_PER_SESSION": 3,
        "SESSIONS_LISTED": 25,
        "PERSON_LINES": 10,
        "SECRET_KEY": None,
        "MODEL": "base",
        "MAX_CONTENT_LENGTH": 8 * 2**30,
        "TRUSTED_PROXIES": 0,
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "ontherecord_session",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "CLIP_MAX_SECONDS": 600,
        "CLIP_CACHE_BYTES": 2 * 2**30,
        # Email alerts: sign-ups a client may make an hour, and how often one address may be
        # sent a confirmation email.
        "ALERT_SIGNUPS_PER_HOUR": 10,
        "ALERT_CONFIRM_MINUTES": 10,
        **alerts.from_environment(),
        # The licence the bulk data file (/data/archive.jsonl) states on its first line.
        "DATA_LICENSE": DEFAULT_LICENSE.name,
        "DATA_LICENSE_URL": DEFAULT_LICENSE.url,
    }
