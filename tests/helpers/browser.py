"""Driving Debian's Chromium with Playwright: where it is, and when a page's player is ready."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--autoplay-policy=no-user-gesture-required"]
# Opened, the page is waited on until the player knows where it is: metadata loaded, not seeking.
SETTLED = "() => { const p = document.getElementById('player');" \
          " return p.readyState >= 1 && !p.seeking; }"


def player_time(page) -> float:
    """Where the page's player is, once it has settled."""
    page.wait_for_function(SETTLED, timeout=20_000)
    return page.evaluate("document.getElementById('player').currentTime")
