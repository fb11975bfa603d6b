"""Bulk data: every public session in one JSON Lines file, plain or gzipped, for researchers.

The file is made and kept fresh by ontherecord.bulk (after every change the public can see,
and at start-up); this only serves it, with ETags and byte ranges.
"""

from typing import Any

from flask import Blueprint, current_app, send_file

from ontherecord import bulk
from ontherecord.errors import NotFoundError
from search_app.store import archive

bp = Blueprint("data", __name__, url_prefix="/data")

# JSON Lines has no registered media type yet; this is the one its readers know.
JSONL = "application/x-ndjson"


def data_license(config: dict[str, Any]) -> bulk.License:
    """The licence the DATA_LICENSE and DATA_LICENSE_URL settings name."""
    return bulk.License(config["DATA_LICENSE"], config["DATA_LICENSE_URL"])


# Registered bottom up: the plain file's rule first, so url_for gives it unless packed=True.
@bp.get("/archive.jsonl.gz", defaults={"packed": True})
@bp.get("/archive.jsonl", defaults={"packed": False})
def archive_file(packed: bool):
    """The file of every public session (see ontherecord.bulk for its lines)."""
    store = archive()
    if not store.bulk_path.is_file():  # the archive's first session came after start-up
        if not store.sessions_dir.is_dir():
            raise NotFoundError("the archive has no sessions yet")
        bulk.heal(store, data_license(current_app.config))
    if packed:
        return send_file(bulk.gzip_path(store), mimetype="application/gzip", conditional=True,
                         max_age=300)
    return send_file(store.bulk_path, mimetype=JSONL, conditional=True, max_age=300)
