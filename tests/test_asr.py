"""ingest/asr.py with the real tiny.en model on real speech (the shared JFK clip)."""

from __future__ import annotations

from pathlib import Path

import jiwer
import pytest

from index.store import SearchIndex
from ingest import asr, media
from ontherecord.archive import Archive
from ontherecord.errors import InputError
from ontherecord.progress import Silent
from tests.helpers import needs_shared
from tests.helpers.example import TEST_MODEL, example_details, ingest_into, normalize

# Where "ask" of "ask not what your country can do for you" is spoken in jfk.flac. Measured
# from the clip's loudness in 50 ms windows (16 kHz mono): near silence (RMS ~300) from 2.15 s
# to 3.25 s, then a burst from 3.25 s to 3.65 s ("ask"), quiet, "not" from 4.0 s to 4.3 s, quiet
# until "what" at 5.4 s. The recognizer tends to start "ask" early, inside the pause before it.
ASK_AT = 3.3
NOT_AT = 4.0
PHRASE = "ask not what your country can do for you"


class Recorder:
    """A Progress that remembers what it was told."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, stage: str, total: float) -> None:
        self.events.append(("start", (stage, total)))

    def advance(self, position: float) -> None:
        self.events.append(("advance", position))

    def finish(self) -> None:
        self.events.append(("finish", None))


@pytest.fixture(scope="module")
def jfk_wav(tmp_path_factory) -> tuple[Path, float]:
    """The JFK clip as the recognizer gets it: 16 kHz mono PCM made by extract_audio."""
    source = needs_shared("wer-dev", "jfk.flac")
    wav = tmp_path_factory.mktemp("jfk") / "audio.wav"
    seconds = media.extract_audio(source, wav, None, Silent())
    return wav, seconds


@pytest.fixture(scope="module")
def jfk(jfk_wav):
    """tiny.en's segments for the JFK clip, and the progress it reported."""
    wav, seconds = jfk_wav
    progress = Recorder()
    segments = asr.transcribe(wav, asr.AsrOptions(model=TEST_MODEL), seconds, progress)
    return segments, progress, seconds


@pytest.mark.slow
def test_jfk_word_error_rate(jfk):
    segments, _, _ = jfk
    truth = normalize(needs_shared("wer-dev", "jfk.txt").read_text("utf-8"))
    said = normalize(" ".join(s.text for s in segments))
    error = jiwer.wer(truth, said)
    assert error < 0.15, (error, said)


@pytest.mark.slow
def test_jfk_word_timestamps(jfk):
    segments, _, seconds = jfk
    words = [w for s in segments for w in s.words]
    assert words, "no word timestamps"
    spoken = [normalize(w.word) for w in words]
    n = next(i for i in range(len(spoken)) if spoken[i:i + 2] == ["ask", "not"])
    assert abs(words[n].start - ASK_AT) <= 1.5, words[n]
    assert abs(words[n + 1].start - NOT_AT) <= 1.5, words[n + 1]
    for s in segments:
        assert s.text == s.text.strip() and s.text
        assert 0 <= s.start <= s.end <= seconds + 0.05
        for w in s.words:
            assert s.start <= w.start <= w.end <= s.end
            assert 0.0 <= w.probability <= 1.0
    starts = [w.start for w in words]
    assert starts == sorted(starts)


@pytest.mark.slow
def test_transcribe_reports_progress_in_audio_seconds(jfk):
    segments, progress, seconds = jfk
    assert progress.events[0] == ("start", ("transcribing", seconds))
    assert progress.events[-1] == ("finish", None)
    positions = [p for kind, p in progress.events if kind == "advance"]
    assert positions == sorted(positions)
    assert len(positions) >= len(segments)
    assert positions[-1] == pytest.approx(segments[-1].end, abs=0.05)


@pytest.mark.slow
def test_glossary_terms_are_accepted(jfk_wav):
    """A glossary primes the recognizer (hotwords) without disturbing what it hears."""
    wav, seconds = jfk_wav
    options = asr.AsrOptions(model=TEST_MODEL, glossary=["Americans", "inaugural"])
    said = normalize(" ".join(s.text for s in asr.transcribe(wav, options, seconds, Silent())))
    assert PHRASE in said


@pytest.mark.slow
def test_found_by_search_at_its_time(tmp_path):
    """Ingest the clip; the phrase search finds the segment that holds it, and its words."""
    archive = Archive(tmp_path / "archive")
    result = ingest_into(archive, needs_shared("wer-dev", "jfk.flac"), example_details())
    page = SearchIndex(archive.index_dir).search(f'"{PHRASE}"')
    assert page.total == 1, page
    hit = page.hits[0]
    assert hit.session == result.session.id
    assert hit.segment_start <= hit.start <= hit.end
    assert "<mark>" in hit.snippet
    segment = next(s for s in archive.transcript(hit.session).segments
                   if s.start == hit.segment_start)
    ask = next(w for w in segment.words if normalize(w.word) == "ask")
    assert abs(ask.start - ASK_AT) <= 1.5, ask
    # The hit starts at the phrase's first word, "ask", not at the start of its segment.
    assert hit.start == ask.start


def test_a_broken_model_folder_is_an_input_error(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"this is not a CTranslate2 model")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(InputError, match="could not load Whisper model"):
        asr.load_model(str(tmp_path), "int8", 0)
