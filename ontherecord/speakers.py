"""Staff edits to a session's speakers: naming them and merging voices diarization split.

Pure functions on a transcript (and its voiceprints); ontherecord.service saves the change,
keeps the voice registry in step and updates the search index.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ontherecord.errors import InputError
from ontherecord.model import SIDES, Speaker, Transcript, Turn
from ontherecord.roster import MAX_NAME
from ontherecord.text import one_line


def find(transcript: Transcript, ref: str) -> Speaker:
    """The speaker that `ref` means: an id (S2), its number (2) or its label (Speaker 2)."""
    wanted = ref.strip().lower()
    for speaker in transcript.speakers:
        if wanted in (speaker.id.lower(), speaker.label.lower(), speaker.id[1:]):
            return speaker
    known = ", ".join(s.id for s in transcript.speakers) or "none"
    raise InputError(f"no speaker {ref!r} in session {transcript.session.id} (speakers: {known})")


def _clean(value: str | None, what: str) -> str | None:
    """A name or role with its spaces tidied; None for empty. Refuses control characters."""
    if value is None:
        return None
    return one_line(value, MAX_NAME, what) or None


def name(transcript: Transcript, ref: str, new_name: str | None, side: str | None = None,
         role: str | None = None) -> Speaker:
    """Set a speaker's name (empty to unname), side and role; returns the speaker."""
    speaker = find(transcript, ref)
    if side and side not in SIDES:
        raise InputError(f"side must be one of {', '.join(SIDES)}")
    if new_name is not None:
        cleaned = _clean(new_name, "name")
        # Case is ignored, as the speaker filter ignores it: "jane doe" is Jane Doe.
        other = next((s for s in transcript.speakers if s.id != speaker.id and cleaned
                      and s.name and s.name.casefold() == cleaned.casefold()), None)
        if other:
            raise InputError(f"{other.id} is already {cleaned}; if they are one voice, "
                             f"merge them: --merge {speaker.id} {other.id}")
        speaker.name = cleaned
        speaker.named_by, speaker.score = ("staff", None) if cleaned else (None, None)
    if side is not None:
        speaker.side = side or None
    if role is not None:
        speaker.role = _clean(role, "role")
    if speaker.named_by == "voice":  # a side or role edit confirms the recognized name
        speaker.named_by, speaker.score = "staff", None
    return speaker


def merge(transcript: Transcript, prints: dict[str, list[float]], source_ref: str,
          target_ref: str) -> tuple[Speaker, Speaker]:
    """Fold one speaker into another: turns, segments, talk time and voiceprint (in `prints`).

    Returns (the speaker folded away, the one it went into).
    """
    source, target = find(transcript, source_ref), find(transcript, target_ref)
    if source.id == target.id:
        raise InputError(f"{source.id} cannot be merged into itself")
    for segment in transcript.segments:
        if segment.speaker == source.id:
            segment.speaker = target.id
    transcript.turns = join_turns([replace(t, speaker=target.id) if t.speaker == source.id
                                    else t for t in transcript.turns])
    weights = (source.talk_time, target.talk_time)  # each voice counts for its own talk time
    target.talk_time = round(target.talk_time + source.talk_time, 2)
    transcript.speakers = [s for s in transcript.speakers if s.id != source.id]
    if source.id in prints and target.id in prints:
        mean = np.average([prints[source.id], prints[target.id]], axis=0, weights=weights)
        prints[target.id] = [round(float(x), 5) for x in mean / np.linalg.norm(mean)]
    prints.pop(source.id, None)
    return source, target


def join_turns(turns: list[Turn]) -> list[Turn]:
    """Adjacent turns of the same speaker made one."""
    out: list[Turn] = []
    for turn in turns:
        if out and out[-1].speaker == turn.speaker and turn.start - out[-1].end < 0.01:
            out[-1] = Turn(out[-1].start, turn.end, turn.speaker)
        else:
            out.append(turn)
    return out


def talk_by_side(transcript: Transcript) -> list[tuple[str, float]]:
    """Talk time per side (district, union…), most first; '' for speakers of no known side.

    Empty until some speaker has a side: then the split is worth showing.
    """
    if not any(s.side for s in transcript.speakers):
        return []
    talk: dict[str, float] = {}
    for speaker in transcript.speakers:
        talk[speaker.side or ""] = talk.get(speaker.side or "", 0.0) + speaker.talk_time
    return sorted(((side, round(t, 2)) for side, t in talk.items()), key=lambda x: -x[1])
