"""The web app: search, session pages with a player, exports, a JSON API, and the staff side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from ontherecord.archive import Archive
from ontherecord.citations import word_starts
from ontherecord.people import slug
from ontherecord.timecode import hms, link_time
from search_app.settings import defaults


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from defaults, then instance/config.py, then `overrides`."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(defaults())
    app.config.from_pyfile("config.py", silent=True)
    if overrides:
        app.config.from_mapping(overrides)
    # Flask's send_file reads a relative path from the app's package folder, not from where
    # the server was started: `ontherecord serve --archive archive` must still find its files.
    app.config["ARCHIVE"] = str(Path(app.config["ARCHIVE"]).resolve())

    from search_app import (
        alerts,
        api,
        auth,
        data,
        docs,
        errors,
        feeds,
        people,
        search,
        security,
        sessions,
        topics,
        units,
    )
    from search_app.staff import edits, uploads
    from search_app.staff import sessions as staff_sessions

    app.request_class = uploads.UploadRequest
    # Before the CSRF check reads a form: a visitor's upload is refused unread.
    app.before_request(uploads.refuse_anonymous_uploads)
    security.register(app)
    app.register_blueprint(search.bp)
    app.register_blueprint(sessions.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(data.bp)
    app.register_blueprint(topics.bp)
    app.register_blueprint(alerts.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(units.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(staff_sessions.bp)
    app.register_blueprint(edits.bp)
    app.register_blueprint(uploads.bp)
    errors.register(app)
    app.jinja_env.filters["clock"] = sessions.short_clock
    app.jinja_env.filters["link_time"] = link_time
    app.jinja_env.filters["hms"] = hms
    app.jinja_env.filters["word_starts"] = word_starts
    app.jinja_env.filters["slug"] = slug
    start_up(app)
    return app


def start_up(app: Flask) -> None:
    """Heal what a killed process left: scratch, stale derived data, jobs, alerts owed."""
    from index.store import SearchIndex
    from ingest import jobs
    from ingest.worker import worker_for
    from ontherecord import alerts, service
    from search_app.data import data_license

    archive = Archive(app.config["ARCHIVE"])
    if not archive.root.is_dir():
        return
    engine = app.config["SEARCH_ENGINE"]
    if engine and archive.ids() and SearchIndex(archive.index_dir).choice() != engine:
        app.logger.warning("rebuilding the search index with %s", engine)
        service.reindex(archive, engine)
    caught_up = service.heal(archive, data_license(app.config))
    if caught_up:
        app.logger.warning("the search index caught up on %d sessions", len(caught_up))
    mail = alerts.MailSettings.from_config(app.config)
    alerts.listen(archive, mail)
    if mail.ready:  # a publication whose alerts a mail server or a kill -9 held up
        alerts.in_background(alerts.deliver, archive, mail)
    if jobs.interrupted(archive):  # queued jobs wait: take them up now, not at the next upload
        worker_for(archive, app.config["MODEL"])
