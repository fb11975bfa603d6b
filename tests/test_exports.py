"""Transcript exports, read back with independent parsers (webvtt-py, srt, json)."""

from __future__ import annotations

import copy
import html
import json
import re
from dataclasses import asdict, fields

import pytest
import srt
import webvtt

from ontherecord.exports import (
    CAPTION_CHARS,
    WRITERS,
    JsonWriter,
    RttmWriter,
    SrtWriter,
    TxtWriter,
    VttWriter,
    caption_chunks,
)
from ontherecord.model import Segment, Speaker, Transcript, Turn, Word
from ontherecord.timecode import clock
from tests.helpers.transcripts import make_transcript


@pytest.fixture(scope="module")
def example(example_archive) -> Transcript:
    return example_archive.transcript(example_archive.ids()[0])


def seconds(stamp: str) -> float:
    """HH:MM:SS.mmm (or with a comma) as seconds."""
    h, m, s = stamp.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def expected_cues(transcript: Transcript) -> list[tuple[int, float, float, str]]:
    """(segment number, start, end, text) of every caption chunk, in order."""
    return [(n, start, end, text) for n, seg in enumerate(transcript.segments)
            for start, end, text in caption_chunks(seg)]


def named(transcript: Transcript) -> Transcript:
    """The transcript with its segments spread over three speakers, two of them named."""
    t = copy.deepcopy(transcript)
    t.speakers = [Speaker("S1", "Speaker 1", "Dana Whitfield", named_by="staff"),
                  Speaker("S2", "Speaker 2", "Mark Ellison", named_by="staff"),
                  Speaker("S3", "Speaker 3")]
    for n, seg in enumerate(t.segments):
        seg.speaker = f"S{n % 3 + 1}"
    t.turns = [Turn(seg.start, seg.end, seg.speaker) for seg in t.segments]
    return t


# --- the example transcript ------------------------------------------------------------------


def test_example_has_long_segments_to_split(example):
    """The checks below on splitting mean something only if some segments need splitting."""
    long = [s for s in example.segments if len(s.text.strip()) > CAPTION_CHARS]
    assert len(long) >= 3
    assert all(s.words for s in long)


def test_vtt_parses_with_one_cue_per_caption_chunk(example):
    text = VttWriter().render(example)
    assert text.startswith("WEBVTT\n")
    captions = webvtt.from_string(text).captions
    cues = expected_cues(example)
    assert len(captions) == len(cues) > len(example.segments)
    for caption, (n, start, end, chunk) in zip(captions, cues, strict=True):
        seg = example.segments[n]
        got_start, got_end = seconds(caption.start), seconds(caption.end)
        assert got_start == pytest.approx(start, abs=0.0011)
        assert got_end == pytest.approx(end, abs=0.0011)
        assert seg.start - 0.001 <= got_start < got_end <= seg.end + 0.001
        assert len(caption.text) <= CAPTION_CHARS
        assert html.unescape(caption.text) == chunk


def test_vtt_cues_put_each_segment_back_together(example):
    captions = webvtt.from_string(VttWriter().render(example)).captions
    cues = expected_cues(example)
    for n, seg in enumerate(example.segments):
        parts = [c.text for c, cue in zip(captions, cues, strict=True) if cue[0] == n]
        assert " ".join(parts) == seg.text.strip()
        if len(seg.text.strip()) > CAPTION_CHARS:
            assert len(parts) > 1


def test_vtt_cues_are_in_order_and_do_not_overlap(example):
    captions = webvtt.from_string(VttWriter().render(example)).captions
    times = [(seconds(c.start), seconds(c.end)) for c in captions]
    for (s1, e1), (s2, _e2) in zip(times, times[1:], strict=False):
        assert s1 < e1 <= s2 + 0.001


def test_srt_parses_and_matches_the_vtt_cues(example):
    subtitles = list(srt.parse(SrtWriter().render(example)))
    captions = webvtt.from_string(VttWriter().render(example)).captions
    assert len(subtitles) == len(captions) == len(expected_cues(example))
    assert [s.index for s in subtitles] == list(range(1, len(subtitles) + 1))
    for sub, caption in zip(subtitles, captions, strict=True):
        assert sub.start.total_seconds() == pytest.approx(seconds(caption.start), abs=0.0011)
        assert sub.end.total_seconds() == pytest.approx(seconds(caption.end), abs=0.0011)
        # Every segment has a speaker: SRT leads with the name that VTT puts in its voice span.
        assert caption.voice
        assert sub.content == f"{caption.voice}: {html.unescape(caption.text)}"
        assert len(sub.content.split(": ", 1)[1]) <= CAPTION_CHARS


