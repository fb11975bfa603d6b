"""Bargaining unit pages: every unit, and one unit's sessions and people."""

from flask import Blueprint, render_template

from ontherecord.people import people
from ontherecord.units import unit, units
from search_app.store import archive

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.get("/")
def listing():
    """Every unit with a public session, with its count of sessions and newest session."""
    return render_template("units.html", units=units(archive()))


@bp.get("/<unit_slug>")
def show(unit_slug: str):
    """One unit: its sessions newest first, and the people who spoke in them."""
    store = archive()
    found = unit(store, unit_slug)
    return render_template("unit.html", unit=found, people=people(store, found.sessions))
