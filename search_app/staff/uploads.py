"""Bringing recordings in from the staff pages: an upload or a web address.

Each is ingested in the background as a job whose page shows its stage and progress.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.wrappers import Request
from werkzeug.utils import secure_filename

from ingest import jobs
from ingest.fetch import is_url
from ingest.worker import Worker, worker_for
from ontherecord import roster
from ontherecord.details import Details
from ontherecord.errors import InputError
from ontherecord.model import SIDES
from search_app.auth import current_staff, require_login
from search_app.store import archive

bp = Blueprint("staff_uploads", __name__, url_prefix="/staff")
bp.before_request(require_login)


class UploadRequest(Request):
    """A request whose uploaded files stream straight to disk inside the archive.

    Werkzeug would spool them to /tmp; inside the archive they are on the same file system as
    the job folder, so taking the upload is a link, not a second copy of gigabytes.
    """

    def _get_file_stream(self, total_content_length, content_type, filename=None,
                         content_length=None):
        """A temporary file in the archive's .uploads/, deleted when the request ends.

        It is locked while open, so a start-up sweep removes only what a killed server left.
        """
        folder = archive().uploads_dir
        folder.mkdir(parents=True, exist_ok=True)
        # Werkzeug closes (and so deletes) it when the request ends.
        stream = tempfile.NamedTemporaryFile(dir=folder, prefix="upload-")  # noqa: SIM115
        fcntl.flock(stream, fcntl.LOCK_EX)
        return stream


def refuse_anonymous_uploads() -> None:
    """Before the body is read: only staff may send files, so nobody else can fill the disk."""
    if request.mimetype == "multipart/form-data" and not current_staff():
        abort(403, "Log in as staff to upload.")


def worker() -> Worker:
    """The archive's background ingest worker."""
    return worker_for(archive(), current_app.config["MODEL"])


@bp.get("/upload")
def form():
    """The form for a new recording: a file, or the address of one or of a stream."""
    return render_template("staff/upload.html", limit=current_app.config["MAX_CONTENT_LENGTH"],
                           sides=SIDES)


@bp.post("/upload")
def upload():
    """Take an upload (or a URL) as a queued job and show its page."""
    form = request.form
    details = Details(form.get("title", ""), form.get("date", ""), form.get("unit", ""),
                      roster=roster.parse(form.get("roster", "")),
                      speaker_count=roster.check_count(form.get("speakers", "")))
    url = form.get("url", "").strip()
    upload = request.files.get("recording")
    has_file = bool(upload and upload.filename)
    if has_file == bool(url):
        raise InputError("give either a recording file or its web address, not both or neither")
    if url and not is_url(url):
        raise InputError(f"{url!r} is not an http:// or https:// address")
    job = jobs.create(archive(), details, source=url or upload.filename, url=url)
    if has_file:
        name = secure_filename(upload.filename) or "recording"
        try:
            os.link(upload.stream.name, jobs.inbox(archive(), job.id) / name)
        except OSError:
            shutil.rmtree(jobs.folder(archive(), job.id))  # no job without its recording
            raise
        job.file = name
        jobs.save(archive(), job)
    worker().submit(job.id)
    return redirect(url_for(".job", job_id=job.id))


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    """A job's stage and progress; the page refreshes itself until the job ends."""
    return render_template("staff/job.html", job=jobs.load(archive(), job_id))


@bp.get("/jobs/<job_id>.json")
def job_status(job_id: str):
    """A job's record as JSON, for scripts."""
    found = jobs.load(archive(), job_id)
    return jsonify({**found.__dict__, "percent": found.percent})


@bp.post("/jobs/<job_id>/stop")
def stop(job_id: str):
    """Stop recording a live stream: what was recorded so far is ingested."""
    jobs.load(archive(), job_id)  # a 404 for no such job
    if not worker().stop(job_id):
        raise InputError("that job is not running")
    flash("Stopping the recording: what was recorded is being ingested.")
    return redirect(url_for(".job", job_id=job_id))


@bp.post("/jobs/<job_id>/retry")
def retry(job_id: str):
    """Run a failed job again."""
    jobs.retry(archive(), job_id)
    worker().submit(job_id)
    flash("Queued again.")
    return redirect(url_for(".job", job_id=job_id))


@bp.post("/jobs/<job_id>/discard")
def discard(job_id: str):
    """Forget a failed or finished job and delete its recording."""
    jobs.discard(archive(), job_id)
    flash("Job removed.")
    return redirect(url_for("staff_sessions.listing"))
