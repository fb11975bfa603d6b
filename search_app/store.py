"""The archive and index the app serves, as configured for the current app."""

import functools

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
    """Every person named in the archive, for the speaker filter, A to Z."""
    a = archive()
    # Keyed on the sessions' versions, which every change counts up: a naming shows at once,
    # and an unchanged archive is not read again on every page.
    return _names(str(a.root), tuple(sorted(a.versions().items())))


@functools.lru_cache(maxsize=4)
def _names(root: str, versions: tuple) -> list[str]:
    """The named speakers of the archive at `root` as of `versions`."""
    a = Archive(root)
    names = {s.name for session_id, _ in versions for s in a.transcript(session_id).speakers
             if s.name}
    return sorted(names, key=str.casefold)
