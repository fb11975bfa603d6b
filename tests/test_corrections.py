"""Transcript corrections: re-timing the words of a fixed segment, the checks and the log of
`corrections.correct`, and the real `ontherecord correct` and `ontherecord edit` commands on a
copy of the example archive (the index following at once, refusals changing nothing)."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from ontherecord import corrections
from ontherecord.corrections import MAX_TEXT, correct, realign, segment_at
from ontherecord.errors import InputError
from ontherecord.model import Correction, Segment, Session, Source, Transcript, Word
from ontherecord.timecode import clock
from tests.helpers import snapshot
from tests.helpers.cli import ok, one_line_error
from tests.helpers.example import normalize, phrase_start, segment_saying

# --- realign: the words of a corrected segment ----------------------------------------------

# "We will take attack to our team." with a gap after "attack" and before "We".
WORDS = [
    Word(10.2, 10.4, " We", 0.91),
    Word(10.4, 10.6, " will", 0.92),
    Word(10.6, 11.0, " take", 0.93),
    Word(11.0, 11.6, " attack", 0.41),
    Word(11.9, 12.1, " to", 0.95),
    Word(12.1, 12.3, " our", 0.96),
    Word(12.3, 12.9, " team.", 0.97),
]
SEGMENT_START, SEGMENT_END = 10.0, 13.5


def segment(words=WORDS, text: str = " We will take attack to our team.") -> Segment:
    return Segment(SEGMENT_START, SEGMENT_END, text, "S1", copy.deepcopy(list(words)), 0)


def times(words) -> list[tuple[float, float]]:
    return [(w.start, w.end) for w in words]


def realigned(text: str, seg: Segment | None = None) -> list[Word]:
    seg = seg or segment()
    words = realign(seg.words, text, seg)
    # Whatever the change, the words say the new text, in order, inside the segment.
    assert [w.word for w in words] == [f" {t}" for t in text.split()]
    assert "".join(w.word for w in words).strip() == text
    for w in words:
        assert SEGMENT_START <= w.start <= w.end <= SEGMENT_END, w
    for a, b in zip(words, words[1:], strict=False):
        assert a.start <= a.end <= b.start + 1e-9, (a, b)
    return words


def by_text(words) -> dict[str, Word]:
    return {w.word.strip(): w for w in words}


def test_unchanged_text_keeps_every_word_as_it_was():
    words = realigned("We will take attack to our team.")
    assert words == WORDS


def test_a_replaced_word_takes_the_span_of_the_word_it_replaces():
    words = realigned("We will take that back to our team.")
    got = by_text(words)
    for kept in ("We", "will", "take", "to", "our", "team."):
        assert got[kept] == by_text(WORDS)[kept], kept
    # "attack" (11.0-11.6) becomes "that back", sharing its span evenly.
    assert (got["that"].start, got["back"].end) == (11.0, 11.6)
    assert got["that"].end == got["back"].start == pytest.approx(11.3)
    assert got["that"].probability == got["back"].probability == 1.0


def test_replacing_several_words_spreads_the_new_ones_over_their_span():
    words = realigned("We will bring it back to our team.")
    got = by_text(words)
    # "take attack" (10.6-11.6) is now "bring it back".
    assert got["bring"].start == 10.6 and got["back"].end == 11.6
    assert [w.end - w.start for w in words[2:5]] == pytest.approx([1 / 3] * 3, abs=0.002)
    assert times(words[:2]) == times(WORDS[:2]) and times(words[5:]) == times(WORDS[4:])


def test_an_inserted_word_sits_in_the_gap():
    # Between "attack" (ends 11.6) and "to" (starts 11.9).
    words = realigned("We will take attack back to our team.")
    got = by_text(words)
    assert (got["back"].start, got["back"].end) == (11.6, 11.9)
    assert [w for w in words if w.word != " back"] == WORDS
    # Before the first word: between the segment's start and that word.
    words = realigned("Well, We will take attack to our team.")
    assert (words[0].word, words[0].start, words[0].end) == (" Well,", SEGMENT_START, 10.2)
    assert words[1:] == WORDS
    # After the last word: between it and the segment's end.
    words = realigned("We will take attack to our team. Thanks.")
    assert (words[-1].word, words[-1].start, words[-1].end) == (" Thanks.", 12.9, SEGMENT_END)
    assert words[:-1] == WORDS


def test_deleted_words_are_dropped_and_the_rest_keep_their_times():
    words = realigned("We will take to our team.")
    assert words == [w for w in WORDS if w.word != " attack"]
    words = realigned("take attack")
    assert words == WORDS[2:4]


def test_case_and_punctuation_changes_keep_every_timing():
    words = realigned("we WILL take, attack to our Team")
    assert times(words) == times(WORDS)
    assert [w.probability for w in words] == [w.probability for w in WORDS]
    assert [w.word for w in words] == [" we", " WILL", " take,", " attack", " to", " our",
                                       " Team"]


def test_a_whole_new_text_shares_the_span_of_all_the_old_words():
    words = realigned("Nothing alike here")
    assert (words[0].start, words[-1].end) == (10.2, 12.9)


def test_a_segment_without_words_stays_without_words():
    seg = segment(words=[])
    assert realign(seg.words, "Anything at all", seg) == []


# --- correct(): the checks and the log -----------------------------------------------------


def transcript() -> Transcript:
    session = Session("2026-10-14-teachers-x", "Teachers", "2026-10-14", "Teachers", 30.0,
                      "media.ogg", "audio/ogg", Source("x.ogg", "0" * 64, 1), state="published")
    segments = [
        Segment(0.5, 4.0, " Good afternoon, everyone.", "S1",
                [Word(0.5, 1.0, " Good", 0.9), Word(1.0, 1.8, " afternoon,", 0.9),
                 Word(1.9, 3.0, " everyone.", 0.9)], 0),
        segment(),
        Segment(20.0, 25.0, " A segment with no words.", "S2", [], 0),
    ]
    return Transcript(session, segments)


NOW = dt.datetime(2026, 10, 20, 15, 4, 5, tzinfo=dt.UTC)


def test_a_correction_fixes_the_text_and_is_logged():
    t = transcript()
    before = copy.deepcopy(t)
    fix = correct(t, 1, "  We will take\tthat back\nto our team. ", now=NOW)
    assert fix == Correction("2026-10-20T15:04:05+00:00", SEGMENT_START,
                             "We will take attack to our team.",
                             "We will take that back to our team.",
                             t.session.version + 1)  # the version its save will make
    assert t.corrections == [fix]
    seg = t.segments[1]
    assert seg.text == " We will take that back to our team."
    assert (seg.start, seg.end, seg.speaker, seg.chapter) == (SEGMENT_START, SEGMENT_END, "S1", 0)
    assert [w.word.strip() for w in seg.words] == seg.text.split()
    # Nothing else changed.
    assert t.segments[0] == before.segments[0] and t.segments[2] == before.segments[2]
    assert t.session == before.session


def test_corrections_are_logged_in_order():
    t = transcript()
    first = correct(t, 1, "We will take that back to our team.", now=NOW)
    second = correct(t, 0, "Good afternoon, everybody.", now=NOW + dt.timedelta(minutes=1))
    third = correct(t, 1, "We will take that back to our whole team.",
                    expected="We will take that back to our team.",
                    now=NOW + dt.timedelta(minutes=2))
    assert t.corrections == [first, second, third]
    assert [c.start for c in t.corrections] == [SEGMENT_START, 0.5, SEGMENT_START]
    # The second fix of a segment starts from the first one's text.
    assert (third.before, third.after) == ("We will take that back to our team.",
                                           "We will take that back to our whole team.")
    assert [c.at for c in t.corrections] == ["2026-10-20T15:04:05+00:00",
                                             "2026-10-20T15:05:05+00:00",
                                             "2026-10-20T15:06:05+00:00"]
    # A correction survives the transcript's JSON form.
    body = json.loads(json.dumps(t.to_dict()))
    assert Transcript.from_dict(t.session, body).corrections == t.corrections


def test_a_correction_is_stamped_now_in_utc():
    t = transcript()
    fix = correct(t, 2, "A segment with some words.")
    at = dt.datetime.fromisoformat(fix.at)
    assert at.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - at) < dt.timedelta(minutes=1)
    # A segment without words gets none, and keeps its times.
    seg = t.segments[2]
    assert (seg.words, seg.start, seg.end, seg.text) == ([], 20.0, 25.0,
                                                         " A segment with some words.")


@pytest.mark.parametrize(("index", "text", "expected", "message"), [
    (1, "", None, "empty"),
    (1, "   \n\t ", None, "empty"),
    (1, "We will \x00take that back.", None, "control characters"),
    (1, "\x1b[2JWe will take that back.", None, "control characters"),
    (1, "We will take that back.\x7f", None, "control characters"),
    (1, "We will take\x85that back.", None, "control characters"),
    (1, "x" * (MAX_TEXT + 1), None, f"longer than {MAX_TEXT}"),
    (1, "We will take attack to our team.", None, "same"),
    (1, "  We  will take attack\nto our team. ", None, "same"),
    (3, "Anything.", None, "no segment 3"),
    (-1, "Anything.", None, "no segment -1"),
    (1, "We will take that back to our team.", "We will take a tack to our team.", "changed"),
    (1, "We will take that back to our team.", "", "changed"),
])
def test_refused_corrections_change_nothing(index, text, expected, message):
    t = transcript()
    before = copy.deepcopy(t)
    with pytest.raises(InputError, match=message):
        correct(t, index, text, expected=expected, now=NOW)
    assert t == before
    assert t.corrections == []


def test_the_longest_text_is_accepted():
    t = transcript()
    correct(t, 2, "y" * MAX_TEXT, now=NOW)
    assert t.segments[2].text == " " + "y" * MAX_TEXT


def test_the_text_the_editor_saw_may_differ_in_spacing_only():
    t = transcript()
    correct(t, 1, "We will take that back to our team.",
            expected="\n We  will take attack to\tour team.  ", now=NOW)
    assert t.segments[1].text == " We will take that back to our team."


def test_a_stale_form_is_refused_after_someone_else_fixed_it():
    t = transcript()
    seen = t.segments[1].text.strip()
    correct(t, 1, "We will take that back to our team.", expected=seen, now=NOW)
    fixed = copy.deepcopy(t)
    with pytest.raises(InputError, match="changed since you opened it"):
        correct(t, 1, "We will talk that back to our team.", expected=seen, now=NOW)
    assert t == fixed and len(t.corrections) == 1


def test_clean_makes_one_line():
    assert corrections.clean(" a\tb\r\nc   d ") == "a b c d"


def test_segment_at():
    t = transcript()
    assert segment_at(t, 0.5) == 0
    assert segment_at(t, 3.9) == 0
    assert segment_at(t, 7.0) == 0  # in the gap after it: the last one begun
    assert segment_at(t, 10.0) == 1
    assert segment_at(t, 19.99) == 1
    assert segment_at(t, 99.0) == 2
    with pytest.raises(InputError, match="nothing is said at 0.2 s"):
        segment_at(t, 0.2)


# --- `ontherecord correct` ------------------------------------------------------------------

# What the example's chair says near the end, as it should read.
FIXED = "Under state labor relations law both sides must keep bargaining in good faith."


def search(cli, root, query: str) -> dict:
    return json.loads(ok(cli("search", query, "--json", archive=root)))


def session_hits(cli, root, session_id: str) -> list[dict]:
    """Every indexed segment of a session, read back from the index through the command."""
    first = search(cli, root, f'session:"{session_id}"')
    hits = first["hits"]
    for page in range(2, first["pages"] + 1):
        hits += json.loads(ok(cli("search", f'session:"{session_id}"', "--json", "--page",
                                  str(page), archive=root)))["hits"]
    return hits


def assert_index_matches(cli, archive, session_id: str) -> None:
    """The index holds every segment of the session, with the transcript's current text."""
    transcript = archive.transcript(session_id)
    indexed = {h["segment_start"]: h for h in session_hits(cli, archive.root, session_id)}
    assert sorted(indexed) == [s.start for s in transcript.segments]
    for seg in transcript.segments:
        hit = indexed[seg.start]
        assert (hit["text"], hit["title"], hit["date"], hit["unit"]) == (
            seg.text.strip(), transcript.session.title, transcript.session.date,
            transcript.session.unit)


