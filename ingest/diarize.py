"""Who spoke when: voice activity → voiceprints of short windows → clustering → speaker turns.

Speech is found with the Silero VAD that faster-whisper ships. Each stretch of speech is cut
into overlapping 1.6 s windows, each window gets a voiceprint (ingest.voiceprint), and the
windows are grouped by agglomerative clustering on cosine distance. The number of speakers is
where the merge distance crosses a threshold tuned on AMI meetings (bench/diarization.py),
unless the caller fixes it or bounds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps
from scipy.cluster.hierarchy import fcluster, linkage

from ingest import voiceprint
from ingest.runs import runs
from ontherecord.errors import InputError
from ontherecord.model import Turn
from ontherecord.progress import Progress

RATE = voiceprint.RATE
RESOLUTION = 0.05  # seconds: the grid speaker labels are decided on
MAX_TREE = 4000  # windows in the clustering tree: 27 minutes of speech at the default hop


@dataclass
class DiarizeOptions:
    """How to find speakers; the defaults are tuned on ../shared/data/ami-dev."""

    speakers: int | None = None
    min_speakers: int = 1
    max_speakers: int = 15
    # Average-linkage cosine distance at which two groups of windows stop being one voice.
    threshold: float = 0.4
    hop: float = 0.4
    # Far-field meeting audio is quiet: Silero's usual 0.5 missed a third of AMI's speech.
    vad_threshold: float = 0.2
    min_silence: float = 0.3
    speech_pad: float = 0.2
    # Turns shorter than this are taken as clustering noise and given to their neighbours.
    min_turn: float = 0.5

    def check(self) -> None:
        """Raise InputError for counts that cannot be met."""
        if self.speakers is not None and self.speakers < 1:
            raise InputError("--speakers must be at least 1")
        if self.min_speakers < 1 or self.max_speakers < self.min_speakers:
            raise InputError("--min-speakers must be at least 1 and at most --max-speakers")


@dataclass
class Diarization:
    """The stage's output: speaker turns and one voiceprint per speaker."""

    turns: list[Turn]
    voiceprints: dict[str, list[float]] = field(default_factory=dict)


def speech_regions(wav: np.ndarray, options: DiarizeOptions) -> list[tuple[int, int]]:
    """Sample ranges of speech, by Silero VAD."""
    vad = VadOptions(threshold=options.vad_threshold,
                     min_silence_duration_ms=int(options.min_silence * 1000),
                     speech_pad_ms=int(options.speech_pad * 1000),
                     min_speech_duration_ms=200)
    return [(c["start"], c["end"]) for c in get_speech_timestamps(wav, vad)]


