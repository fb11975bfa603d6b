"""Who said which line, as staff set it, through the real `ontherecord speakers` and `diarize`
commands over a copy of the example archive: lines and ranges given to another speaker or a
new one, a voice split in two by the real encoder, staff's lines kept through a new
diarization, the count of voices and the roster bounding it, and every change logged publicly,
in the search index at once; refusals that leave the archive as it was."""

from __future__ import annotations

import json

import pytest

from index.store import SearchIndex
from ingest.diarize import DiarizeOptions
from ingest.pipeline import bounded
from ontherecord import roster, voices
from ontherecord.archive import Archive
from ontherecord.errors import InputError
from ontherecord.model import RosterMember
from ontherecord.timecode import clock
from tests.helpers import snapshot
from tests.helpers.cli import ok, one_line_error
from tests.helpers.example import EXAMPLE, REFERENCE, TEST_MODEL, segment_saying
from tests.helpers.html import page_of, squash
from tests.helpers.http import client_over
from tests.helpers.turns import speaker_map, true_speaker

# Said by the union's negotiator, 20 s in.
UNION_LINE = "Class size caps are needed in high school too"


@pytest.fixture(scope="module")
def voice_ids(example_archive, example_id) -> dict[str, str]:
    """Scripted voice → speaker id in the example session."""
    return speaker_map(example_archive.transcript(example_id).turns, REFERENCE)


def said_by(archive, name: str) -> list[float]:
    """The starts of the lines the public search finds said by `name` (speaker: query)."""
    page = SearchIndex(archive.index_dir).search(f'speaker:"{name}"', page_size=500)
    return sorted(h.segment_start for h in page.hits)


def log_lines(client, session_id: str) -> list[str]:
    """The public correction log as shown, newest first."""
    page = page_of(client, f"/sessions/{session_id}")
    return [squash(li.text) for li in page.find("ol", class_="correction-log").find_all("li")]


def talk_of(transcript) -> dict[str, float]:
    """Each speaker's talk time as the turns say it."""
    talk: dict[str, float] = {}
    for t in transcript.turns:
        talk[t.speaker] = talk.get(t.speaker, 0.0) + t.end - t.start
    return talk


def test_a_line_given_to_another_speaker(cli, archive_copy, example_id, voice_ids):
    root = archive_copy.root
    district, union = voice_ids["district"], voice_ids["union"]
    ok(cli("speakers", example_id, "--name", district, "Mark Ellison", archive=root))
    before = archive_copy.transcript(example_id)
    line = segment_saying(before, UNION_LINE)
    index = before.segments.index(line)
    assert line.speaker == union and line.start not in said_by(archive_copy, "Mark Ellison")

    listed = ok(cli("speakers", example_id, "--line", str(line.start + 0.1), district,
                    archive=root))
    assert any(row.startswith(f"{district}\tMark Ellison\t") for row in listed.splitlines())
    after = archive_copy.transcript(example_id)
    moved = after.segments[index]
    assert (moved.speaker, moved.speaker_by) == (district, "staff")
    assert after.session.version == before.session.version + 1
    # Only that line changed speaker; its words and times did not.
    assert [(s.start, s.end, s.text) for s in after.segments] == \
        [(s.start, s.end, s.text) for s in before.segments]
    assert [s.speaker for n, s in enumerate(after.segments) if n != index] == \
        [s.speaker for n, s in enumerate(before.segments) if n != index]
    # The search index has it at once: the speaker filter and the speaker: query.
    assert moved.start in said_by(archive_copy, "Mark Ellison")
    client = client_over(archive_copy)
    api = client.get("/api/search", query_string={"q": "caps", "speaker": "Mark Ellison"}).json
    assert [h["segment_start"] for h in api["hits"]] == [moved.start]
    # Talk time follows the turns, which give the line's time to its new speaker.
    for speaker in after.speakers:
        assert speaker.talk_time == pytest.approx(talk_of(after)[speaker.id], abs=0.011)
    gained = after.speaker(district).talk_time - before.speaker(district).talk_time
    assert gained == pytest.approx(moved.end - moved.start, abs=0.5)
    assert any(t.speaker == district and t.start <= moved.start and t.end >= moved.end
               for t in after.turns)

    # Logged publicly, in the session page's corrections, the JSON export and the API.
    (change,) = after.speaker_changes
    assert (change.start, change.before, change.after, change.lines, change.how) == (
        moved.start, "Speaker " + union[1:], "Mark Ellison", 1, "reassign")
    assert log_lines(client, example_id) == [
        f"{change.at[:10]} {change.at[11:16]} UTC, at 0:{int(moved.start):02d}: speaker "
        f"changed from Speaker {union[1:]} to Mark Ellison"]
    exported = json.loads(ok(cli("export", example_id, archive=root)))
    assert exported["speaker_changes"] == [{
        "at": change.at, "start": moved.start, "before": f"Speaker {union[1:]}",
        "after": "Mark Ellison", "lines": 1, "how": "reassign",
        "version": after.session.version}]
    assert exported["segments"][index]["speaker_by"] == "staff"
    assert client.get(f"/api/sessions/{example_id}").json["speaker_changes"] == \
        exported["speaker_changes"]
    # Suggestions are for staff: never in the public export.
    assert "suggestions" not in exported and "rejected" not in exported


