"""Text staff type in (names, roles, chapter titles): kept to one tidy line."""

from __future__ import annotations

import unicodedata

from ontherecord.errors import InputError


def one_line(value: str, limit: int, what: str) -> str:
    """The text with its runs of spaces made single; refuses control characters and length.

    Tabs and newlines are spaces (a pasted name may carry them); any other control character,
    C0, DEL or C1, is refused: it could hide text in a terminal or break a listing.
    """
    if any(unicodedata.category(c) == "Cc" for c in value if c not in "\t\n"):
        raise InputError(f"{what} contains control characters")
    text = " ".join(value.split())
    if len(text) > limit:
        raise InputError(f"{what} is longer than {limit} characters")
    return text
