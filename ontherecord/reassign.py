"""Who said which line, as staff set it.

Lines given to another speaker (an existing one or a new one), a voice split in two, and lines
staff set kept through a new diarization.

A line staff set is marked (`Segment.speaker_by = "staff"`); its time becomes its speaker's in
the turns, so talk times, the timeline and the RTTM export agree with the transcript. Every
change is logged publicly (SpeakerChange), like a text correction. Pure functions on a
transcript; ontherecord.service saves the change and updates the search index.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ontherecord.corrections import segment_at
from ontherecord.errors import InputError
from ontherecord.model import (
    Speaker,
    SpeakerChange,
    SpeakerHow,
    Transcript,
    Turn,
    saved_version,
)
from ontherecord.speakers import find, join_turns
from ontherecord.timecode import clock, now_iso

NEW = "new"  # the speaker reference that asks for a new voice


def new_speaker(transcript: Transcript) -> Speaker:
    """A new, unnamed speaker numbered after every other (S5 as "Speaker 5"), added."""
    numbers = [int(m.group(1)) for s in transcript.speakers
               if (m := re.fullmatch(r"S(\d+)", s.id))]
    n = max(numbers, default=len(transcript.speakers)) + 1
    speaker = Speaker(id=f"S{n}", label=f"Speaker {n}")
    transcript.speakers.append(speaker)
    return speaker


def log(transcript: Transcript, how: SpeakerHow, start: float, before: str, after: str,
        lines: int, now: dt.datetime | None = None) -> SpeakerChange:
    """Add an entry to the session's public log of speaker changes."""
    when = now.isoformat(timespec="seconds") if now else now_iso()
    change = SpeakerChange(when, start, before, after, lines, how, saved_version(transcript))
    transcript.speaker_changes.append(change)
    return change


def line_range(transcript: Transcript, start: float, end: float) -> tuple[int, int]:
    """The lines said between two times, in part or whole; for one time, the line said then."""
    duration = transcript.session.duration
    if end < start:
        raise InputError(f"the range ends ({clock(end)[:8]}) before it starts "
                         f"({clock(start)[:8]})")
    if end > duration:
        raise InputError(f"{clock(end)[:8]} is after the end of the session "
                         f"({clock(duration)[:8]})")
    if start == end:  # as a correction finds its line
        line = segment_at(transcript, start)
        return line, line
    segments = transcript.segments
    first = next((i for i, s in enumerate(segments) if s.end > start), len(segments))
    last = max((i for i, s in enumerate(segments) if s.start <= end), default=-1)
    if first > last:
        raise InputError(f"no line is said between {clock(start)[:8]} and {clock(end)[:8]}")
    return first, last


def _claim(turns: list[Turn], start: float, end: float, speaker: str) -> list[Turn]:
    """The turns with [start, end] given to one speaker (others' turns cut around it)."""
    out: list[Turn] = []
    for turn in turns:
        if turn.end <= start or turn.start >= end:
            out.append(turn)
            continue
        if turn.start < start:
            out.append(replace(turn, end=start))
        if turn.end > end:
            out.append(replace(turn, start=end))
    out.append(Turn(start, end, speaker))
    return join_turns(sorted(out, key=lambda t: t.start))


def move(transcript: Transcript, indexes: list[int], to: Speaker) -> list[str]:
    """Give lines to a speaker, marked as set by staff; returns who said them before.

    The speakers left with no line go, with their turns; talk times are counted again.
    """
    before: list[str] = []
    for i in indexes:
        segment = transcript.segments[i]
        if segment.speaker != to.id:
            before.append(segment.speaker or "")
        segment.speaker, segment.speaker_by = to.id, "staff"
        transcript.turns = _claim(transcript.turns, segment.start, segment.end, to.id)
    recount(transcript, set(before))
    return before


def recount(transcript: Transcript, touched: set[str]) -> None:
    """Talk times from the turns again; touched speakers left without a line are dropped."""
    said = {s.speaker for s in transcript.segments}
    gone = touched - said
    transcript.turns = [t for t in transcript.turns if t.speaker not in gone]
    transcript.speakers = [s for s in transcript.speakers if s.id not in gone]
    talk: dict[str, float] = {}
    for turn in transcript.turns:
        talk[turn.speaker] = talk.get(turn.speaker, 0.0) + turn.end - turn.start
    for speaker in transcript.speakers:
        speaker.talk_time = round(talk.get(speaker.id, 0.0), 2)


