"""A session's speakers and chapters without its words: what listings show, cached per version.

transcript.json holds every word with its time, megabytes for a three-hour session; a page
listing sessions or people wants a few lines of it. So the speakers and chapters are kept
apart in .summaries/<id>.json, stamped with the session version and the transcript's size
and mtime they came from: a stale or missing summary is made again when it is next read, so
the cache heals itself (written atomically, it is never seen half-written). Start-up makes
the missing and stale ones (see heal), so no visitor waits for hundreds of transcripts.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ontherecord.archive import Archive, write_json_atomic
from ontherecord.model import Chapter, Session, Speaker


@dataclass
class Summary:
    """The speakers and chapters of one session."""

    speakers: list[Speaker] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)

    @property
    def named(self) -> list[Speaker]:
        """The speakers with a name, most talk first."""
        return sorted((s for s in self.speakers if s.name), key=lambda s: -s.talk_time)

    @property
    def unnamed(self) -> int:
        """How many voices nobody has named."""
        return sum(1 for s in self.speakers if not s.name)


def _stamp(archive: Archive, session: Session) -> str:
    """What the summary must have been made from: the version and the transcript file's state."""
    st = os.stat(archive.transcript_path(session.id))
    return f"{session.version}:{st.st_size}:{st.st_mtime_ns}"


def _path(archive: Archive, session: Session) -> Path:
    """Where a session's summary is cached."""
    return archive.summaries_dir / f"{session.id}.json"


def _cached(archive: Archive, session: Session) -> Summary | None:
    """The cached summary if it was made from the session as it is now, else None."""
    try:
        cached = json.loads(_path(archive, session).read_text("utf-8"))
        if cached["stamp"] == _stamp(archive, session):
            return Summary([Speaker(**s) for s in cached["speakers"]],
                           [Chapter(**c) for c in cached["chapters"]])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # missing, stale or damaged: made again by the caller
    return None


def summary(archive: Archive, session: Session) -> Summary:
    """The session's summary, from the cache if it is current, else made and cached."""
    cached = _cached(archive, session)
    return cached if cached is not None else _make(archive, session)


def _make(archive: Archive, session: Session) -> Summary:
    """Make a session's summary from its transcript and cache it.

    The stamp is taken before the transcript is read: a change in between leaves a summary
    newer than its stamp, which is made again on the next read, never one older than it.
    """
    stamp = _stamp(archive, session)
    transcript = archive.transcript(session.id)
    made = Summary(transcript.speakers, transcript.chapters)
    path = _path(archive, session)
    path.parent.mkdir(exist_ok=True)
    write_json_atomic(path, {"stamp": stamp, **asdict(made)})
    return made


def heal(archive: Archive, public: list[Session] | None = None) -> int:
    """Make every missing or stale summary of the public sessions (read if None); how many."""
    made = 0
    for session in archive.public_sessions() if public is None else public:
        if _cached(archive, session) is None:
            _make(archive, session)
            made += 1
    return made
