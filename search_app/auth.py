"""Staff login and logout, and the check that guards every staff page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from ontherecord import staff
from ontherecord.errors import InputError
from search_app.security import CSRF_FIELD
from search_app.store import archive

bp = Blueprint("auth", __name__, url_prefix="/staff")


def current_staff() -> str | None:
    """The logged-in staff member's name, if the account still exists."""
    if "staff" not in g:
        name = session.get("staff")
        g.staff = name if name and staff.exists(archive(), name) else None
    return g.staff


def require_login():
    """Before a staff request: send a visitor to the login page (GET) or refuse (others)."""
    if current_staff():
        return None
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403, "Log in as staff to do this.")


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only, never another site.

    Control characters (a decoded %0a) are refused: a line break in the Location header
    would be a 500.
    """
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc and "\\" not in target \
            and target.isprintable():
        return target
    return url_for("staff_sessions.listing")


@bp.route("/login", methods=("GET", "POST"))
def login():
    """The login form, and logging in."""
    if request.method == "POST":
        try:
            name = staff.login(archive(), request.form.get("name", ""),
                               request.form.get("password", ""))
        except InputError as e:
            return render_template("staff/login.html", error=str(e),
                                   name=request.form.get("name", "")), 401
        # A fresh session (and CSRF token) on login, so nothing set before it carries over.
        session.clear()
        session.permanent = True
        session["staff"] = name
        return redirect(safe_next(request.args.get("next")))
    return render_template("staff/login.html", error=None, name="")


@bp.post("/logout")
def logout():
    """Log out: the session and its CSRF token are forgotten."""
    session.pop("staff", None)
    session.pop(CSRF_FIELD, None)
    flash("You are logged out.")
    return redirect(url_for("search.home"))
