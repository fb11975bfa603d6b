"""Snippet highlighting that is safe to put in a page: text escaped, matches in <mark>."""

from markupsafe import escape
from whoosh.highlight import Formatter, get_text


class MarkFormatter(Formatter):
    """Wrap each matched word in <mark>, escaping everything, since transcripts are untrusted."""

    between = " … "

    def _text(self, text: str) -> str:
        """Escape the text between matches."""
        return str(escape(text))

    def format_token(self, text: str, token, replace: bool = False) -> str:
        """Escape a matched word and mark it."""
        return f"<mark>{escape(get_text(text, token, replace))}</mark>"

