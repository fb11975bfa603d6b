"""Which voiceprints are one person: agglomerative clustering that estimates the count.

Each voiceprint belongs to one local speaker of one chunk of the recording (ingest.diarize).
Voiceprints long enough to trust build an average-linkage tree on cosine distance; the tree
is cut where merging would join groups further apart than a threshold calibrated on meetings
and mixed conversations (bench/diarization.py), or at the count staff gave. Groups too small
to be a person of their own (a few seconds heard in one or two chunks) join the nearest
group unless their voice is unlike every other. Then every chunk's local speakers are given
to groups one-to-one, so two voices heard at once in a chunk never become one person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.optimize import linear_sum_assignment

MAX_TREE = 5000  # voiceprints in the tree: its memory grows with the square of their number


@dataclass
class Bounds:
    """How many people there may be: exactly `speakers`, else between the two limits."""

    speakers: int | None = None
    min_speakers: int = 1
    max_speakers: int = 15


@dataclass
class ClusterOptions:
    """The clustering decision's knobs (see DiarizeOptions for their tuned values)."""

    threshold: float
    min_cluster: int
    distinct: float


def _unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length."""
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)


def centroids(prints: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """The unit mean voiceprint of each label 0…count-1."""
    sums = np.zeros((count, prints.shape[1]))
    np.add.at(sums, labels, prints)
    return _unit(sums)


def cut(prints: np.ndarray, bounds: Bounds, options: ClusterOptions) -> np.ndarray:
    """Group labels 0…k-1 for trusted voiceprints (unit rows), the count estimated or given."""
    n = len(prints)
    if n < 2:
        return np.zeros(n, dtype=int)
    picked = np.linspace(0, n - 1, min(n, MAX_TREE)).astype(int)
    sample = prints[picked]
    # Euclidean distances between unit vectors are a function of their cosine, so the
    # threshold is set as a cosine distance and converted. Average linkage found the count
    # more often than centroid or Ward linkage on the dev sets (BENCHMARKS.md).
    tree = linkage(sample, method="average", metric="euclidean")
    low, high = bounds.min_speakers, min(bounds.max_speakers, len(sample))
    if bounds.speakers:
        labels = _forced(tree, sample, min(bounds.speakers, len(sample)), options)
    else:
        labels = fcluster(tree, np.sqrt(2 * options.threshold), criterion="distance")
        labels = _absorb_small(sample, labels - 1, options)
        count = len(set(labels))
        if not low <= count <= high:
            labels = _forced(tree, sample, min(max(count, low), high), options)
    labels = np.unique(labels, return_inverse=True)[1]
    # Every voiceprint (the sample's too) goes to its nearest centre, which also corrects
    # ones the tree merged early and wrongly.
    centres = centroids(sample, labels, labels.max() + 1)
    return np.unique(np.argmax(prints @ centres.T, axis=1), return_inverse=True)[1]


def _forced(tree: np.ndarray, prints: np.ndarray, count: int,
            options: ClusterOptions) -> np.ndarray:
    """Exactly `count` groups: the tree cut until that many are large, the rest absorbed.

    Cutting straight at `count` lets a few stray voiceprints (a cough, two voices at once)
    take groups of their own, so that two real people must share one.
    """
    for cut_at in range(count, min(len(prints), count + 60) + 1):
        labels = fcluster(tree, cut_at, criterion="maxclust") - 1
        sizes = np.bincount(labels)
        if (sizes >= options.min_cluster).sum() >= count:
            break
    else:  # too few voiceprints (a short recording) for that many large groups
        labels = fcluster(tree, count, criterion="maxclust") - 1
        sizes = np.bincount(labels)
    keep = np.argsort(-sizes, kind="stable")[:count]
    centres = centroids(prints, labels, len(sizes))[keep]
    return keep[np.argmax(prints @ centres.T, axis=1)]


def _absorb_small(prints: np.ndarray, labels: np.ndarray, options: ClusterOptions) -> np.ndarray:
    """Small groups joined to the nearest large one, unless unlike all of them.

    A person who speaks once is a small group too: kept if their voice is further than
    `distinct` (cosine distance) from every large group's.
    """
    sizes = np.bincount(labels)
    large = np.flatnonzero(sizes >= options.min_cluster)
    if len(large) == 0 or len(large) == len(sizes):
        return labels
    centres = centroids(prints, labels, len(sizes))
    out = labels.copy()
    for small in np.flatnonzero(sizes < options.min_cluster):
        similarity = centres[large] @ centres[small]
        if 1 - similarity.max() < options.distinct:
            out[labels == small] = large[np.argmax(similarity)]
    return out


def assign(prints: np.ndarray, chunk_of: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Group of every local speaker, one-to-one within each chunk (Hungarian, by similarity)."""
    groups = np.full(len(prints), -1, dtype=int)
    similarity = prints @ centres.T
    for chunk in np.unique(chunk_of):
        rows = np.flatnonzero(chunk_of == chunk)
        if len(rows) > len(centres):  # more voices than groups: each takes its nearest
            groups[rows] = np.argmax(similarity[rows], axis=1)
            continue
        r, c = linear_sum_assignment(similarity[rows], maximize=True)
        groups[rows[r]] = c
    return groups

