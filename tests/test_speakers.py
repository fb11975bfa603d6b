"""Staff edits to speakers through the real `ontherecord speakers` command: listing, naming,
sides and roles, merging; refusals that leave the archive as it was; the RTTM export."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.store import SearchIndex
from ingest.diarize import DiarizeOptions
from ontherecord import service, speakers, voices
from ontherecord.archive import Archive
from ontherecord.errors import InputError
from ontherecord.model import SIDES
from ontherecord.timecode import clock
from tests.helpers import snapshot
from tests.helpers.cli import ok, one_line_error
from tests.helpers.example import FOLLOWUP, REFERENCE, followup_details, ingest_into
from tests.helpers.http import client_over
from tests.helpers.turns import speaker_map, true_speaker


@pytest.fixture(scope="module")
def voice_ids(example_archive, example_id) -> dict[str, str]:
    """Scripted voice → speaker id in the example session."""
    return speaker_map(example_archive.transcript(example_id).turns, REFERENCE)


def test_find_accepts_an_id_a_number_or_a_label(example_archive, example_id):
    transcript = example_archive.transcript(example_id)
    for ref in ("S2", "s2", "2", "Speaker 2", "speaker 2", " S2 "):
        assert speakers.find(transcript, ref).id == "S2"
    for ref in ("S9", "9", "", "Speaker", "district"):
        with pytest.raises(InputError, match="S1, S2, S3, S4"):
            speakers.find(transcript, ref)


def test_list_speakers(cli, example_archive, example_id):
    transcript = example_archive.transcript(example_id)
    lines = ok(cli("speakers", example_id, archive=example_archive.root)).splitlines()
    assert [line.split("\t") for line in lines] == [
        [s.id, f"Speaker {s.id[1:]}", clock(s.talk_time)[:8], "unnamed"]
        for s in transcript.speakers]
    assert len(lines) == 4
    shown = json.loads(ok(cli("speakers", example_id, "--json", archive=example_archive.root)))
    assert [(s["id"], s["talk_time"], s["name"]) for s in shown] == [
        (s.id, s.talk_time, None) for s in transcript.speakers]


def test_naming_changes_what_search_finds(cli, archive_copy, example_id, voice_ids):
    """`speaker:"Jane Doe"` finds nothing until the district's negotiator is named Jane Doe;
    then it finds the district's words and no one else's, on the command line and the API."""
    root, district = archive_copy.root, voice_ids["district"]
    client = client_over(archive_copy)
    query = 'speaker:"Jane Doe"'
    assert ok(cli("search", query, archive=root)).splitlines() == ["0 results"]
    assert client.get("/api/search", query_string={"speaker": "Jane Doe"}).json["total"] == 0

    listed = ok(cli("speakers", example_id, "--name", district, "Jane Doe", "--side",
                    "district", "--role", "Chief negotiator", archive=root))
    row = next(line.split("\t") for line in listed.splitlines()
               if line.startswith(district + "\t"))
    assert row[1] == "Jane Doe"
    assert row[3] == "district; Chief negotiator; named by staff"

    transcript = archive_copy.transcript(example_id)
    theirs = [s for s in transcript.segments if s.speaker == district]
    shown = json.loads(ok(cli("search", query, "--json", archive=root)))
    assert shown["total"] == len(theirs) > 5
    api = client.get("/api/search", query_string={"speaker": "Jane Doe"}).json
    assert api["total"] == len(theirs)
    everything = SearchIndex(archive_copy.index_dir).search(query, page_size=100)
    assert len(everything.hits) == len(theirs)
    for hit in everything.hits:
        assert hit.speaker == "Jane Doe"
        assert true_speaker(REFERENCE, hit.segment_start, hit.end) == "district", hit

    # Combined with words: the district said "memorandum"; only the union said "inflation".
    said = json.loads(ok(cli("search", f"memorandum {query}", "--json", archive=root)))
    assert said["total"] == 1 and said["hits"][0]["speaker"] == "Jane Doe"
    assert ok(cli("search", f"inflation {query}", archive=root)).splitlines() == ["0 results"]
    assert client.get("/api/search", query_string={"q": "inflation"}).json["total"] >= 1
    assert client.get("/api/search", query_string={"q": "inflation",
                                                   "speaker": "Jane Doe"}).json["total"] == 0
    assert client.get("/api/search", query_string={"q": "memorandum",
                                                   "speaker": "jane doe"}).json["total"] == 1

    # And naming is stored: transcript.json, and the registry.
    speaker = transcript.speaker(district)
    assert (speaker.name, speaker.side, speaker.role, speaker.named_by) == (
        "Jane Doe", "district", "Chief negotiator", "staff")
    assert [p.name for p in voices.load(archive_copy)] == ["Jane Doe"]


def test_side_and_role_alone(cli, archive_copy, example_id, voice_ids):
    root, union = archive_copy.root, voice_ids["union"]
    ok(cli("speakers", example_id, "--speaker", union, "--side", "union", archive=root))
    ok(cli("speakers", example_id, "--speaker", union, "--role", "Lead negotiator",
           archive=root))
    speaker = archive_copy.transcript(example_id).speaker(union)
    assert (speaker.name, speaker.side, speaker.role) == (None, "union", "Lead negotiator")
    # Still unnamed: nothing for the registry to learn.
    assert voices.load(archive_copy) == []
    # An empty side clears it.
    ok(cli("speakers", example_id, "--speaker", union, "--side", "", archive=root))
    assert archive_copy.transcript(example_id).speaker(union).side is None


def test_unnaming_forgets_the_voice(cli, archive_copy, example_id):
    root = archive_copy.root
    ok(cli("speakers", example_id, "--name", "S1", "Dana Whitfield", archive=root))
    assert ok(cli("search", 'speaker:"Dana Whitfield"', archive=root)) != "0 results\n"
    ok(cli("speakers", example_id, "--name", "S1", "", archive=root))
    speaker = archive_copy.transcript(example_id).speaker("S1")
    assert (speaker.name, speaker.named_by) == (None, None)
    assert voices.load(archive_copy) == []
    assert ok(cli("search", 'speaker:"Dana Whitfield"', archive=root)) == "0 results\n"
    assert ok(cli("search", 'speaker:"Speaker 1"', archive=root)) != "0 results\n"


def test_two_speakers_cannot_have_one_name(cli, archive_copy, example_id):
    root = archive_copy.root
    ok(cli("speakers", example_id, "--name", "S1", "Jane Doe", archive=root))
    before = snapshot(root)
    line = one_line_error(cli("speakers", example_id, "--name", "S2", "Jane Doe",
                              archive=root), 1)
    assert "S1 is already Jane Doe" in line and "--merge S2 S1" in line
    assert snapshot(root) == before
    assert archive_copy.transcript(example_id).speaker("S2").name is None


def test_a_name_differing_only_in_case_is_the_same_name(cli, archive_copy, example_id):
    """The speaker filter ignores case, so "jane doe" would be searched as Jane Doe."""
    root = archive_copy.root
    ok(cli("speakers", example_id, "--name", "S1", "Jane Doe", archive=root))
    before = snapshot(root)
    one_line_error(cli("speakers", example_id, "--name", "S2", "jane doe", archive=root), 1)
    assert snapshot(root) == before


@pytest.mark.parametrize("args", [
    ("--name", "S9", "Jane Doe"),
    ("--name", "Speaker 7", "Jane Doe"),
    ("--speaker", "S0", "--side", "union"),
    ("--merge", "S9", "S1"),
    ("--merge", "S1", "S9"),
    ("--merge", "S2", "S2"),
    ("--side", "union"),
    ("--name", "S1", "Jane\x07Doe"),
    ("--name", "S1", "J" * 101),
])
def test_refused_edits_leave_the_archive_unchanged(cli, archive_copy, example_id, args):
    before = snapshot(archive_copy.root)
    line = one_line_error(cli("speakers", example_id, *args, archive=archive_copy.root), 1)
    if "S9" in args or "S0" in args or "Speaker 7" in args:
        assert "S1, S2, S3, S4" in line
    assert snapshot(archive_copy.root) == before


def test_unknown_session_is_one_line(cli, archive_copy):
    before = snapshot(archive_copy.root)
    line = one_line_error(cli("speakers", "2026-01-01-nothing", "--name", "S1", "X",
                              archive=archive_copy.root), 1)
    assert "2026-01-01-nothing" in line
    assert snapshot(archive_copy.root) == before


def test_side_must_be_one_of_the_sides(cli, archive_copy, example_id):
    before = snapshot(archive_copy.root)
    line = one_line_error(cli("speakers", example_id, "--name", "S1", "Jane Doe", "--side",
                              "management", archive=archive_copy.root), 2)
    assert "management" in line and all(side in line for side in SIDES)
    assert snapshot(archive_copy.root) == before
    # The library refuses it too, for callers other than the command.
    with pytest.raises(InputError):
        service.name_speaker(archive_copy, example_id, "S1", "Jane Doe", side="management")
    assert snapshot(archive_copy.root) == before


# --- merging -----------------------------------------------------------------------------------


def test_merge_folds_one_speaker_into_another(cli, archive_copy, example_id, voice_ids):
    """The ESP representative diarized as her own voice, folded into the union's."""
    root, source, target = archive_copy.root, voice_ids["esp"], voice_ids["union"]
    before = archive_copy.transcript(example_id)
    talk = {s.id: s.talk_time for s in before.speakers}
    theirs = [n for n, s in enumerate(before.segments) if s.speaker in (source, target)]
    turn_time = sum(t.end - t.start for t in before.turns)

    ok(cli("speakers", example_id, "--merge", source, target, archive=root))
    after = archive_copy.transcript(example_id)
    assert [s.id for s in after.speakers] == [s.id for s in before.speakers if s.id != source]
    assert after.speaker(target).talk_time == pytest.approx(talk[source] + talk[target],
                                                            abs=0.011)
    assert [n for n, s in enumerate(after.segments) if s.speaker == target] == theirs
    assert all(s.speaker != source for s in after.segments)
    assert all(t.speaker != source for t in after.turns)
    assert sum(t.end - t.start for t in after.turns) == pytest.approx(turn_time, abs=1e-6)
    for a, b in zip(after.turns, after.turns[1:], strict=False):
        assert a.end <= b.start
    # The target's talk time is still the sum of its turns.
    assert after.speaker(target).talk_time == pytest.approx(
        sum(t.end - t.start for t in after.turns if t.speaker == target), abs=0.02)
    assert set(archive_copy.voiceprints(example_id)) == {s.id for s in after.speakers}
    # The index follows at once: nothing is said by the removed speaker any more.
    gone = f'speaker:"Speaker {source[1:]}"'
    assert ok(cli("search", gone, archive=root)) == "0 results\n"
    kept = json.loads(ok(cli("search", f'speaker:"Speaker {target[1:]}"', "--json",
                             archive=root)))
    assert kept["total"] == len(theirs)
    listed = ok(cli("speakers", example_id, archive=root)).splitlines()
    assert [line.split("\t")[0] for line in listed] == [s.id for s in after.speakers]