def test_a_range_given_to_a_new_speaker(cli, archive_copy, example_id):
    root = archive_copy.root
    before = archive_copy.transcript(example_id)
    wanted = [5, 6, 7]
    first, last = before.segments[wanted[0]], before.segments[wanted[-1]]
    ok(cli("speakers", example_id, "--lines", str(first.start + 0.1), str(last.start + 0.1),
           "new", archive=root))
    after = archive_copy.transcript(example_id)
    assert [s.id for s in after.speakers] == [*(s.id for s in before.speakers), "S5"]
    new = after.speaker("S5")
    assert (new.label, new.name) == ("Speaker 5", None)
    assert [n for n, s in enumerate(after.segments) if s.speaker == "S5"] == wanted
    assert new.talk_time == pytest.approx(sum(after.segments[n].end - after.segments[n].start
                                              for n in wanted), abs=0.05)
    assert said_by(archive_copy, "Speaker 5") == [after.segments[n].start for n in wanted]
    (change,) = after.speaker_changes
    assert (change.start, change.after, change.lines) == (first.start, "Speaker 5", len(wanted))
    assert change.before == ", ".join(dict.fromkeys(
        f"Speaker {before.segments[n].speaker[1:]}" for n in wanted))
    shown = log_lines(client_over(archive_copy), example_id)
    assert shown[0].endswith(f"to Speaker 5 ({len(wanted)} lines from here)")
    # Staff can then name the new speaker.
    ok(cli("speakers", example_id, "--name", "S5", "Ana Ruiz", archive=root))
    assert said_by(archive_copy, "Ana Ruiz") == [after.segments[n].start for n in wanted]


def test_a_speaker_left_without_lines_goes(cli, archive_copy, example_id, voice_ids):
    root, esp, union = archive_copy.root, voice_ids["esp"], voice_ids["union"]
    before = archive_copy.transcript(example_id)
    theirs = [s.start for s in before.segments if s.speaker == esp]
    ok(cli("speakers", example_id, "--name", esp, "Rosa Delgado", archive=root))
    assert [p.name for p in voices.load(archive_copy)] == ["Rosa Delgado"]
    for start in theirs:
        ok(cli("speakers", example_id, "--line", str(start + 0.05), union, archive=root))
    after = archive_copy.transcript(example_id)
    assert esp not in {s.id for s in after.speakers} | {t.speaker for t in after.turns}
    assert esp not in archive_copy.voiceprints(example_id)
    assert voices.load(archive_copy) == []  # her voiceprint from this session went with her
    assert said_by(archive_copy, "Rosa Delgado") == []


