"""Browsing in a real browser: narrow the session listing with its form, and follow
"Latest session" from the home page."""

from __future__ import annotations

import re

import pytest

from tests.helpers.browse import browse_archive
from tests.helpers.http import serving

pytestmark = pytest.mark.browser

JANUARY, FEBRUARY, MARCH = "2026-01-12-teachers-a", "2026-02-09-esp-b", "2026-03-16-teachers-c"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app over the browse sessions, served over HTTP."""
    with serving(browse_archive(tmp_path_factory.mktemp("browse") / "archive")) as url:
        yield url


def shown(page) -> list[str]:
    """The sessions the listing shows, in order."""
    return page.locator("li.session-entry").evaluate_all(
        "items => items.map(li => li.dataset.session)")


def test_choosing_a_unit_and_dates_changes_the_list(page, server):
    page.goto(f"{server}/sessions/")
    assert shown(page) == [MARCH, FEBRUARY, JANUARY]
    page.select_option("form.browse select[name=unit]", "Teachers")
    page.fill("form.browse input[name=from]", "2026-02-01")
    page.click("form.browse button[type=submit]")
    page.wait_for_url(re.compile(r"/sessions/\?unit=Teachers&from=2026-02-01"))
    assert shown(page) == [MARCH]
    assert page.locator("p.count").inner_text().startswith("1 session")
    # The form keeps the choices, so widening them again starts from what is shown.
    page.fill("form.browse input[name=from]", "")
    page.fill("form.browse input[name=to]", "2026-02-28")
    page.click("form.browse button[type=submit]")
    page.wait_for_url(re.compile(r"unit=Teachers&from=&to=2026-02-28"))
    assert shown(page) == [JANUARY]


def test_latest_session_from_the_home_page(page, server):
    page.goto(server)
    page.get_by_role("link", name="Latest session").click()
    page.wait_for_url(f"{server}/sessions/{MARCH}")
    assert page.locator("h1").inner_text() == "Teachers session of 2026-03-16"
