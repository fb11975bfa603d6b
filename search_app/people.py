"""People pages: everyone named in the public sessions, and one person's sessions and words."""

from flask import Blueprint, current_app, render_template

from ontherecord.people import people, person
from search_app.store import archive, search_index

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.get("/")
def listing():
    """Everyone named, A to Z, with side, role, sessions and talk time."""
    return render_template("people.html", people=people(archive()))


@bp.get("/<person_slug>")
def show(person_slug: str):
    """One person: their sessions with talk time in each, and their newest lines."""
    found = person(archive(), person_slug)
    lines = search_index().newest(current_app.config["PERSON_LINES"], speaker=found.name)
    return render_template("person.html", person=found, lines=lines)