def test_split_finds_the_second_voice(cli, archive_copy, example_id, voice_ids):
    """Two people heard as one (the union's and the district's voices merged), split apart
    again by the real encoder: each keeps exactly their own lines."""
    root, district, union = archive_copy.root, voice_ids["district"], voice_ids["union"]
    original = archive_copy.transcript(example_id)
    ok(cli("speakers", example_id, "--merge", union, district, archive=root))
    ok(cli("speakers", example_id, "--name", district, "Mark Ellison", archive=root))
    ok(cli("speakers", example_id, "--split", district, "--quiet", archive=root))
    after = archive_copy.transcript(example_id)
    new = after.speakers[-1]
    assert (new.id, new.name) == ("S5", None)
    by_voice = {n: true_speaker(REFERENCE, s.start, s.end) for n, s in enumerate(after.segments)}
    mark = {n for n, s in enumerate(after.segments) if s.speaker == district}
    split_off = {n for n, s in enumerate(after.segments) if s.speaker == "S5"}
    assert {by_voice[n] for n in mark} == {"district"}
    assert {by_voice[n] for n in split_off} == {"union"}
    assert split_off == {n for n, s in enumerate(original.segments) if s.speaker == union}
    assert all(after.segments[n].speaker_by == "staff" for n in split_off)
    assert sorted(archive_copy.voiceprints(example_id)) == sorted(s.id for s in after.speakers)
    assert after.speaker(district).name == "Mark Ellison"
    assert said_by(archive_copy, "Mark Ellison") == sorted(after.segments[n].start
                                                           for n in mark)
    merge, split = after.speaker_changes
    assert (merge.how, split.how, split.before, split.after, split.lines) == (
        "merge", "split", "Mark Ellison", "Speaker 5", len(split_off))
    assert log_lines(client_over(archive_copy), example_id)[0].endswith(
        f"{len(split_off)} lines of Mark Ellison were another voice: now Speaker 5")


def test_lines_staff_set_survive_a_new_diarization(cli, archive_copy, example_id, voice_ids):
    root, union = archive_copy.root, voice_ids["union"]
    transcript = archive_copy.transcript(example_id)
    first = transcript.segments[0]  # the chair's, given to a new, named speaker
    caps = segment_saying(transcript, UNION_LINE)  # the union's, given to the district's
    ok(cli("speakers", example_id, "--line", "0:01", "new", archive=root))
    ok(cli("speakers", example_id, "--name", "S5", "Guest Chair", "--side", "mediator",
           archive=root))
    ok(cli("speakers", example_id, "--line", str(caps.start + 0.1), voice_ids["district"],
           archive=root))
    ok(cli("speakers", example_id, "--name", voice_ids["district"], "Mark Ellison",
           archive=root))

    for count in ([], ["--speakers", "2"]):
        ok(cli("diarize", example_id, "--quiet", *count, archive=root))
        after = archive_copy.transcript(example_id)
        kept = {s.start: s for s in after.segments if s.speaker_by == "staff"}
        assert sorted(kept) == [first.start, caps.start]
        # Staff lines are never split, and keep their speakers under whatever ids.
        assert (kept[first.start].end, kept[caps.start].end) == (first.end, caps.end)
        assert after.speaker_name(kept[first.start].speaker) == "Guest Chair"
        assert after.speaker(kept[first.start].speaker).side == "mediator"
        assert after.speaker_name(kept[caps.start].speaker) == "Mark Ellison"
        assert len({s.id for s in after.speakers}) == len(after.speakers)
        assert {s.speaker for s in after.segments} <= {s.id for s in after.speakers}
        assert said_by(archive_copy, "Guest Chair") == [first.start]
        assert caps.start in said_by(archive_copy, "Mark Ellison")
        assert union not in {after.speaker_name(s.speaker) for s in kept.values()}
    assert [c.how for c in after.speaker_changes] == ["reassign", "reassign", "rediarize",
                                                      "rediarize"]


def test_the_count_staff_gave_bounds_diarization(cli, archive_copy, example_id):
    root = archive_copy.root
    ok(cli("edit", example_id, "--speakers", "2", "--person", "Mark Ellison;district;Chief",
           "--person", "Rosa Delgado;Union", archive=root))
    session = archive_copy.session(example_id)
    assert session.speaker_count == 2
    assert session.roster == [RosterMember("Mark Ellison", "district", "Chief"),
                              RosterMember("Rosa Delgado", "union", None)]
    ok(cli("diarize", example_id, "--quiet", archive=root))  # no count asked: the session's
    assert len(archive_copy.transcript(example_id).speakers) == 2
    # A count asked for wins over the session's.
    ok(cli("diarize", example_id, "--quiet", "--speakers", "3", archive=root))
    assert len(archive_copy.transcript(example_id).speakers) == 3


