"""The archive on disk: the system of record, one folder per session.

Layout under the archive root (every path is a property or method of Archive)::

    sessions/<id>/session.json     metadata and version, with the original recording's checksum
    sessions/<id>/transcript.json  segments, speakers, chapters, the correction log, suggestions
    sessions/<id>/media.<ext>      the web-playable copy of the recording
    sessions/<id>/voiceprints.json each speaker's CAM++ voiceprint (192 numbers), for the registry
    voices.json                    the voice registry: voiceprints of speakers staff have named
    staff.json                     staff accounts (scrypt hashes), owner-only
    taxonomy.toml                  optional: the archive's own topics for chapters
    glossary.txt                   optional terms (names, acronyms) to prime the recognizer
    .secret_key                    signs staff login cookies, owner-only
    alerts.sqlite3                 email alert subscriptions and what was sent (SQLite, WAL)
    .alerts.lock                   held while alerts are sent, so none goes twice
    .lock                          held while a session changes, by any process
    .jobs/<id>/                    staff ingest jobs: job.json and the recording in in/
    .uploads/                      uploads arriving from the staff pages
    .staging/                      scratch folders of work in progress; never read as sessions
    .index/                        the search index, derived and rebuildable
    .cache/clips/                  clips cut from the sessions' media, derived and bounded in size
    .cache/clips/.locks/           one lock file per clip being cut
    .data/archive.jsonl(.gz)       every public session in one file (ontherecord.bulk), derived
    .data/.lock                    held while that file is rewritten: one rewrite at a time
    .summaries/<id>.json           each public session's speakers and chapters for the listings
                                   (ontherecord.summaries), derived

Writes go to a temporary path first and are renamed into place, so a reader (or a crash) never
sees a half-written session. Scratch folders are held by a lock while in use, so any process can
sweep away the ones a killed process left behind without touching live ones.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from ontherecord.errors import NotFoundError
from ontherecord.model import Session, Transcript

ENV_VAR = "ONTHERECORD_ARCHIVE"
VOICEPRINTS = "voiceprints.json"
SESSION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,95}$")


def default_root() -> Path:
    """The archive root from $ONTHERECORD_ARCHIVE, else ./archive."""
    return Path(os.environ.get(ENV_VAR) or "archive")


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """A temporary file beside `path` to fill, renamed over `path` if the block ends well.

    If the block fails, the temporary file is removed and `path` is as it was. Text modes
    write UTF-8.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write text to a temporary file beside `path`, then rename it over `path`."""
    with atomic_file(path) as f:
        f.write(text)


def copy_atomic(source: Path, path: Path) -> None:
    """Copy a file to a temporary file beside `path`, then rename it over `path`."""
    with atomic_file(path, "wb") as f, open(source, "rb") as src:
        shutil.copyfileobj(src, f, 2**20)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON atomically (see write_text_atomic)."""
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


