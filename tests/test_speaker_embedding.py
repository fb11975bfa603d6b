"""Speaker embeddings: CAM++ and its Kaldi filter banks rebuilt here, on real voices."""

from __future__ import annotations

import numpy as np
import pytest

from ingest import speaker_embedding as se
from tests.helpers import needs_shared
from tests.helpers.example import REFERENCE
from tests.helpers.media import decode

RATE = se.RATE


def test_fbank_frames_as_kaldi_counts_them():
    # snip_edges: a frame every 160 samples that fits whole in the audio.
    for samples, frames in [(399, 0), (400, 1), (559, 1), (560, 2), (RATE, 98)]:
        assert se.fbank(np.zeros(samples, np.float32)).shape == (frames, 80)
    # Silence is the log of Kaldi's floor in every band.
    assert np.allclose(se.fbank(np.zeros(1000, np.float32)), np.log(se.FLOOR))


def test_fbank_puts_a_tone_in_its_mel_band():
    t = np.arange(RATE) / RATE
    feats = se.fbank((0.1 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32))
    assert feats.dtype == np.float32
    # The band whose triangle peaks nearest 1 kHz.
    peaks = se.mel_banks().argmax(axis=0) * RATE / se.N_FFT
    assert np.all(feats.argmax(axis=1) == np.abs(peaks - 1000).argmin())


def test_mel_banks_are_kaldis():
    banks = se.mel_banks()
    assert banks.shape == (257, 80)
    assert banks[-1].sum() == 0  # no filter reaches the Nyquist bin
    assert banks.max() <= 1
    # Adjacent triangles cross: each bin's two weights sum to one between the first and last
    # filter's peaks.
    covered = banks.sum(axis=1)[banks[:, 0].argmax() + 1:banks[:, -1].argmax()]
    assert np.allclose(covered, 1, atol=1e-9)


def test_embeddings_are_unit_length_and_batching_changes_nothing(example_wav):
    feats = se.fbank(example_wav[:30 * RATE])
    pieces = [feats[s:s + n] for s, n in [(0, 300), (500, 150), (900, 300), (1400, 1),
                                           (1500, 150), (2000, 300)]]
    together = se.embed(pieces)
    assert together.shape == (6, se.DIM)
    assert together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-5)
    one_by_one = np.concatenate([se.embed([p]) for p in pieces])
    assert np.allclose(together, one_by_one, atol=1e-5)
    assert se.embed([]).shape == (0, se.DIM)


def test_embeddings_barely_depend_on_loudness(example_wav):
    # The filter banks are mean-normalized, so a gain is a constant in the log domain, except
    # in the bands held at Kaldi's floor (a fifth of them in this synthetic speech).
    piece = example_wav[RATE:4 * RATE]
    loud, quiet = se.embed([se.fbank(piece), se.fbank(piece * 0.5)])
    assert float(loud @ quiet) > 0.99


def test_spans_are_cut_from_the_recordings_frames(example_wav):
    feats = se.fbank(example_wav[:20 * RATE])
    spans = se.embed_spans(feats, [(1.0, 4.0), (11.0, 11.0), (25.0, 30.0)])
    assert np.allclose(spans[0], se.embed([feats[100:400]])[0], atol=1e-6)
    assert np.allclose(np.linalg.norm(spans, axis=1), 1, atol=1e-5)


def _similarities(prints: dict[str, list[np.ndarray]]) -> tuple[float, float]:
    """The least similar pair of the same voice, and the most similar of two voices."""
    same = min(float(a @ b) for v in prints.values() for i, a in enumerate(v) for b in v[i + 1:])
    names = list(prints)
    other = max(float(a @ b) for i, v in enumerate(names) for w in names[i + 1:]
                for a in prints[v] for b in prints[w])
    return same, other


def test_same_voice_is_closer_than_another_voice(example_wav):
    feats = se.fbank(example_wav)
    pieces: dict[str, list[np.ndarray]] = {}
    for u in REFERENCE["utterances"]:
        if len(pieces.setdefault(u["speaker"], [])) < 2:
            start = round(u["start"] * 100)
            pieces[u["speaker"]].append(feats[start:start + 300])  # 3 s of each utterance
    assert set(pieces) == {"mediator", "district", "union", "esp"}
    flat = se.embed([p for v in pieces.values() for p in v])
    prints = {v: [flat[2 * i], flat[2 * i + 1]] for i, v in enumerate(pieces)}
    same, other = _similarities(prints)
    assert same > 0.6 and other < 0.5
    assert same > other + 0.2


def test_real_readers_are_told_apart(tmp_path):
    folder = needs_shared("speakers", "test-other")
    prints: dict[str, list[np.ndarray]] = {}
    for reader in sorted(p for p in folder.iterdir() if p.is_dir())[:4]:
        clips = sorted(reader.glob("*.flac"))[:2]
        wavs = [decode(c, tmp_path / f"{c.stem}.wav") for c in clips]
        prints[reader.name] = list(se.embed([se.fbank(w[:4 * RATE]) for w in wavs]))
    if len(prints) < 2:
        pytest.skip("too few readers in the shared data")
    same, other = _similarities(prints)
    assert same > other
