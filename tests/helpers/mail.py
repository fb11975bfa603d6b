"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it is sent, and the
app's mail settings to reach it."""

from __future__ import annotations

import contextlib
import email
import re
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

from tests.helpers.http import free_port

SENDER = "On the Record <alerts@example.org>"


class Inbox:
    """An SMTP handler that keeps every message it accepts, in order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's)
        message = email.message_from_bytes(envelope.content, policy=default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to one address."""
        return [m for m in self.messages if m["To"] == address]

    def take(self) -> list[EmailMessage]:
        """The messages received so far, which are then forgotten."""
        taken, self.messages = self.messages, []
        return taken


@contextlib.contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on 127.0.0.1 for the block; yields its inbox and port."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def mail_settings(port: int, site_url: str = "http://127.0.0.1:5000") -> dict[str, object]:
    """The app settings that send through the test server on `port`, unencrypted."""
    return {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": port, "MAIL_TLS": "none",
            "MAIL_FROM": SENDER, "SITE_URL": site_url}


def body(message: EmailMessage) -> str:
    """A plain-text message's text."""
    return message.get_content()


def links(message: EmailMessage) -> list[str]:
    """Every web address in a message's text, in order."""
    return re.findall(r"https?://\S+", body(message))
