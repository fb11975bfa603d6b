"""Staff edits to a session's chapters (a better title, the right topic), and chapters by topic.

Edits change a transcript in memory; the caller saves it once, after every edit it was asked
for has succeeded, and then hands it to the search index.
"""

from __future__ import annotations

from ontherecord.archive import Archive
from ontherecord.errors import InputError
from ontherecord.model import Chapter, Session, Transcript
from ontherecord.text import one_line

MAX_TITLE = 120


def find(transcript: Transcript, number: int) -> Chapter:
    """Chapter `number`, counted from 1 as listed."""
    if not 1 <= number <= len(transcript.chapters):
        raise InputError(f"session {transcript.session.id} has chapters 1 to "
                         f"{len(transcript.chapters)}, not {number}")
    return transcript.chapters[number - 1]


def retitle(transcript: Transcript, number: int, title: str) -> None:
    """Give a chapter a title of staff's choosing."""
    chapter = find(transcript, number)
    cleaned = one_line(title, MAX_TITLE, "a chapter title")
    if not cleaned:
        raise InputError("a chapter title cannot be empty")
    chapter.title, chapter.edited = cleaned, True


def set_topic(transcript: Transcript, number: int, topic_id: str, topics: dict[str, str]) -> None:
    """Move a chapter to another topic of the taxonomy (`topics`: id → name).

    A title made from the old topic would now mislead, so it becomes the new topic's name;
    a title staff wrote stays.
    """
    chapter = find(transcript, number)
    if topic_id not in topics:
        raise InputError(f"no topic {topic_id!r}; topics: {', '.join(topics)}")
    if chapter.title == chapter.topic or chapter.title.startswith(f"{chapter.topic}:"):
        chapter.title = topics[topic_id]
    chapter.topic_id, chapter.topic, chapter.edited = topic_id, topics[topic_id], True


def on_topic(archive: Archive, topic_id: str | None = None) -> list[tuple[Session, int, Chapter]]:
    """(session, number from 1, chapter) on a topic (or all): public sessions, newest first."""
    return [(session, n, chapter)
            for session in archive.public_sessions()
            for n, chapter in enumerate(archive.transcript(session.id).chapters, 1)
            if topic_id is None or chapter.topic_id == topic_id]


def counts(archive: Archive) -> dict[str, int]:
    """How many chapters the archive has on each topic id."""
    found: dict[str, int] = {}
    for _, _, chapter in on_topic(archive):
        found[chapter.topic_id] = found.get(chapter.topic_id, 0) + 1
    return found
