"""Session pages: the player with its transcript, the media file, and transcript downloads."""

from flask import Blueprint, abort, make_response, render_template, request, send_file

from ontherecord.exports import WRITERS
from ontherecord.timecode import clock, parse_time
from search_app.store import archive

bp = Blueprint("sessions", __name__, url_prefix="/sessions")


def short_clock(seconds: float) -> str:
    """H:MM:SS, or M:SS under an hour, as people read a timestamp."""
    h, m, s = clock(seconds)[:8].split(":")
    return f"{int(h)}:{m}:{s}" if int(h) else f"{int(m)}:{s}"


@bp.get("/")
def listing():
    """Every session, newest first."""
    return render_template("sessions.html", sessions=archive().public_sessions())


@bp.get("/feed.atom")
def feed():
    """An Atom feed of published sessions, newest first, for readers and newsrooms."""
    sessions = sorted(archive().public_sessions(),
                      key=lambda s: s.published_at or s.ingested_at, reverse=True)[:50]
    body = render_template("feed.xml", sessions=sessions)
    return make_response(body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"})


@bp.get("/<session_id>")
def show(session_id: str):
    """The player opened at ?t=, the transcript beside it, and the downloads."""
    transcript = archive().public_transcript(session_id)
    start = parse_time(request.args.get("t", "0"))
    start = min(start, transcript.session.duration)
    return render_template("session.html", t=transcript, start=start, formats=WRITERS)


@bp.get("/<session_id>/media")
def media(session_id: str):
    """The playable recording, with byte ranges so the player can seek."""
    store = archive()
    session = store.public_session(session_id)
    return send_file(store.media_path(session), mimetype=session.media_type, conditional=True,
                     max_age=3600)


@bp.get("/<session_id>/transcript.<fmt>")
def transcript_file(session_id: str, fmt: str):
    """The transcript in one export format; ?download=1 saves it as a file."""
    writer = WRITERS.get(fmt)
    if writer is None:
        abort(404)
    body = writer.render(archive().public_transcript(session_id))
    response = make_response(body)
    # Werkzeug 3 has no response.charset; name the encoding in the header for every format.
    response.content_type = f"{writer.mimetype}; charset=utf-8"
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{session_id}.{writer.extension}"'
        )
    return response
