"""Driving Debian's Chromium with Playwright: where it is, when a page's player is ready, and
where it seeks to."""

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


def watch_seeks(page) -> None:
    """Remember where the next seek lands, in window.seekedTo."""
    page.evaluate("""() => { const p = document.getElementById('player');
        window.seekedTo = undefined;
        p.addEventListener('seeked', () => { window.seekedTo = p.currentTime; },
                           {once: true}); }""")


def seeked_to(page) -> float:
    """Where the seek watch_seeks() watched for landed, once it has."""
    page.wait_for_function("() => window.seekedTo !== undefined", timeout=20_000)
    return page.evaluate("window.seekedTo")