def test_bounds_from_a_count_or_a_roster():
    people = [RosterMember("A"), RosterMember("B"), RosterMember("C")]
    assert bounded(None, 2, people).speakers == 2
    assert bounded(DiarizeOptions(speakers=5), 2, people).speakers == 5
    capped = bounded(None, None, people)
    assert (capped.speakers, capped.min_speakers, capped.max_speakers) == (None, 1, 3)
    assert bounded(DiarizeOptions(min_speakers=4), None, people).min_speakers == 3
    assert bounded(None, None, []) == DiarizeOptions()


def test_roster_lines_are_checked():
    assert roster.check(roster.parse("Mark Ellison, District, Chief negotiator, HR\n\n"
                                      " Rosa Delgado \nAna Ruiz,,Clerk")) == [
        RosterMember("Mark Ellison", "district", "Chief negotiator, HR"),
        RosterMember("Rosa Delgado", None, None), RosterMember("Ana Ruiz", None, "Clerk")]
    for text, says in ((", union", "roster line 1 has no name"),
                       ("A\nB, teachers", "roster line 2: side 'teachers' is not one of"),
                       ("A\na", "roster line 2: a is on the roster twice"),
                       ("A\x1b[31m", "control characters")):
        with pytest.raises(InputError, match=says):
            roster.check(roster.parse(text))
    for count, says in (("0", "from 1 to 50, not 0"), ("-1", "whole number"),
                        ("two", "whole number"), ("51", "not 51")):
        with pytest.raises(InputError, match=says):
            roster.check_count(count)
    assert roster.check_count(" ") is None and roster.check_count("4") == 4


@pytest.mark.parametrize(("args", "says"), [
    (("--line", "0:21", "S9"), "no speaker 'S9'"),
    (("--line", "9:00", "S1"), "is after the end of the session"),
    (("--lines", "0:40", "0:20", "S1"), "before it starts"),
    (("--lines", "0:20", "1:00:00", "new"), "is after the end of the session"),
    (("--line", "0:21", "soon"), "no speaker 'soon'"),
    (("--line", "never", "S1"), "is not a time"),
    (("--split", "S9"), "no speaker 'S9'"),
    (("--accept", "S1", "Nobody"), "'Nobody' is not suggested for Speaker 1"),
    (("--reject", "S1", "Nobody"), "'Nobody' is not suggested for Speaker 1"),
])
def test_refused_speaker_edits_change_nothing(cli, archive_copy, example_id, args, says):
    before = snapshot(archive_copy.root)
    line = one_line_error(cli("speakers", example_id, *args, archive=archive_copy.root), 1)
    assert says in line
    assert snapshot(archive_copy.root) == before


def test_a_line_already_theirs_is_refused(cli, archive_copy, example_id):
    speaker = archive_copy.transcript(example_id).segments[0].speaker
    before = snapshot(archive_copy.root)
    line = one_line_error(cli("speakers", example_id, "--line", "0:01", speaker,
                              archive=archive_copy.root), 1)
    assert line.endswith(f"that line is already Speaker {speaker[1:]}'s")
    assert snapshot(archive_copy.root) == before


@pytest.mark.parametrize(("args", "says"), [
    (("--person", "Jane;teachers"), "side 'teachers' is not one of"),
    (("--person", ";union"), "roster line 1 has no name"),
    (("--speakers", "51"), "from 1 to 50, not 51"),
    (("--roster", "no-such-roster.csv"), "no-such-roster.csv"),
])
def test_refused_rosters_change_nothing(cli, archive_copy, example_id, args, says, tmp_path):
    before = snapshot(archive_copy.root)
    for command in (("edit", example_id),
                    ("ingest", "no-recording.ogg", "--title", "T", "--date", "2026-01-01",
                     "--unit", "U")):
        line = one_line_error(cli(*command, *args, archive=archive_copy.root), 1)
        assert says in line, line
    assert snapshot(archive_copy.root) == before