def test_merge_weights_voiceprints_by_each_speakers_talk_time(archive_copy, example_id,
                                                             voice_ids):
    source, target = voice_ids["esp"], voice_ids["union"]
    talk = {s.id: s.talk_time for s in archive_copy.transcript(example_id).speakers}
    prints = archive_copy.voiceprints(example_id)
    expected = np.average([prints[source], prints[target]], axis=0,
                          weights=[talk[source], talk[target]])
    expected /= np.linalg.norm(expected)
    service.merge_speakers(archive_copy, example_id, source, target)
    merged = np.array(archive_copy.voiceprints(example_id)[target])
    assert np.linalg.norm(merged) == pytest.approx(1, abs=1e-4)
    assert np.allclose(merged, expected, atol=1e-4)


def test_merge_into_a_named_speaker_updates_the_registry(cli, archive_copy, example_id,
                                                        voice_ids):
    root, source, target = archive_copy.root, voice_ids["esp"], voice_ids["union"]
    ok(cli("speakers", example_id, "--name", source, "Rosa Delgado", archive=root))
    ok(cli("speakers", example_id, "--name", target, "Grace Holloway", archive=root))
    ok(cli("speakers", example_id, "--merge", source, target, archive=root))
    (person,) = voices.load(archive_copy)
    assert person.name == "Grace Holloway"
    (entry,) = person.prints
    assert (entry.session, entry.speaker) == (example_id, target)
    assert entry.vector == archive_copy.voiceprints(example_id)[target]
    hits = json.loads(ok(cli("search", 'speaker:"Rosa Delgado"', "--json", archive=root)))
    assert hits["total"] == 0


