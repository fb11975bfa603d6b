"""Search pages: the home page with recent sessions, and paginated results."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from index.store import SORTS
from ontherecord.errors import InputError
from ontherecord.speakers import MAX_NAME
from search_app.store import archive, search_index, speaker_names
from search_app.topics import taxonomy

bp = Blueprint("search", __name__)


def page_number() -> int:
    """The ?page= argument as a positive whole number (a bad one is a 400)."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise InputError("page must be a whole number from 1")
    return int(raw)


def sort_order() -> str:
    """The ?sort= argument, one of SORTS."""
    sort = request.args.get("sort", "relevance")
    if sort not in SORTS:
        raise InputError(f"sort must be one of {', '.join(SORTS)}")
    return sort


def speaker_filter() -> str:
    """The ?speaker= filter: a person's name, or '' for anyone."""
    return " ".join(request.args.get("speaker", "").split())[:MAX_NAME]


def topic_filter() -> str:
    """The ?topic= filter: a topic id of the taxonomy, or '' for any topic."""
    return request.args.get("topic", "").strip()


@bp.app_context_processor
def searchbox_choices() -> dict:
    """What the search box on every page offers: named speakers and topics to filter by."""
    return {"speaker_names": speaker_names(), "topic_names": taxonomy()}


@bp.get("/")
def home():
    """The search box and the most recent sessions."""
    return render_template("home.html", sessions=archive().public_sessions()[:20])


@bp.get("/search")
def results():
    """One page of hits for ?q= (?speaker=, ?topic=), with the count and links to other pages."""
    query, speaker, topic = request.args.get("q", "").strip(), speaker_filter(), topic_filter()
    if not query and not speaker and not topic:
        return redirect(url_for("search.home"))
    sort = sort_order()
    try:
        page = search_index().search(query, page_number(), sort, current_app.config["PAGE_SIZE"],
                                     speaker, topic)
    except InputError as e:
        return render_template("results.html", query=query, speaker=speaker, topic=topic,
                               error=str(e), sort=sort), 400
    return render_template("results.html", query=query, speaker=speaker, topic=topic, page=page,
                           sort=sort, sorts=SORTS)
