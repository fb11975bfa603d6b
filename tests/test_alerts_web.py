"""Email alerts over HTTP: a visitor follows a search from its results page, confirms from the
email, gets one alert per publication with links that work, and stops them; limits, bad input,
privacy, restarts and a mail server that was down. A real SMTP server receives the email."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, urlsplit

import pytest

from ontherecord import alerts, service
from ontherecord.subscriptions import Subscriptions
from search_app import create_app
from tests.helpers.cli import ok
from tests.helpers.html import no_traceback, squash
from tests.helpers.http import Client, client_over, serving
from tests.helpers.mail import body, free_port, links, mail_settings, smtp_server
from tests.helpers.transcripts import CORPUS, MARCH, SALARY_LINES, add_draft, made_archive

ADDRESS = "reporter@example.org"


class Site:
    """The app served with mail settings that reach a test SMTP server."""

    def __init__(self, archive, inbox, mail_port: int) -> None:
        self.archive, self.inbox, self.mail_port = archive, inbox, mail_port

    @contextlib.contextmanager
    def up(self, **settings):
        """The app served on a port of its own, which SITE_URL names; yields its URL."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with serving(self.archive, port=port, **{**mail_settings(self.mail_port, url),
                                                 **settings}) as served:
            assert served == url
            yield url
        alerts.settle()

    def publish(self, session_id: str, lines=SALARY_LINES) -> list:
        """Publish a new session through the service; the email it made go out."""
        add_draft(self.archive, session_id, lines, MARCH.speakers)
        service.publish(self.archive, session_id)
        alerts.settle()
        return self.inbox.take()


@pytest.fixture
def site(tmp_path):
    with smtp_server() as (inbox, port):
        yield Site(made_archive(tmp_path / "archive", CORPUS), inbox, port)


def sign_up(client: Client, search: str, address: str = ADDRESS):
    """Fill in the sign-up form of a search, as a person would."""
    return client.submit(f"/alerts/?{search}", "/alerts/subscribe", email=address)


