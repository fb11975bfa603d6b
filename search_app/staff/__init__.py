"""The staff side: review and publish sessions, edit them, and bring recordings in.

Every staff blueprint checks the login before any of its views runs.
"""

from __future__ import annotations

import threading

from ontherecord.model import Transcript
from search_app.store import search_index

# An edit reads a transcript, changes it and writes it back; two at once would lose one.
EDITS = threading.Lock()


def reindex(transcript: Transcript) -> None:
    """Hand an edited session to the search index, which keeps only public sessions."""
    search_index().replace_session(transcript)
