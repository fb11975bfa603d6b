"""Citations: the exact words said between two times, who said them, and how they are written."""

from __future__ import annotations

import html

import pytest

from ontherecord import citations, corrections, reassign
from ontherecord.citations import as_html, as_markdown, as_text, changed_since, cite, marks
from ontherecord.errors import InputError
from ontherecord.model import Segment, Speaker, SpeakerChange, Transcript, Word
from tests.helpers.transcripts import make_transcript


def timed(start: float, text: str, step: float = 0.5) -> Segment:
    """A line whose words last `step` seconds each, one after another."""
    words = [Word(start + i * step, start + (i + 1) * step, f" {w}", 0.9)
             for i, w in enumerate(text.split())]
    return Segment(start, words[-1].end, f" {text}", None, words)


def session() -> Transcript:
    """Three lines: a district negotiator, then twice the union's, one with awkward text."""
    t = make_transcript("2026-03-10-cite", "Bargaining <session> 3", "2026-03-10", "Teachers & ESP",
                        [], [Speaker("S1", "Speaker 1", "Mark Ellison", "district",
                                     "Chief negotiator"),
                             Speaker("S2", "Speaker 2", "Jane *Doe*", "union")])
    lines = [(0.0, "S1", "The district cannot raise salaries this year."),
             (5.0, "S2", "We will not accept a salary freeze."),
             (10.0, "S2", "Not <b>ever</b> & never [again].")]
    for start, speaker, text in lines:
        segment = timed(start, text)
        segment.speaker = speaker
        t.segments.append(segment)
    t.session.version = 4
    return t


def test_part_of_a_line_quotes_exactly_the_words_chosen():
    # "cannot raise salaries" are words 3 to 5: 1.0–2.5 s.
    c = cite(session(), 1.0, 2.5)
    assert c.quote == "cannot raise salaries"
    assert [(p.speaker, p.side, p.role) for p in c.parts] == [
        ("Mark Ellison", "district", "Chief negotiator")]
    assert (c.start, c.end, c.version) == (1.0, 2.5, 4)
    assert c.permalink == "/sessions/2026-03-10-cite?t=1.00&end=2.50&v=4"
    assert c.clips == {"m4a": "/sessions/2026-03-10-cite/clip.m4a?t=1.00&end=2.50"}


def test_times_rounded_in_a_link_still_find_the_same_words():
    # A link carries hundredths; the word before ends where the first quoted one starts.
    assert cite(session(), 0.996, 2.504).quote == "cannot raise salaries"
    # A time inside a word takes it only if it holds the word's middle.
    assert cite(session(), 1.2, 2.3).quote == "cannot raise salaries"
    assert cite(session(), 1.3, 2.2).quote == "raise"


def test_several_lines_and_speakers_quote_each_under_their_name():
    c = cite(session(), 2.5, 12.0)
    assert [(p.speaker, p.text) for p in c.parts] == [
        ("Mark Ellison", "this year."),
        # Two lines in a row by one speaker are one part.
        ("Jane *Doe*", "We will not accept a salary freeze. Not <b>ever</b> & never"),
    ]
    assert c.parts[1].who == "Jane *Doe* (union)"
    assert (c.start, c.end) == (2.5, 12.0)
    assert c.times == "0:00:02–0:00:12"


def test_an_unnamed_speaker_and_a_line_without_word_times():
    t = session()
    t.segments.append(Segment(20.0, 24.0, " Four words said here.", None))
    c = cite(t, 20.0, 24.0)
    assert c.quote == "Four words said here."
    assert c.parts[0].who == citations.UNNAMED
    assert cite(t, 21.0, 23.0).quote == "words said"


def test_a_corrected_line_quotes_its_corrected_words():
    t = session()
    corrections.correct(t, 1, "We will never accept a salary freeze.")
    assert cite(t, 5.0, 6.5).quote == "We will never"


def test_html_is_escaped_everywhere():
    c = cite(session(), 10.0, 13.0)
    written = as_html(c, "https://example.org")
    assert "<b>" not in written and "<session>" not in written
    assert html.escape("Not <b>ever</b> & never [again].") in written
    assert "Bargaining &lt;session&gt; 3" in written and "Teachers &amp; ESP" in written
    assert '<blockquote cite="https://example.org/sessions/2026-03-10-cite?t=10.00&amp;end=12.50' \
           '&amp;v=4">' in written
    assert "<strong>Jane *Doe*</strong> (union): " in written


