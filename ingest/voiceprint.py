"""Voiceprints: Resemblyzer's speaker encoder (GE2E d-vectors) run over windows of audio.

The weights are the `pretrained.pt` that the resemblyzer package ships, so nothing comes from a
model hub. The network and its mel front end are rebuilt here rather than imported: importing
resemblyzer imports librosa and webrtcvad, which cost half a minute of numba compiling on a
fresh machine and do not import at all on some Pythons. The front end reproduces
resemblyzer's (librosa's Slaney mel filters on a centred, zero-padded Hann STFT; power, no log),
which the weights were trained on.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ontherecord.errors import OnTheRecordError

RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms: one mel frame per 10 ms
N_MELS = 40
WINDOW_FRAMES = 160  # the 1.6 s partial utterance the encoder was trained on
FRAME = HOP / RATE  # seconds per mel frame
DIM = 256
# resemblyzer normalizes every recording to this loudness before embedding.
TARGET_DBFS = -30.0


class Encoder(nn.Module):
    """Three LSTM layers and a projection: mel frames in, a unit-length 256-d voiceprint out."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(N_MELS, 256, 3, batch_first=True)
        self.linear = nn.Linear(256, DIM)

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        """Embed a batch of (frames, mels) windows."""
        _, (hidden, _) = self.lstm(mels)
        raw = torch.relu(self.linear(hidden[-1]))
        return raw / torch.norm(raw, dim=1, keepdim=True).clamp_min(1e-8)


def weights_path() -> Path:
    """Where resemblyzer's packaged weights are, found without importing the package."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise OnTheRecordError(
            "the speaker encoder needs the resemblyzer package "
            "(pip install webrtcvad-wheels && pip install --no-deps resemblyzer)")
    return Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"


@functools.lru_cache(maxsize=1)
def load_encoder() -> Encoder:
    """The speaker encoder with resemblyzer's weights, loaded once per process."""
    checkpoint = torch.load(weights_path(), map_location="cpu", weights_only=True)
    encoder = Encoder()
    # The checkpoint also holds the GE2E loss's similarity scale and bias, unused here.
    encoder.load_state_dict(checkpoint["model_state"], strict=False)
    return encoder.eval()


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    mel = hz / (200.0 / 3)
    log_region = hz >= 1000.0
    mel[log_region] = 15.0 + np.log(hz[log_region] / 1000.0) / (np.log(6.4) / 27.0)
    return mel


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    """The inverse of `_hz_to_mel`."""
    hz = mel * (200.0 / 3)
    log_region = mel >= 15.0
    hz[log_region] = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel[log_region] - 15.0))
    return hz


@functools.lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """Slaney-normalized triangular mel filters, (N_MELS, N_FFT // 2 + 1), as librosa makes them."""
    fft_hz = np.linspace(0, RATE / 2, N_FFT // 2 + 1)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(np.array([0.0]))[0],
                                   _hz_to_mel(np.array([RATE / 2]))[0], N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    filters = np.maximum(0, np.minimum(lower, upper))
    return filters * (2.0 / (edges[2:] - edges[:-2]))[:, None]


def normalize_volume(wav: np.ndarray) -> np.ndarray:
    """Raise quiet audio to resemblyzer's loudness (it never turns loud audio down)."""
    rms = np.sqrt(np.mean(wav.astype(np.float64) ** 2)) if len(wav) else 0.0
    if rms <= 0:
        return wav
    gain_db = TARGET_DBFS - 20 * np.log10(rms)
    return wav * (10 ** (gain_db / 20)) if gain_db > 0 else wav


def mel_frames(wav: np.ndarray) -> np.ndarray:
    """Mel power frames of 16 kHz audio, one per 10 ms: (frames, N_MELS) float32."""
    padded = np.pad(wav.astype(np.float32), N_FFT // 2)
    count = 1 + (len(padded) - N_FFT) // HOP
    strides = (padded.strides[0] * HOP, padded.strides[0])
    frames = np.lib.stride_tricks.as_strided(padded, (count, N_FFT), strides)
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann, as scipy's fftbins
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return (power @ mel_filters().T).astype(np.float32)


def embed_windows(mels: np.ndarray, starts: list[int], batch: int = 64,
                  done: Callable[[int], None] | None = None) -> np.ndarray:
    """Voiceprints of the WINDOW_FRAMES-long windows starting at the given mel frames.

    `done`, if given, hears how many windows are embedded so far, after every batch.
    """
    if not starts:
        return np.zeros((0, DIM), np.float32)
    encoder = load_encoder()
    out = []
    with torch.inference_mode():
        for i in range(0, len(starts), batch):
            windows = np.stack([mels[s:s + WINDOW_FRAMES] for s in starts[i:i + batch]])
            out.append(encoder(torch.from_numpy(windows)).numpy())
            if done:
                done(i + len(windows))
    return np.concatenate(out)
