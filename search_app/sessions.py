"""Session pages: the player with its transcript, the media, downloads, and clips of it."""

from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from ontherecord import citations
from ontherecord import listing as browse
from ontherecord.clip_ranges import ClipRange, captions_within, clip_range
from ontherecord.errors import InputError, NotFoundError
from ontherecord.exports import WRITERS
from ontherecord.model import Correction, Session, SpeakerChange, Transcript
from ontherecord.speakers import talk_by_side
from ontherecord.summaries import summary
from ontherecord.timecode import hms, link_time, parse_time
from ontherecord.units import units
from search_app import clips, feeds, timeline
from search_app.search import page_number
from search_app.store import archive
from search_app.within import Matches, search_session

bp = Blueprint("sessions", __name__, url_prefix="/sessions")


def short_clock(seconds: float) -> str:
    """H:MM:SS, or M:SS under an hour, as people read a timestamp."""
    written = hms(seconds)
    h, m, s = written.split(":")
    return written if int(h) else f"{int(m)}:{s}"


@bp.get("/")
def listing():
    """The public sessions, newest first, a page at a time: ?unit=, ?from= and ?to= narrow them.

    Each shows its speakers and chapters, read from the summaries (not the transcripts) and
    only for the sessions on the page.
    """
    unit, date_from, date_to = (request.args.get(k, "").strip() for k in ("unit", "from", "to"))
    store, size = archive(), current_app.config["SESSIONS_LISTED"]
    public = store.public_sessions()
    found = browse.listing(public, unit, date_from, date_to)
    pages = max(1, -(-len(found) // size))
    page = min(page_number(), pages)  # past the end: the last page, as search does
    shown = found[(page - 1) * size:page * size]
    args = {k: v for k, v in (("unit", unit), ("from", date_from), ("to", date_to)) if v}
    return render_template("sessions.html", entries=[(s, summary(store, s)) for s in shown],
                           total=len(found), page=page, pages=pages, args=args,
                           units=[u.name for u in units(store, public)])


@bp.get("/latest")
def latest():
    """The newest public session's page."""
    newest = browse.latest(archive().public_sessions())
    return redirect(url_for("sessions.show", session_id=newest.id))


@bp.get("/feed.atom")
def feed():
    """An Atom feed of published sessions, newest first, for readers and newsrooms."""
    sessions = sorted(archive().public_sessions(), key=feeds.published,
                      reverse=True)[:feeds.FEED_SESSIONS]
    body = render_template("feed.xml", sessions=sessions, published=feeds.published)
    return make_response(body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"})


def matches_asked(session_id: str) -> tuple[str, Matches | None, str]:
    """?q= searched within the session: the query, its matches, and what to fix if unreadable."""
    query = request.args.get("q", "").strip()
    if not query:
        return "", None, ""
    try:
        return query, search_session(session_id, query), ""
    except InputError as e:
        return query, None, str(e)


def opening_time(duration: float, found: Matches | None) -> float:
    """Where the player opens: ?t=, else the first match (as its link would), else the start."""
    if "t" in request.args:
        start = parse_time(request.args["t"])
    elif found and found.matches:
        start = float(link_time(found.matches[0].start))
    else:
        start = 0.0
    return min(start, duration)


@dataclass
class Passage:
    """A quoted passage a permalink opens: its times, lines, and changes since it was quoted."""

    start: float
    end: float
    marks: dict[int, tuple[int, int]]
    changed: list[Correction | SpeakerChange]


def passage_asked(transcript: Transcript, start: float) -> Passage | None:
    """?end= (with ?t=) marks a quoted passage, and ?v= is the version it was quoted from."""
    if "end" not in request.args:
        return None
    end = parse_time(request.args["end"])
    citations.check_range(transcript.session, start, end)
    raw = request.args.get("v", "").strip()
    if raw and not raw.isdigit():
        raise InputError(f"v={raw!r} is not a version: a citation's link gives a whole number")
    changed = citations.changed_since(transcript, start, end, int(raw)) if raw else []
    return Passage(start, end, citations.marks(transcript, start, end), changed)


@bp.get("/<session_id>")
def show(session_id: str):
    """The player opened at ?t=, the timeline, the transcript beside it, and the downloads.

    ?q= searches within the session: its matches are marked in the transcript and on the
    timeline and listed as links, so the search works without JavaScript too. ?t=&end=&v=
    (a citation's permalink) marks a quoted passage and plays it to its end.
    """
    transcript = archive().public_transcript(session_id)
    query, found, error = matches_asked(session_id)
    start = opening_time(transcript.session.duration, found)
    passage = passage_asked(transcript, start)
    # Named within_*, not query: the site's search box in the header fills itself from `query`.
    page = render_template("session.html", t=transcript, start=start, formats=WRITERS,
                           timeline=timeline.build(transcript), within_query=query,
                           found=found, within_error=error, sides=talk_by_side(transcript),
                           passage=passage)
    return page, 400 if error else 200


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


@bp.get("/<session_id>/clip.<ext>")
def clip(session_id: str, ext: str):
    """The recording from ?t= to ?end=, or its captions timed from there.

    As m4a, mp3 or (for a video) mp4, or WebVTT; ?download=1 saves it as a file.
    """
    if ext not in clips.KINDS and ext != "vtt":
        abort(404)
    session = archive().public_session(session_id)
    if ext == "mp4" and not session.has_video:
        raise NotFoundError("this recording has no video: ask for clip.m4a or clip.mp3")
    span = clip_range(request.args.get("t"), request.args.get("end"), session.duration,
                      current_app.config["CLIP_MAX_SECONDS"])
    name = f"{session_id}-{span.label}.{ext}"
    if ext == "vtt":
        captions = captions_within(archive().transcript(session_id), span)
        response = make_response(WRITERS["vtt"].render(captions))
        response.content_type = "text/vtt; charset=utf-8"
    else:
        try:
            response = send_clip(session, span, ext, name)
        except FileNotFoundError:  # another cut's trim removed it just now: cut it again
            response = send_clip(session, span, ext, name)
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def send_clip(session: Session, span: ClipRange, kind: str, name: str) -> Response:
    """The cached clip (cut now if need be), with byte ranges so a player can seek."""
    path = clips.clip_file(archive(), session, span, kind, current_app.config["CLIP_CACHE_BYTES"])
    return send_file(path, mimetype=clips.KINDS[kind], conditional=True, download_name=name)
