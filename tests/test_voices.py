"""The voice registry: staff name a voice once, and the next session with that voice is named.

Real sessions throughout: the example and its follow-up, where the district and union
negotiators speak again with the same voices and a school board member is new.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from ontherecord import voices
from ontherecord.archive import Archive
from ontherecord.model import Speaker
from tests.helpers.example import (
    DISTRICT_NAME,
    FOLLOWUP,
    FOLLOWUP_REFERENCE,
    REFERENCE,
    followup_details,
    ingest_into,
    name_speaker,
)
from tests.helpers.turns import speaker_map


def registry(archive: Archive) -> dict:
    return json.loads(archive.registry_path.read_text("utf-8"))


def test_naming_files_the_voiceprint_under_the_name(archive_copy, example_id):
    assert not archive_copy.registry_path.exists()
    district = speaker_map(archive_copy.transcript(example_id).turns, REFERENCE)["district"]
    name_speaker(archive_copy, example_id, district, "Jane Doe", "district", "Chief negotiator")
    (person,) = registry(archive_copy)["people"]
    assert (person["name"], person["side"], person["role"]) == ("Jane Doe", "district",
                                                                 "Chief negotiator")
    (entry,) = person["prints"]
    assert (entry["session"], entry["speaker"]) == (example_id, district)
    assert entry["vector"] == archive_copy.voiceprints(example_id)[district]
    assert len(entry["vector"]) == 192  # CAM++

    # Renamed: the print moves to the new name; the old name is gone.
    name_speaker(archive_copy, example_id, district, "Janet Doe")
    (person,) = voices.load(archive_copy)
    assert person.name == "Janet Doe" and len(person.prints) == 1
    # Unnamed: the registry forgets the voice.
    name_speaker(archive_copy, example_id, district, "")
    assert voices.load(archive_copy) == []
    assert archive_copy.transcript(example_id).speaker(district).name is None


def test_a_named_voice_is_recognized_in_the_next_session(named_archive, example_id,
                                                         followup_id):
    followup = named_archive.transcript(followup_id)
    mapping = speaker_map(followup.turns, FOLLOWUP_REFERENCE)
    district = followup.speaker(mapping["district"])
    assert district.name == DISTRICT_NAME
    assert (district.side, district.role) == ("district", "Chief negotiator")
    assert district.named_by == "voice"
    assert district.score >= voices.THRESHOLD
    # The score is the cosine similarity of the two sessions' voiceprints of that voice.
    before = named_archive.voiceprints(example_id)[
        speaker_map(named_archive.transcript(example_id).turns, REFERENCE)["district"]]
    after = named_archive.voiceprints(followup_id)[district.id]
    assert district.score == pytest.approx(float(np.dot(before, after)), abs=1e-3)
    # Nobody else is given that name, or any name: the union was not named, the board is new.
    for voice in ("union", "board"):
        other = followup.speaker(mapping[voice])
        assert (other.name, other.named_by, other.score, other.side) == (None, None, None, None)
    # The recognized name is what the transcript, and so the search index, shows.
    assert followup.speaker_name(district.id) == DISTRICT_NAME


def test_recognition_does_not_teach_the_registry(named_archive, example_id):
    """Only staff-confirmed names add voiceprints, so one wrong match cannot spread."""
    (person,) = voices.load(named_archive)
    assert person.name == DISTRICT_NAME
    assert [(p.session, p.speaker) for p in person.prints] == [
        (example_id, speaker_map(named_archive.transcript(example_id).turns,
                                 REFERENCE)["district"])]


def test_each_named_voice_is_recognized_and_no_other(archive_copy, example_id, tmp_path):
    """All four example voices named; the follow-up, ingested into an archive that holds only
    that registry, gets the district's and the union's names, and nobody else's."""
    names = {"mediator": ("Dana Whitfield", "mediator"), "district": ("Mark Ellison", "district"),
             "union": ("Grace Holloway", "union"), "esp": ("Rosa Delgado", "union")}
    mapping = speaker_map(archive_copy.transcript(example_id).turns, REFERENCE)
    for voice, (person, side) in names.items():
        name_speaker(archive_copy, example_id, mapping[voice], person, side)
    assert sorted(p.name for p in voices.load(archive_copy)) == sorted(
        n for n, _ in names.values())

    fresh = Archive(tmp_path / "fresh")
    fresh.root.mkdir()
    shutil.copy(archive_copy.registry_path, fresh.registry_path)
    result = ingest_into(fresh, FOLLOWUP, followup_details())
    followup = fresh.transcript(result.session.id)
    found = speaker_map(followup.turns, FOLLOWUP_REFERENCE)
    named = {voice: followup.speaker(sid) for voice, sid in found.items()}
    assert (named["district"].name, named["district"].side) == ("Mark Ellison", "district")
    assert (named["union"].name, named["union"].side) == ("Grace Holloway", "union")
    assert named["district"].named_by == named["union"].named_by == "voice"
    assert min(named["district"].score, named["union"].score) >= voices.THRESHOLD
    # The board member's voice is new: no one's name, though four were on offer.
    assert (named["board"].name, named["board"].named_by) == (None, None)
    assert {s.name for s in followup.speakers} == {"Mark Ellison", "Grace Holloway", None}
    # The follow-up is searchable by the recognized names at once.
    from index.store import SearchIndex

    page = SearchIndex(fresh.index_dir).search('speaker:"Grace Holloway"', page_size=100)
    assert page.total == sum(1 for s in followup.segments if s.speaker == named["union"].id)
    assert page.total > 0


