"""The voice registry: voiceprints of people staff have named, to recognize them next time.

Kept in the archive as voices.json::

    {"people": [{"name": "Jane Doe", "side": "district", "role": "Chief negotiator",
                 "prints": [{"session": "<id>", "speaker": "S2", "vector": [192 numbers]}]}]}

Only staff-confirmed names add voiceprints; a voice the registry recognized does not teach it,
so one wrong match cannot spread. A new session's speaker takes a person's name when its
voiceprint's cosine similarity to any of theirs reaches THRESHOLD, one person per speaker.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from ontherecord.archive import Archive, write_json_atomic
from ontherecord.model import Speaker

# Calibrated on 261 LibriSpeech voices with CAM++ voiceprints (bench/voice_matching.py): at 0.6,
# 97% of pairs of one person's recordings matched and none of 61,000 pairs of different people
# did (the closest reached 0.55). A wrong name in the public record costs more than a missed
# one, which staff can still add. One person heard in the room and on a phone line rarely
# matches (7% of such pairs): the phone band changes a voiceprint more than a voice does.
THRESHOLD = 0.6
MAX_PRINTS = 20  # per person: the most recent sessions are kept


@dataclass
class Print:
    """One voiceprint of a person, and the session speaker it came from."""

    session: str
    speaker: str
    vector: list[float]


@dataclass
class Person:
    """A named voice."""

    name: str
    side: str | None = None
    role: str | None = None
    prints: list[Print] = field(default_factory=list)


def load(archive: Archive) -> list[Person]:
    """Everyone in the archive's registry."""
    path = archive.registry_path
    if not path.is_file():
        return []
    people = json.loads(path.read_text("utf-8")).get("people", [])
    return [Person(p["name"], p.get("side"), p.get("role"), [Print(**x) for x in p["prints"]])
            for p in people]


def save(archive: Archive, people: list[Person]) -> None:
    """Write the registry atomically."""
    write_json_atomic(archive.registry_path, {"people": [asdict(p) for p in people]})


def forget(people: list[Person], session: str, speaker: str | None = None) -> list[Person]:
    """The registry without a session speaker's voiceprint (all the session's if None).

    People left with no voiceprint leave the registry.
    """
    for person in people:
        person.prints = [p for p in person.prints
                         if not (p.session == session and speaker in (None, p.speaker))]
    return [p for p in people if p.prints]


def learn(people: list[Person], speaker: Speaker, session: str,
          vector: list[float] | None) -> list[Person]:
    """The registry after staff named `speaker`: its voiceprint filed under that name."""
    people = forget(people, session, speaker.id)
    if not speaker.name or vector is None:
        return people
    person = next((p for p in people if p.name.casefold() == speaker.name.casefold()), None)
    if person is None:
        person = Person(speaker.name)
        people.append(person)
    person.side, person.role = speaker.side or person.side, speaker.role or person.role
    person.prints = (person.prints + [Print(session, speaker.id, vector)])[-MAX_PRINTS:]
    return people


def recognize(people: list[Person], speakers: list[Speaker],
              voiceprints: dict[str, list[float]], threshold: float = THRESHOLD) -> None:
    """Name the speakers whose voices match registered people, best matches first."""
    scores = []
    for speaker in speakers:
        vector = voiceprints.get(speaker.id)
        if vector is None:
            continue
        for person in people:
            # Prints of another length come from an earlier speaker encoder: not comparable.
            best = max((float(np.dot(vector, p.vector)) for p in person.prints
                        if len(p.vector) == len(vector)), default=-1.0)
            if best >= threshold:
                scores.append((best, speaker, person))
    taken_speakers: set[str] = set()
    taken_people: set[str] = set()
    for score, speaker, person in sorted(scores, key=lambda x: -x[0]):
        if speaker.id in taken_speakers or person.name in taken_people:
            continue
        taken_speakers.add(speaker.id)
        taken_people.add(person.name)
        speaker.name, speaker.side, speaker.role = person.name, person.side, person.role
        speaker.named_by, speaker.score = "voice", round(score, 3)
