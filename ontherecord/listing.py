"""The public sessions as a listing: newest first, narrowed to a unit and a range of dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from ontherecord.errors import InputError
from ontherecord.model import Session

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_day(value: str, what: str) -> str:
    """A date as YYYY-MM-DD ('' for none); InputError naming `what` if it is no such day."""
    value = value.strip()
    if not value:
        return ""
    try:
        if DAY.fullmatch(value):
            dt.date.fromisoformat(value)
            return value
    except ValueError:
        pass
    raise InputError(f"{what} must be a date written YYYY-MM-DD, not {value!r}")


def newest_first(sessions: Iterable[Session]) -> list[Session]:
    """Sessions by the day they were held, newest first; on one day, the last published first."""
    return sorted(sessions, key=lambda s: (s.date, s.published_at or s.ingested_at, s.id),
                  reverse=True)


def same_unit(a: str, b: str) -> bool:
    """Whether two unit names are the same unit, however spaced or capitalized."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def listing(sessions: Iterable[Session], unit: str = "", date_from: str = "",
            date_to: str = "") -> list[Session]:
    """These sessions of a unit (any if ''), held from one day to another (both kept)."""
    date_from, date_to = check_day(date_from, "from"), check_day(date_to, "to")
    if date_from and date_to and date_from > date_to:
        raise InputError("the date range ends before it starts")
    return newest_first(s for s in sessions
                        if (not unit.strip() or same_unit(s.unit, unit))
                        and (not date_from or s.date >= date_from)
                        and (not date_to or s.date <= date_to))
