"""The app's settings and their defaults; each is documented in README.md (a test checks)."""

from __future__ import annotations

from typing import Any

from ontherecord.archive import default_root


def defaults() -> dict[str, Any]:
    """Default settings; the archive folder follows $ONTHERECORD_ARCHIVE when it is set."""
    return {
        "ARCHIVE": str(default_root()),
        "SITE_NAME": "On the Record",
        "PAGE_SIZE": 20,
        "SECRET_KEY": None,
        "MODEL": "base",
        "MAX_CONTENT_LENGTH": 8 * 2**30,
        "TRUSTED_PROXIES": 0,
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "ontherecord_session",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    }
