"""Driving Debian's Chromium with Playwright: where it is, when a page's player is ready, and
where it seeks to, and logging in as staff."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

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


def log_in(page, url: str, name: str, password: str) -> None:
    """Log in through the form, typing the name and password as a person does."""
    page.goto(f"{url}/staff/login")
    page.get_by_label("Name", exact=True).press_sequentially(name)
    page.get_by_label("Password", exact=True).press_sequentially(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/staff/")
    expect(page.locator(".staffbar .who")).to_have_text(f"Logged in as {name}")