def test_json_is_the_transcript_contract(example):
    data = json.loads(JsonWriter().render(example))
    # The correction log, but not the names suggested to staff.
    assert set(data) == {"session", "segments", "speakers", "chapters", "turns", "corrections",
                         "speaker_changes"}
    s = example.session
    # Only the public session fields: no checksum, file names or model details.
    assert data["session"] == {"id": s.id, "title": s.title, "date": s.date, "unit": s.unit,
                               "duration": s.duration, "description": s.description,
                               "source_url": s.source_url}
    assert example.speakers
    speaker_fields = {f.name for f in fields(Speaker)}
    for got in data["speakers"]:
        assert set(got) == speaker_fields
    assert [Speaker(**got) for got in data["speakers"]] == example.speakers
    assert example.turns
    for got in data["turns"]:
        assert set(got) == {"start", "end", "speaker"}
    assert [Turn(**got) for got in data["turns"]] == example.turns
    assert example.chapters
    assert data["chapters"] == [asdict(c) for c in example.chapters]
    assert len(data["segments"]) == len(example.segments)
    for got, seg in zip(data["segments"], example.segments, strict=True):
        assert set(got) == {"start", "end", "text", "speaker", "words", "chapter", "speaker_by"}
        assert Segment.from_dict(got) == seg
        for word in got["words"]:
            assert set(word) == {"start", "end", "word", "probability"}


def test_json_round_trips(example):
    data = json.loads(JsonWriter().render(example))
    back = Transcript.from_dict(example.session, data)
    assert back == example
    assert JsonWriter().render(back) == JsonWriter().render(example)


def test_txt_has_a_header_and_a_timestamped_line_per_segment(example):
    lines = TxtWriter().render(example).splitlines()
    s = example.session
    assert lines[0] == s.title
    hours, rest = divmod(int(s.duration), 3600)
    minutes, secs = divmod(rest, 60)
    assert lines[1] == f"{s.date} · {s.unit} · {hours:02d}:{minutes:02d}:{secs:02d}"
    assert lines[2] == ""
    body = lines[3:]
    assert len(body) == len(example.segments)
    for line, seg in zip(body, example.segments, strict=True):
        stamp = re.match(r"^\[(\d\d:\d\d:\d\d)\] (.*)$", line)
        assert stamp, line
        assert seconds(stamp.group(1)) == int(seg.start)
        # Every segment has a speaker, whose name (or label) leads the line.
        who = example.speaker_name(seg.speaker)
        assert who
        assert stamp.group(2) == f"{who}: {seg.text.strip()}"


def test_writers_name_their_format():
    assert {name: (w.extension, w.mimetype) for name, w in WRITERS.items()} == {
        "json": ("json", "application/json"), "vtt": ("vtt", "text/vtt"),
        "srt": ("srt", "application/x-subrip"), "txt": ("txt", "text/plain"),
        "rttm": ("rttm", "text/plain")}


# --- speakers --------------------------------------------------------------------------------


def test_speaker_names_in_every_format(example):
    t = named(example)
    captions = webvtt.from_string(VttWriter().render(t)).captions
    voices = [c.voice for c in captions]
    assert "Dana Whitfield" in voices and "Mark Ellison" in voices
    # An unnamed speaker goes by its label.
    assert "Speaker 3" in voices
    subtitles = list(srt.parse(SrtWriter().render(t)))
    assert subtitles[0].content.startswith("Dana Whitfield: ")
    assert subtitles[-1].content.split(": ", 1)[0] in {"Dana Whitfield", "Mark Ellison",
                                                        "Speaker 3"}
    txt = TxtWriter().render(t).splitlines()[3:]
    assert txt[0].startswith("[00:00:00] Dana Whitfield: Good afternoon")
    assert txt[1].split("] ", 1)[1].startswith("Mark Ellison: ")
    assert txt[2].split("] ", 1)[1].startswith("Speaker 3: ")
    data = json.loads(JsonWriter().render(t))
    assert [s["name"] for s in data["speakers"]] == ["Dana Whitfield", "Mark Ellison", None]
    assert data["segments"][1]["speaker"] == "S2"
    # RTTM: one line per turn; names with spaces joined by "_", an unnamed voice by its id.
    rttm = [line.split() for line in RttmWriter().render(t).splitlines()]
    assert len(rttm) == len(t.turns)
    for fields_, turn in zip(rttm, t.turns, strict=True):
        assert fields_[:3] == ["SPEAKER", t.session.id, "1"]
        assert float(fields_[3]) == pytest.approx(turn.start, abs=0.0006)
        assert float(fields_[4]) == pytest.approx(turn.end - turn.start, abs=0.0011)
    assert [f[7] for f in rttm[:3]] == ["Dana_Whitfield", "Mark_Ellison", "S3"]


