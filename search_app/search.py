"""Search pages: the home page with recent sessions, and results grouped by session."""

from collections.abc import Mapping

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from index.query import Filters
from index.store import SORTS
from ontherecord.errors import InputError
from ontherecord.roster import MAX_NAME
from search_app.store import archive, search_index, speaker_names
from search_app.topics import taxonomy

bp = Blueprint("search", __name__)

# How many moments a session's entry holds: HITS_PER_SESSION shown, the rest behind "more".
EXPANDED = 10
# Filter names in the page's address, and the Filters field each one sets.
FILTER_ARGS = {"speaker": "speaker", "topic": "topic", "unit": "unit", "side": "side",
               "session": "session", "from": "date_from", "to": "date_to"}


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


def filters(args: Mapping[str, str] | None = None) -> Filters:
    """The filters the address (?speaker=, ?from=…) or the form fields `args` ask for."""
    args = request.args if args is None else args
    chosen = {field: args.get(arg, "") for arg, field in FILTER_ARGS.items()}
    chosen["speaker"] = chosen["speaker"][:MAX_NAME]
    return Filters(**chosen)


def arguments(chosen: Filters, **changes) -> dict[str, str]:
    """The address arguments of a search with these filters, changed as given ('' drops one)."""
    args = {arg: getattr(chosen, field) for arg, field in FILTER_ARGS.items()}
    args |= {"q": request.args.get("q", "").strip(), "sort": request.args.get("sort", "")}
    args |= changes
    return {k: v for k, v in args.items() if v and not (k == "sort" and v == "relevance")}


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
    """The sessions that match ?q= and the filters, each with its best moments and its count.

    With ?session= the moments of that one session are listed in full, a page at a time.
    """
    query, chosen = request.args.get("q", "").strip(), filters()
    if not query and chosen == Filters():
        return redirect(url_for("search.home"))
    sort, config = sort_order(), current_app.config
    context = {"query": query, "chosen": chosen, "speaker": chosen.speaker,
               "topic": chosen.topic, "sort": sort, "sorts": SORTS, "arguments": arguments}
    try:
        if chosen.session:
            found = search_index().search(query, page_number(), sort, config["PAGE_SIZE"],
                                          **chosen.to_dict())
        else:
            found = search_index().grouped(query, page_number(), sort,
                                           config["SESSIONS_PER_PAGE"],
                                           max(EXPANDED, config["HITS_PER_SESSION"]),
                                           **chosen.to_dict())
    except InputError as e:
        return render_template("results.html", error=str(e), **context), 400
    return render_template("results.html", page=found, **context)
