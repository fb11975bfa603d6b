"""Search feeds: any search (words and filters) as an Atom feed of the sessions that match.

One entry per published session with a match, newest publication first, holding its matching
moments as links; a reader subscribed to a person, a topic or a unit sees each new session
that says something there. The feed of every new session is sessions.feed.
"""

from dataclasses import dataclass

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from index.query import Filters
from index.results import Hit
from ontherecord.errors import InputError
from ontherecord.model import Session
from search_app.search import EXPANDED, arguments, filters
from search_app.store import archive, search_index

bp = Blueprint("feeds", __name__)

# The newest sessions a feed holds (this one and sessions.feed): readers poll it, so it stays
# small.
FEED_SESSIONS = 50


def plain(message: str, status: int):
    """A one-line plain-text answer, for a feed reader or a person looking at its address."""
    return make_response(message + "\n", status, {"Content-Type": "text/plain; charset=utf-8"})


def published(session: Session) -> str:
    """When a session went public, as Atom wants it (older records: ingested, else its day)."""
    return session.published_at or session.ingested_at or f"{session.date}T00:00:00+00:00"


@dataclass
class Entry:
    """One session in a search feed, with how many moments match and the best of them."""

    session: Session
    updated: str
    count: int
    hits: list[Hit]


@bp.get("/search/feed.atom")
def search():
    """The sessions that match ?q= and the filters, each with its moments, newest published first.

    With neither words nor filters it is the feed of every session.
    """
    query, chosen = request.args.get("q", "").strip(), filters()
    if not query and chosen == Filters():
        return redirect(url_for("sessions.feed"))
    index = search_index()
    try:
        counts = index.by_session(query, **chosen.to_dict())
    except InputError as e:
        return plain(f"Could not read that search: {e}", 400)
    matching = sorted((s for s in archive().public_sessions() if s.id in counts),
                      key=published, reverse=True)[:FEED_SESSIONS]
    entries = [Entry(s, published(s), counts[s.id],
                     sorted(index.best_in(s.id, query, EXPANDED, **chosen.to_dict()),
                            key=lambda hit: hit.start))
               for s in matching]
    body = render_template("search_feed.xml", entries=entries, args=arguments(chosen, sort=""),
                           query=query, chosen=chosen)
    return make_response(body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"})
