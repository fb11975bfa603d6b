"""Email alerts: when a session is published, each follower of a search it matches hears of it.

The web app (search_app.alerts) signs addresses up (ontherecord.subscriptions); this module
sends. It listens for publications (ontherecord.events), whoever published: the staff pages,
the command line, a job. Sending is in a background thread, so a publication never waits for
a mail server, and never fails because of one.

What is owed is worked out from the archive each time: every public session that the database
does not record as dealt with for a confirmed subscription (those public when it was confirmed
are recorded then). So a mail server
that was down, or a process killed between publishing and sending, only delays an alert: the
next publication, or the web app's next start-up, sends it. Deliveries hold a lock, and each
email is recorded as soon as it is sent, so two deliveries never send the same alert.

Mail settings come from the web app's settings (MAIL_HOST…, SITE_URL) or, for the command
line, from the environment (ONTHERECORD_MAIL_HOST…), which are also the web app's defaults.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from index.results import SearchPage
from index.store import SearchIndex
from ontherecord.archive import Archive, file_lock
from ontherecord.errors import InputError
from ontherecord.events import Change, on_published
from ontherecord.model import Session
from ontherecord.subscriptions import Followed, Subscription, Subscriptions
from ontherecord.timecode import clock, link_time

log = logging.getLogger(__name__)

ENV_PREFIX = "ONTHERECORD_"
TLS = {"none": 25, "starttls": 587, "ssl": 465}  # each way to reach a server, its usual port
# The settings that say how to send, with their defaults; each is ONTHERECORD_<name> too.
SETTINGS: dict[str, Any] = {"MAIL_HOST": None, "MAIL_PORT": None, "MAIL_TLS": "starttls",
                            "MAIL_USER": None, "MAIL_PASSWORD": None, "MAIL_FROM": None,
                            "SITE_URL": None}
HITS = 5  # moments quoted for each search in an alert; the rest are a link away
QUOTE = 300  # characters of a line quoted
TIMEOUT = 30  # seconds to wait on a mail server


def from_environment() -> dict[str, Any]:
    """The mail settings as the environment gives them (ONTHERECORD_MAIL_HOST…), else defaults."""
    return {name: os.environ.get(ENV_PREFIX + name) or default
            for name, default in SETTINGS.items()}


@dataclass(frozen=True)
class MailSettings:
    """How to reach the mail server, who alerts are from, and the site's address for links."""

    host: str = ""
    port: int = 0
    tls: str = "starttls"
    user: str = ""
    password: str = ""
    sender: str = ""
    site_url: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        """From settings named as the web app names them (MAIL_HOST…, SITE_URL)."""
        tls = config.get("MAIL_TLS") or "starttls"
        if tls not in TLS:
            raise InputError(f"MAIL_TLS must be one of {', '.join(TLS)}, not {tls!r}")
        port = config.get("MAIL_PORT")
        return cls(config.get("MAIL_HOST") or "", int(port) if port else TLS[tls], tls,
                   config.get("MAIL_USER") or "", config.get("MAIL_PASSWORD") or "",
                   config.get("MAIL_FROM") or "", (config.get("SITE_URL") or "").rstrip("/"))

    @classmethod
    def from_env(cls) -> MailSettings:
        """From the environment, for the command line."""
        return cls.from_config(from_environment())

    @property
    def ready(self) -> bool:
        """Whether alerts can be sent: a server, a sender and the site's address are set."""
        return bool(self.host and self.sender and self.site_url)


@contextlib.contextmanager
def connected(mail: MailSettings) -> Iterator[smtplib.SMTP]:
    """A logged-in connection to the mail server, closed after the block."""
    kind = smtplib.SMTP_SSL if mail.tls == "ssl" else smtplib.SMTP
    with kind(mail.host, mail.port, timeout=TIMEOUT) as server:
        if mail.tls == "starttls":
            server.starttls()
        if mail.user:
            server.login(mail.user, mail.password)
        yield server


# --- listening for publications, and sending in the background ------------------------------

_senders: dict[Path, MailSettings] = {}
_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def listen(archive: Archive, mail: MailSettings) -> None:
    """Send alerts with these settings when a session of this archive is published."""
    _senders[archive.root.resolve()] = mail


@on_published
def _published(change: Change) -> None:
    """Send what is owed in the background, if this archive has mail settings."""
    if change.archive is None:
        return
    mail = _senders.get(change.archive.root.resolve())
    if mail and mail.ready:
        in_background(deliver, change.archive, mail)


def in_background(work: Callable[..., Any], *args: Any) -> threading.Thread:
    """Run `work(*args)` in a thread of its own; a failure is logged, to be retried later.

    Not a daemon: the command line waits for its alerts to go out before it exits.
    """
    def run() -> None:
        try:
            work(*args)
        except (OSError, smtplib.SMTPException) as e:
            log.warning("email could not be sent (%s); alerts owed are sent at the next "
                        "publication or start-up", e)
        except Exception:
            log.exception("email alerts failed")

    thread = threading.Thread(target=run, name="alerts")
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
    thread.start()
    return thread


def settle() -> None:
    """Wait until the email this process is sending has gone (or failed)."""
    with _threads_lock:
        running = list(_threads)
    for thread in running:
        thread.join()


# --- what is owed, and sending it ------------------------------------------------------------


