"""A session's state: draft → published → withdrawn, and closed sessions that never go public.

Each change rewrites session.json atomically; the caller then hands the session's transcript
to the search index, which holds public sessions only.
"""

from __future__ import annotations

import datetime as dt

from ontherecord.archive import Archive
from ontherecord.errors import InputError
from ontherecord.model import Session


def publish(archive: Archive, session_id: str) -> Session:
    """Make a draft or withdrawn session public; a closed session is refused."""
    session = archive.session(session_id)
    if session.closed:
        raise InputError(f"session {session_id} is a closed session: it can never be published")
    session.state = "published"
    session.published_at = session.published_at or dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds")
    archive.save_session(session)
    return session


def withdraw(archive: Archive, session_id: str) -> Session:
    """Take a published session off the public site (it stays in the archive)."""
    session = archive.session(session_id)
    if session.state != "published":
        raise InputError(f"session {session_id} is not published (it is {session.state})")
    session.state = "withdrawn"
    archive.save_session(session)
    return session


def close(archive: Archive, session_id: str) -> Session:
    """Mark a closed session (open-meeting law): never public, withdrawn if it was."""
    session = archive.session(session_id)
    session.closed = True
    if session.state == "published":
        session.state = "withdrawn"
    archive.save_session(session)
    return session


# Each change by the name staff give it, on the command line and on the staff pages.
CHANGES = {"publish": publish, "withdraw": withdraw, "close": close}
