"""Staff views of sessions: every session in any state, publishing, and editing details."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for

from ingest import jobs
from ontherecord import roster, service
from ontherecord.exports import WRITERS
from ontherecord.model import SIDES
from search_app.auth import require_login
from search_app.store import archive
from search_app.topics import taxonomy

bp = Blueprint("staff_sessions", __name__, url_prefix="/staff")
bp.before_request(require_login)

SAID = {"publish": "Published: it is now public.", "withdraw": "Withdrawn from the public site.",
        "close": "Marked closed: it can never be published."}


@bp.get("/")
def listing():
    """Every session with its state, drafts first, and the recordings on their way in."""
    sessions = sorted(archive().sessions(), key=lambda s: s.state != "draft")
    return render_template("staff/sessions.html", sessions=sessions,
                           jobs=jobs.every(archive())[:20])


@bp.get("/sessions/<session_id>")
def show(session_id: str):
    """One session as staff see it: state, details, speakers, chapters and transcript."""
    transcript = archive().transcript(session_id)
    return render_template("staff/session.html", t=transcript, sides=SIDES,
                           topics=taxonomy(), formats=WRITERS,
                           roster_text=roster.as_text(transcript.session.roster),
                           running=[j for j in jobs.every(archive()) if j.kind != "ingest"
                                    and j.session_id == session_id
                                    and j.state in ("queued", "running")])


@bp.get("/sessions/<session_id>/media")
def media(session_id: str):
    """A session's recording for staff review, whatever its state."""
    store = archive()
    session = store.session(session_id)
    return send_file(store.media_path(session), mimetype=session.media_type, conditional=True)


@bp.post("/sessions/<session_id>/state")
def change_state(session_id: str):
    """Publish, withdraw or close a session; the public search follows at once."""
    action = request.form.get("action", "")
    service.change_state(archive(), session_id, action)  # an unknown action is a 400
    flash(SAID[action])
    return redirect(url_for(".show", session_id=session_id))


@bp.post("/sessions/<session_id>/details")
def edit_details(session_id: str):
    """Save a session's title, date, unit, description, source link, roster and voice count."""
    form = request.form
    people = roster.parse(form["roster"]) if "roster" in form else None
    service.edit_details(archive(), session_id, title=form.get("title"), date=form.get("date"),
                         unit=form.get("unit"), description=form.get("description"),
                         source_url=form.get("source_url"), roster=people,
                         speaker_count=form.get("speakers"))
    flash("Details saved.")
    return redirect(url_for(".show", session_id=session_id))
