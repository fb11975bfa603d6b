"""Search within one session: its matches in the order spoken, for the API and the page.

It is the archive's own search (index.store), filtered to the session, so the stemming and
the query language are the site search's.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from index.results import Hit
from ontherecord.errors import InputError
from ontherecord.model import Transcript
from search_app.store import search_index

# A session's matches come on one page; a 3-hour session has a few thousand segments, and a
# word common enough to match more than this is no use to step through one by one.
MAX_MATCHES = 2000
MARK = re.compile(r"</?mark>")


@dataclass
class Matches:
    """A query's matches in one session: how many there are and the first MAX_MATCHES."""

    query: str
    total: int
    matches: list[Hit] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON form the API gives: each match's segment number, times and snippet."""
        return {"query": self.query, "total": self.total,
                "matches": [{"segment": h.segment, "start": h.start, "end": h.end,
                             "snippet": h.snippet} for h in self.matches]}

    def snippets(self, transcript: Transcript) -> dict[int, str]:
        """Each matched line's snippet by the segment's number, to show in its place.

        Only where the snippet is the line's text: the index follows every change, but a page
        read between a correction and the index catching up must not show the old words.
        """
        return {h.segment: h.snippet for h in self.matches
                if h.segment < len(transcript.segments)
                and unmarked(h.snippet) == transcript.segments[h.segment].text.strip()}


def unmarked(snippet: str) -> str:
    """A snippet's text as said: its <mark>s taken out and its escapes read."""
    return html.unescape(MARK.sub("", snippet))


def search_session(session_id: str, query: str) -> Matches:
    """The matches for a query in one public session, in the order spoken.

    A query that cannot be read raises InputError, as the site search does.
    """
    if not query.strip():
        # The session filter alone is a query the index answers with every line: refuse it.
        raise InputError("empty query: type some words to search for")
    page = search_index().search(query, 1, "oldest", MAX_MATCHES, session=session_id)
    return Matches(query, page.total, page.hits)
