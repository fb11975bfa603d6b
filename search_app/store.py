"""The archive and index the app serves, as configured for the current app."""

import functools
from pathlib import Path

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
    # Keyed on the transcripts' modification times, so a naming shows at once and an
    # unchanged archive is not read again on every page.
    stamps = tuple((s.id, _mtime(a.transcript_path(s.id)))
                   for s in a.public_sessions())
    return _names(str(a.root), stamps)


def _mtime(path: Path) -> int:
    """A file's modification time in nanoseconds, or 0 if it is gone."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@functools.lru_cache(maxsize=4)
def _names(root: str, stamps: tuple) -> list[str]:
    """The named speakers of the archive at `root` as of `stamps`."""
    a = Archive(root)
    names = {s.name for session_id, _ in stamps for s in a.transcript(session_id).speakers
             if s.name}
    return sorted(names, key=str.casefold)
