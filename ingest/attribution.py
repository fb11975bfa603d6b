"""Words to speakers, and Whisper segments split where the speaker changes.

Each word goes to the speaker turn its second half overlaps most; a segment that spans a
change of speaker is cut there, so no segment carries two voices. Where two people talk at
once, the words go to whoever holds the floor: the one whose turn is longer (the other is
usually a "mm-hm" or an interruption that Whisper does not transcribe apart).
"""

from __future__ import annotations

import bisect
import itertools

from ontherecord.model import Segment, Speaker, Turn, Word


def speaker_at(turns: list[Turn], start: float, end: float) -> str | None:
    """The speaker whose turns overlap [start, end] most, else the nearest turn's speaker."""
    if not turns:
        return None
    overlap: dict[str, float] = {}
    first = bisect.bisect_right(turns, start, key=lambda t: t.end)
    i = first
    while i < len(turns) and turns[i].start < end:
        turn, i = turns[i], i + 1
        shared = min(end, turn.end) - max(start, turn.start)
        if shared > 0:
            overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
    if overlap:
        return max(overlap, key=lambda s: overlap[s])
    # In a gap between turns: the turns either side are the only candidates.
    middle = (start + end) / 2
    nearby = turns[max(0, first - 1):first + 1]
    return min(nearby, key=lambda t: max(t.start - middle, middle - t.end)).speaker


def _piece(words: list[Word], speaker: str | None) -> Segment:
    """A segment made of some of another segment's words."""
    text = "".join(w.word for w in words).strip()
    return Segment(words[0].start, words[-1].end, text, speaker, words)


def split_segment(segment: Segment, turns: list[Turn]) -> list[Segment]:
    """The segment cut wherever the speaker of its words changes."""
    if not segment.words:
        return [Segment(segment.start, segment.end, segment.text,
                        speaker_at(turns, segment.start, segment.end), [])]
    # A word is placed by its second half: Whisper stretches the start of a segment's first
    # word back into the pause before it, which would give it to the previous speaker.
    labels = [speaker_at(turns, (w.start + w.end) / 2, w.end) for w in segment.words]
    pieces: list[tuple[str | None, list[Word]]] = []
    for word, label in zip(segment.words, labels, strict=True):
        if pieces and pieces[-1][0] == label:
            pieces[-1][1].append(word)
        else:
            pieces.append((label, [word]))
    if len(pieces) == 1:
        return [Segment(segment.start, segment.end, segment.text, labels[0], segment.words)]
    return [_piece(words, label) for label, words in pieces]


def floor(turns: list[Turn]) -> list[Turn]:
    """Turns without overlap: where several overlap, the longest turn holds the floor."""
    bounds = sorted({t.start for t in turns} | {t.end for t in turns})
    by_start = sorted(turns, key=lambda t: t.start)
    active: list[Turn] = []
    out: list[Turn] = []
    i = 0
    for a, b in itertools.pairwise(bounds):
        while i < len(by_start) and by_start[i].start <= a:
            active.append(by_start[i])
            i += 1
        active = [t for t in active if t.end > a]
        if not active:
            continue
        holder = max(active, key=lambda t: t.end - t.start).speaker
        if out and out[-1].speaker == holder and out[-1].end == a:
            out[-1] = Turn(out[-1].start, b, holder)
        else:
            out.append(Turn(a, b, holder))
    return out


def attribute(segments: list[Segment], turns: list[Turn]) -> list[Segment]:
    """Every segment with its speaker, split at speaker changes; pieces keep their chapter."""
    turns = floor(turns)
    pieces = []
    for segment in segments:
        for piece in split_segment(segment, turns):
            piece.chapter = segment.chapter
            pieces.append(piece)
    return pieces


def speakers_of(turns: list[Turn]) -> list[Speaker]:
    """One unnamed speaker per voice in the turns, with talk time, in order of first speech."""
    talk: dict[str, float] = {}
    for turn in turns:
        talk[turn.speaker] = talk.get(turn.speaker, 0.0) + turn.end - turn.start
    return [Speaker(id=sid, label=f"Speaker {sid.lstrip('S')}", talk_time=round(seconds, 2))
            for sid, seconds in talk.items()]
