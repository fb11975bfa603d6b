"""Errors that are the user's to fix: reported as one line, never as a traceback."""


class OnTheRecordError(Exception):
    """Base of every error reported to the user as a single line."""


class InputError(OnTheRecordError):
    """A recording, query or argument that cannot be used as given."""


class NotFoundError(OnTheRecordError):
    """A session (or other record) that the archive does not hold."""
