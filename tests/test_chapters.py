"""Staff work on chapters through the real `ontherecord chapters` and `topics` commands: listing,
retitling, moving a chapter to another topic, finding chapters again (edits kept), an archive's
own taxonomy.toml; refusals that leave the archive as it was; the index following every edit."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from index.store import SearchIndex
from ontherecord.taxonomy import load_taxonomy
from ontherecord.timecode import clock
from tests.helpers import snapshot
from tests.helpers.cli import ok, one_line_error, rows
from tests.helpers.example import REFERENCE, segment_saying

# The example's true topics, in the order the session takes them up.
TRUE_TOPICS = list(dict.fromkeys(u["topic"] for u in REFERENCE["utterances"]))
DEFAULT_IDS = [t.id for t in load_taxonomy()]
CHAPTER_KEYS = {"start", "end", "title", "topic", "topic_id", "edited"}


def topic_hits(archive, topic: str):
    """The index's segments on a topic, read straight from the index (never rebuilt here)."""
    return SearchIndex(archive.index_dir).search("", topic=topic, page_size=500).hits


def starts_in_chapter(transcript, number: int) -> set[float]:
    """Start times of the segments in chapter `number` (from 1)."""
    return {s.start for s in transcript.segments if s.chapter == number - 1}


def transcript_bytes(archive, session_id: str) -> bytes:
    return (archive.session_dir(session_id) / "transcript.json").read_bytes()


# --- listing ------------------------------------------------------------------------------------


def test_true_topics_of_the_example():
    assert TRUE_TOPICS == ["class-size", "mental-health", "compensation", "procedure"]


def test_list_chapters(cli, example_archive, example_id):
    transcript = example_archive.transcript(example_id)
    listed = rows(ok(cli("chapters", example_id, archive=example_archive.root)))
    assert listed == [[str(n), clock(c.start)[:8], c.topic_id, c.title]
                      for n, c in enumerate(transcript.chapters, 1)]
    assert [row[2] for row in listed] == TRUE_TOPICS
    assert listed[0][1] == "00:00:00"
    assert all(row[3] for row in listed)

    shown = json.loads(ok(cli("chapters", example_id, "--json", archive=example_archive.root)))
    assert isinstance(shown, list) and len(shown) == 4
    assert all(set(c) == CHAPTER_KEYS for c in shown)
    assert shown == [asdict(c) for c in transcript.chapters]
    assert [c["topic_id"] for c in shown] == TRUE_TOPICS
    assert not any(c["edited"] for c in shown)
    # In order, one after another, covering the session from first to last segment.
    assert shown[0]["start"] == transcript.segments[0].start
    assert shown[-1]["end"] == transcript.segments[-1].end
    for a, b in zip(shown, shown[1:], strict=False):
        assert a["start"] < a["end"] <= b["start"]
    assert [s.chapter for s in transcript.segments] == sorted(s.chapter for s in
                                                              transcript.segments)
    assert {s.chapter for s in transcript.segments} == {0, 1, 2, 3}


def test_listing_changes_nothing(cli, archive_copy, example_id):
    before = snapshot(archive_copy.root)
    ok(cli("chapters", example_id, archive=archive_copy.root))
    ok(cli("chapters", example_id, "--json", archive=archive_copy.root))
    assert snapshot(archive_copy.root) == before


# --- retitling ----------------------------------------------------------------------------------


