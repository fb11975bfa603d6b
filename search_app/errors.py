"""Error pages: a user's mistake is a 4xx page (JSON under /api), never a traceback."""

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ontherecord.errors import InputError, NotFoundError


def respond(status: int, message: str):
    """An error as JSON for the API, else as a page."""
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    """Attach the error handlers to the app."""
    app.register_error_handler(InputError, lambda e: respond(400, str(e)))
    app.register_error_handler(NotFoundError, lambda e: respond(404, str(e)))
    app.register_error_handler(HTTPException, lambda e: respond(e.code or 500, e.description))
