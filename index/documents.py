"""What the index holds of a session: one document per transcript segment, for any engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date as Date

from ontherecord.model import Segment, Session, Transcript

# Sort keys pack the session's day and the segment's start (in tenths of a second) in one
# integer, so that an engine sorts on one numeric column: sessions by date, and each
# session's hits in the order spoken.
DAY = 10**7
LAST_DAY = Date(9999, 12, 31).toordinal()
# What a hit shows, kept with each document.
STORED = ("session", "title", "date", "unit", "speaker", "start", "end", "text", "words",
          "chapter", "segment")


def word_offsets(segment: Segment) -> list[tuple[int, float]]:
    """(offset of the word in the segment's text, its start time) for every word found there."""
    text, offsets, position = segment.text.strip(), [], 0
    for word in segment.words:
        at = text.find(word.word.strip(), position)
        if at >= 0:
            offsets.append((at, word.start))
            position = at + len(word.word.strip())
    return offsets


def stamp(session: Session) -> str:
    """The term that records which version of a session the index holds."""
    return f"{session.id}@{session.version}"


def day(date: str) -> int:
    """The session date as a day number (0 for a date that cannot be read, sorting it first)."""
    try:
        return Date.fromisoformat(date).toordinal()
    except ValueError:
        return 0


def documents(transcript: Transcript) -> Iterable[dict]:
    """The index documents of a session, one per segment; none unless it is public.

    The index is the public search, so a draft, withdrawn or closed session is never in it.
    """
    s = transcript.session
    if not s.public:
        return
    n_day = day(s.date)
    for n, seg in enumerate(transcript.segments):
        chapter = transcript.chapter_of(seg)
        person = transcript.speaker(seg.speaker)
        tenths = round(seg.start * 10)
        yield {
            "id": f"{s.id}/{n}", "session": s.id, "stamp": stamp(s), "title": s.title,
            "date": s.date, "unit": s.unit, "unit_key": s.unit,
            "speaker": transcript.speaker_name(seg.speaker),
            # Facets count people by name; an unnamed voice means nothing across sessions.
            "speaker_key": person.name if person and person.name else "",
            "side": person.side if person and person.side else "",
            "session_key": f"{s.date} {s.id}",
            "topic": f"{chapter.topic} {chapter.topic_id}" if chapter else "",
            "topic_id": chapter.topic_id if chapter else "",
            "chapter": {"title": chapter.title, "topic": chapter.topic,
                        "topic_id": chapter.topic_id} if chapter else None,
            "start": seg.start, "end": seg.end, "text": seg.text.strip(),
            "words": word_offsets(seg), "segment": n,
            "oldest": n_day * DAY + tenths, "newest": (LAST_DAY - n_day) * DAY + tenths,
        }