def reassign(transcript: Transcript, first: int, last: int, ref: str,
             now: dt.datetime | None = None) -> SpeakerChange:
    """Give lines `first` to `last` (from 0) to the speaker `ref` means, or to a new one."""
    count = len(transcript.segments)
    if not 0 <= first <= last < count:
        where = f"line {first}" if first == last else f"lines {first} to {last}"
        raise InputError(f"session {transcript.session.id} has no {where} "
                         f"(it has lines 0 to {count - 1})")
    lines = range(first, last + 1)
    to = new_speaker(transcript) if ref.strip().lower() == NEW else find(transcript, ref)
    if all(transcript.segments[i].speaker == to.id for i in lines):
        said = "that line is" if first == last else "those lines are"
        raise InputError(f"{said} already {to.display}'s")
    shown = {s.id: s.display for s in transcript.speakers}  # names before any speaker goes
    before = move(transcript, list(lines), to)
    return log(transcript, "reassign", transcript.segments[first].start,
               ", ".join(dict.fromkeys(shown.get(i) or "no one" for i in before)), to.display,
               len(before), now)


def lines_of(transcript: Transcript, speaker_id: str) -> list[int]:
    """The indexes of a speaker's lines."""
    return [i for i, s in enumerate(transcript.segments) if s.speaker == speaker_id]


def split(transcript: Transcript, ref: str, moved: list[int],
          now: dt.datetime | None = None) -> tuple[Speaker, Speaker, SpeakerChange]:
    """Give some of a speaker's lines (a second voice found among them) to a new speaker.

    Returns the speaker split, the new one and the log entry.
    """
    speaker = find(transcript, ref)
    theirs = set(lines_of(transcript, speaker.id))
    if not moved or not set(moved) < theirs:
        raise InputError(f"a split must leave {speaker.display} some of their lines and move "
                         "the others")
    new = new_speaker(transcript)
    move(transcript, sorted(moved), new)
    return speaker, new, log(transcript, "split", transcript.segments[min(moved)].start,
                             speaker.display, new.display, len(moved), now)


def check_splittable(transcript: Transcript, ref: str) -> Speaker:
    """The speaker `ref` means, if they have lines enough to find two voices in."""
    speaker = find(transcript, ref)
    if len(lines_of(transcript, speaker.id)) < 2:
        raise InputError(f"{speaker.display} has fewer than two lines: give the line to "
                         "another speaker instead")
    return speaker


def hold(transcript: Transcript) -> dict[str, Speaker]:
    """The speakers of the lines staff set, by id, to carry through a new diarization."""
    return {s.speaker: replace(sp) for s in transcript.segments
            if s.speaker_by == "staff" and s.speaker and (sp := transcript.speaker(s.speaker))}


def restore(transcript: Transcript, held: dict[str, Speaker], staff_lines: list[int]) -> None:
    """After a new diarization: the lines staff set get their speakers back.

    `held` is hold() from before; `staff_lines` the indexes of those lines now, still under
    their old ids. A speaker staff named is found again by name (the voice registry may have
    carried it over); any other gets a new id, so no old id is read with a new meaning.
    """
    ids: dict[str, str] = {}
    for old, speaker in held.items():
        same = next((s for s in transcript.speakers if speaker.name and s.name
                     and s.name.casefold() == speaker.name.casefold()), None)
        if same is None:
            same = new_speaker(transcript)
            same.name, same.side, same.role = speaker.name, speaker.side, speaker.role
            same.named_by = "staff" if speaker.name else None
        ids[old] = same.id
    for i in staff_lines:
        segment = transcript.segments[i]
        segment.speaker = ids[segment.speaker or ""]
        transcript.turns = _claim(transcript.turns, segment.start, segment.end, segment.speaker)
    recount(transcript, set())  # every speaker keeps the lines diarization gave them
