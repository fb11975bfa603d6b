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
