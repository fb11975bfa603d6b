"""Staff edits inside a session: speakers, chapter titles and transcript corrections.

Speakers: names and suggested names, who said which line, merges, splits and new diarizations
(the last two run as background jobs, as uploads do).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from ingest import jobs
from ontherecord import reassign, roster, service
from ontherecord.errors import InputError
from ontherecord.timecode import parse_time
from search_app.auth import require_login
from search_app.staff.uploads import worker
from search_app.store import archive

bp = Blueprint("staff_edits", __name__, url_prefix="/staff/sessions")
bp.before_request(require_login)


def back(session_id: str, anchor: str):
    """Back to the staff page of the session, at the part just edited."""
    return redirect(url_for("staff_sessions.show", session_id=session_id, _anchor=anchor))


@bp.post("/<session_id>/speakers/<speaker_id>")
def name_speaker(session_id: str, speaker_id: str):
    """Name a speaker (empty to unname) and give their side and role."""
    form = request.form
    service.name_speaker(archive(), session_id, speaker_id, form.get("name", ""),
                         form.get("side", ""), form.get("role", ""))
    flash("Speaker saved.")
    return back(session_id, f"speaker-{speaker_id}")


@bp.post("/<session_id>/suggestions")
def answer_suggestion(session_id: str):
    """Accept a suggested name for a speaker, or reject it for good."""
    form = request.form
    speaker, name, action = form.get("speaker", ""), form.get("name", ""), form.get("action")
    if action == "accept":
        service.accept_suggestion(archive(), session_id, speaker, name)
        flash(f"{name}: name accepted.")
    elif action == "reject":
        service.reject_suggestion(archive(), session_id, speaker, name)
        flash(f"{name}: suggestion rejected; it will not be suggested again.")
    else:
        raise InputError("answer a suggestion with accept or reject")
    return back(session_id, f"speaker-{speaker}")


@bp.post("/<session_id>/segments/<int:index>/speaker")
def reassign_line(session_id: str, index: int):
    """Give one line to another speaker, or to a new one; logged publicly."""
    form = request.form
    expected = parse_time(form["start"]) if form.get("start") else None
    service.reassign_lines(archive(), session_id, form.get("speaker", ""), lines=(index, index),
                           expected=expected)
    flash("Speaker of the line changed and logged.")
    return back(session_id, f"seg-{index}")


@bp.post("/<session_id>/lines/speaker")
def reassign_range(session_id: str):
    """Give the lines said from one time to another to a speaker, or to a new one."""
    form = request.form
    times = (parse_time(form.get("from", "")), parse_time(form.get("to", "")))
    service.reassign_lines(archive(), session_id, form.get("speaker", ""), times=times)
    flash("Speaker of the lines changed and logged.")
    return back(session_id, "speakers")


@bp.post("/<session_id>/speakers/<speaker_id>/merge")
def merge_speaker(session_id: str, speaker_id: str):
    """Fold a speaker into another: one person that diarization heard as two voices."""
    service.merge_speakers(archive(), session_id, speaker_id, request.form.get("into", ""))
    flash("Speakers merged.")
    return back(session_id, "speakers")


@bp.post("/<session_id>/speakers/<speaker_id>/split")
def split_speaker(session_id: str, speaker_id: str):
    """Split a speaker in two by voice, as a background job; its page shows the progress."""
    store = archive()
    transcript = store.transcript(session_id)
    speaker = reassign.check_splittable(transcript, speaker_id)
    return _queued(jobs.create_for(store, transcript.session, "split", speaker=speaker.id))


@bp.post("/<session_id>/diarize")
def diarize(session_id: str):
    """Find the speakers again (with a count of voices, if given) as a background job."""
    count = roster.check_count(request.form.get("speakers", ""))
    store = archive()
    return _queued(jobs.create_for(store, store.session(session_id), "diarize", speakers=count))


def _queued(job: jobs.Job):
    """Hand a job to the worker and show its page."""
    worker().submit(job.id)
    return redirect(url_for("staff_uploads.job", job_id=job.id))


@bp.post("/<session_id>/chapters/<int:number>")
def edit_chapter(session_id: str, number: int):
    """Retitle a chapter, or move it to another topic."""
    form = request.form
    service.edit_chapters(
        archive(), session_id,
        retopic=(number, form["topic"]) if "topic" in form else None,
        retitle=(number, form["title"]) if "title" in form else None)
    flash("Chapter saved.")
    return back(session_id, f"chapter-{number}")


@bp.post("/<session_id>/segments/<int:index>")
def correct_segment(session_id: str, index: int):
    """Correct a segment's text; the fix is logged on the public session page."""
    if "text" not in request.form:
        raise InputError("the correction has no text")
    service.correct(archive(), session_id, request.form["text"], index=index,
                    expected=request.form.get("before"))
    flash("Correction saved and logged.")
    return back(session_id, f"seg-{index}")
