"""The archive and index the app serves, as configured for the current app."""

from flask import current_app

from index.store import SearchIndex
from ontherecord.archive import Archive


def archive() -> Archive:
    """The archive named by the ARCHIVE setting."""
    return Archive(current_app.config["ARCHIVE"])


def search_index() -> SearchIndex:
    """The archive's search index (rebuilt from the archive if it is missing)."""
    return SearchIndex.of(archive())


def speaker_names() -> list[str]:
    """Every person named in the public sessions, A to Z, for the speaker filter.

    Read from the index, which follows every naming at once, rather than from every
    transcript of the archive on every page.
    """
    return search_index().speakers()
