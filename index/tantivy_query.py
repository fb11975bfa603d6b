"""Whoosh's query objects translated into Tantivy's, clause for clause.

One parser (index.query, Whoosh's) reads the query language for both engines, so a query means
the same whichever engine answers it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable

import tantivy
from whoosh import query as wq

from ontherecord.errors import InputError

Occur = tantivy.Occur
Q = tantivy.Query


def _bool(clauses: list[tuple]) -> tantivy.Query:
    """A boolean query; one with only exclusions is taken against every document."""
    if clauses and all(occur == Occur.MustNot for occur, _ in clauses):
        clauses = [(Occur.Must, Q.all_query()), *clauses]
    return Q.boolean_query(clauses) if clauses else Q.empty_query()


def _regex(pattern: str) -> str:
    """A Whoosh wildcard (* and ?) as the regular expression Tantivy matches whole terms by."""
    translated = fnmatch.translate(pattern)  # "(?s:…)\\Z", in Python's dialect
    return translated.removeprefix("(?s:").removesuffix(")\\z").removesuffix(")\\Z")


def _term_range(q: wq.TermRange, schema, dates: Callable[[], list[str]]) -> tantivy.Query:
    """A date range, as the set of the index's dates inside it (dates are compared as text)."""
    if q.fieldname != "date":
        raise InputError("ranges work on dates only: date:[2026-01-01 TO 2026-06-30]")
    inside = [d for d in dates()
              if (q.start is None or d > q.start or (d == q.start and not q.startexcl))
              and (q.end is None or d < q.end or (d == q.end and not q.endexcl))]
    return Q.term_set_query(schema, "date", inside) if inside else Q.empty_query()


def translate(q: wq.Query, schema: tantivy.Schema,
              dates: Callable[[], list[str]]) -> tantivy.Query:
    """The Tantivy query that matches what the Whoosh query matches."""
    def t(sub: wq.Query) -> tantivy.Query:
        return translate(sub, schema, dates)

    if isinstance(q, wq.Not):
        return _bool([(Occur.MustNot, t(q.query))])
    if isinstance(q, wq.AndNot):
        return _bool([(Occur.Must, t(q.a)), (Occur.MustNot, t(q.b))])
    if isinstance(q, wq.AndMaybe):
        return _bool([(Occur.Must, t(q.a)), (Occur.Should, t(q.b))])
    if isinstance(q, wq.And):
        return _bool([(Occur.MustNot, t(s.query)) if isinstance(s, wq.Not)
                      else (Occur.Must, t(s)) for s in q.subqueries])
    if isinstance(q, wq.Or):
        return _bool([(Occur.Should, t(s)) for s in q.subqueries])
    if isinstance(q, wq.Term):
        return Q.term_query(schema, q.fieldname, str(q.text))
    if isinstance(q, wq.Phrase):
        if len(q.words) == 1:
            return Q.term_query(schema, q.fieldname, str(q.words[0]))
        return Q.phrase_query(schema, q.fieldname, [str(w) for w in q.words], q.slop - 1)
    if isinstance(q, wq.Prefix):
        return Q.regex_query(schema, q.fieldname, re.escape(q.text) + ".*")
    if isinstance(q, wq.Wildcard):
        return Q.regex_query(schema, q.fieldname, _regex(q.text))
    if isinstance(q, wq.TermRange):
        return _term_range(q, schema, dates)
    if isinstance(q, wq.Every):
        return Q.all_query()
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return Q.empty_query()
    raise InputError(f"this kind of query cannot be searched: {q}")