def test_retitle_a_chapter(cli, archive_copy, example_id):
    root = archive_copy.root
    before = archive_copy.transcript(example_id)
    old = json.loads(ok(cli("search", 'topic:"class size"', "--json", archive=root)))
    assert old["total"] == len(starts_in_chapter(before, 1)) > 0
    assert {h["chapter"]["title"] for h in old["hits"]} == {before.chapters[0].title}

    out = ok(cli("chapters", example_id, "--title", "1", "  Class   size: a two-year plan ",
                 archive=root))
    title = "Class size: a two-year plan"
    listed = rows(out)
    assert listed[0] == ["1", "00:00:00", "class-size", title, "edited by staff"]
    assert listed[1:] == [[str(n), clock(c.start)[:8], c.topic_id, c.title]
                          for n, c in enumerate(before.chapters[1:], 2)]

    after = archive_copy.transcript(example_id)
    first = after.chapters[0]
    assert (first.title, first.edited) == (title, True)
    assert (first.start, first.end, first.topic_id, first.topic) == (
        before.chapters[0].start, before.chapters[0].end, "class-size", before.chapters[0].topic)
    assert after.chapters[1:] == before.chapters[1:]
    assert [s.chapter for s in after.segments] == [s.chapter for s in before.segments]
    shown = json.loads(ok(cli("chapters", example_id, "--json", archive=root)))
    assert shown[0]["title"] == title and shown[0]["edited"] is True
    assert [c["edited"] for c in shown[1:]] == [False, False, False]

    # The index follows at once, on the command line and through the index itself.
    new = json.loads(ok(cli("search", 'topic:"class size"', "--json", archive=root)))
    assert new["total"] == old["total"]
    assert {h["chapter"]["title"] for h in new["hits"]} == {title}
    assert {h["chapter"]["topic_id"] for h in new["hits"]} == {"class-size"}
    hits = topic_hits(archive_copy, "class-size")
    assert {h.segment_start for h in hits} == starts_in_chapter(after, 1)
    assert {h.chapter["title"] for h in hits} == {title}
    # Other chapters' hits keep their titles.
    assert {h.chapter["title"] for h in topic_hits(archive_copy, "compensation")} == {
        before.chapters[2].title}


def test_a_title_of_120_characters_is_accepted(cli, archive_copy, example_id):
    title = "T" * 120
    listed = rows(ok(cli("chapters", example_id, "--title", "4", title,
                         archive=archive_copy.root)))
    assert listed[3][3:] == [title, "edited by staff"]
    assert archive_copy.transcript(example_id).chapters[3].title == title


def test_a_newline_in_a_title_cannot_break_the_listing(cli, archive_copy, example_id):
    """A newline or tab typed into a title is tidied into a space (as in speaker names): the
    listing stays one line per chapter and the title one line."""
    out = ok(cli("chapters", example_id, "--title", "2", "Mental health:\ncounselors\tpay",
                 archive=archive_copy.root))
    listed = rows(out)
    assert len(listed) == 4
    assert listed[1][3:] == ["Mental health: counselors pay", "edited by staff"]
    stored = archive_copy.transcript(example_id).chapters[1].title
    assert stored == "Mental health: counselors pay"


# --- changing a chapter's topic -----------------------------------------------------------------


def test_move_a_chapter_to_another_topic(cli, archive_copy, example_id):
    root = archive_copy.root
    before = archive_copy.transcript(example_id)
    assert topic_hits(archive_copy, "workload") == []
    chapter_one = starts_in_chapter(before, 1)
    assert {h.segment_start for h in topic_hits(archive_copy, "class-size")} == chapter_one

    listed = rows(ok(cli("chapters", example_id, "--topic", "1", "workload", archive=root)))
    # The title made from the old topic would mislead: it becomes the new topic's name.
    assert listed[0] == ["1", "00:00:00", "workload", "Workload, prep and collaboration time",
                         "edited by staff"]
    assert [row[2] for row in listed] == ["workload", *TRUE_TOPICS[1:]]

    after = archive_copy.transcript(example_id)
    first = after.chapters[0]
    assert (first.topic_id, first.topic, first.edited) == (
        "workload", "Workload, prep and collaboration time", True)
    assert (first.start, first.end) == (before.chapters[0].start, before.chapters[0].end)
    assert after.chapters[1:] == before.chapters[1:]

    # Exactly that chapter's segments are on workload now, and none are on class size.
    hits = topic_hits(archive_copy, "workload")
    assert {h.segment_start for h in hits} == chapter_one
    assert len(hits) == len(chapter_one)
    assert {h.chapter["topic_id"] for h in hits} == {"workload"}
    assert topic_hits(archive_copy, "class-size") == []
    assert topic_hits(archive_copy, "Class size and caseloads") == []
    shown = json.loads(ok(cli("search", "topic:workload", "--json", archive=root)))
    assert shown["total"] == len(chapter_one)
    assert ok(cli("search", 'topic:"class size"', archive=root)) == "0 results\n"
    # Other topics are untouched.
    assert {h.segment_start for h in topic_hits(archive_copy, "compensation")} == (
        starts_in_chapter(before, 3))

    counts = {row[0]: row[2] for row in rows(ok(cli("topics", archive=root)))}
    assert counts["workload"] == "1 chapter"
    assert counts["class-size"] == "0 chapters"


