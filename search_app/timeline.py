"""The session timeline: a lane per speaker showing when each spoke, the chapters above them.

Built on the server as boxes placed by time (percentages of the recording), so it shows
without JavaScript; static/timeline.js adds seeking by click and keyboard and the playhead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ontherecord.model import SIDES, Chapter, Segment, Transcript

# A speaker's consecutive segments this close together are one stretch of talk: a sentence
# break is not a change of floor. A longer pause stays visible as a gap in the lane.
MERGE_GAP = 5.0
# The lane of segments no speaker was found for (sessions from before diarization).
UNATTRIBUTED = "Unattributed"


@dataclass(frozen=True)
class Span:
    """One stretch of talk by one speaker: consecutive segments merged."""

    speaker: str
    start: float
    end: float


@dataclass
class Lane:
    """One speaker's row: who, on which side, and when they spoke."""

    speaker: str
    name: str
    side: str | None
    spans: list[Span] = field(default_factory=list)


@dataclass
class Timeline:
    """Everything the timeline draws, with positions as percentages of the recording."""

    duration: float
    lanes: list[Lane]
    chapters: list[Chapter]

    def left(self, seconds: float) -> float:
        """Where a moment sits, in percent from the left (clamped to the recording)."""
        return round(min(max(100 * seconds / (self.duration or 1), 0.0), 100.0), 2)

    def width(self, start: float, end: float) -> float:
        """How wide a stretch is, in percent of the recording (the part inside it)."""
        inside = min(end, self.duration) - max(start, 0.0)
        return round(max(100 * inside / (self.duration or 1), 0.0), 2)

    @property
    def span_count(self) -> int:
        """How many boxes the lanes draw."""
        return sum(len(lane.spans) for lane in self.lanes)


def talk_spans(segments: Iterable[Segment]) -> list[Span]:
    """Spans of talk in the order spoken: a speaker's consecutive segments merged into one.

    A 3-hour session has thousands of segments but hundreds of changes of speaker, so this
    keeps the page to hundreds of boxes.
    """
    spans: list[Span] = []
    for seg in segments:
        speaker = seg.speaker or ""
        last = spans[-1] if spans else None
        if last and last.speaker == speaker and seg.start - last.end <= MERGE_GAP:
            spans[-1] = Span(speaker, last.start, max(last.end, seg.end))
        else:
            spans.append(Span(speaker, seg.start, max(seg.start, seg.end)))
    return spans


def lane_order(lane: Lane) -> tuple[int, float]:
    """District, union, mediator… lanes together (as SIDES lists them), then by first word."""
    side = SIDES.index(lane.side) if lane.side in SIDES else len(SIDES)
    return side, lane.spans[0].start


def build(transcript: Transcript) -> Timeline:
    """The timeline of a session: its speakers' lanes and its chapters."""
    lanes: dict[str, Lane] = {}
    for span in talk_spans(transcript.segments):
        if span.speaker not in lanes:
            who = transcript.speaker(span.speaker)
            lanes[span.speaker] = Lane(span.speaker,
                                       transcript.speaker_name(span.speaker) or UNATTRIBUTED,
                                       who.side if who else None)
        lanes[span.speaker].spans.append(span)
    return Timeline(transcript.session.duration, sorted(lanes.values(), key=lane_order),
                    transcript.chapters)