def removed_words(transcript, before: str, after: str) -> list[str]:
    """Words of `before` that `after` dropped and that no other segment says."""
    gone = set(normalize(before).split()) - set(normalize(after).split())
    others = {w for s in transcript.segments if normalize(s.text) != normalize(before)
              for w in normalize(s.text).split()}
    return sorted(gone - others)


def test_correct_a_segment_from_the_command_line(cli, archive_copy, example_id):
    root = archive_copy.root
    original = archive_copy.transcript(example_id)
    seg = segment_saying(original, "keep bargaining")
    index = original.segments.index(seg)
    old = seg.text.strip()
    assert normalize(old) != normalize(FIXED)
    gone = removed_words(original, old, FIXED)
    assert gone, (old, FIXED)  # the recognizer misheard a word the fix takes out
    for word in gone:
        assert search(cli, root, word)["total"] == 1
    assert search(cli, root, "faith")["total"] == 0

    said_at = phrase_start(original, "keep bargaining")
    out = ok(cli("correct", example_id, f"{said_at:.2f}", FIXED, archive=root))
    assert out == f"[{clock(seg.start)[:8]}] {old}\n        -> {FIXED}\n"

    body = json.loads((archive_copy.session_dir(example_id) / "transcript.json")
                      .read_text("utf-8"))
    (logged,) = body["corrections"]
    assert set(logged) == {"at", "start", "before", "after", "version"}
    # The version the correction made, so a citation quoted before it can tell.
    assert logged["version"] == archive_copy.session(example_id).version
    assert (logged["start"], logged["before"], logged["after"]) == (seg.start, old, FIXED)
    at = dt.datetime.fromisoformat(logged["at"])
    assert at.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - at) < dt.timedelta(minutes=5)

    after = archive_copy.transcript(example_id)
    fixed = after.segments[index]
    assert fixed.text.strip() == FIXED
    assert (fixed.start, fixed.end, fixed.speaker, fixed.chapter) == (
        seg.start, seg.end, seg.speaker, seg.chapter)
    assert [w.word.strip() for w in fixed.words] == FIXED.split()
    assert all(seg.start <= w.start <= w.end <= seg.end for w in fixed.words)
    # Every other segment, the speakers and the chapters are as they were.
    assert [s for i, s in enumerate(after.segments) if i != index] == \
        [s for i, s in enumerate(original.segments) if i != index]
    assert (after.speakers, after.chapters, after.turns) == (
        original.speakers, original.chapters, original.turns)
    # The session record only counts the change, for the index to see it.
    assert after.session.to_dict() == {**original.session.to_dict(),
                                       "version": original.session.version + 1}

    # The search follows at once: the new words are found in that segment, the old ones gone.
    found = search(cli, root, "faith")
    assert found["total"] == 1
    (hit,) = found["hits"]
    assert (hit["session"], hit["segment_start"], hit["text"]) == (example_id, seg.start, FIXED)
    assert seg.start <= hit["start"] <= seg.end
    assert search(cli, root, '"good faith"')["total"] == 1
    for word in gone:
        assert search(cli, root, word)["total"] == 0, word
    assert_index_matches(cli, archive_copy, example_id)

    # The exports carry it too.
    assert f"{FIXED}" in ok(cli("export", example_id, "--format", "vtt", archive=root))
    exported = json.loads(ok(cli("export", example_id, archive=root)))
    assert exported["segments"][index]["text"].strip() == FIXED
    assert exported["corrections"] == body["corrections"]