def test_each_caption_chunk_keeps_its_speaker(example):
    # As ingested (nobody named yet: each voice goes by its label), and once staff name some.
    assert {s.display for s in example.speakers} == {s.label for s in example.speakers}
    for t in (example, named(example)):
        captions = webvtt.from_string(VttWriter().render(t)).captions
        for caption, (n, *_rest) in zip(captions, expected_cues(t), strict=True):
            assert caption.voice == t.speaker_name(t.segments[n].speaker)
            assert caption.voice


def test_no_speaker_means_no_name(example):
    # Ingest attributes every segment; one without a speaker (a transcript from before
    # diarization) must not get an empty or made-up name.
    assert all(example.speaker(s.speaker) for s in example.segments)
    bare = copy.deepcopy(example)
    bare.speakers, bare.turns = [], []
    for seg in bare.segments:
        seg.speaker = None
    assert "<v " not in VttWriter().render(bare)
    first = next(srt.parse(SrtWriter().render(bare)))
    assert first.content.startswith("Good afternoon")
    assert TxtWriter().render(bare).splitlines()[3].startswith("[00:00:00] Good afternoon")
    assert RttmWriter().render(bare) == ""


# --- text that means something to the formats ------------------------------------------------

AWKWARD = make_transcript(
    "2026-11-09-awkward", "Awkward & <odd>", "2026-11-09", "Teachers", [
        (1.0, 3.5, "J", "Costs <rise> & benefits --> fall"),
        (4.0, 6.0, "J", "Plain."),
    ],
    [Speaker("J", "SPEAKER_00", "Jo <Ann> & Co")],
)


def test_vtt_escapes_reserved_characters():
    text = VttWriter().render(AWKWARD)
    assert "Costs &lt;rise&gt; &amp; benefits --&gt; fall" in text
    assert "<v Jo &lt;Ann&gt; &amp; Co>" in text
    assert "<rise>" not in text and " --> fall" not in text
    captions = webvtt.from_string(text).captions
    assert len(captions) == 2
    assert html.unescape(captions[0].text) == "Costs <rise> & benefits --> fall"
    assert (seconds(captions[0].start), seconds(captions[0].end)) == (1.0, 3.5)


def test_srt_and_txt_keep_text_as_said():
    (first, second) = srt.parse(SrtWriter().render(AWKWARD))
    assert first.content == "Jo <Ann> & Co: Costs <rise> & benefits --> fall"
    assert second.content == "Jo <Ann> & Co: Plain."
    assert "[00:00:01] Jo <Ann> & Co: Costs <rise> & benefits --> fall" in TxtWriter().render(
        AWKWARD)


def test_json_keeps_text_as_said():
    data = json.loads(JsonWriter().render(AWKWARD))
    assert data["segments"][0]["text"] == "Costs <rise> & benefits --> fall"
    assert data["session"]["title"] == "Awkward & <odd>"


# --- caption chunks --------------------------------------------------------------------------


def words_of(text: str, start: float = 10.0, step: float = 0.5) -> list[Word]:
    return [Word(start + i * step, start + i * step + 0.4, f" {w}", 0.9)
            for i, w in enumerate(text.split())]


def test_short_segment_is_one_chunk():
    seg = Segment(2.0, 4.0, " Short and sweet. ", None, words_of("Short and sweet."))
    assert list(caption_chunks(seg)) == [(2.0, 4.0, "Short and sweet.")]


def test_long_segment_splits_at_word_boundaries():
    text = " ".join(f"word{i:02d}" for i in range(40))
    words = words_of(text)
    seg = Segment(words[0].start, words[-1].end, " " + text, None, words)
    chunks = list(caption_chunks(seg))
    assert len(chunks) > 1
    assert all(len(c) <= CAPTION_CHARS for _, _, c in chunks)
    assert " ".join(c for _, _, c in chunks) == text
    for (s1, e1, _), (s2, _e2, _) in zip(chunks, chunks[1:], strict=False):
        assert s1 < e1 <= s2
    assert chunks[0][0] == seg.start and chunks[-1][1] == seg.end


def test_long_segment_without_words_is_one_cue():
    text = "x" * 200
    assert list(caption_chunks(Segment(0.0, 9.0, text))) == [(0.0, 9.0, text)]


@pytest.mark.parametrize(("value", "vtt", "srt_clock"), [
    (0.0, "00:00:00.000", "00:00:00,000"),
    (83.4567, "00:01:23.457", "00:01:23,457"),
    (3723.0, "01:02:03.000", "01:02:03,000"),
    (-1.0, "00:00:00.000", "00:00:00,000"),
    (59.9996, "00:01:00.000", "00:01:00,000"),
])
def test_clock(value, vtt, srt_clock):
    assert clock(value) == vtt
    assert clock(value, ",") == srt_clock
