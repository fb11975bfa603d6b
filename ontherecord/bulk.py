"""The whole public archive as one file of JSON Lines, for researchers: derived, kept fresh.

The first line describes the file: `{"archive": {format, license, license_url, generated_at,
sessions, versions}}`, `versions` being each public session's version (its stamp). Then one line
per public session, newest first: the JSON export (`Transcript.to_dict`) with the session's
`published_at`, `version` and `permalink` (a path on the site) added, and without the words'
timings or the diarization's turns: the words are six sevenths of a transcript's size (a
100-hour archive: 67 MB with them, 9.7 MB without, 2.2 MB gzipped), and each session's JSON
export (`/api/sessions/<id>`) has them for whoever needs them.

Written beside `Archive.bulk_path` (with a gzip copy) and renamed into place, the gzip copy
first, so the plain file's stamp vouches for both. It is rewritten after every saved change to
a session that is or was public (in a background thread once the archive is large; one
rewrite at a time in any process: the file lock), and by `heal` when its stamp no longer
matches the archive (a kill -9 between a change and the rewrite), as every start-up runs it.
Draft, withdrawn and closed sessions are never in it.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.engines import hours_of
from ontherecord.archive import Archive, file_lock, versions_of
from ontherecord.events import Change, on_change
from ontherecord.model import Session, Transcript

log = logging.getLogger(__name__)

FORMAT = "ontherecord-archive/1"


@dataclass(frozen=True)
class License:
    """The licence the data is published under: its name (an SPDX id) and where to read it."""

    name: str
    url: str


DEFAULT_LICENSE = License("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/")


def gzip_path(archive: Archive) -> Path:
    """The gzip copy of the bulk file."""
    return archive.bulk_path.with_name(archive.bulk_path.name + ".gz")


def header(public: list[Session], license: License) -> dict[str, Any]:
    """The first line: the licence, when it was made, and the versions it holds."""
    return {"archive": {
        "format": FORMAT, "license": license.name, "license_url": license.url,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sessions": len(public), "versions": versions_of(public)}}


def session_line(transcript: Transcript) -> dict[str, Any]:
    """One public session's line: its JSON export, without word timings and turns."""
    # Emptied before the export is made: copying a million words only to drop them is slow.
    line = replace(transcript, turns=[],
                   segments=[replace(s, words=[]) for s in transcript.segments]).to_dict()
    session = transcript.session
    line["session"] |= {"published_at": session.published_at, "version": session.version,
                        "permalink": f"/sessions/{session.id}"}
    for segment in line["segments"]:
        del segment["words"]
    del line["turns"]
    return line


def _json_line(data: dict[str, Any]) -> str:
    """One JSON Lines line."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def stamp(path: Path) -> dict[str, Any] | None:
    """What a bulk file's first line says of it (plain or gzip), or None if unreadable."""
    try:
        with (gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz"
              else open(path, encoding="utf-8")) as f:
            head = json.loads(f.readline())["archive"]
    except (OSError, EOFError, ValueError, KeyError, TypeError):
        return None
    return head if isinstance(head, dict) else None


def license_of(archive: Archive) -> License:
    """The licence the archive's bulk file states (the app's settings set it), else the default."""
    head = stamp(archive.bulk_path)
    if head and isinstance(head.get("license"), str) and isinstance(head.get("license_url"), str):
        return License(head["license"], head["license_url"])
    return DEFAULT_LICENSE


def stale(archive: Archive, license: License | None = None,
          versions: dict[str, int] | None = None) -> bool:
    """Whether the bulk file is missing, unreadable, or not what the archive holds now.

    `license` None: any licence will do. `versions`: the archive's, if already read.
    """
    head = stamp(archive.bulk_path)
    if head is None or stamp(gzip_path(archive)) != head:
        return True
    wanted = archive.versions() if versions is None else versions
    stated = License(head.get("license", ""), head.get("license_url", ""))
    return head.get("versions") != wanted or license not in (None, stated)


