"""The one place that hears about changes to sessions: later work subscribes here.

ontherecord.service announces every change it saved (after the search index has it), so feeds,
alerts and caches listen here instead of being called from the CLI, the staff pages and the
jobs separately. A listener that fails is logged; it never undoes or blocks the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ontherecord.model import Correction, Session, Transcript

if TYPE_CHECKING:
    from ontherecord.archive import Archive

log = logging.getLogger(__name__)

Kind = Literal["ingested", "state", "details", "speakers", "chapters", "correction", "diarized"]


@dataclass
class Change:
    """What one service call changed in one session, as saved."""

    kind: Kind
    transcript: Transcript
    # The details changed ("title", …), the state change ("publish", …), the speakers or
    # chapters touched: what a listener or a confirmation message needs to say.
    what: list[str] = field(default_factory=list)
    was_public: bool = False
    correction: Correction | None = None
    created: bool = True  # False for an ingest that found the recording already archived
    # Where it was saved: a listener (alerts) acts for the archives it was set up for only.
    archive: Archive | None = None

    @property
    def session(self) -> Session:
        """The session as saved."""
        return self.transcript.session

    @property
    def published(self) -> bool:
        """Whether this change made the session public."""
        return self.session.public and not self.was_public


Listener = Callable[[Change], None]
_changed: list[Listener] = []
_published: list[Listener] = []


def on_change(listener: Listener) -> Listener:
    """Call `listener` after every saved change (usable as a decorator)."""
    _changed.append(listener)
    return listener


def on_published(listener: Listener) -> Listener:
    """Call `listener` whenever a session becomes public (usable as a decorator)."""
    _published.append(listener)
    return listener


def unsubscribe(listener: Listener) -> None:
    """Stop calling a listener."""
    for listeners in (_changed, _published):
        while listener in listeners:
            listeners.remove(listener)


def announce(change: Change) -> None:
    """Tell every listener about a saved change."""
    listeners = _changed + (_published if change.published else [])
    for listener in listeners:
        try:
            listener(change)
        except Exception:  # a feed or alert failing must not fail the change staff made
            log.exception("a listener failed on a change to %s", change.session.id)