def path_of(url: str) -> str:
    """The path and query of an absolute link."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def confirm(client: Client, message) -> str:
    """Follow a confirmation email's link and press Confirm; the page's text."""
    (link,) = [path_of(u) for u in links(message) if "/alerts/confirm/" in u]
    reply = client.submit(link, link)
    assert reply.status == 200
    return squash(reply.page.text)


def test_follow_confirm_be_alerted_once_and_stop(site):
    with site.up(ALERT_CONFIRM_MINUTES=0) as url:
        client = Client(url)
        results = client.get("/search", q="salary")
        (link,) = results.page.find_all("a", class_="alert-link")
        assert squash(link.text) == "Email me when this comes up again"
        assert link["href"] == "/alerts/?q=salary"
        sent = sign_up(client, "q=salary")
        assert sent.status == 200 and "Check your inbox" in sent.text
        assert sign_up(client, "q=offer&speaker=Mark+Ellison").status == 200
        alerts.settle()
        confirmations = site.inbox.take()
        assert [m["To"] for m in confirmations] == [ADDRESS, ADDRESS]
        # Nothing is sent for a search until it is confirmed.
        assert site.publish("2026-12-01-early") == []
        for message in confirmations:
            assert "You will get an email whenever" in confirm(client, message)

        (alert,) = site.publish("2026-12-02-salary")
        assert alert["To"] == ADDRESS
        assert alert["Subject"] == "2 of your searches came up in Session 2026-12-02-salary"
        moments = [u for u in links(alert) if "?t=" in u]
        assert len(moments) == 3 and all(u.startswith(url) for u in links(alert))
        for moment in moments:
            page = client.get(path_of(moment))
            t = parse_qs(urlsplit(moment).query)["t"][0]
            assert page.status == 200
            assert page.page.find(id="player")["data-start"] == f"{float(t):.2f}"

        # The one-click header's link: a page with one button, then no more alerts.
        every = alert["List-Unsubscribe"].strip("<>")
        page = client.get(path_of(every))
        assert "Press Stop to end every alert to this address." in squash(page.page.text)
        stopped = client.submit(path_of(every), path_of(every))
        assert stopped.status == 200 and "Alerts stopped" in stopped.text
        assert site.publish("2026-12-03-salary") == []


def test_a_mail_program_unsubscribes_in_one_click(site):
    """RFC 8058: the mail program posts List-Unsubscribe=One-Click, with no cookie or token."""
    with site.up() as url:
        client = Client(url)
        sign_up(client, "q=salary")
        alerts.settle()
        (confirmation,) = site.inbox.take()
        confirm(client, confirmation)
        (alert,) = site.publish("2026-12-01-salary")
        reply = Client(url).post(path_of(alert["List-Unsubscribe"].strip("<>")),
                                 b"List-Unsubscribe=One-Click",
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        assert reply.status == 200
        assert site.publish("2026-12-02-salary") == []
        assert Subscriptions(site.archive.alerts_path).confirmed() == []


def test_no_address_is_shown_and_every_sign_up_answers_the_same(site):
    with site.up(ALERT_CONFIRM_MINUTES=0) as url:
        client = Client(url)
        first = sign_up(client, "q=salary")
        alerts.settle()
        (confirmation,) = site.inbox.take()
        confirm(client, confirmation)
        again = sign_up(Client(url), "q=salary")  # already subscribed: no email, same page
        other = sign_up(Client(url), "q=salary", "someone.else@example.org")
        assert squash(first.page.find("main").text) == squash(again.page.find("main").text) \
            == squash(other.page.find("main").text)
        alerts.settle()
        assert [m["To"] for m in site.inbox.take()] == ["someone.else@example.org"]
        (alert,) = site.publish("2026-12-01-salary")
        pages = ["/", "/search?q=salary", "/alerts/?q=salary", "/sessions/2026-12-01-salary",
                 *[path_of(u) for u in links(alert) if "/alerts/" in u]]
        for path in pages:
            reply = Client(url).get(path)
            assert reply.status == 200, path
            assert "reporter" not in reply.text, path


def test_sign_ups_are_rate_limited(site):
    with site.up(ALERT_SIGNUPS_PER_HOUR=2) as url:
        client = Client(url)
        for n in range(2):
            assert sign_up(client, "q=salary", f"{n}@example.org").status == 200
        refused = sign_up(client, "q=salary", "2@example.org")
        assert refused.status == 429
        assert "too many sign-ups from your connection: try again in an hour" in refused.text
        no_traceback(refused.text)
        alerts.settle()
        assert [m["To"] for m in site.inbox.take()] == ["0@example.org", "1@example.org"]


def test_one_confirmation_email_an_address_every_few_minutes(site):
    with site.up() as url:
        assert sign_up(Client(url), "q=salary").status == 200
        assert sign_up(Client(url), "q=strike").status == 200
        alerts.settle()
        assert len(site.inbox.take()) == 1


@pytest.mark.parametrize("search, address, says", [
    ("q=salary", "not an address", "that is not an email address"),
    ("q=salary", "a@example.org\r\nBcc: b@example.org", "that is not an email address"),
    ('q="class+size', ADDRESS, "unclosed quote"),
    ("q=" + "x" * 501, ADDRESS, "query is too long"),
    ("unit=Teachers&from=someday", ADDRESS, "dates are written YYYY-MM-DD"),
    ("", ADDRESS, "say what to follow"),
])
def test_bad_input_is_a_one_line_400(site, search, address, says):
    with site.up() as url:
        reply = sign_up(Client(url), search, address)
        assert reply.status == 400
        assert says in squash(reply.page.find(class_="error").text)
        no_traceback(reply.text)
    assert site.inbox.messages == []


def test_forms_need_their_token_and_links_their_secret(site):
    with site.up() as url:
        client = Client(url)
        reply = client.post("/alerts/subscribe", {"q": "salary", "email": ADDRESS})
        assert reply.status == 400 and "form has expired" in reply.text
        assert client.get("/alerts/confirm/made-up").status == 404
        assert client.get("/alerts/unsubscribe/made-up").status == 404
        assert client.submit("/alerts/?q=x", "/alerts/subscribe").status == 400  # no email
    assert site.inbox.messages == []


def test_without_a_mail_server_alerts_are_not_offered(site):
    client = client_over(site.archive)
    reply = client.get("/alerts/?q=salary")
    assert reply.status_code == 404
    assert "Email alerts are not available on this site." in reply.get_data(as_text=True)
    assert "alert-link" not in client.get("/search?q=salary").get_data(as_text=True)


def test_subscriptions_outlive_a_restart(site):
    with site.up() as url:
        client = Client(url)
        sign_up(client, "q=salary")
        alerts.settle()
        (confirmation,) = site.inbox.take()
    with site.up() as url:  # a new app, a new port
        confirm(Client(url), confirmation)
        (alert,) = site.publish("2026-12-01-salary")
        assert alert["To"] == ADDRESS
        assert all(u.startswith(url) for u in links(alert))


def test_a_publication_while_mail_is_down_is_alerted_at_the_next_start_up(site, cli_process):
    """The server's mail server down at one publication; the command line without mail
    settings at another (as if killed before sending): the next start-up sends both."""
    with site.up() as url:
        client = Client(url)
        sign_up(client, "q=salary")
        alerts.settle()
        confirm(client, site.inbox.take()[0])
    down = mail_settings(free_port(), url)
    create_app({"ARCHIVE": str(site.archive.root), "TESTING": True, **down})
    assert site.publish("2026-12-01-salary") == []
    add_draft(site.archive, "2026-12-02-salary", SALARY_LINES, MARCH.speakers)
    ok(cli_process("publish", "2026-12-02-salary", archive=site.archive.root))
    assert site.inbox.messages == []
    create_app({"ARCHIVE": str(site.archive.root), "TESTING": True,
                **mail_settings(site.mail_port, url)})
    alerts.settle()
    sent = site.inbox.take()
    assert sorted(m["Subject"] for m in sent) == [
        "“salary” came up in Session 2026-12-01-salary",
        "“salary” came up in Session 2026-12-02-salary"]
    assert "Our salary proposal stands." in body(sent[0])