def test_correct_at_a_time_written_as_a_clock(cli, archive_copy, example_id):
    root = archive_copy.root
    original = archive_copy.transcript(example_id)
    first = segment_saying(original, "answer on friday")
    second = segment_saying(original, "keep bargaining")
    # A time in the gap after a segment still means that segment.
    gap = (first.end + original.segments[original.segments.index(first) + 1].start) / 2
    minutes, seconds = divmod(gap, 60)
    ok(cli("correct", example_id, f"{int(minutes)}:{seconds:05.2f}",
           "We will take that back to our team and answer on Friday.", archive=root))
    minutes, seconds = divmod(second.start + 0.5, 60)
    ok(cli("correct", example_id, f"0:{int(minutes):02d}:{seconds:05.2f}", FIXED, archive=root))
    after = archive_copy.transcript(example_id)
    assert [(c.start, c.before, c.after) for c in after.corrections] == [
        (first.start, first.text.strip(),
         "We will take that back to our team and answer on Friday."),
        (second.start, second.text.strip(), FIXED)]
    assert search(cli, root, '"take that back"')["total"] == 1
    assert_index_matches(cli, archive_copy, example_id)


@pytest.mark.parametrize(("args", "message"), [
    (("no-such-session", "30", "Some words."), "no session 'no-such-session'"),
    (("{id}", "soon", "Some words."), "is not a time"),
    (("{id}", "nan", "Some words."), "is not a time"),
    (("{id}", "30", ""), "empty"),
    (("{id}", "30", "   "), "empty"),
    (("{id}", "30", "Some \x1b[2J words."), "control characters"),
    (("{id}", "30", "x" * (MAX_TEXT + 1)), f"longer than {MAX_TEXT}"),
    (("{id}", "0", "Some words."), "nothing is said at 0 s"),
], ids=["unknown-session", "not-a-time", "nan", "empty", "blank", "control-characters",
        "too-long", "before-any-speech"])
