"""The range a clip covers, read from ?t= and ?end=, and the captions cut to it."""

from __future__ import annotations

import pytest

from ontherecord.clip_ranges import ClipRange, captions_within, clip_range
from ontherecord.errors import InputError
from ontherecord.exports import WRITERS
from ontherecord.model import Segment, Transcript, Word
from tests.helpers.captions import vtt_cues
from tests.helpers.transcripts import MARCH


def test_range_read_in_any_time_form_to_the_millisecond():
    assert clip_range("1:05", "1m10.12345s", 600, 600) == ClipRange(65.0, 70.123)
    assert clip_range("0", "12", 12.0, 600) == ClipRange(0.0, 12.0)


def test_range_names_itself_for_files():
    assert ClipRange(12.5, 20.0).label == "12.5-20"
    assert ClipRange(0.125, 3.1).label == "0.125-3.1"
    assert ClipRange(12.5, 20.0).duration == 7.5


@pytest.mark.parametrize(("t", "end", "message"), [
    (None, "10", "t= is missing"),
    ("5", None, "end= is missing"),
    ("5", " ", "end= is missing"),
    ("soon", "10", "t='soon' is not a time"),
    ("5", "later", "end='later' is not a time"),
    ("5", "nan", "end='nan' is not a time"),
    ("10", "10", "end=10 must come after t=10"),
    ("10", "4", "end=4 must come after t=10"),
    ("50", "60.5", "end=60.5 is past the end of the recording (60 s)"),
    ("0", "45.5", "a clip is at most 45 s long; t=0 to end=45.5 is 45.5 s"),
])
def test_bad_ranges_say_what_is_wrong_in_one_line(t, end, message):
    with pytest.raises(InputError) as caught:
        clip_range(t, end, 60.0, 45)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_range_up_to_the_end_and_at_the_longest_is_allowed():
    assert clip_range("15", "60", 60.0, 45) == ClipRange(15.0, 60.0)


def caption_cues(transcript) -> list[tuple[float, float, str]]:
    """The cues of the transcript's WebVTT export."""
    return vtt_cues(WRITERS["vtt"].render(transcript))


def test_captions_are_the_lines_heard_clipped_and_shifted():
    # MARCH's lines run 0-5, 5-10, 10-15, 15-20, 20-25 seconds.
    cues = caption_cues(captions_within(MARCH, ClipRange(7.5, 16.0)))
    assert [(start, end) for start, end, _ in cues] == [(0.0, 2.5), (2.5, 7.5), (7.5, 8.5)]
    assert [text for _, _, text in cues] == [
        "The district cannot raise salaries this year.",
        "We will not accept a salary freeze.",
        "Class caps and size limits are separate issues.",
    ]


def test_lines_that_only_touch_the_range_are_left_out():
    cues = caption_cues(captions_within(MARCH, ClipRange(5.0, 10.0)))
    assert [(start, end) for start, end, _ in cues] == [(0.0, 5.0)]


def test_the_original_transcript_is_untouched():
    captions_within(MARCH, ClipRange(7.5, 16.0))
    assert (MARCH.segments[1].start, MARCH.segments[1].end) == (5.0, 10.0)


def test_words_outside_the_range_are_dropped_and_the_rest_shifted():
    line = MARCH.segments[0]
    words = [Word(0.0, 1.0, " Negotiations", 0.9), Word(1.0, 1.5, " on", 0.9),
             Word(3.0, 4.0, " class", 0.9), Word(4.0, 4.6, " size", 0.9)]
    transcript = captions_within(
        Transcript(MARCH.session, [Segment(0.0, 5.0, line.text, "S1", words)]),
        ClipRange(1.2, 4.2))
    (clipped,) = transcript.segments
    assert [(w.start, w.end, w.word) for w in clipped.words] == [
        (0.0, 0.3, " on"), (1.8, 2.8, " class"), (2.8, 3.0, " size")]
    assert (clipped.start, clipped.end) == (0.0, 3.0)


def test_a_line_heard_only_as_a_pause_is_left_out():
    line = MARCH.segments[0]
    words = [Word(0.0, 1.0, " Negotiations", 0.9), Word(4.0, 4.6, " caps", 0.9)]
    transcript = captions_within(
        Transcript(MARCH.session, [Segment(0.0, 5.0, line.text, "S1", words)]),
        ClipRange(1.5, 3.5))
    assert transcript.segments == []