def test_a_title_staff_wrote_survives_a_change_of_topic(cli, archive_copy, example_id):
    root = archive_copy.root
    ok(cli("chapters", example_id, "--title", "1", "Caps by grade", archive=root))
    listed = rows(ok(cli("chapters", example_id, "--topic", "1", "workload", archive=root)))
    assert listed[0] == ["1", "00:00:00", "workload", "Caps by grade", "edited by staff"]


def test_title_and_topic_in_one_command(cli, archive_copy, example_id):
    listed = rows(ok(cli("chapters", example_id, "--title", "1", "Caps by grade", "--topic", "1",
                         "workload", archive=archive_copy.root)))
    assert listed[0] == ["1", "00:00:00", "workload", "Caps by grade", "edited by staff"]
    assert {h.chapter["title"] for h in topic_hits(archive_copy, "workload")} == {"Caps by grade"}


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "code", "says"), [
    (("--title", "0", "T"), 1, "chapters 1 to 4, not 0"),
    (("--title", "99", "T"), 1, "chapters 1 to 4, not 99"),
    (("--title", "x", "T"), 1, "'x'"),
    (("--title", "-1", "T"), 1, "'-1'"),
    (("--title", "1.5", "T"), 1, "'1.5'"),
    (("--topic", "0", "workload"), 1, "chapters 1 to 4, not 0"),
    (("--topic", "5", "workload"), 1, "chapters 1 to 4, not 5"),
    (("--topic", "x", "workload"), 1, "'x'"),
    (("--topic", "1", "salary"), 1, ", ".join(DEFAULT_IDS)),
    (("--topic", "1", "Class size and caseloads"), 1, "class-size"),
    (("--topic", "1", ""), 1, "compensation"),
    (("--title", "1", ""), 1, "empty"),
    (("--title", "1", "   "), 1, "empty"),
    (("--title", "1", "T" * 121), 1, "120"),
    (("--title", "1", "  " + "T" * 121 + "  "), 1, "120"),
    (("--title", "1", "Bell\x07"), 1, "control characters"),
    (("--title", "1", "\x1b[31mred"), 1, "control characters"),
    (("--title", "1"), 2, "--title"),
    (("--topic", "1"), 2, "--topic"),
    pytest.param(("--title", "1", "Del\x7fete"), 1, "control characters",
                 id="DEL-control-character"),
    pytest.param(("--title", "1", "C1 \x9b31m control"), 1, "control characters",
                 id="C1-control-character"),
    pytest.param(("--title", "\u00b2", "T"), 1, "'\u00b2'", id="superscript-digit-chapter"),
    pytest.param(("--title", "1", "New title", "--topic", "1", "salary"), 1, "salary",
                 id="retitle-saved-before-topic-refused"),
])
def test_refused_edits_leave_the_archive_unchanged(cli, archive_copy, example_id, args, code,
                                                   says):
    before = snapshot(archive_copy.root)
    saved = transcript_bytes(archive_copy, example_id)
    result = cli("chapters", example_id, *args, archive=archive_copy.root)
    line = one_line_error(result, code)
    assert says in line, line
    assert result.stdout == ""
    assert snapshot(archive_copy.root) == before
    assert transcript_bytes(archive_copy, example_id) == saved


@pytest.mark.parametrize("session", ["2026-01-01-nothing", "../sessions"])
@pytest.mark.parametrize("args", [(), ("--title", "1", "T"), ("--topic", "1", "workload"),
                                  ("--find",)])
def test_unknown_session_is_one_line(cli, archive_copy, session, args):
    before = snapshot(archive_copy.root)
    line = one_line_error(cli("chapters", session, *args, archive=archive_copy.root))
    assert repr(session) in line
    assert snapshot(archive_copy.root) == before


def test_no_archive_is_one_line(cli, tmp_path, example_id):
    line = one_line_error(cli("chapters", example_id, archive=tmp_path / "none"))
    assert "no archive" in line
    line = one_line_error(cli("topics", archive=tmp_path / "none"))
    assert "no archive" in line
    assert not (tmp_path / "none").exists()