def test_refused_corrections_leave_the_archive_as_it_was(cli, archive_copy, example_id, args,
                                                         message):
    before = snapshot(archive_copy.root)
    result = cli("correct", *(a.format(id=example_id) for a in args), archive=archive_copy.root)
    assert message in one_line_error(result)
    assert result.stdout == ""
    assert snapshot(archive_copy.root) == before
    assert archive_copy.transcript(example_id).corrections == []


def test_the_same_text_again_is_refused(cli, archive_copy, example_id):
    seg = segment_saying(archive_copy.transcript(example_id), "keep bargaining")
    before = snapshot(archive_copy.root)
    result = cli("correct", example_id, str(seg.start), f"  {seg.text}  ",
                 archive=archive_copy.root)
    assert "same as the transcript" in one_line_error(result)
    assert snapshot(archive_copy.root) == before


# --- `ontherecord edit` ---------------------------------------------------------------------


def test_edit_a_sessions_details(cli, archive_copy, example_id):
    root = archive_copy.root
    original = archive_copy.session(example_id)
    ids = archive_copy.ids()
    out = ok(cli("edit", example_id, "--title", "  Teachers:   fourth  session ",
                 "--date", "2026-10-15", "--unit", "Teachers and ESPs",
                 "--description", "The fourth session.\n\nClass size, then salary.",
                 "--source-url", "https://district.example/board/stream?id=1014",
                 archive=root))
    printed = json.loads(out)
    saved = archive_copy.session(example_id)
    assert printed == saved.to_dict()
    assert (saved.id, saved.title, saved.date, saved.unit, saved.description,
            saved.source_url) == (
        example_id, "Teachers: fourth session", "2026-10-15", "Teachers and ESPs",
        "The fourth session.\n\nClass size, then salary.",
        "https://district.example/board/stream?id=1014")
    # The rest of the record is as it was; the id, and so every link, did not change.
    assert (saved.duration, saved.media, saved.source, saved.state, saved.closed,
            saved.ingested_at) == (original.duration, original.media, original.source,
                                   original.state, original.closed, original.ingested_at)
    assert archive_copy.ids() == ids
    listed = ok(cli("list", archive=root)).splitlines()
    assert listed == [f"{example_id}\t2026-10-15\tTeachers and ESPs\t"
                      f"{clock(saved.duration)[:8]}\tpublished\tTeachers: fourth session"]
    # The index follows at once.
    found = search(cli, root, "salary")
    assert found["total"] > 0
    assert {(h["title"], h["date"], h["unit"]) for h in found["hits"]} == {
        ("Teachers: fourth session", "2026-10-15", "Teachers and ESPs")}
    assert search(cli, root, "title:fourth")["total"] == len(
        archive_copy.transcript(example_id).segments)
    assert_index_matches(cli, archive_copy, example_id)


