"""Text staff type in (titles, names, roles, corrections): kept to one tidy line."""

from __future__ import annotations

import unicodedata

from ontherecord.errors import InputError


def one_line(value: str, limit: int, what: str) -> str:
    """The text with its runs of spaces made single; refuses control characters and length.

    Tabs and line breaks are spaces (pasted text may carry them); any other control character,
    C0 (ESC among them), DEL or C1, is refused: it could hide text in a terminal or break a
    listing.
    """
    if any(unicodedata.category(c) == "Cc" for c in value if c not in "\t\r\n"):
        raise InputError(f"{what} contains control characters")
    text = " ".join(value.split())
    if len(text) > limit:
        raise InputError(f"{what} is longer than {limit} characters")
    return text


def printable(value: str) -> str:
    """Text safe to print on a terminal: control characters shown as escapes, not obeyed.

    For records written before their text was checked (an ESC sequence in an old title).
    """
    return "".join(c.encode("unicode_escape").decode() if unicodedata.category(c) == "Cc"
                   else c for c in value)