def deliver(archive: Archive, mail: MailSettings) -> int:
    """Send every alert owed (one email per address and session); returns how many went.

    A pair found not to match is recorded at once; a pair that matches, once its email went.
    """
    if not archive.alerts_path.is_file():  # nobody ever signed up
        return 0
    with file_lock(archive.alerts_lock):
        store = Subscriptions(archive.alerts_path)
        letters, nothing = owed(archive, store)
        store.record(nothing)
        if not letters:
            return 0
        with connected(mail) as server:
            for letter in letters:
                server.send_message(alert(mail, letter))
                store.record([(sub.id, letter.session.id, page.total)
                              for sub, page in letter.found])
    return len(letters)


@dataclass
class Letter:
    """One alert email: the searches of one address that one new session matched."""

    address: str
    session: Session
    found: list[tuple[Subscription, SearchPage]]


Done = list[tuple[int, str, int]]  # (subscription, session, hits) as the database records them


def owed(archive: Archive, store: Subscriptions) -> tuple[list[Letter], Done]:
    """The alerts owed, one letter per address and session, and the owed pairs without hits."""
    subscriptions = store.confirmed()
    done = store.dealt_with()
    letters: dict[tuple[str, str], Letter] = {}
    nothing: Done = []
    index = SearchIndex.of(archive)
    indexed = index.stamps()
    for session in archive.public_sessions() if subscriptions else []:
        if indexed.get(session.id) != session.version:
            # Published a moment ago and not yet in the index: its announcement comes next.
            continue
        for sub in subscriptions:
            if (sub.id, session.id) in done:  # among them, those public at its confirmation
                continue
            page = matches(index, sub.followed, session.id)
            if page is not None and page.total:
                key = (sub.address, session.id)
                letters.setdefault(key, Letter(sub.address, session, [])).found.append((sub, page))
            else:
                nothing.append((sub.id, session.id, 0))
    return list(letters.values()), nothing


def matches(index: SearchIndex, followed: Followed, session_id: str) -> SearchPage | None:
    """The best moments of one session for a followed search (None if it cannot be run)."""
    try:
        return index.search(followed.query, 1, "relevance", HITS,
                            **{**followed.filters.to_dict(), "session": session_id})
    except InputError:  # a query this version no longer reads: nothing to send
        return None


# --- the emails ------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """Text with its runs of spaces and line breaks made one space (for a header or a list)."""
    return " ".join(text.split())


def _message(mail: MailSettings, address: str, subject: str, body: str) -> EmailMessage:
    """A plain-text email from the alerts' sender."""
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = address
    message["Subject"] = _one_line(subject)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def unsubscribe_url(mail: MailSettings, token: str, everything: bool = False) -> str:
    """The link that stops one subscription (or every one of its address)."""
    return f"{mail.site_url}/alerts/unsubscribe/{token}" + ("?all=1" if everything else "")


def moment_url(mail: MailSettings, session_id: str, query: str, start: float | None) -> str:
    """The link to a session, opened at a moment and with the query's words marked."""
    args = {"t": link_time(start) if start is not None else "", "q": query}
    args = {k: v for k, v in args.items() if v}
    return f"{mail.site_url}/sessions/{session_id}" + (f"?{urlencode(args)}" if args else "")


def alert(mail: MailSettings, letter: Letter) -> EmailMessage:
    """The email that tells one address which of its searches a new session matched."""
    session, found = letter.session, letter.found
    title = _one_line(session.title)
    subject = (f"{found[0][0].followed.describe()} came up in {title}" if len(found) == 1
               else f"{len(found)} of your searches came up in {title}")
    lines = [f"A new session was published: {title} ({session.date}, {_one_line(session.unit)})",
             moment_url(mail, session.id, "", None), ""]
    for sub, page in found:
        query = sub.followed.query
        count = f"{page.total} moment" + ("" if page.total == 1 else "s")
        lines += [f"{sub.followed.describe()}: {count}", ""]
        for hit in sorted(page.hits, key=lambda h: h.start):
            said = _one_line(hit.text)
            said = said if len(said) <= QUOTE else said[:QUOTE - 1] + "…"
            lines += [f"  [{clock(hit.start)[:8]}] {_one_line(hit.speaker)}: “{said}”",
                      f"  {moment_url(mail, session.id, query, hit.start)}", ""]
        if page.total > len(page.hits):
            lines += [f"  … and {page.total - len(page.hits)} more: "
                      f"{moment_url(mail, session.id, query, None)}", ""]
        lines += [f"  Stop alerts for this search: {unsubscribe_url(mail, sub.unsubscribe_token)}",
                  ""]
    token = found[0][0].unsubscribe_token
    lines += ["You are getting this because you asked for email alerts and confirmed them.",
              f"Stop every alert to this address: {unsubscribe_url(mail, token, True)}"]
    message = _message(mail, letter.address, subject, "\n".join(lines) + "\n")
    # RFC 8058: a mail program's own "unsubscribe" button posts here, no page in between.
    message["List-Unsubscribe"] = f"<{unsubscribe_url(mail, token, True)}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


def confirmation(mail: MailSettings, address: str, followed: Followed,
                 token: str) -> EmailMessage:
    """The email that asks an address to confirm that it wants alerts for a search."""
    link = f"{mail.site_url}/alerts/confirm/{token}"
    body = (f"Someone, probably you, asked for an email whenever a newly published session "
            f"matches this search:\n\n  {followed.describe()}\n\nTo start these alerts, open "
            f"this link and press Confirm:\n\n  {link}\n\nIf it was not you, ignore this "
            f"email: without confirmation nothing more is sent.\n")
    return _message(mail, address, f"Confirm your alert: {followed.describe()}", body)


def send_confirmation(mail: MailSettings, address: str, followed: Followed, token: str) -> None:
    """Send the confirmation email (in the caller's thread)."""
    with connected(mail) as server:
        server.send_message(confirmation(mail, address, followed, token))