# --- RTTM ---------------------------------------------------------------------------------------


def test_rttm_export(cli, archive_copy, example_id, voice_ids, tmp_path):
    root, district = archive_copy.root, voice_ids["district"]
    ok(cli("speakers", example_id, "--name", district, "Jane  Q. Doe", archive=root))
    text = ok(cli("export", example_id, "--format", "rttm", archive=root))
    transcript = archive_copy.transcript(example_id)
    lines = text.splitlines()
    assert text.endswith("\n") and len(lines) == len(transcript.turns)
    talk: dict[str, float] = {}
    for line, turn in zip(lines, transcript.turns, strict=True):
        fields = line.split()
        assert len(fields) == 10, line
        kind, file_id, channel, start, length, _, _, who, _, _ = fields
        assert (kind, file_id, channel) == ("SPEAKER", example_id, "1")
        assert fields[5] == fields[6] == fields[8] == fields[9] == "<NA>"
        assert float(length) > 0
        assert float(start) == pytest.approx(turn.start, abs=1e-3)
        assert float(start) + float(length) == pytest.approx(turn.end, abs=2e-3)
        talk[who] = talk.get(who, 0.0) + float(length)
    assert set(talk) == {"Jane_Q._Doe"} | {s.id for s in transcript.speakers if s.id != district}
    assert talk["Jane_Q._Doe"] == pytest.approx(transcript.speaker(district).talk_time,
                                                 abs=0.05)
    # Written to a file, the same.
    target = tmp_path / "out.rttm"
    ok(cli("export", example_id, "--format", "rttm", "-o", str(target), archive=root))
    assert target.read_text() == text


@pytest.mark.slow
def test_ingest_with_a_fixed_count_of_speakers(tmp_path):
    """The count staff give reaches diarization: the follow-up's three voices taken as two."""
    archive = Archive(tmp_path / "archive")
    result = ingest_into(archive, FOLLOWUP, followup_details(),
                         speakers=DiarizeOptions(speakers=2))
    transcript = archive.transcript(result.session.id)
    assert [s.id for s in transcript.speakers] == ["S1", "S2"]
    assert {seg.speaker for seg in transcript.segments} == {"S1", "S2"}
    assert set(archive.voiceprints(result.session.id)) == {"S1", "S2"}


@pytest.mark.parametrize(("args", "says"), [
    (("--speakers", "0"), "--speakers"),
    (("--min-speakers", "3", "--max-speakers", "2"), "--min-speakers"),
])
def test_ingest_refuses_impossible_counts(cli, archive_copy, args, says):
    before = snapshot(archive_copy.root)
    line = one_line_error(cli("ingest", str(FOLLOWUP), "--title", "T", "--date", "2026-10-21",
                              "--unit", "Teachers", *args, archive=archive_copy.root), 1)
    assert says in line
    assert snapshot(archive_copy.root) == before
