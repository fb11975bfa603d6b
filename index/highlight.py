"""Which words of a hit the query matched: for the snippet, and for the moment to link to.

Whoosh's own highlighter only knows the stemmed field, so prefix matches on the unstemmed copy
would go unmarked; one pass over the hit's words serves both the snippet and the link time.
"""

from __future__ import annotations

from markupsafe import escape

from index.schema import NAMES, SPEECH


def matched_words(hit) -> list[tuple[int, int, int]]:
    """(word number, start char, end char) of each word of the hit's text the query matched."""
    terms = {(field, t.decode() if isinstance(t, bytes) else t) for field, t in hit.matched_terms()}
    text = hit["text"]
    # Both analyzers split words alike (no stop list, no minimum size): token n is word n.
    stems = [(t.text, t.startchar, t.endchar) for t in SPEECH(text, chars=True)]
    plain = [t.text for t in NAMES(text)]
    return [
        (n, start, end)
        for n, ((stemmed, start, end), word) in enumerate(zip(stems, plain, strict=False))
        if ("text", stemmed) in terms or ("verbatim", word) in terms
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
