"""The two engines an index can be built by, and how one is chosen."""

from __future__ import annotations

import os
from collections.abc import Iterable
from types import ModuleType

from index import tantivy_engine, whoosh_engine
from ontherecord.errors import InputError
from ontherecord.model import Session

ENGINES: dict[str, ModuleType] = {"whoosh": whoosh_engine, "tantivy": tantivy_engine}
# Which engine builds an index where there is none; $ONTHERECORD_ENGINE can choose. "auto"
# picks by the hours of public recordings (see engine_for_hours).
DEFAULT_ENGINE = "auto"
CHOICES = ("auto", *ENGINES)
# From this many hours of public recordings "auto" builds with Tantivy. Whoosh answers every
# query type within 70 ms at 6 hours, but a speaker's grouped page takes 340 ms at 21 hours
# and 1.6 s at 100 (BENCHMARKS.md, "Where auto switches").
AUTO_HOURS = 10.0


def default_engine() -> str:
    """The engine choice for a new index: $ONTHERECORD_ENGINE, else "auto"."""
    return check_engine(os.environ.get("ONTHERECORD_ENGINE", DEFAULT_ENGINE))


def check_engine(name: str) -> str:
    """The engine choice, or an InputError naming the ones there are."""
    if name not in CHOICES:
        raise InputError(f"unknown search engine {name!r}; engines are {', '.join(CHOICES)}")
    return name


def engine_for_hours(choice: str, hours: float) -> str:
    """The engine a choice means for an archive of this many public hours."""
    if choice != "auto":
        return choice
    return "tantivy" if hours >= AUTO_HOURS else "whoosh"


def hours_of(sessions: Iterable[Session]) -> float:
    """How many hours of recordings these sessions hold."""
    return sum(s.duration for s in sessions) / 3600
