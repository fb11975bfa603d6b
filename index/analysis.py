"""How words are split, folded and stemmed, the same way when indexing and when searching.

Every engine is given words already analyzed here, so both engines see the same tokens at the
same positions and answer a phrase or a stemmed word alike.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    Token,
    Tokenizer,
)
from whoosh.lang import porter2

# Words, and "%" as a word of its own so that "5%" can be found as "5 percent".
WORD = r"\w+(\.?\w+)*|%"
# In a query, * and ? belong to the word they stand in (prefix* and wildcard?): in what was
# said they are punctuation ("a year?" is the word "year").
PATTERN = r"[\w\*\?]+(\.?[\w\*\?]+)*|%"
WILDCARDS = frozenset("*?")

# British (and other) spellings folded to the American one speakers in Minnesota are
# transcribed with, so either spelling finds both.
VARIANTS = {
    "labour": "labor", "labours": "labors", "labourer": "laborer", "labourers": "laborers",
    "counsellor": "counselor", "counsellors": "counselors", "counselling": "counseling",
    "judgement": "judgment", "judgements": "judgments",
    "behaviour": "behavior", "behaviours": "behaviors", "behavioural": "behavioral",
    "honour": "honor", "honoured": "honored", "favour": "favor", "favourable": "favorable",
    "neighbour": "neighbor", "neighbourhood": "neighborhood", "colour": "color",
    "organisation": "organization", "organisations": "organizations",
    "organise": "organize", "organised": "organized", "organising": "organizing",
    "recognise": "recognize", "recognised": "recognized", "prioritise": "prioritize",
    "analyse": "analyze", "programme": "program", "programmes": "programs",
    "centre": "center", "centres": "centers", "defence": "defense", "licence": "license",
    "enrolment": "enrollment", "enrolments": "enrollments", "fulfil": "fulfill",
    "catalogue": "catalog", "cheque": "check", "cheques": "checks", "paediatric": "pediatric",
    "%": "percent", "pct": "percent",
}


def _variant(word: str) -> str:
    """The one spelling a word is indexed and searched under."""
    return VARIANTS.get(word, word)


class VariantFilter(Filter):
    """Fold spelling variants: labour → labor, % → percent, and the two words "per cent" into one.

    Positions are renumbered after a merge, so that phrases still match across it.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Yield the folded tokens (lowercase in, lowercase out)."""
        held: Token | None = None  # a "per", kept back until we see whether "cent" follows
        merged = 0
        for token in tokens:
            if token.positions:
                token.pos -= merged
            if held is not None:
                if token.text == "cent":
                    held.text = "percent"
                    if token.chars:
                        held.endchar = token.endchar
                    merged += 1
                    yield held
                    held = None
                    continue
                yield held
                held = None
            if token.text == "per":
                held = token.copy()
                continue
            # A query's labour* is a prefix of the spelling the words were indexed under.
            stem, star = (token.text[:-1], "*") if token.text.endswith("*") else (token.text, "")
            token.text = _variant(stem) + star
            yield token
        if held is not None:
            yield held


@functools.lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    """The Porter2 stem of a word, remembered: bargaining talk repeats a few thousand words.

    Porter2, not the first Porter stemmer, which stems "negotiating" to "negotiat" but
    "negotiations" to "negoti", so that one would not find the other. A function of this
    module, not a cache wrapped around Whoosh's, so that Whoosh can pickle it with the schema.
    """
    return porter2.stem(word)


class WordTokenizer(Tokenizer):
    """Words as WORD splits them, or, for a query, as PATTERN does (keeping * and ?)."""

    def __init__(self) -> None:
        self.said = RegexTokenizer(WORD)
        self.asked = RegexTokenizer(PATTERN)

    def __call__(self, value: str, **kwargs) -> Iterator[Token]:
        """The tokens of a text; Whoosh's parser passes mode="query" for a query's words."""
        return (self.asked if kwargs.get("mode") == "query" else self.said)(value, **kwargs)


class StemUnlessPattern(Filter):
    """Stem every word but a prefix* or wildcard?, which must match the words as written."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Yield the tokens, stemmed where they are words."""
        for token in tokens:
            if not token.stopped and not WILDCARDS & set(token.text):
                token.text = _stem(token.text)
            yield token


def _analyzer(*extra: Filter):
    """The shared tokenizer, lowercasing and variant folding, then any further filters."""
    chain = WordTokenizer() | LowercaseFilter() | VariantFilter()
    for f in extra:
        chain = chain | f
    return chain


# No stop list and single letters kept: reporters search exact quotes such as "we will not",
# and a phrase query can only match words that were indexed.
SPEECH = _analyzer(StemUnlessPattern())
# Names and units are matched as written (no stemming) but case-insensitively.
NAMES = _analyzer()


def stems(text: str) -> list[str]:
    """The stemmed words of a text, in order: what an engine indexes for speech."""
    return [t.text for t in SPEECH(text)]


def words(text: str) -> list[str]:
    """The folded but unstemmed words of a text, in order."""
    return [t.text for t in NAMES(text)]


def words_and_stems(text: str) -> tuple[list[str], list[str]]:
    """Both at once, splitting the text once: what indexing a segment's speech needs."""
    said = words(text)
    return said, [_stem(w) for w in said]
