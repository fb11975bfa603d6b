"""The web app: search, session pages with a player, exports, and a JSON API."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ontherecord.exports import link_time
from search_app.settings import defaults


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from defaults, then instance/config.py, then `overrides`."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(defaults())
    app.config.from_pyfile("config.py", silent=True)
    if overrides:
        app.config.from_mapping(overrides)

    from search_app import api, errors, search, sessions, topics

    app.register_blueprint(search.bp)
    app.register_blueprint(sessions.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(topics.bp)
    errors.register(app)
    app.jinja_env.filters["clock"] = sessions.short_clock
    app.jinja_env.filters["link_time"] = link_time
    return app
