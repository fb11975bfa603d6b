"""Diarization error rate without pyannote.metrics: speakers paired one-to-one (the pairing
that agrees longest), then missed speech, false alarm and confusion counted on a 10 ms grid.

Scored as pyannote.metrics does with no collar and overlapped speech scored: at each moment,
a reference voice with no found voice is missed, a found voice with no reference one is a
false alarm, and a found voice not paired with a reference voice present then is confusion.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

STEP = 0.01  # seconds


def read_rttm(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, speaker) of each SPEAKER line of an RTTM file."""
    turns = []
    for line in path.read_text("utf-8").splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER":
            start, duration = float(f[3]), float(f[4])
            turns.append((start, start + duration, f[7]))
    return turns


def activity(turns, cells: int) -> tuple[list[str], np.ndarray]:
    """Speakers, and which of them speaks in each grid cell (speakers × cells)."""
    speakers = sorted({who for _, _, who in turns})
    grid = np.zeros((len(speakers), cells), dtype=bool)
    for start, end, who in turns:
        grid[speakers.index(who), round(start / STEP): round(end / STEP)] = True
    return speakers, grid


def der(reference, hypothesis) -> dict[str, float]:
    """DER and its parts (as shares of reference speech) of found turns against reference ones.

    Both are sequences of (start, end, speaker), e.g. RTTM lines or ontherecord Turns.
    """
    hypothesis = [(t.start, t.end, t.speaker) if hasattr(t, "speaker") else t
                  for t in hypothesis]
    end = max([e for _, e, _ in [*reference, *hypothesis]], default=0.0)
    cells = round(end / STEP) + 1
    _, ref = activity(reference, cells)
    _, hyp = activity(hypothesis, cells)
    together = ref.astype(np.int32) @ hyp.T.astype(np.int32)  # cells both speak, per pair
    rows, cols = linear_sum_assignment(-together) if together.size else ([], [])
    n_ref, n_hyp = ref.sum(axis=0), hyp.sum(axis=0)
    total = float(n_ref.sum())
    correct = float(together[rows, cols].sum()) if len(rows) else 0.0
    missed = float(np.maximum(n_ref - n_hyp, 0).sum())
    false_alarm = float(np.maximum(n_hyp - n_ref, 0).sum())
    confusion = float(np.minimum(n_ref, n_hyp).sum()) - correct
    share = 1.0 / total if total else 0.0
    return {"der": (missed + false_alarm + confusion) * share, "missed": missed * share,
            "false_alarm": false_alarm * share, "confusion": confusion * share}
