"""Two voices under one speaker, told apart line by line.

Each of the speaker's lines gets a voiceprint, and the lines fall into two groups by voice, for
staff to split the speaker in two (ontherecord.service.split_speaker).
"""

from __future__ import annotations

import numpy as np

from ingest import media, speaker_embedding
from ontherecord.archive import Archive
from ontherecord.model import Session
from ontherecord.progress import Progress


def line_voiceprints(wav: np.ndarray, spans: list[tuple[float, float]]) -> np.ndarray:
    """One unit-length CAM++ voiceprint per span (seconds) of 16 kHz audio: (len(spans), dim).

    The one place a line's voice is embedded: the same encoder diarization uses.
    """
    return speaker_embedding.embed_spans(speaker_embedding.fbank(wav), spans)


def two_voices(prints: np.ndarray, rounds: int = 20) -> np.ndarray:
    """Which lines belong to the second voice (True), by two-means on cosine similarity.

    The two least alike lines seed the groups. The second voice is the smaller group (the one
    heard later, when they are the same size): that one becomes a new speaker.
    """
    similarity = prints @ prints.T
    first, second = np.unravel_index(np.argmin(similarity), similarity.shape)
    centres = prints[[first, second]]
    labels = np.zeros(len(prints), dtype=bool)
    for _ in range(rounds):
        labels = (prints @ centres[1]) > (prints @ centres[0])
        if labels.all() or not labels.any():
            break
        updated = np.stack([prints[~labels].mean(axis=0), prints[labels].mean(axis=0)])
        updated /= np.linalg.norm(updated, axis=1, keepdims=True)
        if np.allclose(updated, centres):
            break
        centres = updated
    later = labels if np.argmax(labels) > np.argmax(~labels) else ~labels
    smaller = labels if labels.sum() < (~labels).sum() else ~labels
    return later if labels.sum() * 2 == len(labels) else smaller


def voices_of_lines(archive: Archive, session: Session, spans: list[tuple[float, float]],
                    progress: Progress) -> np.ndarray:
    """The voiceprints of some lines of a committed session, from its recording."""
    with archive.staging() as folder:
        wav = folder / "audio.wav"
        media.extract_audio(archive.media_path(session), wav, session.duration, progress)
        audio = media.read_wav(wav)
    progress.start("comparing voices", len(spans))
    prints = line_voiceprints(audio, spans)
    progress.finish()
    return prints
