"""Voiceprints: resemblyzer's speaker encoder rebuilt in torch, on the real example voices."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ingest import voiceprint
from tests.helpers.example import FOLLOWUP_REFERENCE, REFERENCE

RATE = voiceprint.RATE

# librosa.filters.mel(sr=16000, n_fft=400, n_mels=40) (Slaney scale and area normalization),
# as resemblyzer computes it: the FFT bin where each filter peaks, and its peak height.
LIBROSA_PEAK_BINS = [2, 4, 6, 7, 9, 11, 13, 15, 17, 18, 20, 22, 24, 26, 28, 30, 32, 35, 38, 41,
                     44, 47, 51, 55, 59, 64, 69, 75, 80, 87, 94, 101, 109, 118, 127, 137, 148,
                     159, 172, 185]
LIBROSA_PEAKS = [0.0124045, 0.0112166, 0.0100286, 0.0109541, 0.012142, 0.01333, 0.012667,
                 0.0114791, 0.0102911, 0.0106915, 0.0118795, 0.0130674, 0.0128183, 0.0114435,
                 0.0108492, 0.0109181, 0.0085528, 0.0091774, 0.0077975, 0.0072159, 0.0071919,
                 0.0063298, 0.006378, 0.0058822, 0.0050244, 0.0050406, 0.0046301, 0.0041048,
                 0.0037651, 0.0036873, 0.0033502, 0.0032423, 0.0030201, 0.0026761, 0.0025588,
                 0.0023742, 0.0021622, 0.0020158, 0.0018933, 0.0017249]


def print_of(wav: np.ndarray, start: float, end: float, windows: int = 5) -> np.ndarray:
    """One voiceprint for a stretch of audio: the mean of a few windows spread across it."""
    mels = voiceprint.mel_frames(voiceprint.normalize_volume(wav[int(start * RATE):
                                                                 int(end * RATE)]))
    last = len(mels) - voiceprint.WINDOW_FRAMES
    starts = sorted({int(x) for x in np.linspace(0, last, windows)})
    prints = voiceprint.embed_windows(mels, starts)
    mean = prints.mean(axis=0)
    return mean / np.linalg.norm(mean)


def prints_by_voice(wav: np.ndarray, reference: dict, per_voice: int = 2) -> dict[str, list]:
    """The first `per_voice` utterances of each scripted voice, as voiceprints."""
    out: dict[str, list] = {}
    for u in reference["utterances"]:
        if len(out.setdefault(u["speaker"], [])) < per_voice:
            out[u["speaker"]].append(print_of(wav, u["start"], u["end"]))
    return out


def test_window_prints_are_unit_length_256(example_wav):
    mels = voiceprint.mel_frames(voiceprint.normalize_volume(example_wav[:20 * RATE]))
    starts = list(range(0, 1800, 200))
    prints = voiceprint.embed_windows(mels, starts, batch=4)
    assert prints.shape == (9, voiceprint.DIM)
    assert prints.dtype == np.float32
    assert np.allclose(np.linalg.norm(prints, axis=1), 1, atol=1e-5)
    # ReLU before normalizing: no negative components, as resemblyzer's.
    assert prints.min() >= 0
    # Batching does not change a window's print.
    one_by_one = voiceprint.embed_windows(mels, starts, batch=1)
    assert np.allclose(prints, one_by_one, atol=1e-5)


def test_no_windows_no_prints(example_wav):
    mels = voiceprint.mel_frames(example_wav[:RATE * 2])
    assert voiceprint.embed_windows(mels, []).shape == (0, voiceprint.DIM)


@pytest.fixture(scope="module")
def example_voices(example_wav):
    return prints_by_voice(example_wav, REFERENCE)


@pytest.fixture(scope="module")
def followup_voices(followup_wav):
    return prints_by_voice(followup_wav, FOLLOWUP_REFERENCE, per_voice=1)


def test_same_voice_saying_other_words_is_closer_than_any_other_voice(example_voices):
    voices = example_voices
    assert set(voices) == {"mediator", "district", "union", "esp"}
    for voice, (first, second) in voices.items():
        same = float(first @ second)
        others = {other: max(float(first @ p) for p in prints)
                  for other, prints in voices.items() if other != voice}
        assert same > max(others.values()), (voice, same, others)


def test_same_voice_in_another_session_is_closer_than_a_new_voice(example_voices,
                                                                   followup_voices):
    before, after = example_voices, followup_voices
    for voice in ("district", "union"):
        same = float(before[voice][0] @ after[voice][0])
        assert same > float(before[voice][0] @ after["board"][0])
        others = [float(before[v][0] @ after[voice][0]) for v in before if v != voice]
        assert same > max(others), (voice, same, others)


def test_mel_filters_are_librosas_slaney_filters():
    filters = voiceprint.mel_filters()
    assert filters.shape == (voiceprint.N_MELS, voiceprint.N_FFT // 2 + 1) == (40, 201)
    assert filters.min() >= 0
    assert list(filters.argmax(axis=1)) == LIBROSA_PEAK_BINS
    assert np.allclose(filters.max(axis=1), LIBROSA_PEAKS, rtol=1e-4)
    bin_hz = RATE / voiceprint.N_FFT
    for row in filters:
        # A triangle: one run of non-zero bins that rises to its peak, then falls.
        (support,) = np.nonzero(row)
        assert list(support) == list(range(support[0], support[-1] + 1))
        rising, falling = np.split(row[support], [int(np.argmax(row[support])) + 1])
        assert np.all(np.diff(rising) > 0) and np.all(np.diff(falling) < 0)
        # Slaney normalization: each triangle's area (over Hz) is 1, whatever its width.
        assert row.sum() * bin_hz == pytest.approx(1, abs=0.04)
    # Slaney's scale is linear below 1 kHz: the low filters' peaks are evenly spaced.
    assert set(np.diff(LIBROSA_PEAK_BINS[:10])) <= {1, 2}
    # ... and logarithmic above: the spacing grows.
    assert np.diff(LIBROSA_PEAK_BINS)[-5:].min() > np.diff(LIBROSA_PEAK_BINS)[:10].max()
    # The first filter starts at 0 Hz, the last ends at 8 kHz.
    assert filters[0, 0] == 0 and filters[0, 1] > 0
    assert filters[-1, -1] == 0 and filters[-1, -2] > 0


def test_mel_frames_of_a_tone():
    """A 1 kHz tone: 100 frames a second, its energy in the band whose filter peaks there."""
    t = np.arange(RATE) / RATE
    tone = (0.1 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    mels = voiceprint.mel_frames(tone)
    assert mels.shape == (1 + RATE // voiceprint.HOP, voiceprint.N_MELS)
    assert mels.dtype == np.float32
    assert mels.min() >= 0
    band = int(np.argmax(voiceprint.mel_filters()[:, round(1000 / (RATE / voiceprint.N_FFT))]))
    middle = mels[10:-10]
    assert np.all(middle.argmax(axis=1) == band)
    # Power, not log: doubling the amplitude gives four times the energy.
    assert np.allclose(voiceprint.mel_frames(tone * 2)[10:-10], 4 * middle, rtol=1e-3)


def test_normalize_volume_raises_quiet_audio_to_minus_30_dbfs():
    t = np.arange(RATE) / RATE
    quiet = (0.001 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    raised = voiceprint.normalize_volume(quiet)
    rms = np.sqrt(np.mean(raised.astype(np.float64) ** 2))
    assert 20 * np.log10(rms) == pytest.approx(voiceprint.TARGET_DBFS, abs=0.01)
    loud = (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    assert np.array_equal(voiceprint.normalize_volume(loud), loud)
    silence = np.zeros(RATE, np.float32)
    assert np.array_equal(voiceprint.normalize_volume(silence), silence)
    assert len(voiceprint.normalize_volume(np.zeros(0, np.float32))) == 0


def test_quiet_recordings_of_one_voice_get_one_print(example_wav):
    """Recorded quieter or quieter still, the same speech is raised to one loudness first."""
    u = REFERENCE["utterances"][1]
    piece = example_wav[int(u["start"] * RATE):int(u["end"] * RATE)]
    quiet = print_of(piece * 0.02, 0, len(piece) / RATE, windows=2)
    quieter = print_of(piece * 0.005, 0, len(piece) / RATE, windows=2)
    assert float(quiet @ quieter) > 0.9999


def test_pretrained_weights_are_loaded():
    encoder = voiceprint.load_encoder()
    assert voiceprint.load_encoder() is encoder  # loaded once per process
    assert not encoder.training
    checkpoint = torch.load(voiceprint.weights_path(), map_location="cpu", weights_only=True)
    stored = checkpoint["model_state"]
    state = encoder.state_dict()
    # Every parameter of the network comes from the checkpoint, none left at its random start.
    assert set(state) <= set(stored)
    for key, value in state.items():
        assert torch.equal(value, stored[key]), key
    assert sum(v.numel() for v in state.values()) > 1_000_000
