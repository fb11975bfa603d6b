"""`ontherecord diarize`: finding a committed session's speakers again, with the real encoder,
keeping the names staff gave, and reaching the search index."""

from __future__ import annotations

from index.store import SearchIndex
from ontherecord import voices
from tests.helpers import snapshot
from tests.helpers.cli import ok, one_line_error
from tests.helpers.example import REFERENCE
from tests.helpers.turns import speaker_map


def test_a_fixed_count_regroups_the_voices(cli, archive_copy, example_id):
    before = archive_copy.transcript(example_id)
    out = ok(cli("diarize", example_id, "--speakers", "3", "--quiet", archive=archive_copy.root))
    after = archive_copy.transcript(example_id)
    assert [line.split("\t")[0] for line in out.splitlines()] == ["S1", "S2", "S3"]
    assert len(after.speakers) == 3
    assert {t.speaker for t in after.turns} == {"S1", "S2", "S3"}
    assert {s.speaker for s in after.segments} == {"S1", "S2", "S3"}
    # The words are the same words; only who said them is decided again.
    assert [w for s in after.segments for w in s.words] == \
        [w for s in before.segments for w in s.words]
    assert set(archive_copy.voiceprints(example_id)) == {"S1", "S2", "S3"}
    for speaker in after.speakers:
        talk = sum(t.end - t.start for t in after.turns if t.speaker == speaker.id)
        assert abs(speaker.talk_time - talk) < 0.02


def test_names_given_by_staff_carry_over(cli, archive_copy, example_id):
    district = speaker_map(archive_copy.transcript(example_id).turns, REFERENCE)["district"]
    ok(cli("speakers", example_id, "--name", district, "Mark Ellison", "--side", "district",
           archive=archive_copy.root))
    ok(cli("diarize", example_id, "--quiet", archive=archive_copy.root))
    after = archive_copy.transcript(example_id)
    mark = [s for s in after.speakers if s.name == "Mark Ellison"]
    assert len(mark) == 1
    assert (mark[0].named_by, mark[0].score, mark[0].side) == ("staff", None, "district")
    assert speaker_map(after.turns, REFERENCE)["district"] == mark[0].id
    assert [s.name for s in after.speakers if s.id != mark[0].id] == [None] * 3
    # The registry holds this session's voiceprint of him once, under the new id.
    (person,) = voices.load(archive_copy)
    assert [(p.session, p.speaker) for p in person.prints] == [(example_id, mark[0].id)]
    assert person.prints[0].vector == archive_copy.voiceprints(example_id)[mark[0].id]
    # And the index says who said it.
    hits = SearchIndex(archive_copy.index_dir).search("budget", speaker="Mark Ellison").hits
    assert hits and all(h.speaker == "Mark Ellison" for h in hits)


def test_unknown_session_changes_nothing(cli, archive_copy):
    before = snapshot(archive_copy.root)
    line = one_line_error(cli("diarize", "no-such-session", archive=archive_copy.root), 1)
    assert "no-such-session" in line
    assert snapshot(archive_copy.root) == before


def test_impossible_count_changes_nothing(cli, archive_copy, example_id):
    before = snapshot(archive_copy.root)
    line = one_line_error(cli("diarize", example_id, "--min-speakers", "5", "--max-speakers",
                              "2", archive=archive_copy.root), 1)
    assert "--min-speakers" in line
    assert snapshot(archive_copy.root) == before
