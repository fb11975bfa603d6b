"""A session's details as staff give them, and who was at the table.

Title, date, unit, description and source link; the roster and the count of voices.

One set of rules checks them, whether they come with a new recording or in an edit. The
session's id does not change with its title, so links to it stay valid.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ontherecord.errors import InputError
from ontherecord.model import RosterMember, Session
from ontherecord.roster import check as check_roster
from ontherecord.roster import check_count
from ontherecord.text import one_line

DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_TITLE = 200
MAX_UNIT = 100
MAX_DESCRIPTION = 4000
MAX_URL = 2000


def check_date(date: str) -> str:
    """A date written YYYY-MM-DD, else InputError."""
    # fromisoformat alone also reads 20261014 and week dates (2026-W42-3).
    if not DATE.match(date):
        raise InputError(f"date {date!r} is not a date written YYYY-MM-DD")
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise InputError(f"date {date!r} is not a date written YYYY-MM-DD") from None
    return date


def check_url(url: str) -> str:
    """An http(s) address, or '' for none; other schemes (javascript:, file:) are refused.

    A user name or password written into the address is dropped: the link is public.
    """
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InputError(f"the source link must be an http:// or https:// address, not {url!r}")
    if len(url) > MAX_URL:
        raise InputError(f"the source link is longer than {MAX_URL} characters")
    # Control and format characters (ESC, U+202E…) could disguise where the link goes.
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in url):
        raise InputError("the source link contains spaces or control characters")
    if "@" in parts.netloc:
        url = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return url


def check_description(text: str) -> str:
    """A description: paragraphs kept, other control characters refused, trimmed."""
    lines = [one_line(line, MAX_DESCRIPTION, "the description") for line in text.splitlines()]
    cleaned = "\n".join(lines).strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise InputError(f"the description is longer than {MAX_DESCRIPTION} characters")
    return cleaned


def check_title(title: str) -> str:
    """A session title on one line, not empty, at most MAX_TITLE characters."""
    cleaned = one_line(title, MAX_TITLE, "the title")
    if not cleaned:
        raise InputError("a session needs a title")
    return cleaned


def check_unit(unit: str) -> str:
    """A bargaining unit's name on one line (it may be empty)."""
    return one_line(unit, MAX_UNIT, "the bargaining unit")


# The one set of rules for every detail, whether it comes with a new recording or an edit.
RULES: dict[str, Callable[[Any], Any]] = {
    "title": check_title, "date": lambda d: check_date(d.strip()), "unit": check_unit,
    "description": check_description, "source_url": check_url, "roster": check_roster,
    "speaker_count": check_count}


@dataclass
class Details:
    """What staff say about a recording: it cannot be heard in the audio."""

    title: str
    date: str
    unit: str
    description: str = ""
    source_url: str = ""
    roster: list[RosterMember] = field(default_factory=list)
    speaker_count: int | None = None

    def checked(self) -> Details:
        """These details cleaned by the rules an edit applies; InputError for the first bad one."""
        return Details(**{f.name: RULES[f.name](getattr(self, f.name)) for f in fields(self)})


def edit(session: Session, **changes: Any) -> list[str]:
    """Change the details given (None leaves one as it is); all are checked before any is set.

    Returns the names of the details whose value changed.
    """
    unknown = set(changes) - set(RULES)
    if unknown:
        raise InputError(f"no such detail: {', '.join(sorted(unknown))}")
    cleaned = {name: RULES[name](value) for name, value in changes.items() if value is not None}
    changed = [name for name, value in cleaned.items() if getattr(session, name) != value]
    for name in changed:
        setattr(session, name, cleaned[name])
    return changed
