"""What a person does in a real browser to follow a search: from its results, the alert link,
an email address, and "check your inbox"."""

from __future__ import annotations

import pytest

from ontherecord import alerts
from tests.helpers.http import serving
from tests.helpers.mail import free_port, mail_settings, smtp_server
from tests.helpers.transcripts import CORPUS, made_archive

pytestmark = pytest.mark.browser


def test_follow_a_search_from_its_results(page, tmp_path):
    archive = made_archive(tmp_path / "archive", CORPUS)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with smtp_server() as (inbox, mail_port), \
            serving(archive, port=port, **mail_settings(mail_port, url)):
        page.goto(f"{url}/search?q=salary")
        page.get_by_role("link", name="Email me when this comes up again").click()
        page.wait_for_url(f"{url}/alerts/?q=salary")
        assert page.get_by_label("Words").input_value() == "salary"
        page.get_by_label("Your email address").fill("reporter@example.org")
        page.get_by_role("button", name="Email me").click()
        page.get_by_role("heading", name="Check your inbox").wait_for()
        assert "reporter@example.org" not in page.content()
        alerts.settle()
        (message,) = inbox.messages
        assert message["To"] == "reporter@example.org"
        assert f"{url}/alerts/confirm/" in message.get_content()
