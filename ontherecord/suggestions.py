"""Names the machine offers for a session's speakers, each for staff to accept or reject.

A suggestion comes from the voice registry (a voice that matched someone staff named before:
the speaker already shows the name, marked as a voice match) or from what was said: someone
introducing themselves, or answering to their name at roll call (ontherecord.introductions).
Accepting one names the speaker as staff would; rejecting one is remembered, so the same name
is not offered for the same speaker again. Pure functions on a transcript;
ontherecord.service saves.
"""

from __future__ import annotations

from ontherecord import introductions
from ontherecord.errors import InputError
from ontherecord.model import RosterMember, Segment, Speaker, Suggestion, Transcript
from ontherecord.speakers import find


def _key(suggestion: Suggestion) -> tuple[str, str]:
    """What makes two suggestions the same: the speaker and the name (any case)."""
    return suggestion.speaker, suggestion.name.casefold()


def _from_voices(speakers: list[Speaker]) -> list[Suggestion]:
    """The names the voice registry gave, as suggestions with their scores."""
    return [Suggestion(s.id, s.name, s.side, s.role, "voice", s.score) for s in speakers
            if s.named_by == "voice" and s.name]


def _from_introductions(segments: list[Segment],
                        roster: list[RosterMember]) -> list[Suggestion]:
    """The names people said for themselves (introductions, roll-call answers), with evidence.

    A roster puts the names right and gives their sides and roles.
    """
    return [Suggestion(i.speaker, i.name, i.side, i.role,
                       "roll call" if i.how == introductions.ROLL_CALL else "introduction",
                       None, i.evidence, i.start)
            for i in introductions.find(segments, roster)]


def found(transcript: Transcript) -> list[Suggestion]:
    """Every name the machine has for the transcript's speakers: voice matches first."""
    return _from_voices(transcript.speakers) + _from_introductions(transcript.segments,
                                                                   transcript.session.roster)


def _unname(speaker: Speaker) -> None:
    """Take back a name the voice registry gave."""
    speaker.name = speaker.side = speaker.role = speaker.named_by = None
    speaker.score = None


def offer(transcript: Transcript, found: list[Suggestion]) -> None:
    """Make `found` the transcript's suggestions, but for those staff rejected before.

    A voice match staff rejected before is taken back from its speaker too.
    """
    rejected = {_key(r) for r in transcript.rejected}
    for speaker in transcript.speakers:
        if speaker.named_by == "voice" and speaker.name \
                and (speaker.id, speaker.name.casefold()) in rejected:
            _unname(speaker)
    kept: dict[tuple[str, str], Suggestion] = {}
    for suggestion in found:
        if _key(suggestion) not in rejected:
            kept.setdefault(_key(suggestion), suggestion)
    transcript.suggestions = list(kept.values())
    settle(transcript)


def settle(transcript: Transcript) -> None:
    """Drop suggestions that no longer apply.

    Those for a speaker gone or named by staff, and those of a name staff gave another speaker.
    """
    taken = {s.name.casefold(): s.id for s in transcript.speakers
             if s.name and s.named_by == "staff"}

    def applies(suggestion: Suggestion) -> bool:
        speaker = transcript.speaker(suggestion.speaker)
        return (speaker is not None and speaker.named_by != "staff"
                and taken.get(suggestion.name.casefold(), speaker.id) == speaker.id)

    transcript.suggestions = [s for s in transcript.suggestions if applies(s)]


def take(transcript: Transcript, ref: str, name: str) -> Suggestion:
    """The suggestion of `name` for the speaker `ref` means, taken off the list."""
    speaker = find(transcript, ref)
    wanted = (speaker.id, " ".join(name.split()).casefold())
    found = next((s for s in transcript.suggestions if _key(s) == wanted), None)
    if found is None:
        raise InputError(f"{name!r} is not suggested for {speaker.display} (accepted or "
                         "rejected already?): reload the page")
    transcript.suggestions.remove(found)
    return found


def reject(transcript: Transcript, ref: str, name: str) -> Suggestion:
    """Turn a suggestion down for good; a voice match's name is taken back from its speaker."""
    suggestion = take(transcript, ref, name)
    transcript.rejected.append(suggestion)
    speaker = find(transcript, suggestion.speaker)
    if speaker.named_by == "voice" and speaker.name \
            and speaker.name.casefold() == suggestion.name.casefold():
        _unname(speaker)
    return suggestion
