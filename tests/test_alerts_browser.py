"""What a person does in a real browser to follow a search: from its results, the alert link,
an email address, and "check your inbox"; then the email's links: Confirm, a moment of the new
session that matched (the player there, the words marked), and Stop."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ontherecord import alerts, service
from tests.helpers.browser import player_time
from tests.helpers.http import serving
from tests.helpers.mail import free_port, links, mail_settings, smtp_server
from tests.helpers.media import make_clip
from tests.helpers.transcripts import CORPUS, MARCH, SALARY_LINES, add_draft, made_archive

pytestmark = pytest.mark.browser

ADDRESS = "reporter@example.org"


def test_follow_a_search_confirm_be_alerted_and_stop(page, tmp_path):
    archive = made_archive(tmp_path / "archive", CORPUS)
    recording = make_clip(tmp_path, "ogg").read_bytes()  # for the player to seek in
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def publish(session_id: str) -> list:
        """Publish a new session that says "salary"; the email it made go out."""
        add_draft(archive, session_id, SALARY_LINES, MARCH.speakers, media=recording)
        service.publish(archive, session_id)
        alerts.settle()  # waits for the background delivery, however long it takes
        return inbox.to(ADDRESS)

    with smtp_server() as (inbox, mail_port), \
            serving(archive, port=port, **mail_settings(mail_port, url)):
        page.goto(f"{url}/search?q=salary")
        page.get_by_role("link", name="Email me when this comes up again").click()
        page.wait_for_url(f"{url}/alerts/?q=salary")
        assert page.get_by_label("Words").input_value() == "salary"
        page.get_by_label("Your email address").fill(ADDRESS)
        page.get_by_role("button", name="Email me").click()
        page.get_by_role("heading", name="Check your inbox").wait_for()
        assert ADDRESS not in page.content()
        alerts.settle()
        (confirmation,) = inbox.take()
        assert confirmation["To"] == ADDRESS

        # The confirmation link opens a page with one button; pressing it starts the alerts.
        (confirm,) = [u for u in links(confirmation) if u.startswith(f"{url}/alerts/confirm/")]
        page.goto(confirm)
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("heading", name="Alert confirmed").wait_for()
        assert "You will get an email whenever" in page.inner_text("main")

        (alert,) = publish("2026-12-02-salary")
        inbox.take()
        moments = [u for u in links(alert) if "?t=" in u]
        stops = [u for u in links(alert) if u.startswith(f"{url}/alerts/unsubscribe/")]
        assert len(moments) == 2 and stops

        # A moment's link: the session, its player at that moment, the matched words marked.
        said_at = SALARY_LINES[2][0]  # the last moment: "The district salary offer is final."
        page.goto(moments[-1])
        assert urlsplit(page.url).path == "/sessions/2026-12-02-salary"
        assert player_time(page) == pytest.approx(said_at, abs=0.5)
        assert page.locator("#transcript li.match").evaluate_all(
            "lis => lis.map(li => li.id)") == ["seg-1", "seg-2"]
        assert page.locator("#transcript li.match mark").all_inner_texts() == ["salary"] * 2

        # The unsubscribe link opens a page with one button; pressing it stops the alerts.
        page.goto(stops[0])
        page.get_by_role("button", name="Stop").click()
        page.get_by_role("heading", name="Alerts stopped").wait_for()
        assert "You will get no more of these alerts." in page.inner_text("main")
        assert publish("2026-12-03-salary") == []
