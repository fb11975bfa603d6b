"""The stretch of a session a clip covers, as ?t= and ?end= ask for it, and its captions."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ontherecord.errors import InputError
from ontherecord.model import Segment, Transcript, Word
from ontherecord.timecode import parse_time


@dataclass(frozen=True)
class ClipRange:
    """From `start` to `end`, in seconds of the session's recording, to the millisecond."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        """How long the clip is, in seconds."""
        return round(self.end - self.start, 3)

    @property
    def label(self) -> str:
        """The range as file names carry it: 12.5-20."""
        return f"{short(self.start)}-{short(self.end)}"

    def shift(self, seconds: float) -> float:
        """A moment of the recording as a moment of the clip: kept inside it, 0 at its start."""
        return round(min(max(seconds, self.start), self.end) - self.start, 3)


def short(seconds: float) -> str:
    """Seconds to the millisecond without trailing zeros: 12.5, 20, 0.125."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def _moment(name: str, raw: str | None) -> float:
    """One end of the range, read from the argument `name`, to the millisecond."""
    if raw is None or not raw.strip():
        raise InputError(f"a clip needs ?t= and ?end= (seconds, or h:mm:ss): {name}= is missing")
    try:
        return round(parse_time(raw), 3)
    except InputError:
        raise InputError(f"{name}={raw!r} is not a time: use seconds (83) or h:mm:ss "
                         "(1:02:03)") from None


def clip_range(t: str | None, end: str | None, duration: float, longest: float) -> ClipRange:
    """The range from ?t= to ?end=, if it lies in the recording and lasts at most `longest` s."""
    span = ClipRange(_moment("t", t), _moment("end", end))
    if span.end <= span.start:
        raise InputError(f"end={short(span.end)} must come after t={short(span.start)}")
    if span.end > round(duration, 3):
        raise InputError(f"end={short(span.end)} is past the end of the recording "
                         f"({short(duration)} s)")
    if span.duration > longest:
        raise InputError(f"a clip is at most {short(longest)} s long; t={short(span.start)} "
                         f"to end={short(span.end)} is {short(span.duration)} s")
    return span


def captions_within(transcript: Transcript, span: ClipRange) -> Transcript:
    """The transcript's lines heard in the range, clipped to it and timed from its start."""
    segments = [s for s in (_clipped(seg, span) for seg in transcript.segments) if s]
    return dataclasses.replace(transcript, segments=segments)


def _clipped(segment: Segment, span: ClipRange) -> Segment | None:
    """The part of a line heard in the range, timed from its start; None if none of it is."""
    if segment.end <= span.start or segment.start >= span.end:
        return None
    words = [Word(span.shift(w.start), span.shift(w.end), w.word, w.probability)
             for w in segment.words if w.end > span.start and w.start < span.end]
    if segment.words and not words:  # the line overlaps only by a pause before or after it
        return None
    return dataclasses.replace(segment, start=span.shift(segment.start),
                               end=span.shift(segment.end), words=words)
