"""Bargaining units: the public sessions of each, and the people who spoke in them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ontherecord.archive import Archive
from ontherecord.errors import NotFoundError
from ontherecord.listing import newest_first
from ontherecord.model import Session
from ontherecord.people import slug


@dataclass
class Unit:
    """One bargaining unit and its public sessions, newest first."""

    name: str
    slug: str
    sessions: list[Session] = field(default_factory=list)


def units(archive: Archive, sessions: list[Session] | None = None) -> list[Unit]:
    """Every unit of these public sessions (all of them if None), A to Z.

    Units whose names share a slug are one.
    """
    found: dict[str, Unit] = {}
    for session in newest_first(archive.public_sessions() if sessions is None else sessions):
        key = slug(session.unit)
        found.setdefault(key, Unit(session.unit, key)).sessions.append(session)
    return sorted(found.values(), key=lambda u: (u.name.casefold(), u.slug))


def unit(archive: Archive, wanted: str) -> Unit:
    """The unit with this slug; NotFoundError if it has no public session."""
    found = next((u for u in units(archive) if u.slug == wanted), None)
    if found is None:
        raise NotFoundError(f"no bargaining unit {wanted!r} has a public session")
    return found
