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
    }