# --- recognize() on real voiceprints ----------------------------------------------------------


@pytest.fixture(scope="module")
def prints(named_archive, example_id, followup_id):
    """Voiceprints by (session, scripted voice): 'example'/'followup' × voice."""
    out = {}
    for key, session_id, reference in (("example", example_id, REFERENCE),
                                       ("followup", followup_id, FOLLOWUP_REFERENCE)):
        stored = named_archive.voiceprints(session_id)
        for voice, sid in speaker_map(named_archive.transcript(session_id).turns,
                                      reference).items():
            out[key, voice] = stored[sid]
    return out


def person(name: str, vector) -> voices.Person:
    return voices.Person(name, "union", None, [voices.Print("s", "S1", vector)])


def test_recognize_names_matching_voices_only(prints):
    people = [person("Union", prints["example", "union"]),
              person("Mediator", prints["example", "mediator"])]
    speakers = [Speaker("S1", "Speaker 1"), Speaker("S2", "Speaker 2"), Speaker("S3", "Speaker 3")]
    vectors = {"S1": prints["followup", "board"], "S2": prints["followup", "district"],
               "S3": prints["followup", "union"]}
    voices.recognize(people, speakers, vectors)
    assert [(s.name, s.named_by) for s in speakers] == [(None, None), (None, None),
                                                        ("Union", "voice")]
    assert speakers[2].side == "union"
    assert speakers[2].score == pytest.approx(
        float(np.dot(prints["example", "union"], prints["followup", "union"])), abs=1e-3)


def test_recognize_gives_a_person_to_one_speaker_only(prints):
    """Two speakers that both sound like one person: the closer one gets the name."""
    people = [person("District", prints["example", "district"])]
    speakers = [Speaker("S1", "Speaker 1"), Speaker("S2", "Speaker 2")]
    exact = prints["example", "district"]
    vectors = {"S1": prints["followup", "district"], "S2": exact}
    voices.recognize(people, speakers, vectors)
    assert [s.name for s in speakers] == [None, "District"]
    assert speakers[1].score == pytest.approx(1.0, abs=1e-3)


def test_recognize_respects_the_threshold(prints):
    people = [person("District", prints["example", "district"])]
    speakers = [Speaker("S1", "Speaker 1")]
    score = float(np.dot(prints["example", "district"], prints["followup", "district"]))
    voices.recognize(people, speakers, {"S1": prints["followup", "district"]},
                     threshold=score + 0.001)
    assert speakers[0].name is None
    voices.recognize(people, speakers, {"S1": prints["followup", "district"]},
                     threshold=score - 0.001)
    assert speakers[0].name == "District"


def test_different_voices_stay_below_the_threshold(prints):
    """Every pair of different voices across the two sessions is far from a match."""
    for (s1, v1), a in prints.items():
        for (s2, v2), b in prints.items():
            if s1 != s2 and v1 != v2:
                assert float(np.dot(a, b)) < voices.THRESHOLD, (s1, v1, s2, v2)


def test_learn_keeps_the_latest_prints(prints):
    people: list = []
    speaker = Speaker("S2", "Speaker 2", name="Jane Doe", side="district")
    for n in range(voices.MAX_PRINTS + 3):
        people = voices.learn(people, speaker, f"session-{n}", prints["example", "district"])
    (jane,) = people
    assert len(jane.prints) == voices.MAX_PRINTS
    assert jane.prints[-1].session == f"session-{voices.MAX_PRINTS + 2}"
    assert jane.prints[0].session == "session-3"
    # Learning the same session speaker again replaces its print rather than adding one.
    people = voices.learn(people, speaker, "session-5", prints["example", "district"])
    assert [p.session for p in people[0].prints].count("session-5") == 1


def test_registry_round_trips(tmp_path, prints):
    archive = Archive(tmp_path)
    people = [voices.Person("Jane Doe", "district", "Chief negotiator",
                            [voices.Print("sess", "S2", prints["example", "district"])])]
    voices.save(archive, people)
    assert voices.load(archive) == people
    assert voices.load(Archive(tmp_path / "nowhere")) == []
