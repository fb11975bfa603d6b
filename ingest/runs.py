"""Runs of equal labels in a sequence: speaker turns on a time grid, chapters in a topic path."""

from __future__ import annotations

import itertools
from collections.abc import Iterable


def runs(labels: Iterable[int]) -> list[tuple[int, int, int]]:
    """(first index, end index, label) of each run of equal labels, in order.

    Any sequence of integer labels will do: a list, or a NumPy array (labels come back as int).
    """
    found: list[tuple[int, int, int]] = []
    start = 0
    for label, group in itertools.groupby(labels):
        end = start + sum(1 for _ in group)
        found.append((start, end, int(label)))
        start = end
    return found
