"""Staff edits inside a session: speaker names, chapter titles and transcript corrections."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from ontherecord import service
from ontherecord.errors import InputError
from search_app.auth import require_login
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
