"""From chunks' local speakers, once each is known to be a person, to who spoke when.

Every 10 s chunk said, frame by frame, which of its (up to three) local speakers were talking;
clustering said who each local speaker is. Overlapping chunks then vote: a person's score at
a moment is the mean of their probability over the chunks that cover it, and the number of voices
at that moment is the chunks' mean count, rounded. The people with the highest scores fill that
count, so two voices at once stay two, and one voice heard by several chunks stays one.
"""

from __future__ import annotations

import numpy as np

from ingest.runs import runs
from ontherecord.model import Turn


def frame_grid(starts: np.ndarray, frames: int, frame_step: float, duration: float,
               ) -> tuple[np.ndarray, int]:
    """First global frame of each chunk, and the number of global frames in the recording."""
    offsets = np.round(starts / frame_step).astype(int)
    total = max(int(np.ceil(duration / frame_step)), int(offsets.max(initial=0)) + frames)
    return offsets, total


def votes(activity: np.ndarray, probability: np.ndarray, offsets: np.ndarray,
          groups: np.ndarray, people: int, total: int, overlap: float,
          ) -> tuple[np.ndarray, np.ndarray]:
    """(score per frame and person, voices per frame) from the chunks that cover each frame.

    `activity` (0 or 1) and `probability` are [chunks, frames, local speakers]; `groups[c, k]`
    is the person local speaker k of chunk c is, or -1 (silent, or too short to tell). Scores
    add probabilities, not decisions, so a chunk unsure who talked weighs less: where a
    chair and a negotiator alternate fast, that took a quarter of the confusion away.
    Someone talks where half the chunks say so; a second (third) voice needs `overlap` of a
    chunk more than one (two) voices, since a stray second voice splits a line in two.
    """
    chunks, frames, _ = activity.shape
    score = np.zeros((total, people))
    count = np.zeros(total)
    cover = np.zeros(total)
    for c in range(chunks):
        span = slice(offsets[c], offsets[c] + frames)
        count[span] += activity[c].sum(axis=1)
        cover[span] += 1
        for k in np.flatnonzero(groups[c] >= 0):
            score[span, groups[c, k]] += probability[c, :, k]
    mean = count / np.maximum(cover, 1)
    voices = (mean >= 0.5).astype(int) + (mean >= 1 + overlap) + (mean >= 2 + overlap)
    return score / np.maximum(cover, 1)[:, None], voices


def pick(score: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Who talks at each frame: the `count` people with the highest scores, [frames, people]."""
    frames, people = score.shape
    ranked = np.argsort(-score, axis=1, kind="stable")
    on = np.zeros((frames, people), dtype=bool)
    for r in range(min(people, int(count.max(initial=0)))):
        rows = np.flatnonzero(count > r)
        on[rows, ranked[rows, r]] = True
    return on & (score > 0)


def to_turns(on: np.ndarray, frame_step: float, frame_shift: float, duration: float,
             min_gap: float, min_turn: float) -> list[Turn]:
    """Each person's runs of frames as turns, ordered by start; labels are person indices.

    A person's pause shorter than `min_gap` is bridged, then turns shorter than `min_turn` go.
    """
    turns = []
    gap, short = round(min_gap / frame_step), round(min_turn / frame_step)
    for person in range(on.shape[1]):
        column = on[:, person].copy()
        for a, b, value in runs(column):
            if not value and a > 0 and b < len(column) and b - a < gap:
                column[a:b] = True
        for a, b, value in runs(column):
            if value and b - a >= short:
                start = max(0.0, a * frame_step + frame_shift)
                end = min(duration, b * frame_step + frame_shift)
                if end > start:
                    turns.append(Turn(round(start, 3), round(end, 3), str(person)))
    return sorted(turns, key=lambda t: (t.start, t.end))
