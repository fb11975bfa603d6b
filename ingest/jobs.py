"""Background jobs: what staff asked of the web app that takes minutes.

A recording handed in, ingested; or a committed session's speakers found again (with the count
staff gave) or one of its voices split in two, from its recording.

A job is a folder under the archive's .jobs/ holding job.json (its state, stage and progress,
so a page reload finds it again) and, in in/, the recording, kept until the job succeeds so a
failed one can be retried. The ingest itself commits all at once, so a failed job leaves no
session. A running job holds its folder's lock file, so a server starting up can tell a job
that another process is running from one a stopped server left "running".

This module loads no ingest machinery until a job runs: the server recovers jobs at start-up.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ontherecord import service
from ontherecord.archive import Archive, file_lock, write_json_atomic
from ontherecord.details import Details
from ontherecord.errors import InputError, NotFoundError, OnTheRecordError
from ontherecord.events import Change
from ontherecord.model import RosterMember, Session
from ontherecord.timecode import now_iso

if TYPE_CHECKING:
    from ingest.asr import AsrOptions

log = logging.getLogger(__name__)

JobState = Literal["queued", "running", "failed", "done"]
# ingest: a new recording; diarize: a session's speakers found again; split: one voice in two.
JobKind = Literal["ingest", "diarize", "split"]
JOB_ID_LENGTH = 12
JOB_ID = re.compile(rf"[0-9a-f]{{{JOB_ID_LENGTH}}}")


@dataclass
class Job:
    """One recording on its way into the archive, or a session's speakers being worked on."""

    id: str
    title: str
    date: str
    unit: str
    source: str  # the uploaded file's name, or the URL it is fetched from
    created: str
    state: JobState = "queued"
    file: str = ""  # the recording inside the job's folder, once it is there
    url: str = ""
    stage: str = ""
    position: float = 0.0
    total: float = 0.0
    error: str = ""
    session_id: str = ""
    existed: bool = False  # the recording was already in the archive as session_id
    updated: str = ""
    kind: JobKind = "ingest"
    roster: list[dict[str, Any]] = field(default_factory=list)  # who was at the table
    speakers: int | None = None  # how many voices: staff's count, or a re-run's
    speaker: str = ""  # the speaker a split job splits

    @property
    def details(self) -> Details:
        """The session details staff gave; a web address is the session's source link."""
        return Details(self.title, self.date, self.unit, source_url=self.url,
                       roster=[RosterMember(**m) for m in self.roster],
                       speaker_count=self.speakers)

    @property
    def percent(self) -> int:
        """How far the current stage has got, 0-100."""
        return round(100 * min(self.position / self.total, 1.0)) if self.total > 0 else 0


def folder(archive: Archive, job_id: str) -> Path:
    """The folder of one job; the id is checked so it cannot point outside the archive."""
    # A regex, not isalnum/islower: an id of digits only has no lower-case letter in it.
    if not JOB_ID.fullmatch(job_id):
        raise NotFoundError(f"no job {job_id!r}")
    return archive.jobs_dir / job_id


def inbox(archive: Archive, job_id: str) -> Path:
    """Where a job's recording is kept: apart from job.json, whatever the file is called."""
    path = folder(archive, job_id) / "in"
    path.mkdir(exist_ok=True)
    return path


def save(archive: Archive, job: Job) -> None:
    """Write a job's record atomically."""
    job.updated = now_iso()
    write_json_atomic(folder(archive, job.id) / "job.json", asdict(job))


def load(archive: Archive, job_id: str) -> Job:
    """One job's record."""
    path = folder(archive, job_id) / "job.json"
    if not path.is_file():
        raise NotFoundError(f"no job {job_id!r}")
    return Job(**json.loads(path.read_text("utf-8")))


def every(archive: Archive) -> list[Job]:
    """Every job, newest first."""
    base = archive.jobs_dir
    found = [load(archive, p.name) for p in base.iterdir() if (p / "job.json").is_file()] \
        if base.is_dir() else []
    return sorted(found, key=lambda j: (j.created, j.id), reverse=True)


