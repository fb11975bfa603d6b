"""The public sessions as a listing: newest first, narrowed to a unit and a range of dates."""

from __future__ import annotations

from collections.abc import Iterable

from ontherecord.details import check_date
from ontherecord.errors import InputError, NotFoundError
from ontherecord.model import Session
from ontherecord.people import slug


def check_day(value: str, what: str) -> str:
    """A date as YYYY-MM-DD ('' for none); InputError naming `what` if it is no such day."""
    value = value.strip()
    if not value:
        return ""
    try:
        return check_date(value)
    except InputError:
        raise InputError(f"{what} must be a date written YYYY-MM-DD, not {value!r}") from None


def newest_first(sessions: Iterable[Session]) -> list[Session]:
    """Sessions by the day they were held, newest first; on one day, the last published first."""
    return sorted(sessions, key=_newness, reverse=True)


def _newness(session: Session) -> tuple[str, str, str]:
    """What orders sessions newest first: the day held, then when published, then the id."""
    return session.date, session.published_at or session.ingested_at, session.id


def latest(sessions: Iterable[Session]) -> Session:
    """The newest of these sessions (as newest_first orders them); NotFoundError if none."""
    newest = max(sessions, key=_newness, default=None)
    if newest is None:
        raise NotFoundError("no session has been published yet")
    return newest


def listing(sessions: Iterable[Session], unit: str = "", date_from: str = "",
            date_to: str = "") -> list[Session]:
    """These sessions of a unit (any if ''), held from one day to another (both kept).

    A unit is known by its slug, as on the unit pages: "St. Mary's" is "St Marys".
    """
    date_from, date_to = check_day(date_from, "from"), check_day(date_to, "to")
    if date_from and date_to and date_from > date_to:
        raise InputError("the date range ends before it starts")
    return newest_first(s for s in sessions
                        if (not unit.strip() or slug(s.unit) == slug(unit))
                        and (not date_from or s.date >= date_from)
                        and (not date_to or s.date <= date_to))
