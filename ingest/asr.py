"""Speech recognition with faster-whisper: audio in, segments with word timestamps out."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from faster_whisper import WhisperModel

from ingest import models
from ontherecord.errors import InputError
from ontherecord.model import Segment, Word
from ontherecord.progress import Progress


@dataclass
class AsrOptions:
    """How to transcribe: the model and the decoding settings worth exposing."""

    model: str = models.DEFAULT_MODEL
    language: str | None = "en"
    compute_type: str = "int8"
    beam_size: int = 5
    vad: bool = True
    # On, as in faster-whisper: measured off (bench/asr.py), Whisper base dropped a whole clause
    # of the example ("plus the regular step increase") at a window boundary. The loops that
    # conditioning can cause on long audio are held back by VAD and faster-whisper resetting
    # the prompt when decoding falls back to high temperatures.
    condition_on_previous_text: bool = True
    cpu_threads: int = 0
    glossary: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=2)
def load_model(name: str, compute_type: str, cpu_threads: int) -> WhisperModel:
    """Load (once per process) the Whisper model a name resolves to."""
    location = models.resolve(name)
    try:
        return WhisperModel(location, device="cpu", compute_type=compute_type,
                            cpu_threads=cpu_threads)
    except Exception as e:  # faster-whisper raises many kinds for a model it cannot get
        raise InputError(f"could not load Whisper model {name!r}: {e}") from e


def _round(x: float) -> float:
    """Seconds to the millisecond, as plain floats for JSON."""
    return round(float(x), 3)


def transcribe(
    wav: Path, options: AsrOptions, duration: float, progress: Progress
) -> list[Segment]:
    """Transcribe a 16 kHz WAV file into segments with word timestamps."""
    model = load_model(options.model, options.compute_type, options.cpu_threads)
    pieces, _info = model.transcribe(
        str(wav),
        language=options.language,
        beam_size=options.beam_size,
        word_timestamps=True,
        vad_filter=options.vad,
        condition_on_previous_text=options.condition_on_previous_text,
        hotwords=", ".join(options.glossary) or None,
    )
    progress.start("transcribing", duration)
    segments = []
    for piece in pieces:
        progress.advance(piece.end)
        if not piece.text.strip():
            continue
        words = [Word(_round(w.start), _round(w.end), w.word, round(float(w.probability), 3))
                 for w in piece.words or []]
        segments.append(Segment(_round(piece.start), _round(piece.end), piece.text.strip(),
                                None, words))
    progress.finish()
    return segments
