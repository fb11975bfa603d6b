"""Hand-made transcripts with known text, and archives and indexes holding them."""

from __future__ import annotations

from pathlib import Path

from index.schema import SPEECH
from index.store import SearchIndex
from ontherecord.archive import Archive
from ontherecord.model import Segment, Session, Source, Speaker, Transcript


def make_transcript(session_id: str, title: str, date: str, unit: str, lines,
                    speakers: tuple[Speaker, ...] | list[Speaker] = ()) -> Transcript:
    """A published transcript from (start, end, speaker id, text) lines and its Speakers."""
    session = Session(session_id, title, date, unit, 60.0, "media.ogg", "audio/ogg",
                      Source("recording.ogg", "0" * 64, 1), state="published")
    segments = [Segment(start, end, text, speaker) for start, end, speaker, text in lines]
    return Transcript(session, segments, list(speakers))


MARCH = make_transcript(
    "2026-03-10-teachers-march", "Teachers bargaining session 3", "2026-03-10", "Teachers", [
        (0.0, 5.0, "S1", "Negotiations on class size caps will continue next week."),
        (5.0, 10.0, "S2", "The district cannot raise salaries this year."),
        (10.0, 15.0, "S1", "We will not accept a salary freeze."),
        (15.0, 20.0, "S2", "Class caps and size limits are separate issues."),
        (20.0, 25.0, "S1", "Mental health staffing is the priority."),
    ],
    [Speaker("S1", "SPEAKER_1", "Jane Doe"), Speaker("S2", "SPEAKER_2", "Mark Ellison")],
)
OCTOBER = make_transcript(
    "2026-10-14-esp-wages", "ESP wage session", "2026-10-14", "Education Support Professionals", [
        (0.0, 4.0, "A", "We propose a starting wage of 25 dollars an hour."),
        (4.0, 9.0, "B", "Support staff salaries lag behind inflation."),
        (9.0, 14.0, "B", "We will not settle without a living wage."),
        (14.0, 20.0, "A", "The district wants to negotiate a settlement."),
    ],
    # A speaker nobody has named yet is searched by its label.
    [Speaker("A", "SPEAKER_A"), Speaker("B", "SPEAKER_B", "Rosa Delgado")],
)
LATE_OCTOBER = make_transcript(
    "2026-10-28-teachers-salary", "Teachers salary session", "2026-10-28", "Teachers", [
        (0.0, 6.0, None, "Class size limits matter in the upper grades."),
        (6.0, 12.0, None, "A strike vote is possible if there is no salary offer."),
    ],
)
CORPUS = (MARCH, OCTOBER, LATE_OCTOBER)
# A new session's lines (MARCH's speakers) that a search for "salary" matches twice.
SALARY_LINES = [(0.0, 4.0, "S1", "Good morning everyone."),
                (4.0, 9.0, "S1", "Our salary proposal stands."),
                (9.0, 15.0, "S2", "The district salary offer is final.")]

# Sessions with awkward content: HTML in every field, and a video.
HOSTILE_TRANSCRIPT = make_transcript(
    "2026-11-02-hostile", "Hostile <b>title</b>", "2026-11-02", "Teachers & <i>Staff</i>", [
        (0.0, 4.0, "X", "<script>alert(1)</script> salary & budget"),
        (4.0, 8.0, "X", "More about the salary schedule."),
    ],
    [Speaker("X", "SPEAKER_X", "<em>Evil</em> Name")],
)
VIDEO_TRANSCRIPT = make_transcript(
    "2026-11-16-video", "Video session", "2026-11-16", "Teachers", [
        (0.0, 5.0, None, "A salary offer on video."),
    ],
)
VIDEO_TRANSCRIPT.session.media, VIDEO_TRANSCRIPT.session.media_type = "media.mp4", "video/mp4"
# What a hand-made session's recording holds unless a test gives it a real one.
PLACEHOLDER = b"not really media"


def build_index(path: Path, transcripts=CORPUS, engine: str | None = None) -> SearchIndex:
    """A real index on disk holding the given sessions, made empty then added to one by one."""
    index = SearchIndex(path)
    index.rebuild([], engine)
    for transcript in transcripts:
        index.replace_session(transcript)
    return index


def commit(archive: Archive, transcript: Transcript, media: bytes = PLACEHOLDER) -> None:
    """Put a hand-made session into an archive as ingest does: staged, then renamed in."""
    with archive.staging() as folder:
        (folder / transcript.session.media).write_bytes(media)
        archive.commit(folder, transcript)


def made_archive(root: Path, transcripts=(HOSTILE_TRANSCRIPT, VIDEO_TRANSCRIPT),
                 media: dict[str, bytes] | None = None) -> Archive:
    """An indexed archive of hand-made sessions (by default the hostile and video ones), with
    the recordings `media` gives by session id (placeholder bytes for the others)."""
    archive = Archive(root)
    recordings = media or {}
    for transcript in transcripts:
        commit(archive, transcript, recordings.get(transcript.session.id, PLACEHOLDER))
    SearchIndex(archive.index_dir).rebuild_from(archive)
    return archive


def stems(text: str) -> set[str]:
    """The words of a text as the index's text field stores them."""
    return {token.text for token in SPEECH(text)}


def segments_saying(transcript: Transcript, word: str) -> list[int]:
    """Numbers of the segments that say `word` in any form the index counts as the same word."""
    (stem,) = stems(word)
    return [n for n, seg in enumerate(transcript.segments) if stem in stems(seg.text)]


def add_draft(archive: Archive, session_id: str, lines, speakers=(), date: str = "2026-12-01",
              unit: str = "Teachers", media: bytes = PLACEHOLDER) -> str:
    """Put a hand-made draft session (from make_transcript's lines) into an archive, ready to
    be published by a test, over the recording `media`; returns its id."""
    transcript = make_transcript(session_id, f"Session {session_id}", date, unit, lines,
                                 speakers)
    transcript.session.state = "draft"
    commit(archive, transcript, media)
    return session_id