def create(archive: Archive, details: Details, source: str, url: str = "") -> Job:
    """A new queued job; the caller puts the recording in its inbox, or gives a URL.

    The details are checked by the rules ingest applies, so a job cannot fail on them later.
    """
    details = details.checked()
    return _new(archive, Job(secrets.token_hex(JOB_ID_LENGTH // 2), details.title, details.date,
                             details.unit, source, now_iso(), url=url,
                             roster=[asdict(m) for m in details.roster],
                             speakers=details.speaker_count))


def create_for(archive: Archive, session: Session, kind: JobKind, speakers: int | None = None,
               speaker: str = "") -> Job:
    """A new queued job on a committed session: find its speakers again, or split one."""
    return _new(archive, Job(secrets.token_hex(JOB_ID_LENGTH // 2), session.title, session.date,
                             session.unit, session.id, now_iso(), session_id=session.id,
                             kind=kind, speakers=speakers, speaker=speaker))


def _new(archive: Archive, job: Job) -> Job:
    """Give a new job its folder and record."""
    folder(archive, job.id).mkdir(parents=True)
    save(archive, job)
    return job


def retry(archive: Archive, job_id: str) -> Job:
    """Queue a failed job again, from wherever its recording got to."""
    job = load(archive, job_id)
    if job.state != "failed":
        raise InputError(f"job {job_id} has not failed (it is {job.state})")
    job.state, job.error, job.stage, job.position, job.total = "queued", "", "", 0.0, 0.0
    save(archive, job)
    return job


def discard(archive: Archive, job_id: str) -> None:
    """Remove a finished or failed job and its recording (a session it made stays)."""
    job = load(archive, job_id)
    if job.state in ("queued", "running"):
        raise InputError(f"job {job_id} is {job.state}: wait for it to end")
    shutil.rmtree(folder(archive, job_id))


def _lock_path(archive: Archive, job_id: str) -> Path:
    """The lock file a job's runner holds while it runs."""
    return folder(archive, job_id) / "running.lock"


def interrupted(archive: Archive) -> list[Job]:
    """Jobs a stopped server left behind: running ones nobody runs fail (retryable).

    Returns the queued jobs, oldest first, for a new worker to take up.
    """
    queued = []
    for job in every(archive):
        if job.state == "running":
            with file_lock(_lock_path(archive, job.id), blocking=False) as free:
                if free:
                    job.state, job.error = "failed", "the server stopped before the job finished"
                    save(archive, job)
        elif job.state == "queued":
            queued.append(job)
    return sorted(queued, key=lambda j: j.created)


class JobProgress:
    """Progress written into job.json, at most every half second, for the status page."""

    INTERVAL = 0.5

    def __init__(self, archive: Archive, job: Job) -> None:
        self.archive, self.job, self.last = archive, job, 0.0

    def start(self, stage: str, total: float) -> None:
        """A stage begins."""
        self.job.stage, self.job.total, self.job.position = stage, total, 0.0
        self._write(force=True)

    def advance(self, position: float) -> None:
        """The stage has got this far."""
        self.job.position = position
        self._write()

    def finish(self) -> None:
        """The stage is done."""
        self.job.position = self.job.total
        self._write(force=True)

    def _write(self, force: bool = False) -> None:
        """Save the job unless it was saved a moment ago."""
        if force or time.monotonic() - self.last >= self.INTERVAL:
            save(self.archive, self.job)
            self.last = time.monotonic()


def run(archive: Archive, job_id: str, options: AsrOptions,
        stop: threading.Event | None = None) -> Job:
    """Fetch (for a URL) and ingest one queued job; its record says how it ended.

    Setting `stop` ends the recording of a live stream; what was recorded is ingested.
    """
    with file_lock(_lock_path(archive, job_id), blocking=False) as free:
        job = load(archive, job_id)
        # Queued twice (a retry while a restart took it up), or run by another process.
        if job.state != "queued" or not free:
            return job
        _run(archive, job, options, stop)
    return job


def _run(archive: Archive, job: Job, options: AsrOptions, stop: threading.Event | None) -> None:
    """Run a job through the service, recording how it ended in the job."""
    # Hashing and probing a large recording takes a while before the first stage reports.
    job.state, job.stage = "running", "checking the recording"
    save(archive, job)
    home = inbox(archive, job.id)

    def fetched(path: Path) -> None:
        """Keep the download, so a retry does not fetch it again."""
        job.file = path.name
        save(archive, job)

    try:
        change = _work(archive, job, options, stop, home, fetched)
    except (OnTheRecordError, OSError) as e:
        job.state, job.error = "failed", str(e)
    except Exception as e:  # a bug: the job says so, the log has the traceback
        log.exception("job %s failed", job.id)
        job.state, job.error = "failed", f"internal error ({type(e).__name__}): {e}"
    else:
        job.state, job.session_id, job.existed = "done", change.session.id, not change.created
        job.stage, job.error = "", ""
        if job.file:  # the archive has its playable copy now
            (home / job.file).unlink(missing_ok=True)
    save(archive, job)


def _work(archive: Archive, job: Job, options: AsrOptions, stop: threading.Event | None,
          home: Path, fetched: Callable[[Path], None]) -> Change:
    """The service call a job stands for."""
    progress = JobProgress(archive, job)
    if job.kind == "diarize":
        from ingest.diarize import DiarizeOptions

        return service.rediarize(archive, job.session_id, DiarizeOptions(speakers=job.speakers),
                                 progress)
    if job.kind == "split":
        return service.split_speaker(archive, job.session_id, job.speaker, progress)
    return service.ingest(archive, home / job.file if job.file else job.url, job.details,
                          asr_options=options, progress=progress, stop=stop, inbox=home,
                          on_fetched=fetched)
