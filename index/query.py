"""The query language: words, "exact phrases", AND/OR/NOT, prefix*, and field:value filters.

Whoosh's parser accepts anything and quietly guesses at what it cannot read, which would answer a
reporter's typo with the wrong results. So the query is checked first, and what cannot be read is
reported as an InputError that says what to fix.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

from whoosh.qparser import PrefixPlugin, QueryParser, WildcardPlugin
from whoosh.query import And, NullQuery, Or, Phrase, Prefix, Query, Term, TermRange, Wildcard

from index.analysis import NAMES
from index.schema import SCHEMA
from ontherecord.errors import InputError
from ontherecord.model import SIDES

MAX_LENGTH = 500
FIELD = re.compile(r"(?<![\w\"])([A-Za-z_]+):")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
FIELDS = ("session", "title", "date", "unit", "speaker", "side", "topic", "text")


def _outside_quotes(text: str) -> str:
    """The query with every quoted phrase blanked out, so its contents are not read as syntax."""
    return re.sub(r'"[^"]*"', lambda m: " " * len(m.group()), text)


def check_query(text: str) -> None:
    """Raise InputError if the query cannot be read as written."""
    if len(text) > MAX_LENGTH:
        raise InputError(f"query is too long (at most {MAX_LENGTH} characters)")
    if text.count('"') % 2:
        raise InputError('query has an unclosed quote: close the phrase with "')
    bare = _outside_quotes(text)
    if bare.count("(") != bare.count(")"):
        raise InputError("query has unbalanced parentheses")
    if bare.count("[") != bare.count("]") or bare.count("{") != bare.count("}"):
        raise InputError("query has an unclosed range: write field:[low TO high]")
    # Phrases blanked but for their opening quote, so that -"a phrase" is caught too.
    marked = re.sub(r'"[^"]*"', lambda m: '"' + " " * (len(m.group()) - 1), text)
    if re.search(r'(?:^|[\s(])-[\w"(]', marked):
        # Whoosh reads "-word" as the word itself, the opposite of what was meant.
        raise InputError("'-' does not leave words out: write NOT before the word instead")
    for name in FIELD.findall(bare):
        if name not in FIELDS:
            raise InputError(f"unknown field {name!r} in query; fields are {', '.join(FIELDS)}")
    words = bare.split()
    if words and (words[-1] in OPERATORS or words[0] in OPERATORS - {"NOT"}):
        raise InputError("query has an operator (AND, OR, NOT) with nothing on one side")


def _as_indexed(query: Query) -> Query:
    """Match a prefix or wildcard against the unstemmed words too; read a side in any case.

    `negotiat*` is no prefix of the stem "negoti" that "negotiations" is indexed under, but it
    is a prefix of the word itself. A side is indexed as its one lower-case word, so
    `side:Union` means side:union, and a side that is none of them says so.
    """
    if isinstance(query, Prefix | Wildcard) and query.fieldname == "text":
        return Or([query, type(query)("verbatim", query.text)])
    if isinstance(query, Term) and query.fieldname == "side":
        return side_filter(str(query.text))
    return query


def side_filter(side: str) -> Query:
    """Documents said by one side, named in any case; a side that is none of them says so."""
    if side.lower() not in SIDES:
        raise InputError(f"side:{side} is no side; sides are {', '.join(SIDES)}")
    return Term("side", side.lower())


class WildcardsAsWritten(WildcardPlugin):
    """Whoosh's wildcards, with prefix* kept a wildcard of the word as written.

    Whoosh turns `worke*` into a prefix of the analyzed word, and the stemmer cuts "worke" to
    "work", which then finds "workload". Kept a wildcard, it is not stemmed (see
    index.analysis) and becomes a prefix of "worke" when Whoosh normalizes it.
    """

    def do_wildcards(self, parser, group):
        """Whoosh's joining of wildcard nodes, then each prefix turned back into a wildcard."""
        group = super().do_wildcards(parser, group)
        for i, node in enumerate(group):
            if isinstance(node, PrefixPlugin.PrefixNode):
                wildcard = self.WildcardNode(node.text + "*")
                wildcard.startchar, wildcard.endchar = node.startchar, node.endchar
                group[i] = wildcard
        return group


def parser() -> QueryParser:
    """Whoosh's query parser over the schema, with wildcards as written."""
    made = QueryParser("text", SCHEMA)
    made.remove_plugin_class(WildcardPlugin)
    made.add_plugin(WildcardsAsWritten())
    return made


def parse_query(text: str) -> Query:
    """Check and parse a query; every word must match unless OR says otherwise."""
    text = text.strip()
    if not text:
        raise InputError("empty query: type some words to search for")
    check_query(text)
    try:
        query = parser().parse(text)
    except Exception:
        # Whoosh's parser trips over some operator runs ("NOT AND x", "x ANDNOT ANDNOT y").
        raise InputError("query could not be read: put a word or phrase on both sides of "
                         "AND, OR and NOT") from None
    if isinstance(query, type(NullQuery)):
        raise InputError(f"nothing to search for in {text!r}")
    return query.accept(_as_indexed)


def speaker_filter(name: str) -> Query:
    """Documents said by a person: their name's words in this order, any case."""
    words = [token.text for token in NAMES(name)]
    if not words:
        raise InputError("the speaker filter needs a name")
    return Phrase("speaker", words) if len(words) > 1 else Term("speaker", words[0])


def topic_filter(topic_id: str) -> Query:
    """Documents in chapters on one topic, by its exact id (class-size)."""
    if not re.search(r"\w", topic_id):
        raise InputError("the topic filter needs a topic")
    return Term("topic_id", topic_id.strip())


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_filter(date_from: str, date_to: str) -> Query:
    """Documents of sessions held from one day to another, both included (either may be open)."""
    for day in (date_from, date_to):
        if day and not DAY.fullmatch(day):
            raise InputError(f"dates are written YYYY-MM-DD, not {day!r}")
    if date_from and date_to and date_from > date_to:
        raise InputError("the date range ends before it starts")
    return TermRange("date", date_from or None, date_to or None)


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to besides its words; '' leaves a filter off."""

    speaker: str = ""
    topic: str = ""
    unit: str = ""
    side: str = ""
    session: str = ""
    date_from: str = ""
    date_to: str = ""

    def __post_init__(self) -> None:
        # Spaces around a name or a unit never mean anything; inner runs collapse to one.
        for name, value in asdict(self).items():
            object.__setattr__(self, name, " ".join(value.split()))

    def without(self, name: str) -> Filters:
        """These filters with one left off."""
        return replace(self, **{name: ""})

    def to_dict(self) -> dict[str, str]:
        """The filters by name."""
        return asdict(self)

    def queries(self) -> list[Query]:
        """The filters as queries, all of which a document must match."""
        parts = []
        if self.speaker:
            parts.append(speaker_filter(self.speaker))
        if self.topic:
            parts.append(topic_filter(self.topic))
        if self.side:
            parts.append(side_filter(self.side))
        parts += [Term(name, value) for name, value in
                  (("unit_key", self.unit), ("session", self.session)) if value]
        if self.date_from or self.date_to:
            parts.append(date_filter(self.date_from, self.date_to))
        return parts


def build_query(text: str, filters: Filters | None = None) -> Query:
    """The query for a search box plus filters.

    The text may be empty when a filter is given: then the filters alone are the query.
    """
    narrowed = (filters or Filters()).queries()
    parts = [parse_query(text)] if text.strip() or not narrowed else []
    parts += narrowed
    return parts[0] if len(parts) == 1 else And(parts)