@contextlib.contextmanager
def file_lock(path: Path, blocking: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on `path` for the block; yields False if not blocking and taken.

    flock locks belong to the open file, so they exclude other threads as well as other
    processes, and the kernel drops them when a process dies, even by kill -9. A sweep may
    delete a lock file it found free; a lock taken on a file deleted meanwhile is taken again.
    """
    while True:
        with open(path, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                if _same_file(f, path):
                    yield True
                    return
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)


def _same_file(f, path: Path) -> bool:
    """Whether the open file `f` is still the file at `path` (not deleted or replaced)."""
    try:
        return os.fstat(f.fileno()).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


@contextlib.contextmanager
def scratch_folder(base: Path, prefix: str = "tmp") -> Iterator[Path]:
    """A new folder in `base`, held by a lock while the block runs and removed after it.

    The lock is taken before the folder exists, so a sweep never sees it unheld. If the block
    moved the folder away (a commit), only the lock file is left to remove.
    """
    base.mkdir(parents=True, exist_ok=True)
    while True:
        path = base / f"{prefix}{secrets.token_hex(6)}"
        lock = path.with_name(path.name + ".lock")
        if not lock.exists():
            break
    try:
        with file_lock(lock):
            path.mkdir()
            try:
                yield path
            finally:
                shutil.rmtree(path, ignore_errors=True)
    finally:
        lock.unlink(missing_ok=True)


def sweep(base: Path) -> list[str]:
    """Remove the scratch folders in `base` that no live process holds; returns their names."""
    if not base.is_dir():
        return []
    swept = []
    for lock in sorted(base.glob("*.lock")):
        path = lock.with_suffix("")
        with file_lock(lock, blocking=False) as free:
            if free:
                shutil.rmtree(path, ignore_errors=True)
                swept.append(path.name)
        if free:
            lock.unlink(missing_ok=True)
    # Folders from before scratch folders had locks, or whose lock file went: nobody holds them.
    for path in sorted(base.iterdir()):
        if path.is_dir() and not path.with_name(path.name + ".lock").exists():
            shutil.rmtree(path, ignore_errors=True)
            swept.append(path.name)
    return swept


def sweep_files(base: Path) -> list[str]:
    """Remove the files in `base` that no live process holds locked; returns their names."""
    swept = []
    for path in sorted(base.iterdir()) if base.is_dir() else []:
        if path.is_file():
            with file_lock(path, blocking=False) as free:
                if free:
                    path.unlink(missing_ok=True)
                    swept.append(path.name)
    return swept


def _transcript_body(transcript: Transcript) -> dict[str, Any]:
    """What transcript.json holds: the JSON export without the session, with suggestions.

    session.json has the session; the suggestions are for staff, so the export leaves them out.
    """
    body = transcript.to_dict()
    del body["session"]
    body["suggestions"] = [asdict(s) for s in transcript.suggestions]
    body["rejected"] = [asdict(s) for s in transcript.rejected]
    return body


class Archive:
    """A folder of sessions, addressed by session id."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @property
    def sessions_dir(self) -> Path:
        """Where committed sessions live."""
        return self.root / "sessions"

    @property
    def index_dir(self) -> Path:
        """Where the derived search index lives."""
        return self.root / ".index"

    @property
    def bulk_path(self) -> Path:
        """The derived file of every public session, for download (see ontherecord.bulk)."""
        return self.root / ".data" / "archive.jsonl"

    @property
    def summaries_dir(self) -> Path:
        """Where each session's speakers and chapters are cached for listings (derived)."""
        return self.root / ".summaries"

    @property
    def staging_dir(self) -> Path:
        """Where scratch folders of work in progress live (ingests, index rebuilds)."""
        return self.root / ".staging"

    @property
    def clips_dir(self) -> Path:
        """Where clips cut from the sessions' media are cached (derived: any may be removed)."""
        return self.root / ".cache" / "clips"

    @property
    def clip_locks_dir(self) -> Path:
        """Where the lock files of clips being cut live, one per clip."""
        return self.clips_dir / ".locks"

    @property
    def jobs_dir(self) -> Path:
        """Where staff ingest jobs keep their records and recordings."""
        return self.root / ".jobs"

    @property
    def uploads_dir(self) -> Path:
        """Where uploads from the staff pages stream to, on the archive's file system."""
        return self.root / ".uploads"

    @property
    def staff_path(self) -> Path:
        """The staff accounts."""
        return self.root / "staff.json"

    @property
    def secret_key_path(self) -> Path:
        """The key that signs login cookies."""
        return self.root / ".secret_key"

    @property
    def alerts_path(self) -> Path:
        """The email alerts' subscriptions and record of what was sent (see ontherecord.alerts)."""
        return self.root / "alerts.sqlite3"

    @property
    def alerts_lock(self) -> Path:
        """Held while alerts are sent, by any process, so that none is sent twice."""
        return self.root / ".alerts.lock"

    @property
    def bulk_lock(self) -> Path:
        """Held while the bulk data file is rewritten, so that one rewrite runs at a time."""
        return self.bulk_path.with_name(".lock")

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Hold the archive's change lock: one read-modify-write of a session at a time.

        Taken by every change, in every process (the CLI, the server's staff pages, its ingest
        worker), so two edits cannot each save over the other.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with file_lock(self.root / ".lock"):
            yield

    def sweep(self) -> list[str]:
        """Remove what killed processes left (scratch, uploads, clip locks); returns the names."""
        return (sweep(self.staging_dir) + sweep_files(self.uploads_dir)
                + sweep_files(self.clip_locks_dir))

    def session_dir(self, session_id: str) -> Path:
        """The folder of one session; the id is checked so it cannot point outside the archive."""
        if not SESSION_ID.fullmatch(session_id):
            raise NotFoundError(f"no session {session_id!r} in the archive")
        return self.sessions_dir / session_id

    def ids(self) -> list[str]:
        """Ids of every committed session."""
        if not self.sessions_dir.is_dir():
            return []
        return sorted(
            p.name for p in self.sessions_dir.iterdir() if (p / "session.json").is_file()
        )

    def sessions(self) -> list[Session]:
        """Every session's metadata, newest first."""
        found = [self.session(i) for i in self.ids()]
        return sorted(found, key=lambda s: (s.date, s.id), reverse=True)

    def session(self, session_id: str) -> Session:
        """One session's metadata."""
        path = self.session_dir(session_id) / "session.json"
        if not path.is_file():
            raise NotFoundError(f"no session {session_id!r} in the archive")
        return Session.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def transcript_path(self, session_id: str) -> Path:
        """Where a session's transcript is kept."""
        return self.session_dir(session_id) / "transcript.json"

    def transcript(self, session_id: str) -> Transcript:
        """One session with its segments, speakers and chapters."""
        session = self.session(session_id)
        body = json.loads(self.transcript_path(session_id).read_text("utf-8"))
        return Transcript.from_dict(session, body)

    def save_transcript(self, transcript: Transcript) -> None:
        """Replace a committed session's transcript.json (atomically) after an edit."""
        write_json_atomic(self.transcript_path(transcript.session.id),
                          _transcript_body(transcript))

    def voiceprints(self, session_id: str) -> dict[str, list[float]]:
        """Each speaker's voiceprint in a session, by speaker id ({} if it has none)."""
        path = self.session_dir(session_id) / VOICEPRINTS
        return json.loads(path.read_text("utf-8")) if path.is_file() else {}

    def save_voiceprints(self, session_id: str, prints: dict[str, list[float]]) -> None:
        """Replace a committed session's voiceprints (atomically) after speakers are merged."""
        write_json_atomic(self.session_dir(session_id) / VOICEPRINTS, prints)

    @property
    def registry_path(self) -> Path:
        """Where the voice registry is kept."""
        return self.root / "voices.json"

    def media_path(self, session: Session) -> Path:
        """The playable media file of a session."""
        return self.session_dir(session.id) / session.media

    def public_sessions(self) -> list[Session]:
        """The sessions anyone may see (published and not closed), newest first."""
        return [s for s in self.sessions() if s.public]

    def public_session(self, session_id: str) -> Session:
        """One public session's metadata; any other answers as if it did not exist."""
        session = self.session(session_id)
        if not session.public:
            raise NotFoundError(f"no session {session_id!r} in the archive")
        return session

    def public_transcript(self, session_id: str) -> Transcript:
        """One public session's transcript; any other answers as if it did not exist."""
        self.public_session(session_id)
        return self.transcript(session_id)

    def save_session(self, session: Session) -> None:
        """Replace a committed session's session.json (atomically) after an edit."""
        write_json_atomic(self.session_dir(session.id) / "session.json", session.to_dict())

    def find_by_sha256(self, sha256: str) -> Session | None:
        """The session made from a recording with this checksum, if any."""
        return next((s for s in self.sessions() if s.source.sha256 == sha256), None)

    @property
    def taxonomy_path(self) -> Path | None:
        """The archive's own topic taxonomy (taxonomy.toml), if it has one."""
        path = self.root / "taxonomy.toml"
        return path if path.is_file() else None

    @property
    def glossary_path(self) -> Path:
        """Terms to prime the recognizer with (optional)."""
        return self.root / "glossary.txt"

    def glossary(self) -> list[str]:
        """Terms listed in glossary.txt, one a line; '#' starts a comment."""
        path = self.glossary_path
        if not path.is_file():
            return []
        lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
        return [line for line in lines if line]

    def staging(self, prefix: str = "tmp") -> contextlib.AbstractContextManager[Path]:
        """A scratch folder inside the archive, removed when the block ends.

        It sits on the same file system as the sessions so that committing is one rename.
        """
        return scratch_folder(self.staging_dir, prefix)

    def commit(self, staged: Path, transcript: Transcript,
               voiceprints: dict[str, list[float]] | None = None) -> None:
        """Write a session's records into `staged` and move the folder into place at once."""
        session = transcript.session
        write_json_atomic(staged / "session.json", session.to_dict())
        if voiceprints:
            write_json_atomic(staged / VOICEPRINTS, voiceprints)
        write_json_atomic(staged / "transcript.json", _transcript_body(transcript))
        self.sessions_dir.mkdir(parents=True, exist_ok=True)
        target = self.session_dir(session.id)
        # os.rename refuses a non-empty target, so a concurrent duplicate cannot be overwritten.
        os.rename(staged, target)

    def versions(self) -> dict[str, int]:
        """Each public session's version, by id: what the search index must hold."""
        return versions_of(self.public_sessions())


def versions_of(public: Iterable[Session]) -> dict[str, int]:
    """The versions of these public sessions, by id (see Archive.versions)."""
    return {s.id: s.version for s in public}
