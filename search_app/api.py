"""The JSON API: search hits, whole sessions and topics, for scripts and newsrooms.

Every route here is described in the OpenAPI document (search_app/openapi.py; a test fails
for one that is not).
"""

from flask import Blueprint, current_app, jsonify, request, url_for

from ontherecord import citations
from ontherecord.chapters import counts
from ontherecord.errors import InputError
from ontherecord.listing import latest as latest_session
from ontherecord.listing import listing
from ontherecord.model import Session
from ontherecord.people import Person, people
from ontherecord.people import person as find_person
from ontherecord.timecode import link_time, parse_time
from ontherecord.units import Unit, units
from ontherecord.units import unit as find_unit
from search_app.search import filters, page_number, sort_order
from search_app.store import archive, search_index
from search_app.topics import chapters_on, taxonomy
from search_app.within import search_session

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search():
    """Hits for ?q= and the filters, each with a url to its moment; ?group=session groups them.

    Besides the hits: how many sessions match, the facet counts, and a "did you mean".
    """
    query, config = request.args.get("q", ""), current_app.config
    if request.args.get("group") == "session":
        data = search_index().grouped(query, page_number(), sort_order(),
                                      config["SESSIONS_PER_PAGE"], config["HITS_PER_SESSION"],
                                      **filters().to_dict()).to_dict()
        hits = [hit for group in data["groups"] for hit in group["hits"]]
    else:
        data = search_index().search(query, page_number(), sort_order(), config["PAGE_SIZE"],
                                     **filters().to_dict()).to_dict()
        hits = data["hits"]
    for hit in hits:
        # Rounded down, so the link never starts after the first matched word.
        hit["url"] = url_for("sessions.show", session_id=hit["session"],
                             t=link_time(hit["start"]), _external=True)
    return jsonify(data)


def session_fields(s: Session) -> dict:
    """A session's public fields, with links to its page and transcript."""
    return {"id": s.id, "title": s.title, "date": s.date, "unit": s.unit, "duration": s.duration,
            "description": s.description, "source_url": s.source_url,
            "url": url_for("sessions.show", session_id=s.id, _external=True),
            "transcript": url_for("api.session", session_id=s.id, _external=True)}


def person_fields(p: Person) -> dict:
    """A person's name, side, role, session count and talk time, with links to their pages."""
    return {"name": p.name, "slug": p.slug, "side": p.side, "role": p.role,
            "sessions": len(p.sessions), "talk_time": p.talk_time,
            "url": url_for("people.show", person_slug=p.slug, _external=True),
            "api": url_for("api.person", person_slug=p.slug, _external=True),
            "feed": url_for("feeds.search", speaker=p.name, _external=True)}


def unit_fields(u: Unit) -> dict:
    """A unit's name and session count, with links to its pages."""
    return {"name": u.name, "slug": u.slug, "sessions": len(u.sessions),
            "url": url_for("units.show", unit_slug=u.slug, _external=True),
            "api": url_for("api.unit", unit_slug=u.slug, _external=True),
            "feed": url_for("feeds.search", unit=u.name, _external=True)}


@bp.get("/sessions")
def sessions():
    """The public sessions, newest first, narrowed by ?unit=, ?from= and ?to= as on /sessions/."""
    found = listing(archive().public_sessions(),
                    *(request.args.get(k, "") for k in ("unit", "from", "to")))
    return jsonify([session_fields(s) for s in found])


@bp.get("/sessions/latest")
def latest():
    """The newest public session's fields."""
    return jsonify(session_fields(latest_session(archive().public_sessions())))


@bp.get("/people")
def everyone():
    """Everyone named in the public sessions, A to Z."""
    return jsonify([person_fields(p) for p in people(archive())])


@bp.get("/people/<person_slug>")
def person(person_slug: str):
    """One person, with their sessions and talk time in each, newest first."""
    found = find_person(archive(), person_slug)
    return jsonify({**person_fields(found), "sessions": [
        {**session_fields(a.session), "talk_time": a.talk_time} for a in found.sessions]})


@bp.get("/units")
def all_units():
    """Every bargaining unit with a public session, A to Z."""
    return jsonify([unit_fields(u) for u in units(archive())])


@bp.get("/units/<unit_slug>")
def unit(unit_slug: str):
    """One unit: its sessions newest first, and its people with their talk time in the unit."""
    store = archive()
    found = find_unit(store, unit_slug)
    return jsonify({**unit_fields(found),
                    "sessions": [session_fields(s) for s in found.sessions],
                    "people": [person_fields(p)
                               for p in people(store, found.sessions)]})


@bp.get("/sessions/<session_id>")
def session(session_id: str):
    """The session's JSON export."""
    return jsonify(archive().public_transcript(session_id).to_dict())


@bp.get("/sessions/<session_id>/search")
def session_search(session_id: str):
    """Matches for ?q= in one session, in the order spoken: segment, start, end and snippet."""
    # Checked first: the index holds public sessions only, but an unknown or private session
    # must be a 404, not an empty answer that says it exists.
    archive().public_session(session_id)
    return jsonify(search_session(session_id, request.args.get("q", "")).to_dict())


@bp.get("/sessions/<session_id>/cite")
def cite(session_id: str):
    """The citation of what was said between ?t= and ?end=, and as text, Markdown and HTML.

    Each speaker's words, the session, the times, a permalink pinned to this version and the
    clip's links; written out too, ready to paste.
    """
    transcript = archive().public_transcript(session_id)
    if "t" not in request.args or "end" not in request.args:
        raise InputError("say when the passage starts and ends: ?t=83.5&end=97.2 (seconds)")
    citation = citations.cite(transcript, parse_time(request.args["t"]),
                              parse_time(request.args["end"]))
    site = request.url_root.rstrip("/")  # with the script root, if mounted under one
    clip_max = current_app.config["CLIP_MAX_SECONDS"]
    return jsonify({**citation.to_dict(site, clip_max), "text": citations.as_text(citation, site),
                    "markdown": citations.as_markdown(citation, site),
                    "html": citations.as_html(citation, site)})


@bp.get("/topics")
def topics():
    """Every topic of the taxonomy with its chapter count, and links to its page and chapters."""
    found = counts(archive())
    return jsonify([
        {"id": topic_id, "name": name, "chapters": found.get(topic_id, 0),
         "url": url_for("topics.show", topic_id=topic_id, _external=True),
         "api": url_for("api.topic", topic_id=topic_id, _external=True)}
        for topic_id, name in taxonomy().items()
    ])


@bp.get("/topics/<topic_id>")
def topic(topic_id: str):
    """Every chapter on one topic, newest session first, each with a link to its start."""
    name, found = chapters_on(topic_id)
    return jsonify({"id": topic_id, "name": name, "chapters": [
        {"session": session.id, "session_title": session.title, "date": session.date,
         "unit": session.unit, "number": number, "title": chapter.title,
         "start": chapter.start, "end": chapter.end, "edited": chapter.edited,
         "url": url_for("sessions.show", session_id=session.id, t=link_time(chapter.start),
                        _external=True)}
        for session, number, chapter in found
    ]})
