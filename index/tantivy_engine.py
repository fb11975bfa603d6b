"""The Tantivy engine: for archives of hundreds or thousands of hours (see BENCHMARKS.md).

It is given words already analyzed by index.analysis (joined by spaces, split on whitespace),
so it indexes exactly the tokens Whoosh does, and the query Whoosh's parser builds is
translated here clause for clause (index.tantivy_query).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import tantivy
from whoosh.query import Every, Query

from index.analysis import stems, words, words_and_stems
from index.documents import STORED
from index.schema import EXACT, PLAIN, SORT_KEYS, STEMMED
from index.tantivy_query import translate

# Memory for the writer's buffer, and its threads: the machines have 2 cores.
WRITER_HEAP = 200_000_000
WRITER_THREADS = 2
# More values than any facet of a real archive has (sessions are the most numerous).
MAX_BUCKETS = 65_000


def schema() -> tantivy.Schema:
    """The fields of index.schema, declared for Tantivy."""
    b = tantivy.SchemaBuilder()
    for name in EXACT:
        b.add_text_field(name, tokenizer_name="raw", fast=name != "id")
    for name in STEMMED + PLAIN:
        # Prefixes match the folded words; no phrase is ever asked of them.
        option = "freq" if name == "verbatim" else "position"
        b.add_text_field(name, tokenizer_name="whitespace", index_option=option)
    for name in SORT_KEYS:
        b.add_integer_field(name, fast=True, indexed=False)
    b.add_bytes_field("stored", stored=True)
    return b.build()


@functools.lru_cache(maxsize=4096)
def _field_words(text: str, stemmed: bool) -> str:
    """A session-wide field's words as Tantivy indexes them; a session repeats them per segment."""
    return " ".join(stems(text) if stemmed else words(text))


def _document(doc: dict) -> tantivy.Document:
    """A document of index.documents as Tantivy takes it."""
    fields: dict = {name: doc[name] for name in EXACT}
    fields["title"] = _field_words(doc["title"], True)
    said, stemmed = words_and_stems(doc["text"])
    fields["text"], fields["verbatim"] = " ".join(stemmed), " ".join(said)
    fields |= {name: _field_words(doc[name], False) for name in ("unit", "speaker", "topic")}
    fields |= {name: doc[name] for name in SORT_KEYS}
    fields["stored"] = json.dumps({k: doc[k] for k in STORED}).encode()
    return tantivy.Document(**fields)


def build(folder: Path, docs: Iterable[dict]) -> int:
    """Write a new index of these documents into an empty folder; returns how many."""
    index = tantivy.Index(schema(), path=str(folder))
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=WRITER_THREADS)
    count = 0
    for doc in docs:
        writer.add_document(_document(doc))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


def replace(folder: Path, session_ids: Sequence[str], docs: Iterable[dict]) -> None:
    """Remove these sessions' documents and add these at one commit."""
    index = tantivy.Index.open(str(folder))
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=WRITER_THREADS)
    try:
        for session_id in session_ids:
            writer.delete_documents_by_term("session", session_id)
        for doc in docs:
            writer.add_document(_document(doc))
    except BaseException:
        writer.rollback()
        raise
    writer.commit()
    writer.wait_merging_threads()


class Reader:
    """Searches over one opened Tantivy index; Tantivy's searchers are safe across threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.index = tantivy.Index.open(str(folder))
        self.schema = self.index.schema

    def _query(self, query: Query) -> tantivy.Query:
        """The Tantivy form of a query."""
        return translate(query, self.schema, self._dates)

    def _dates(self) -> list[str]:
        """Every session date in the index, for date ranges."""
        return [t for t, _ in self.index.searcher().terms_with_prefix("date", "")]

    def top(self, query: Query, offset: int, limit: int, sort: str) -> tuple[int, list[dict]]:
        """(how many match, the stored fields and score of hits offset … offset+limit)."""
        searcher = self.index.searcher()
        sorted_by = sort if sort in SORT_KEYS else None
        result = searcher.search(self._query(query), limit, count=True, offset=offset,
                                 order_by_field=sorted_by, order=tantivy.Order.Asc)
        docs = [{**json.loads(searcher.doc(address)["stored"][0]),
                 "score": 0.0 if sorted_by else key}
                for key, address in result.hits]
        return result.count or 0, docs  # type: ignore[attr-defined]  # missing from the stubs

    def counts(self, query: Query, fields: Sequence[str]) -> dict[str, dict[str, int]]:
        """For each field, how many documents matching the query hold each of its values."""
        aggs = {name: {"terms": {"field": name, "size": MAX_BUCKETS}} for name in fields}
        found = self.index.searcher().aggregate(self._query(query), aggs)
        return {name: {b["key"]: b["doc_count"] for b in found[name]["buckets"] if b["key"]}
                for name in fields}

    def stamps(self) -> list[str]:
        """Every stamp term a live document holds."""
        # An aggregation counts live documents only; the term dictionary keeps deleted ones.
        return list(self.counts(Every(), ["stamp"])["stamp"])

    def vocabulary(self) -> dict[str, int]:
        """Every spoken word (folded, unstemmed) with the number of documents holding it."""
        return dict(self.index.searcher().terms_with_prefix("verbatim", ""))