def regenerate(archive: Archive, license: License | None = None) -> bool:
    """Rewrite the bulk file if it is stale; True if it was. One rewrite at a time, anywhere.

    `license` None keeps the one the file states.
    """
    archive.bulk_path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(archive.bulk_lock):
        if not stale(archive, license):  # another process or thread may have just done it
            return False
        _write(archive, license or license_of(archive))
        return True


def _write(archive: Archive, license: License) -> None:
    """Write the plain file and its gzip copy to temporary paths, then rename them into place.

    Each session is read under the archive's change lock, so no line is read half-saved; the
    lock is taken a session at a time because a whole rewrite takes 20 s at 1,000 hours, and
    staff saving a fix must not wait for it. A session changed meanwhile is written newer
    than the header's versions say, so the file looks stale and is rewritten once more.
    """
    path, packed = archive.bulk_path, gzip_path(archive)
    # Fixed names: the file lock lets one writer at a time, which overwrites a killed one's.
    plain_tmp, packed_tmp = (p.with_name(f".{p.name}.tmp") for p in (path, packed))
    with open(plain_tmp, "w", encoding="utf-8") as out:
        with archive.changing():
            public = archive.public_sessions()
        out.write(_json_line(header(public, license)))
        for session in public:
            with archive.changing():
                transcript = archive.transcript(session.id)
            out.write(_json_line(session_line(transcript)))
    with open(plain_tmp, "rb") as source, gzip.open(packed_tmp, "wb", compresslevel=6) as sink:
        shutil.copyfileobj(source, sink, 2**20)
    os.replace(packed_tmp, packed)
    os.replace(plain_tmp, path)


def heal(archive: Archive, license: License | None = None,
         versions: dict[str, int] | None = None) -> bool:
    """Rewrite the bulk file now if it is stale (run at start-up); True if it was."""
    return stale(archive, license, versions) and regenerate(archive, license)


# --- rewriting after changes, in the background ----------------------------------------------

# A rewrite takes about 20 ms an hour of recordings (2.0 to 2.3 s at 99 hours on two idle
# cores, up to 6 s with them shared): under this many hours it is done at once, so the file
# never lags behind the change that caused it; from there a background thread does it.
AT_ONCE_HOURS = 10

_state = threading.Lock()
_waiting: set[Path] = set()  # archive roots to rewrite the file of
_worker: threading.Thread | None = None


@on_change
def _after_change(change: Change) -> None:
    """Rewrite the file after a change the public can see (never for a draft's).

    A small archive's file is rewritten before the change returns, a large one's after.
    """
    archive = change.archive
    if archive is None or not (change.session.public or change.was_public):
        return
    if hours_of(archive.public_sessions()) < AT_ONCE_HOURS:
        regenerate(archive)
    else:
        regenerate_soon(archive)


def regenerate_soon(archive: Archive) -> None:
    """Rewrite an archive's bulk file in a background thread, after any rewrite under way.

    Changes that come in while it runs are taken up together by one more rewrite. The thread
    is not a daemon: a command's process waits for it before it exits.
    """
    global _worker
    with _state:
        _waiting.add(archive.root)
        if _worker is None:
            _worker = threading.Thread(target=_rewrite_waiting, name="bulk-data")
            _worker.start()


def _rewrite_waiting() -> None:
    """The background thread: rewrite each archive waiting, until none is."""
    global _worker
    while True:
        with _state:
            if not _waiting:
                _worker = None
                return
            root = _waiting.pop()
        try:
            regenerate(Archive(root))
        except Exception:  # derived data: the next change or start-up writes it again
            log.exception("could not rewrite the bulk data file of %s", root)


def settle() -> None:
    """Wait until every rewrite asked for is done (for tests and commands that read the file)."""
    while True:
        with _state:
            worker = _worker
        if worker is None:
            return
        worker.join()