def window_starts(regions: list[tuple[int, int]], total_frames: int,
                  options: DiarizeOptions) -> list[int]:
    """First mel frame of each window: a window every `hop` seconds across each speech region.

    A region shorter than a window gets one window centred on it, so a short interjection
    still gets a voiceprint.
    """
    width = voiceprint.WINDOW_FRAMES
    hop = max(1, round(options.hop / voiceprint.FRAME))
    last = max(0, total_frames - width)
    starts: list[int] = []
    for start, end in regions:
        a, b = start // voiceprint.HOP, end // voiceprint.HOP
        if b - a <= width:
            starts.append(min(last, max(0, (a + b - width) // 2)))
            continue
        starts.extend(range(a, b - width + 1, hop))
        if (b - width - a) % hop:
            starts.append(b - width)  # cover the region's end too
    return starts


def cluster(prints: np.ndarray, options: DiarizeOptions) -> np.ndarray:
    """Speaker index (0-based) of each voiceprint.

    The tree is built over at most MAX_TREE windows (evenly spaced), since its memory grows
    with the square of their number; then every window goes to its nearest cluster centre,
    which also corrects windows that the average linkage merged early and wrongly.
    """
    if len(prints) < 2:
        return np.zeros(len(prints), dtype=int)
    picked = np.linspace(0, len(prints) - 1, min(len(prints), MAX_TREE)).astype(int)
    sample = prints[picked]
    tree = linkage(sample, method="average", metric="cosine")
    if options.speakers:
        labels = fcluster(tree, min(options.speakers, len(sample)), criterion="maxclust")
    else:
        labels = fcluster(tree, options.threshold, criterion="distance")
        count = len(set(labels))
        low, high = options.min_speakers, min(options.max_speakers, len(sample))
        if not low <= count <= high:
            labels = fcluster(tree, min(max(count, low), high), criterion="maxclust")
    centres = np.stack([sample[labels == k].mean(axis=0) for k in np.unique(labels)])
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    nearest = np.argmax(prints @ centres.T, axis=1)
    return np.unique(nearest, return_inverse=True)[1]


def label_grid(regions: list[tuple[int, int]], starts: list[int], labels: np.ndarray,
               n_cells: int) -> np.ndarray:
    """Label of each RESOLUTION cell: the window whose centre is nearest; -1 outside speech."""
    grid = np.full(n_cells, -1, dtype=int)
    if not starts:
        return grid
    half = voiceprint.WINDOW_FRAMES * voiceprint.FRAME / 2
    order = np.argsort(starts, kind="stable")
    centres = np.asarray(starts)[order] * voiceprint.FRAME + half
    ordered = labels[order]
    for start, end in regions:
        a, b = int(start / RATE / RESOLUTION), min(n_cells, int(np.ceil(end / RATE / RESOLUTION)))
        if b <= a:
            continue
        cells = (np.arange(a, b) + 0.5) * RESOLUTION
        right = np.clip(np.searchsorted(centres, cells), 1, len(centres) - 1)
        left = right - 1
        nearest = np.where(cells - centres[left] <= centres[right] - cells, left, right)
        grid[a:b] = ordered[nearest] if len(centres) > 1 else ordered[0]
    return grid


def smooth(grid: np.ndarray, min_cells: int) -> np.ndarray:
    """Give speech runs shorter than `min_cells` to the longer of their speaking neighbours."""
    grid = grid.copy()
    for a, b, label in sorted(runs(grid), key=lambda r: r[1] - r[0]):
        if label < 0 or b - a >= min_cells:
            continue
        left = grid[a - 1] if a > 0 else -1
        right = grid[b] if b < len(grid) else -1
        if left < 0 and right < 0:
            continue  # an isolated stretch of speech keeps its voice
        grid[a:b] = left if right < 0 or (left >= 0 and _run_len(grid, a - 1) >=
                                          _run_len(grid, b)) else right
    return grid


def _run_len(grid: np.ndarray, i: int) -> int:
    """Length of the run of equal labels through cell i."""
    a = b = i
    while a > 0 and grid[a - 1] == grid[i]:
        a -= 1
    while b + 1 < len(grid) and grid[b + 1] == grid[i]:
        b += 1
    return b - a + 1


def diarize(wav: np.ndarray, options: DiarizeOptions, progress: Progress) -> Diarization:
    """Speaker turns of 16 kHz mono audio, speakers numbered S1, S2… by first appearance."""
    duration = len(wav) / RATE
    progress.start("finding speakers", duration)
    regions = speech_regions(wav, options)
    mels = voiceprint.mel_frames(voiceprint.normalize_volume(wav))
    if len(mels) < voiceprint.WINDOW_FRAMES:  # pad so even a short recording fills a window
        mels = np.pad(mels, ((0, voiceprint.WINDOW_FRAMES - len(mels)), (0, 0)))
    starts = window_starts(regions, len(mels), options)
    prints = voiceprint.embed_windows(
        mels, starts, done=lambda n: progress.advance(starts[n - 1] * voiceprint.FRAME))
    labels = cluster(prints, options)
    grid = label_grid(regions, starts, labels, int(np.ceil(duration / RESOLUTION)))
    grid = smooth(grid, round(options.min_turn / RESOLUTION))
    turns, prints_by_id = _name_turns(grid, labels, prints, duration)
    progress.finish()
    return Diarization(turns, prints_by_id)


def _name_turns(grid: np.ndarray, labels: np.ndarray, prints: np.ndarray,
                duration: float) -> tuple[list[Turn], dict[str, list[float]]]:
    """Turns with ids S1, S2… in order of first speech, and each speaker's mean voiceprint."""
    ids: dict[int, str] = {}
    turns = []
    for a, b, label in runs(grid):
        if label < 0:
            continue
        speaker = ids.setdefault(label, f"S{len(ids) + 1}")
        # The last cell may run past the end of the audio; a turn never does.
        end = min(round(b * RESOLUTION, 3), round(duration, 3))
        turns.append(Turn(round(a * RESOLUTION, 3), end, speaker))
    centroids = {}
    for label, speaker in ids.items():
        mean = prints[labels == label].mean(axis=0)
        centroids[speaker] = [round(float(x), 5) for x in mean / np.linalg.norm(mean)]
    return turns, centroids