def test_a_count_of_no_voices_changes_nothing(cli, archive_copy, example_id):
    before = snapshot(archive_copy.root)
    line = one_line_error(cli("edit", example_id, "--speakers", "0", archive=archive_copy.root))
    assert line.endswith("the number of voices must be from 1 to 50, not 0")
    line = one_line_error(cli("diarize", example_id, "--speakers", "0",
                              archive=archive_copy.root))
    assert line.endswith("--speakers must be at least 1")
    assert snapshot(archive_copy.root) == before


def test_a_roster_file(cli, archive_copy, example_id, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("name,side,role\nMark Ellison,district,\"Chief negotiator, HR\"\n"
                    "Rosa Delgado,union\n\n", "utf-8")
    ok(cli("edit", example_id, "--roster", str(path), archive=archive_copy.root))
    assert archive_copy.session(example_id).roster == [
        RosterMember("Mark Ellison", "district", "Chief negotiator, HR"),
        RosterMember("Rosa Delgado", "union", None)]


@pytest.mark.slow
def test_ingest_keeps_the_roster_and_finds_the_count_of_voices(cli, tmp_path):
    """The example has four voices; told there were two, ingest finds two."""
    root = tmp_path / "archive"
    session_id = ok(cli("ingest", str(EXAMPLE), "--title", "Told two", "--date", "2026-01-05",
                        "--unit", "Teachers", "--model", TEST_MODEL, "--quiet",
                        "--person", "Mark Ellison;district;Chief negotiator",
                        "--person", "Rosa Delgado;union", "--person", "Ana Ruiz",
                        "--speakers", "2", archive=root)).strip()
    archive = Archive(root)
    session = archive.session(session_id)
    assert session.roster == [RosterMember("Mark Ellison", "district", "Chief negotiator"),
                              RosterMember("Rosa Delgado", "union", None),
                              RosterMember("Ana Ruiz", None, None)]
    assert session.speaker_count == 2
    transcript = archive.transcript(session_id)
    assert [s.id for s in transcript.speakers] == ["S1", "S2"]
    assert {s.speaker for s in transcript.segments} == {"S1", "S2"}


def test_introductions_and_voice_matches_become_suggestions(cli, archive_copy, example_id):
    root = archive_copy.root
    ok(cli("edit", example_id, "--person", "Mark Ellison;district;Chief negotiator",
           archive=root))
    first = archive_copy.transcript(example_id).segments[0]
    # What the chair might have said, misheard as Whisper would.
    ok(cli("correct", example_id, str(first.start), "Good afternoon. I'm Mark Elison, chief "
           "negotiator for the district.", archive=root))
    ok(cli("diarize", example_id, "--quiet", "--speakers", "4", archive=root))
    transcript = archive_copy.transcript(example_id)
    speaker = transcript.segments[0].speaker
    (offered,) = transcript.suggestions
    assert (offered.speaker, offered.name, offered.side, offered.role, offered.source) == (
        speaker, "Mark Ellison", "district", "Chief negotiator", "introduction")
    assert first.start <= offered.start < first.end
    assert "I'm Mark Elison" in offered.evidence
    rows = ok(cli("speakers", example_id, "--suggestions", archive=root)).splitlines()
    assert rows == [f"{speaker}\tMark Ellison\tdistrict; Chief negotiator; introduction\t"
                    f"[{clock(offered.start)[:8]}] {offered.evidence}"]
    ok(cli("speakers", example_id, "--accept", speaker, "mark ellison", archive=root))
    after = archive_copy.transcript(example_id)
    named = after.speaker(speaker)
    assert (named.name, named.side, named.role, named.named_by) == (
        "Mark Ellison", "district", "Chief negotiator", "staff")
    assert after.suggestions == []
    assert said_by(archive_copy, "Mark Ellison") == sorted(
        s.start for s in after.segments if s.speaker == speaker)


def test_a_voice_match_is_a_suggestion(named_archive, followup_id):
    transcript = named_archive.transcript(followup_id)
    (matched,) = [s for s in transcript.speakers if s.named_by == "voice"]
    voiced = [s for s in transcript.suggestions if s.source == "voice"]
    assert [(s.speaker, s.name, s.score) for s in voiced] == [
        (matched.id, matched.name, matched.score)]
