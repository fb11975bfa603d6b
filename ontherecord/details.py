"""A session's details as staff edit them: title, date, unit, description and source link.

The session's id does not change with its title, so links to it stay valid.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import urlsplit

from ontherecord.errors import InputError
from ontherecord.model import Session
from ontherecord.text import one_line

DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_TITLE = 200
MAX_UNIT = 100
MAX_DESCRIPTION = 4000
MAX_URL = 2000


def check_date(date: str, what: str = "date") -> str:
    """A date written YYYY-MM-DD, else InputError naming it as `what` (e.g. "--date")."""
    # fromisoformat alone also reads 20261014 and week dates (2026-W42-3).
    if not DATE.match(date):
        raise InputError(f"{what} {date!r} is not a date written YYYY-MM-DD")
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise InputError(f"{what} {date!r} is not a date written YYYY-MM-DD") from None
    return date


def check_url(url: str) -> str:
    """An http(s) address, or '' for none; other schemes (javascript:, file:) are refused."""
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
    return url


def check_description(text: str) -> str:
    """A description: paragraphs kept, other control characters refused, trimmed."""
    lines = [one_line(line, MAX_DESCRIPTION, "the description") for line in text.splitlines()]
    cleaned = "\n".join(lines).strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise InputError(f"the description is longer than {MAX_DESCRIPTION} characters")
    return cleaned


def edit(session: Session, title: str | None = None, date: str | None = None,
         unit: str | None = None, description: str | None = None,
         source_url: str | None = None) -> None:
    """Change the details given (None leaves one as it is); all are checked before any is set."""
    changes = {}
    if title is not None:
        changes["title"] = one_line(title, MAX_TITLE, "the title")
        if not changes["title"]:
            raise InputError("a session needs a title")
    if date is not None:
        changes["date"] = check_date(date.strip())
    if unit is not None:
        changes["unit"] = one_line(unit, MAX_UNIT, "the bargaining unit")
    if description is not None:
        changes["description"] = check_description(description)
    if source_url is not None:
        changes["source_url"] = check_url(source_url)
    for name, value in changes.items():
        setattr(session, name, value)
