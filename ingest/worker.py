"""The background worker that runs ingest jobs one at a time, beside the web server.

One worker per archive per process: transcription already uses every core, so two jobs at once
would only both be slower.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from ingest import jobs
from ontherecord.archive import Archive

log = logging.getLogger(__name__)

_workers: dict[Path, Worker] = {}
_lock = threading.Lock()


class Worker:
    """A thread taking job ids off a queue and running them."""

    def __init__(self, archive: Archive, model: str) -> None:
        self.archive, self.model = archive, model
        self.queue: queue.Queue[str] = queue.Queue()
        self.stops: dict[str, threading.Event] = {}
        self.thread = threading.Thread(target=self._loop, name="ingest-worker", daemon=True)

    def start(self) -> None:
        """Take up what a previous server left queued, then start working."""
        for job in jobs.interrupted(self.archive):
            self.queue.put(job.id)
        self.thread.start()

    def submit(self, job_id: str) -> None:
        """Queue a job (its record already says queued)."""
        self.queue.put(job_id)

    def stop(self, job_id: str) -> bool:
        """Ask the running job to stop recording its live stream; False if it is not running."""
        event = self.stops.get(job_id)
        if event is None:
            return False
        event.set()
        return True

    def _loop(self) -> None:
        """Run jobs for as long as the process lives."""
        # Here, not at the top: the web server imports this module, and the recognizer's
        # libraries take seconds to load that public pages should not wait for.
        from ingest.asr import AsrOptions

        options = AsrOptions(model=self.model)
        while True:
            job_id = self.queue.get()
            try:
                self.stops[job_id] = threading.Event()
                jobs.run(self.archive, job_id, options, stop=self.stops[job_id])
            except Exception:  # e.g. the job was discarded while queued: the next one runs
                log.exception("job %s could not be run", job_id)
            finally:
                self.stops.pop(job_id, None)


def worker_for(archive: Archive, model: str) -> Worker:
    """The worker of this archive, started on first use."""
    key = archive.root.resolve()
    with _lock:
        if key not in _workers:
            _workers[key] = Worker(archive, model)
            _workers[key].start()
        return _workers[key]
