"""Topic pages: the taxonomy's topics, and every chapter on one topic across sessions."""

from flask import Blueprint, abort, render_template

from ingest.topics import load_taxonomy
from search_app.store import archive

bp = Blueprint("topics", __name__, url_prefix="/topics")


def taxonomy() -> dict[str, str]:
    """The archive's topics, id → name."""
    return {t.id: t.name for t in load_taxonomy(archive().taxonomy_path)}


def chapters_on(topic_id: str | None = None) -> list[tuple]:
    """(session, chapter number from 1, chapter) for chapters on a topic (or all), newest first."""
    found = []
    a = archive()
    for session in a.sessions():
        for n, chapter in enumerate(a.transcript(session.id).chapters, 1):
            if topic_id is None or chapter.topic_id == topic_id:
                found.append((session, n, chapter))
    return found


@bp.get("/")
def listing():
    """Every topic of the taxonomy, with how many chapters the archive has on it."""
    counts: dict[str, int] = {}
    for _, _, chapter in chapters_on():
        counts[chapter.topic_id] = counts.get(chapter.topic_id, 0) + 1
    return render_template("topics.html", topics=taxonomy(), counts=counts)


@bp.get("/<topic_id>")
def show(topic_id: str):
    """Every chapter on one topic, newest session first."""
    topics = taxonomy()
    found = chapters_on(topic_id)
    if topic_id not in topics and not found:
        abort(404)
    name = topics.get(topic_id) or found[0][2].topic
    return render_template("topic.html", topic_id=topic_id, name=name, found=found)
