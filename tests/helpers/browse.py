"""Hand-made sessions for the browse pages: units, dates, publication times and named people,
with a draft and a closed session that must never show."""

from __future__ import annotations

from pathlib import Path

from ontherecord.archive import Archive
from ontherecord.model import Chapter, Speaker, Transcript
from tests.helpers.transcripts import made_archive, make_transcript

ESP = "Education Support Professionals"


def session(session_id: str, date: str, unit: str, published_at: str,
            speakers: list[Speaker], lines: list[tuple[str, str]]) -> Transcript:
    """A published session of 10-second lines (speaker id, text), one chapter per two lines."""
    transcript = make_transcript(session_id, f"{unit} session of {date}", date, unit, [
        (10.0 * n, 10.0 * n + 10.0, who, text) for n, (who, text) in enumerate(lines)
    ], speakers)
    transcript.session.published_at = published_at
    transcript.chapters = [Chapter(20.0 * n, 20.0 * n + 20.0, f"Part {n + 1}", "Compensation",
                                   "compensation") for n in range((len(lines) + 1) // 2)]
    for n, segment in enumerate(transcript.segments):
        segment.chapter = n // 2
    return transcript


def dana(talk: float) -> Speaker:
    """The district's negotiator, with this much talk time."""
    return Speaker("D", "Speaker 1", "Dana Whitfield", "district", "Chief negotiator", talk)


def ursula(talk: float) -> Speaker:
    """The teachers' negotiator, with this much talk time."""
    return Speaker("U", "Speaker 2", "Ursula Grant", "union", "Lead negotiator", talk)


def browse_sessions() -> list[Transcript]:
    """Three public sessions (the February one published last), a draft and a closed one."""
    january = session("2026-01-12-teachers-a", "2026-01-12", "Teachers",
                      "2026-01-13T09:00:00+00:00",
                      [dana(120.0), ursula(90.0), Speaker("X", "Speaker 3", talk_time=30.0)],
                      [("D", "The salary schedule stays."), ("U", "Our salary proposal is fair."),
                       ("X", "Class size caps cost money.")])
    february = session("2026-02-09-esp-b", "2026-02-09", ESP, "2026-03-20T09:00:00+00:00",
                       [dana(60.0), Speaker("J", "Speaker 2", "José Núñez", "union", None, 45.0)],
                       [("D", "A salary step for support staff."),
                        ("J", "Wages lag behind inflation.")])
    march = session("2026-03-16-teachers-c", "2026-03-16", "Teachers",
                    "2026-03-17T09:00:00+00:00", [dana(30.0), ursula(100.0)],
                    [("D", "The district salary offer is final."),
                     ("U", "Class size matters most.")])
    draft = session("2026-04-01-teachers-draft", "2026-04-01", "Teachers", "",
                    [dana(10.0), Speaker("B", "Speaker 2", "Dora Draft", "board", None, 20.0)],
                    [("B", "A secret salary plan."), ("D", "Not for publication.")])
    draft.session.state = "draft"
    closed = session("2026-04-15-board-closed", "2026-04-15", "School Board",
                     "2026-04-16T09:00:00+00:00",
                     [Speaker("C", "Speaker 1", "Carl Closed", "board", None, 50.0)],
                     [("C", "A closed salary discussion.")])
    closed.session.closed = True
    return [january, february, march, draft, closed]


def browse_archive(root: Path) -> Archive:
    """An indexed archive of browse_sessions()."""
    return made_archive(root, browse_sessions())
