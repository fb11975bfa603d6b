"""Hand-made sessions with sides, chapters and several units, for facets and grouped results."""

from __future__ import annotations

from ontherecord.model import Chapter, Speaker, Transcript
from tests.helpers.transcripts import make_transcript

DISTRICT = Speaker("D", "SPEAKER_D", "Dana Whitfield", side="district")
UNION = Speaker("U", "SPEAKER_U", "Ursula Grant", side="union")


def faceted(session_id: str, date: str, unit: str, lines: list[tuple[str, str, str]]) -> Transcript:
    """A session of 5-second segments from (speaker id, topic id, text), one chapter per topic."""
    transcript = make_transcript(session_id, f"Session of {date}", date, unit, [
        (5.0 * n, 5.0 * n + 5.0, who, text) for n, (who, _, text) in enumerate(lines)
    ], [DISTRICT, UNION])
    topics = list(dict.fromkeys(topic for _, topic, _ in lines))
    names = {"compensation": "Compensation", "class-size": "Class size and caseloads"}
    transcript.chapters = [Chapter(0.0, 0.0, f"On {t}", names[t], t) for t in topics]
    for segment, (_, topic, _) in zip(transcript.segments, lines, strict=True):
        segment.chapter = topics.index(topic)
    return transcript


# "salary": 5 moments in 3 sessions; 3 by the district, 2 by the union; 4 on compensation.
FACETED = (
    faceted("2026-01-12-teachers-a", "2026-01-12", "Teachers", [
        ("D", "compensation", "The salary schedule stays."),
        ("U", "compensation", "Our salary proposal is fair."),
        ("D", "class-size", "Class size caps cost money."),
    ]),
    faceted("2026-02-09-esp-b", "2026-02-09", "Education Support Professionals", [
        ("D", "compensation", "A salary step for support staff."),
        ("U", "class-size", "Salary is not the only issue, caseloads are."),
    ]),
    faceted("2026-03-16-teachers-c", "2026-03-16", "Teachers", [
        ("D", "compensation", "The district salary offer is final."),
        ("U", "class-size", "Class size matters most."),
    ]),
)