# --- finding chapters again ---------------------------------------------------------------------


def test_find_keeps_an_edited_title(cli, archive_copy, example_id):
    root = archive_copy.root
    before = archive_copy.transcript(example_id)
    title = "Counselors and social workers"
    ok(cli("chapters", example_id, "--title", "2", title, archive=root))

    shown = json.loads(ok(cli("chapters", example_id, "--find", "--json", archive=root)))
    assert [c["topic_id"] for c in shown] == TRUE_TOPICS
    assert (shown[1]["title"], shown[1]["edited"]) == (title, True)
    assert (shown[1]["start"], shown[1]["end"]) == (before.chapters[1].start,
                                                    before.chapters[1].end)
    assert shown[0] == asdict(before.chapters[0])
    assert shown[2:] == [asdict(c) for c in before.chapters[2:]]

    after = archive_copy.transcript(example_id)
    assert [asdict(c) for c in after.chapters] == shown
    assert [s.chapter for s in after.segments] == [s.chapter for s in before.segments]
    listed = rows(ok(cli("chapters", example_id, archive=root)))
    assert listed[1][3:] == [title, "edited by staff"]
    hits = topic_hits(archive_copy, "mental-health")
    assert {h.segment_start for h in hits} == starts_in_chapter(after, 2)
    assert {h.chapter["title"] for h in hits} == {title}


def test_find_brings_back_cleared_chapters(cli, archive_copy, example_id):
    root = archive_copy.root
    original = archive_copy.transcript(example_id)
    cleared = archive_copy.transcript(example_id)
    cleared.chapters = []
    for segment in cleared.segments:
        segment.chapter = None
    archive_copy.save_transcript(cleared)
    SearchIndex(archive_copy.index_dir).replace_session(cleared)
    assert ok(cli("chapters", example_id, archive=root)) == ""
    assert json.loads(ok(cli("chapters", example_id, "--json", archive=root))) == []
    assert all(topic_hits(archive_copy, t) == [] for t in TRUE_TOPICS)

    listed = rows(ok(cli("chapters", example_id, "--find", archive=root)))
    assert [row[2] for row in listed] == TRUE_TOPICS
    assert [row[0] for row in listed] == ["1", "2", "3", "4"]
    assert all(len(row) == 4 for row in listed)  # nothing edited by staff

    found = archive_copy.transcript(example_id)
    assert [c.topic_id for c in found.chapters] == TRUE_TOPICS
    assert all(s.chapter is not None for s in found.segments)
    assert {s.chapter for s in found.segments} == {0, 1, 2, 3}
    for segment in found.segments:
        chapter = found.chapter_of(segment)
        assert chapter.start <= segment.start and segment.end <= chapter.end
    # The same chapters as at ingest: same taxonomy, same segments.
    assert found.chapters == original.chapters
    for n, topic in enumerate(TRUE_TOPICS, 1):
        hits = topic_hits(archive_copy, topic)
        assert {h.segment_start for h in hits} == starts_in_chapter(found, n), topic
        assert {h.chapter["title"] for h in hits} == {found.chapters[n - 1].title}


# --- an archive's own taxonomy ------------------------------------------------------------------


ARCHIVE_TAXONOMY = """\
# Two topics of our own.
[[topic]]
id = "money"
name = "Money"
description = "Salaries, raises, wages and what a settlement costs."
keywords = ["salary", "percent", "wage", "raise", "inflation"]

[[topic]]
id = "students"
name = "Students"
description = "Class sizes, caseloads and support for students' mental health."
keywords = ["class size", "students", "counselor", "social worker", "mental health"]
"""


