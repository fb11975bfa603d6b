"""Which words of a hit the query matched: for the snippet, and for the moment to link to.

Worked out from the query itself, not asked of the engine, so that every engine highlights
alike, and prefix matches on the unstemmed words are marked too.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

from markupsafe import escape
from whoosh.query import AndMaybe, AndNot, Not, Phrase, Prefix, Query, Term, Wildcard

from index.analysis import NAMES, SPEECH


@dataclass
class Wanted:
    """The words a query looks for in the spoken text: exact (field, word) pairs and patterns."""

    terms: set[tuple[str, str]] = field(default_factory=set)
    patterns: list[tuple[str, re.Pattern]] = field(default_factory=list)

    def matches(self, stem: str, word: str) -> bool:
        """Whether a word of the text (its stem and its folded form) is one the query wants."""
        if ("text", stem) in self.terms or ("verbatim", word) in self.terms:
            return True
        return any(p.fullmatch(stem if f == "text" else word) for f, p in self.patterns)


def wanted(query: Query, into: Wanted | None = None) -> Wanted:
    """The words a query asks for, leaving out what it excludes (NOT)."""
    into = into if into is not None else Wanted()
    if isinstance(query, Not):
        return into
    if isinstance(query, AndNot):
        return wanted(query.a, into)
    if isinstance(query, AndMaybe):
        return wanted(query.b, wanted(query.a, into))
    if isinstance(query, Term):
        into.terms.add((query.fieldname, str(query.text)))
    elif isinstance(query, Phrase):
        into.terms.update((query.fieldname, str(w)) for w in query.words)
    elif isinstance(query, Prefix):
        into.patterns.append((query.fieldname, re.compile(re.escape(query.text) + ".*")))
    elif isinstance(query, Wildcard):
        into.patterns.append((query.fieldname, re.compile(fnmatch.translate(query.text))))
    for sub in query.children():
        wanted(sub, into)
    return into


def matched_words(text: str, want: Wanted) -> list[tuple[int, int, int]]:
    """(word number, start char, end char) of each word of the text the query matched."""
    # Both analyzers split and fold words alike: token n of one is token n of the other.
    stems = [(t.text, t.startchar, t.endchar) for t in SPEECH(text, chars=True)]
    plain = [t.text for t in NAMES(text)]
    return [
        (n, start, end)
        for n, ((stemmed, start, end), word) in enumerate(zip(stems, plain, strict=False))
        if want.matches(stemmed, word)
    ]


def snippet(text: str, words: list[tuple[int, int, int]]) -> str:
    """The text as HTML, escaped (transcripts are untrusted), matched words in <mark>."""
    out, position = [], 0
    for _, start, end in words:
        out += [str(escape(text[position:start])), f"<mark>{escape(text[start:end])}</mark>"]
        position = end
    out.append(str(escape(text[position:])))
    return "".join(out)


def match_time(words: list[tuple[int, int, int]], offsets: list) -> float | None:
    """When the matched words were said: the start of the longest run of adjacent matches.

    The longest run is where a phrase was said, not an earlier lone use of one of its words.
    """
    best: list[tuple[int, int, int]] | None = None
    run: list[tuple[int, int, int]] = []
    for word in words:
        run = run + [word] if run and word[0] == run[-1][0] + 1 else [word]
        if best is None or len(run) > len(best):
            best = list(run)
    if not best:
        return None
    said = [start for at, start in offsets if at <= best[0][1]]
    return said[-1] if said else None
