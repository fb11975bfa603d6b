"""Two voices under one speaker, told apart line by line.

Each of the speaker's lines gets a voiceprint, and the lines fall into two groups by voice, for
staff to split the speaker in two (ontherecord.service.split_speaker).
"""

from __future__ import annotations

import numpy as np

from ingest import media, voiceprint
from ontherecord.archive import Archive
from ontherecord.model import Session
from ontherecord.progress import Progress

HOP_FRAMES = 40  # a window every 0.4 s along a line, as diarization takes them


def line_voiceprints(wav: np.ndarray, spans: list[tuple[float, float]]) -> np.ndarray:
    """One unit-length voiceprint per span (seconds) of 16 kHz audio: (len(spans), dim).

    The one place a line's voice is embedded, so a better encoder is swapped in here alone.
    A line is the mean of its 1.6 s windows; one shorter than a window gets one around it.
    """
    mels = voiceprint.mel_frames(voiceprint.normalize_volume(wav))
    width = voiceprint.WINDOW_FRAMES
    if len(mels) < width:  # pad so even a short recording fills a window
        mels = np.pad(mels, ((0, width - len(mels)), (0, 0)))
    last = len(mels) - width
    starts: list[int] = []
    owner: list[int] = []
    for n, (start, end) in enumerate(spans):
        a, b = int(start / voiceprint.FRAME), int(end / voiceprint.FRAME)
        ours = list(range(a, b - width + 1, HOP_FRAMES)) or [(a + b - width) // 2]
        starts += [min(last, max(0, s)) for s in ours]
        owner += [n] * len(ours)
    prints = voiceprint.embed_windows(mels, starts)
    owners = np.asarray(owner)
    means = np.stack([prints[owners == n].mean(axis=0) for n in range(len(spans))])
    return means / np.linalg.norm(means, axis=1, keepdims=True).clip(1e-8)


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
