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

# A piece this small, cut from a segment at a change of speaker, is taken as a misplaced edge.
MAX_SLIVER_WORDS = 2
MAX_SLIVER_SECONDS = 1.0


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
    pieces = _without_slivers(_joined([(label, [word]) for word, label
                                       in zip(segment.words, labels, strict=True)]))
    if len(pieces) == 1:
        return [Segment(segment.start, segment.end, segment.text, pieces[0][0], segment.words)]
    return [_piece(words, label) for label, words in pieces]


def _without_slivers(pieces: list[tuple[str | None, list[Word]]],
                     ) -> list[tuple[str | None, list[Word]]]:
    """Pieces of a word or two (under a second) joined to the longer piece beside them.

    Whisper ends a segment where a voice stops, so a segment holding two voices is mostly a
    change of speaker that diarization placed a few hundred ms off ("Thank" given to the
    speaker before, "you. We have looked…" to the right one). A real one-word answer from
    another voice is usually a segment of its own, and is left alone.
    """
    while len(pieces) > 1:
        short = [i for i, (_, words) in enumerate(pieces)
                 if len(words) <= MAX_SLIVER_WORDS
                 and words[-1].end - words[0].start < MAX_SLIVER_SECONDS]
        if not short:
            break
        i = short[0]
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(pieces)]
        j = max(neighbours, key=lambda j: len(pieces[j][1]))
        label, words = pieces[j]
        merged = words + pieces[i][1] if j < i else pieces[i][1] + words
        pieces = _joined([*pieces[:min(i, j)], (label, merged), *pieces[max(i, j) + 1:]])
    return pieces


def _joined(pieces: list[tuple[str | None, list[Word]]]) -> list[tuple[str | None, list[Word]]]:
    """Neighbouring pieces of one speaker made one."""
    out: list[tuple[str | None, list[Word]]] = []
    for label, words in pieces:
        if out and out[-1][0] == label:
            out[-1] = (label, out[-1][1] + words)
        else:
            out.append((label, words))
    return out


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
