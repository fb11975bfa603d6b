"""Progress of long work, reported in audio seconds so every stage reads the same way."""

from __future__ import annotations

import sys
from typing import Protocol

from tqdm import tqdm


class Progress(Protocol):
    """Where a long-running stage reports how far it has got."""

    def start(self, stage: str, total: float) -> None:
        """A stage begins; `total` is the audio duration it will cover, in seconds."""

    def advance(self, position: float) -> None:
        """The stage has reached `position` seconds of audio."""

    def finish(self) -> None:
        """The current stage is done."""


class Silent:
    """Progress that goes nowhere (for --quiet and for tests)."""

    def start(self, stage: str, total: float) -> None:
        """Ignore the stage."""

    def advance(self, position: float) -> None:
        """Ignore the position."""

    def finish(self) -> None:
        """Nothing to close."""


# Stages that count something other than seconds of audio.
UNITS = {"downloading": "MB"}


class TerminalBar:
    """A tqdm bar per stage on stderr, showing the audio position as mm:ss of the total.

    A stage of unknown length (a live stream being recorded) shows a running count instead.
    """

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def start(self, stage: str, total: float) -> None:
        """Open a bar for the stage."""
        self.finish()
        unit = UNITS.get(stage, "s")
        counter = "{desc} {n_fmt} " + unit + " [{elapsed}]"
        self.bar = tqdm(total=round(total, 1) if total > 0 else None, desc=f"{stage:<12}",
                        unit=unit, file=sys.stderr, dynamic_ncols=True,
                        bar_format="{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                   + unit + " [{elapsed}<{remaining}]" if total > 0 else counter)

    def advance(self, position: float) -> None:
        """Move the bar to `position`."""
        if self.bar is not None:
            if self.bar.total:
                position = min(position, self.bar.total)
            self.bar.update(round(position, 1) - self.bar.n)

    def finish(self) -> None:
        """Fill and close the bar."""
        if self.bar is not None:
            if self.bar.total:
                self.bar.update(self.bar.total - self.bar.n)
            self.bar.close()
            self.bar = None


def for_terminal(quiet: bool) -> Progress:
    """A bar when stderr is a terminal and not --quiet; else silence."""
    return TerminalBar() if sys.stderr.isatty() and not quiet else Silent()
