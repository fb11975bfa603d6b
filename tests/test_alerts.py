"""Email alerts sent when a session is published: matched, batched per address, linked to
each moment, with one-click unsubscribe headers; owed alerts survive a mail server being
down; never sent twice. A real SMTP server on 127.0.0.1 receives them."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import pytest

from index.query import Filters
from ontherecord import alerts, service
from ontherecord.alerts import MailSettings
from ontherecord.errors import InputError
from ontherecord.subscriptions import Followed, Subscription, Subscriptions
from tests.helpers.cli import ok
from tests.helpers.mail import SENDER, body, free_port, links, mail_settings, smtp_server
from tests.helpers.transcripts import CORPUS, MARCH, add_draft, made_archive

SITE = "http://127.0.0.1:5000"
SALARY_LINES = [(0.0, 4.0, "S1", "Good morning everyone."),
                (4.0, 9.0, "S1", "Our salary proposal stands."),
                (9.0, 15.0, "S2", "The district salary offer is final."),
                (15.0, 20.0, "S2", "We can talk about class size next.")]
STRIKE_LINES = [(0.0, 5.0, "S1", "A strike vote is possible.")]


@pytest.fixture
def inbox():
    with smtp_server() as (inbox, port):
        inbox.port = port
        yield inbox


@pytest.fixture
def archive(tmp_path, inbox):
    """Hand-made published sessions, with alerts sent to the test server."""
    made = made_archive(tmp_path / "archive", CORPUS)
    alerts.listen(made, MailSettings.from_config(mail_settings(inbox.port, SITE)))
    yield made
    alerts.settle()


def follow(archive, address: str, followed: Followed, confirm: bool = True) -> Subscription:
    """Sign an address up for a search (and confirm it), as the web pages do."""
    store = Subscriptions(archive.alerts_path)
    token = store.sign_up(address, followed, "127.0.0.1", 100, 0)
    assert token
    public = [s.id for s in archive.public_sessions()]
    found = store.confirm(token, public) if confirm else store.by_confirmation(token)
    assert found
    return found


def publish(archive, session_id: str, lines=SALARY_LINES) -> None:
    """Add a draft and publish it through the service, then wait for the alerts it sends."""
    add_draft(archive, session_id, lines, MARCH.speakers)
    service.publish(archive, session_id)
    alerts.settle()


def test_mail_settings_from_the_app_or_the_environment(monkeypatch):
    assert not MailSettings().ready
    settings = MailSettings.from_config({"MAIL_HOST": "smtp.example.org", "MAIL_FROM": SENDER,
                                         "SITE_URL": "https://example.org/"})
    assert settings.ready and settings.port == 587 and settings.tls == "starttls"
    assert settings.site_url == "https://example.org"
    assert MailSettings.from_config({"MAIL_TLS": "ssl"}).port == 465
    assert MailSettings.from_config({"MAIL_TLS": "none", "MAIL_PORT": "2525"}).port == 2525
    with pytest.raises(InputError, match="MAIL_TLS must be one of none, starttls, ssl"):
        MailSettings.from_config({"MAIL_TLS": "tls"})
    monkeypatch.setenv("ONTHERECORD_MAIL_HOST", "mail.example.org")
    monkeypatch.setenv("ONTHERECORD_MAIL_PORT", "26")
    assert MailSettings.from_env().host == "mail.example.org"
    assert MailSettings.from_env().port == 26


def test_a_publication_alerts_each_address_once_with_every_search_it_matched(archive, inbox):
    salary = follow(archive, "a@example.org", Followed("salary"))
    district = follow(archive, "a@example.org",
                      Followed("offer", Filters(speaker="Mark Ellison")))
    follow(archive, "b@example.org", Followed("salary"))
    follow(archive, "c@example.org", Followed("strike"))  # not said
    publish(archive, "2026-12-01-salary")

    (mine,), (theirs,) = inbox.to("a@example.org"), inbox.to("b@example.org")
    assert len(inbox.messages) == 2
    assert mine["From"] == SENDER
    assert mine["Subject"] == "2 of your searches came up in Session 2026-12-01-salary"
    assert theirs["Subject"] == "“salary” came up in Session 2026-12-01-salary"
    text = body(mine)
    assert "“salary”: 2 moments" in text and "“offer” said by Mark Ellison: 1 moment" in text
    # Each moment quoted, with its speaker and time, in the order spoken, linked to its second.
    assert text.index("[00:00:04] Jane Doe: “Our salary proposal stands.”") < \
        text.index("[00:00:09] Mark Ellison: “The district salary offer is final.”")
    moments = [parse_qs(urlsplit(u).query) for u in links(mine) if "?t=" in u]
    assert [(m["t"], m["q"]) for m in moments] == [
        (["4.0"], ["salary"]), (["9.0"], ["salary"]), (["9.0"], ["offer"])]
    assert all(u.startswith(f"{SITE}/sessions/2026-12-01-salary?") for u in links(mine)
               if "?t=" in u)
    # A link to stop each search, and every one; the one-click header stops every one.
    assert f"{SITE}/alerts/unsubscribe/{salary.unsubscribe_token}" in links(mine)
    assert f"{SITE}/alerts/unsubscribe/{district.unsubscribe_token}" in links(mine)
    every = f"{SITE}/alerts/unsubscribe/{salary.unsubscribe_token}?all=1"
    assert mine["List-Unsubscribe"] == f"<{every}>" and every in links(mine)
    assert mine["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_moments_past_the_first_few_are_a_link_away(archive, inbox):
    follow(archive, "a@example.org", Followed("salary"))
    publish(archive, "2026-12-01-many", [(n * 5.0, n * 5.0 + 5, "S1", f"Salary point {n}.")
                                         for n in range(alerts.HITS + 2)])
    (message,) = inbox.messages
    assert body(message).count("Jane Doe: “Salary point") == alerts.HITS
    assert f"… and 2 more: {SITE}/sessions/2026-12-01-many?q=salary" in body(message)


def test_unconfirmed_unmatched_and_earlier_sessions_send_nothing(archive, inbox):
    follow(archive, "pending@example.org", Followed("salary"), confirm=False)
    strike = follow(archive, "strike@example.org", Followed("strike"))
    publish(archive, "2026-12-01-salary")
    assert inbox.messages == []
    # Found not to match, the pair is recorded: it is not searched again at every start-up.
    store = Subscriptions(archive.alerts_path)
    assert (strike.id, "2026-12-01-salary") in store.dealt_with()
    # Sessions public when the subscription was confirmed are no news to the subscriber.
    follow(archive, "late@example.org", Followed("salary OR caps"))
    assert alerts.deliver(archive, MailSettings.from_config(mail_settings(inbox.port))) == 0
    assert inbox.messages == []


def test_an_alert_is_sent_once_however_often_delivery_runs(archive, inbox):
    follow(archive, "a@example.org", Followed("salary"))
    publish(archive, "2026-12-01-salary")
    assert len(inbox.take()) == 1
    mail = MailSettings.from_config(mail_settings(inbox.port))
    runs = [threading.Thread(target=alerts.deliver, args=(archive, mail)) for _ in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    # Withdrawn and published again, it is the same publication.
    service.change_state(archive, "2026-12-01-salary", "withdraw")
    service.publish(archive, "2026-12-01-salary")
    alerts.settle()
    assert inbox.messages == []


def test_after_unsubscribing_the_next_publication_sends_nothing(archive, inbox):
    sub = follow(archive, "a@example.org", Followed("salary"))
    Subscriptions(archive.alerts_path).unsubscribe(sub.unsubscribe_token)
    publish(archive, "2026-12-01-salary")
    assert inbox.messages == []


def test_alerts_held_up_by_a_mail_server_that_is_down_go_later(archive, inbox, caplog):
    assert follow(archive, "a@example.org", Followed("salary")).id == 1
    alerts.listen(archive, MailSettings.from_config(mail_settings(free_port())))
    publish(archive, "2026-12-01-salary")  # the publication itself does not fail
    assert service.publish(archive, "2026-12-01-salary").session.public
    assert "alerts owed are sent at the next publication or start-up" in caplog.text
    assert (1, "2026-12-01-salary") not in Subscriptions(archive.alerts_path).dealt_with()
    # The next publication sends what is owed, the earlier session's alert included.
    alerts.listen(archive, MailSettings.from_config(mail_settings(inbox.port, SITE)))
    publish(archive, "2026-12-02-strike", STRIKE_LINES)
    (message,) = inbox.messages
    assert "2026-12-01-salary" in message["Subject"]


def test_a_publication_by_the_command_line_sends_alerts(archive, inbox, monkeypatch,
                                                         cli_process):
    """The real command, in a process of its own, reads the mail settings from the
    environment, and does not exit before its alerts are sent."""
    follow(archive, "a@example.org", Followed("salary"))
    add_draft(archive, "2026-12-01-salary", SALARY_LINES, MARCH.speakers)
    for name, value in mail_settings(inbox.port, SITE).items():
        monkeypatch.setenv(f"ONTHERECORD_{name}", str(value))
    ok(cli_process("publish", "2026-12-01-salary", archive=archive.root))
    (message,) = inbox.messages
    assert message["To"] == "a@example.org"
    assert f"{SITE}/sessions/2026-12-01-salary?t=4.0&q=salary" in links(message)


def test_a_session_not_yet_in_the_index_waits_for_it(archive, inbox):
    """A delivery that runs between a publication's save and its indexing must not find the
    session empty and write it off: it leaves it for the announcement that follows."""
    follow(archive, "a@example.org", Followed("salary"))
    add_draft(archive, "2026-12-01-salary", SALARY_LINES, MARCH.speakers)
    session = archive.session("2026-12-01-salary")
    session.state, session.version = "published", session.version + 1
    archive.save_session(session)  # saved public, as service does before it reconciles
    mail = MailSettings.from_config(mail_settings(inbox.port, SITE))
    assert alerts.deliver(archive, mail) == 0
    assert (1, "2026-12-01-salary") not in Subscriptions(archive.alerts_path).dealt_with()
    service.heal(archive)  # the index catches up
    assert alerts.deliver(archive, mail) == 1
