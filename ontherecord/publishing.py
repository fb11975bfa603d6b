"""A session's state: draft → published → withdrawn, and closed sessions that never go public.

Pure functions on a session's metadata; ontherecord.service saves the change and brings the
search index, which holds public sessions only, up to date.
"""

from __future__ import annotations

from collections.abc import Callable

from ontherecord.errors import InputError
from ontherecord.model import Session
from ontherecord.timecode import now_iso


def publish(session: Session) -> None:
    """Make a draft or withdrawn session public; a closed session is refused."""
    if session.closed:
        raise InputError(f"session {session.id} is a closed session: it can never be published")
    session.state = "published"
    session.published_at = session.published_at or now_iso()


def withdraw(session: Session) -> None:
    """Take a published session off the public site (it stays in the archive)."""
    if session.state != "published":
        raise InputError(f"session {session.id} is not published (it is {session.state})")
    session.state = "withdrawn"


def close(session: Session) -> None:
    """Mark a closed session (open-meeting law): never public, withdrawn if it was."""
    session.closed = True
    if session.state == "published":
        session.state = "withdrawn"


# Each change by the name staff give it, on the command line and on the staff pages.
CHANGES: dict[str, Callable[[Session], None]] = {
    "publish": publish, "withdraw": withdraw, "close": close,
}
