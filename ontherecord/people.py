"""The people named in the public sessions: who they are, where they spoke and for how long.

A person is a name staff gave a speaker (or the voice registry recognized) in a public
session; names that differ only in case or accents are one person, as the speaker filter
reads them. Drafts and closed sessions never count: a person named only there is nobody here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from ontherecord.archive import Archive
from ontherecord.errors import NotFoundError
from ontherecord.model import Session
from ontherecord.summaries import summary


def slug(name: str) -> str:
    """A name for addresses: lower-case ASCII words joined by hyphens ("José Núñez" → jose-nunez).

    A name with no ASCII letter or digit at all gets a short hash, so it still has an address.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    made = "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))
    return made or "x-" + hashlib.sha1(name.encode()).hexdigest()[:8]


@dataclass
class Appearance:
    """One public session a person spoke in, and how long they spoke."""

    session: Session
    talk_time: float


@dataclass
class Person:
    """A named speaker across the public sessions, newest session first."""

    name: str
    slug: str
    side: str | None = None
    role: str | None = None
    sessions: list[Appearance] = field(default_factory=list)

    @property
    def talk_time(self) -> float:
        """Their talk time in every public session together."""
        return round(sum(a.talk_time for a in self.sessions), 2)


def people(archive: Archive, sessions: list[Session] | None = None) -> list[Person]:
    """Everyone named in these public sessions (all of them if None), A to Z.

    Name, side and role are as the newest session gives them; an older session fills in a
    side or role the newer ones leave out.
    """
    found: dict[str, Person] = {}
    for session in archive.public_sessions() if sessions is None else sessions:
        for speaker in summary(archive, session).named:
            name = speaker.display  # the name: `named` holds named speakers only
            person = found.setdefault(slug(name), Person(name, slug(name)))
            person.side = person.side or speaker.side
            person.role = person.role or speaker.role
            person.sessions.append(Appearance(session, speaker.talk_time))
    return sorted(found.values(), key=lambda p: (p.name.casefold(), p.slug))


def person(archive: Archive, wanted: str) -> Person:
    """The person with this slug; NotFoundError if no public session names them."""
    found = next((p for p in people(archive) if p.slug == wanted), None)
    if found is None:
        raise NotFoundError(f"nobody called {wanted!r} speaks in a public session")
    return found
