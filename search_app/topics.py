"""Topic pages: the taxonomy's topics, and every chapter on one topic across sessions."""

from flask import Blueprint, abort, current_app, g, render_template

from ontherecord.chapters import counts, on_topic
from ontherecord.errors import InputError
from ontherecord.model import Chapter, Session
from ontherecord.taxonomy import load_taxonomy, topic_names
from search_app.store import archive

bp = Blueprint("topics", __name__, url_prefix="/topics")


def taxonomy() -> dict[str, str]:
    """The archive's topics, id → name, read once per request (the search box wants them too).

    A taxonomy.toml staff broke must not take the public site down: until it is fixed, the
    topics are those the archive's chapters carry, and the error goes to the log.
    """
    if "taxonomy" not in g:
        try:
            g.taxonomy = topic_names(load_taxonomy(archive().taxonomy_path))
        except InputError as e:
            current_app.logger.error("%s", e)
            g.taxonomy = {c.topic_id: c.topic for _, _, c in on_topic(archive())}
    return g.taxonomy


@bp.get("/")
def listing():
    """Every topic of the taxonomy, with how many chapters the archive has on it."""
    return render_template("topics.html", topics=taxonomy(), counts=counts(archive()))


def chapters_on(topic_id: str) -> tuple[str, list[tuple[Session, int, Chapter]]]:
    """A topic's name and its chapters, newest session first; 404 for a topic nobody knows.

    A topic gone from the taxonomy is still known by the chapters that carry it.
    """
    topics = taxonomy()
    found = on_topic(archive(), topic_id)
    if topic_id not in topics and not found:
        abort(404)
    return topics.get(topic_id) or found[0][2].topic, found


@bp.get("/<topic_id>")
def show(topic_id: str):
    """Every chapter on one topic, newest session first."""
    name, found = chapters_on(topic_id)
    return render_template("topic.html", topic_id=topic_id, name=name, found=found)