def test_an_archive_taxonomy_is_used(cli, archive_copy, example_id):
    root = archive_copy.root
    (root / "taxonomy.toml").write_text(ARCHIVE_TAXONOMY, "utf-8")
    # Until chapters are found again, the session keeps the chapters ingest found.
    assert [row[2] for row in rows(ok(cli("chapters", example_id, archive=root)))] == (
        TRUE_TOPICS)

    shown = json.loads(ok(cli("chapters", example_id, "--find", "--json", archive=root)))
    ids = [c["topic_id"] for c in shown]
    assert set(ids) == {"money", "students"}, ids
    assert {c["topic"] for c in shown} <= {"Money", "Students"}
    transcript = archive_copy.transcript(example_id)
    assert [asdict(c) for c in transcript.chapters] == shown
    for phrase, topic in (("one social worker and one counselor", "students"),
                          ("base wage", "money")):
        assert transcript.chapter_of(segment_saying(transcript, phrase)).topic_id == topic
    assert all(s.chapter is not None for s in transcript.segments)

    # The index follows: the old topics are gone, the new ones hold every segment.
    assert all(topic_hits(archive_copy, t) == [] for t in TRUE_TOPICS)
    money = {s.start for s in transcript.segments
             if transcript.chapter_of(s).topic_id == "money"}
    assert {h.segment_start for h in topic_hits(archive_copy, "money")} == money
    assert len(topic_hits(archive_copy, "money")) + len(topic_hits(archive_copy, "students")) == (
        len(transcript.segments))

    result = cli("topics", archive=root)
    listed = rows(ok(result))
    n_money, n_students = ids.count("money"), ids.count("students")
    assert listed == [
        ["money", "Money", f"{n_money} chapter{'' if n_money == 1 else 's'}"],
        ["students", "Students", f"{n_students} chapter{'' if n_students == 1 else 's'}"],
    ]
    assert result.stderr.strip() == f"topics from {root / 'taxonomy.toml'}"

    # Moving a chapter takes the archive's topics only.
    before = snapshot(root)
    line = one_line_error(cli("chapters", example_id, "--topic", "1", "class-size",
                              archive=root))
    assert "'class-size'" in line and "money, students" in line
    assert snapshot(root) == before
    other = "money" if ids[0] == "students" else "students"
    listed = rows(ok(cli("chapters", example_id, "--topic", "1", other, archive=root)))
    assert listed[0][2] == other and listed[0][-1] == "edited by staff"


MALFORMED = {
    "bad-toml": "[[topic]]\nid = money\n",
    "no-topics": 'title = "our topics"\n',
    "empty-topics": "topic = []\n",
    "duplicate-ids": ('[[topic]]\nid = "money"\nname = "Money"\n'
                      '[[topic]]\nid = "money"\nname = "Pay"\n'),
    "topic-without-name": '[[topic]]\nid = "money"\n',
    "topic-not-a-table": 'topic = ["money"]\n',
}


@pytest.mark.parametrize("text", [
    *[pytest.param(v.encode(), id=k) for k, v in MALFORMED.items()],
    pytest.param('[[topic]]\nid = "paie"\nname = "Rémunération"\n'.encode("latin-1"),
                 id="not-utf-8"),
])
def test_a_malformed_taxonomy_is_refused(cli, archive_copy, example_id, text):
    root = archive_copy.root
    path = root / "taxonomy.toml"
    path.write_bytes(text)
    before = snapshot(root)
    saved = transcript_bytes(archive_copy, example_id)

    line = one_line_error(cli("chapters", example_id, "--find", archive=root))
    assert str(path) in line, line
    line = one_line_error(cli("chapters", example_id, "--topic", "1", "money", archive=root))
    assert str(path) in line, line
    result = cli("topics", archive=root)
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("ontherecord: error: ") and str(path) in last
    assert snapshot(root) == before
    assert transcript_bytes(archive_copy, example_id) == saved
    # Listing needs no taxonomy.
    assert [row[2] for row in rows(ok(cli("chapters", example_id, archive=root)))] == (
        TRUE_TOPICS)


# --- topics -------------------------------------------------------------------------------------


def test_topics_of_the_default_taxonomy(cli, example_archive, example_id):
    result = cli("topics", archive=example_archive.root)
    listed = rows(ok(result))
    assert len(listed) == 13
    assert [row[0] for row in listed] == DEFAULT_IDS
    assert {"compensation", "class-size", "mental-health", "procedure"} <= set(DEFAULT_IDS)
    names = {t.id: t.name for t in load_taxonomy()}
    on = {c.topic_id for c in example_archive.transcript(example_id).chapters}
    assert on == set(TRUE_TOPICS)
    for topic_id, name, count in listed:
        assert name == names[topic_id]
        assert count == ("1 chapter" if topic_id in on else "0 chapters"), (topic_id, count)
    assert result.stderr.strip() == "topics from the default taxonomy"