def test_markdown_is_a_block_quote_with_its_specials_escaped():
    written = as_markdown(cite(session(), 1.0, 8.5), "https://example.org")
    assert written == (
        "> **Mark Ellison** (district, Chief negotiator): cannot raise salaries this year.\n"
        ">\n"
        "> **Jane \\*Doe\\*** (union): We will not accept a salary freeze.\n"
        ">\n"
        "> — [Bargaining \\<session\\> 3](https://example.org/sessions/2026-03-10-cite?t=1.00"
        "&end=8.50&v=4), Teachers & ESP, 2026-03-10, 0:00:01–0:00:08\n")


def test_plain_text_gives_words_source_and_link():
    assert as_text(cite(session(), 5.0, 6.5), "https://x.org") == (
        "Jane *Doe* (union): “We will not”\n"
        "— Bargaining <session> 3, Teachers & ESP, 2026-03-10, 0:00:05–0:00:06\n"
        "https://x.org/sessions/2026-03-10-cite?t=5.00&end=6.50&v=4\n")


@pytest.mark.parametrize(("start", "end", "message"), [
    (5.0, 4.0, "before it starts"),
    (5.0, 5.0, "before it starts"),
    (5.0, 61.0, "after the end of the session"),
    (30.0, 40.0, "nothing is said between 0:00:30 and 0:00:40"),
])
def test_bad_ranges_are_refused_with_a_reason(start, end, message):
    with pytest.raises(InputError, match=message):
        cite(session(), start, end)


def test_marks_give_where_the_passage_lies_in_each_line():
    t = session()
    # " The district cannot raise…": "cannot raise" is characters 14 to 26.
    assert marks(t, 1.0, 2.0) == {0: (14, 26)}
    assert t.segments[0].text[14:26] == "cannot raise"
    assert marks(t, 3.0, 6.0) == {0: (t.segments[0].text.index("year."), len(t.segments[0].text)),
                                  1: (1, 8)}


def test_changes_since_a_version_are_those_made_later_to_the_passage():
    t = session()
    fix = corrections.correct(t, 1, "We will never accept a salary freeze.")
    assert fix.version == 5  # the version its save gives the session
    t.session.version = 5
    assert changed_since(t, 5.0, 6.0, 4) == [fix]
    assert changed_since(t, 5.0, 6.0, 5) == []  # quoted after it
    assert changed_since(t, 0.0, 2.0, 4) == []  # another line
    moved = reassign.reassign(t, 2, 2, "S1")
    assert moved.version == 6
    assert changed_since(t, 11.0, 12.0, 4) == [moved]
    assert changed_since(t, 5.0, 12.0, 4) == [fix, moved][::-1]  # the log is newest first


def test_an_entry_without_a_version_is_taken_as_older_than_any_citation():
    t = session()
    t.speaker_changes.append(SpeakerChange("2026-01-01T00:00:00+00:00", 0.0, "a", "b", 3,
                                           "rediarize"))
    assert changed_since(t, 0.0, 5.0, 0) == []
    t.speaker_changes[0].version = 1
    # A new diarization may have changed any line.
    assert changed_since(t, 10.0, 12.0, 0) == t.speaker_changes


def test_word_starts_are_hundredths_from_the_line_start():
    assert citations.word_starts(session().segments[1]) == "0 50 100 150 200 250 300"


def test_words_the_recognizer_split_otherwise_are_quoted_as_the_text_writes_them():
    t = session()
    t.segments.append(Segment(20.0, 21.5, " A well-known fact.", "S1", [
        Word(20.0, 20.2, " A", 0.9), Word(20.2, 20.6, " well", 0.9),
        Word(20.6, 21.0, "-known", 0.9), Word(21.0, 21.5, " fact.", 0.9)]))
    assert [(w.start, w.end) for w in citations.timed_words(t.segments[-1])] == [
        (20.0, 20.2), (20.2, 21.0), (21.0, 21.5)]
    assert cite(t, 20.2, 21.0).quote == "well-known"
    assert citations.word_starts(t.segments[-1]) == "0 20 100"
