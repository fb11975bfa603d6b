"""Transcript corrections: staff fix what the recognizer misheard, and the fix is logged publicly.

A correction changes a segment's text, never its times, so every timestamp and permalink stays
valid. The words keep their timings where they are unchanged; new words share the time of the
words they replace. The log entry goes into the same transcript.json as the fix, so the two are
written together or not at all.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from ontherecord.errors import InputError
from ontherecord.model import Correction, Segment, Transcript, Word, saved_version
from ontherecord.text import one_line
from ontherecord.timecode import now_iso

MAX_TEXT = 2000


def _key(token: str) -> str:
    """A word as compared for alignment: case and punctuation do not make it another word."""
    return re.sub(r"[^\w']+", "", token.casefold())


def clean(text: str) -> str:
    """Corrected text as one line with single spaces; refuses control characters and length."""
    cleaned = one_line(text, MAX_TEXT, "the corrected text")
    if not cleaned:
        raise InputError("the corrected text is empty (a segment cannot be deleted)")
    return cleaned


def spread(tokens: list[str], start: float, end: float) -> list[Word]:
    """New words sharing a span of time evenly (a staff fix is certain: probability 1)."""
    step = max(end - start, 0.0) / len(tokens)
    return [Word(round(start + i * step, 3), round(start + (i + 1) * step, 3), f" {t}", 1.0)
            for i, t in enumerate(tokens)]


def realign(words: list[Word], text: str, segment: Segment) -> list[Word]:
    """Words for the corrected `text`, timed from the words they replace.

    Unchanged words keep their times; new ones share the time of the words they replace, or
    the gap where they were inserted.
    """
    if not words:
        return []
    tokens = text.split()
    old = [_key(w.word) for w in words]
    matcher = difflib.SequenceMatcher(a=old, b=[_key(t) for t in tokens], autojunk=False)
    out: list[Word] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [Word(w.start, w.end, f" {t}", w.probability)
                    for w, t in zip(words[i1:i2], tokens[j1:j2], strict=True)]
        elif j2 > j1:  # replace or insert
            start = words[i1].start if i2 > i1 else (out[-1].end if out else segment.start)
            end = words[i2 - 1].end if i2 > i1 else (words[i1].start if i1 < len(words)
                                                     else segment.end)
            out += spread(tokens[j1:j2], start, max(start, end))
    return out


def correct(transcript: Transcript, index: int, text: str, expected: str | None = None,
            now: dt.datetime | None = None) -> Correction:
    """Fix segment `index` (from 0) of a transcript in memory and log it.

    `expected` is the text the editor saw: if the segment changed since, the fix is refused
    rather than silently undoing someone else's.
    """
    if not 0 <= index < len(transcript.segments):
        raise InputError(f"session {transcript.session.id} has no segment {index}")
    segment = transcript.segments[index]
    before = segment.text.strip()
    if expected is not None and " ".join(expected.split()) != " ".join(before.split()):
        raise InputError("the segment was changed since you opened it: reload and try again")
    after = clean(text)
    if after == before:
        raise InputError("the corrected text is the same as the transcript's")
    segment.words = realign(segment.words, after, segment)
    # Whisper's text starts with a space; keep that form so exports read the same.
    segment.text = f" {after}"
    when = now.isoformat(timespec="seconds") if now else now_iso()
    correction = Correction(when, segment.start, before, after, saved_version(transcript))
    transcript.corrections.append(correction)
    return correction


def segment_at(transcript: Transcript, seconds: float) -> int:
    """The index of the segment being said at `seconds` (else the last one begun by then)."""
    begun = [i for i, s in enumerate(transcript.segments) if s.start <= seconds + 1e-6]
    if not begun:
        raise InputError(f"nothing is said at {seconds:g} s in session {transcript.session.id}")
    return begun[-1]