def test_edit_changes_only_what_it_is_given(cli, archive_copy, example_id):
    original = archive_copy.session(example_id)
    ok(cli("edit", example_id, "--unit", "Education Support Professionals",
           archive=archive_copy.root))
    saved = archive_copy.session(example_id)
    assert saved.unit == "Education Support Professionals"
    assert saved.to_dict() == {**original.to_dict(), "unit": "Education Support Professionals",
                               "version": original.version + 1}
    # An empty link removes the link.
    ok(cli("edit", example_id, "--source-url", "https://district.example/x",
           archive=archive_copy.root))
    ok(cli("edit", example_id, "--source-url", "", archive=archive_copy.root))
    assert archive_copy.session(example_id).source_url == ""


@pytest.mark.parametrize(("args", "message"), [
    (("--date", "2026-13-01"), "is not a date"),
    (("--date", "20261015"), "is not a date"),
    (("--date", "next week"), "is not a date"),
    # An ISO week date is ten characters too, and Python 3.11 reads it as a date.
    (("--date", "2026-W42-3"), "is not a date"),
    (("--source-url", "javascript:alert(document.cookie)"), "http:// or https://"),
    (("--source-url", "JavaScript:alert(1)//https://x"), "http:// or https://"),
    (("--source-url", "file:///etc/passwd"), "http:// or https://"),
    (("--source-url", "https://"), "http:// or https://"),
    (("--source-url", "https://district.example/\x1b[2Jstream"), "source link"),
    (("--source-url", "https://district.example/\x07"), "source link"),
    (("--title", "Teachers\x1b[2J session"), "control characters"),
    (("--title", "   "), "needs a title"),
    (("--unit", "Teachers\x07"), "control characters"),
    (("--description", "Fine.\n\nNot \x07fine."), "control characters"),
    # One bad detail refuses all of them: the good title is not saved either.
    (("--title", "A good new title", "--date", "2026-02-30"), "is not a date"),
], ids=["month-13", "no-dashes", "words", "week-date", "javascript", "javascript-mixed-case",
        "file", "no-host", "url-escape", "url-bell", "title-control-characters", "no-title",
        "unit-control-characters", "description-control-characters", "good-with-bad"])
def test_refused_edits_change_nothing(cli, archive_copy, example_id, args, message):
    before = snapshot(archive_copy.root)
    result = cli("edit", example_id, *args, archive=archive_copy.root)
    assert message in one_line_error(result)
    assert result.stdout == ""
    assert snapshot(archive_copy.root) == before


def test_edit_an_unknown_session(cli, archive_copy):
    before = snapshot(archive_copy.root)
    result = cli("edit", "no-such-session", "--title", "X", archive=archive_copy.root)
    assert "no session 'no-such-session'" in one_line_error(result)
    assert snapshot(archive_copy.root) == before
