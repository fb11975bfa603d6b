"""Staff edits inside a session: speaker names, chapter titles and transcript corrections."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from ontherecord import chapters, corrections, speakers
from ontherecord.errors import InputError
from search_app.auth import require_login
from search_app.staff import EDITS, reindex
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
    with EDITS:
        transcript = speakers.name(archive(), session_id, speaker_id, form.get("name", ""),
                                   form.get("side", ""), form.get("role", ""))
        reindex(transcript)
    flash("Speaker saved.")
    return back(session_id, f"speaker-{speaker_id}")


@bp.post("/<session_id>/chapters/<int:number>")
def edit_chapter(session_id: str, number: int):
    """Retitle a chapter, or move it to another topic."""
    from ingest.topics import load_taxonomy

    form = request.form
    with EDITS:
        transcript = archive().transcript(session_id)
        chapter = chapters.find(transcript, number)
        title = chapter.title  # as the form showed it, before a topic change renames it
        topic_id = form.get("topic", chapter.topic_id)
        if topic_id != chapter.topic_id:
            names = {t.id: t.name for t in load_taxonomy(archive().taxonomy_path)}
            chapters.set_topic(transcript, number, topic_id, names)
        if form.get("title", title).strip() != title:
            chapters.retitle(transcript, number, form["title"])
        archive().save_transcript(transcript)
        reindex(transcript)
    flash("Chapter saved.")
    return back(session_id, f"chapter-{number}")


@bp.post("/<session_id>/segments/<int:index>")
def correct_segment(session_id: str, index: int):
    """Correct a segment's text; the fix is logged on the public session page."""
    if "text" not in request.form:
        raise InputError("the correction has no text")
    with EDITS:
        transcript = archive().transcript(session_id)
        corrections.correct(transcript, index, request.form["text"],
                            expected=request.form.get("before"))
        archive().save_transcript(transcript)
        reindex(transcript)
    flash("Correction saved and logged.")
    return back(session_id, f"seg-{index}")
