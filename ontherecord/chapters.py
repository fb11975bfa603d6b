"""Staff edits to a session's chapters: a better title, or the right topic.

Each edit rewrites transcript.json atomically; the caller hands the returned transcript to the
search index.
"""

from __future__ import annotations

from ontherecord.archive import Archive
from ontherecord.errors import InputError
from ontherecord.model import Chapter, Session, Transcript

MAX_TITLE = 120


def find(transcript: Transcript, number: int) -> Chapter:
    """Chapter `number`, counted from 1 as listed."""
    if not 1 <= number <= len(transcript.chapters):
        raise InputError(f"session {transcript.session.id} has chapters 1 to "
                         f"{len(transcript.chapters)}, not {number}")
    return transcript.chapters[number - 1]


def retitle(archive: Archive, session_id: str, number: int, title: str) -> Transcript:
    """Give a chapter a title of staff's choosing."""
    transcript = archive.transcript(session_id)
    chapter = find(transcript, number)
    cleaned = " ".join(title.split())
    if not cleaned:
        raise InputError("a chapter title cannot be empty")
    if len(cleaned) > MAX_TITLE or any(ord(c) < 32 for c in title if c not in "\t\n"):
        raise InputError(f"a chapter title is one line of at most {MAX_TITLE} characters")
    chapter.title, chapter.edited = cleaned, True
    archive.save_transcript(transcript)
    return transcript


def set_topic(archive: Archive, session_id: str, number: int, topic_id: str,
              topics: dict[str, str]) -> Transcript:
    """Move a chapter to another topic of the taxonomy (`topics`: id → name)."""
    transcript = archive.transcript(session_id)
    chapter = find(transcript, number)
    if topic_id not in topics:
        raise InputError(f"no topic {topic_id!r}; topics: {', '.join(topics)}")
    chapter.topic_id, chapter.topic, chapter.edited = topic_id, topics[topic_id], True
    archive.save_transcript(transcript)
    return transcript


def on_topic(archive: Archive, topic_id: str | None = None) -> list[tuple[Session, int, Chapter]]:
    """(session, chapter number from 1, chapter) on a topic (or all), newest session first."""
    return [(session, n, chapter)
            for session in archive.sessions()
            for n, chapter in enumerate(archive.transcript(session.id).chapters, 1)
            if topic_id is None or chapter.topic_id == topic_id]


def counts(archive: Archive) -> dict[str, int]:
    """How many chapters the archive has on each topic id."""
    found: dict[str, int] = {}
    for _, _, chapter in on_topic(archive):
        found[chapter.topic_id] = found.get(chapter.topic_id, 0) + 1
    return found
