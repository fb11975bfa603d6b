"""The Whoosh engine: pure Python, the default, fast enough for a district's archive.

See BENCHMARKS.md for where it stops being enough and Tantivy (index.tantivy_engine) takes over.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.query import Query
from whoosh.reading import TermNotFound
from whoosh.sorting import Count, FieldFacet

from index.schema import SCHEMA

# Writers wait this long for another process's lock before giving up.
LOCK_TIMEOUT = 60.0


def _row(doc: dict) -> dict:
    """A document as Whoosh takes it: the spoken text once more, unstemmed, for prefixes."""
    return {**doc, "verbatim": doc["text"]}


def build(folder: Path, docs: Iterable[dict]) -> int:
    """Write a new index of these documents into an empty folder; returns how many."""
    writer = whoosh_index.create_in(folder, SCHEMA).writer()
    count = 0
    for doc in docs:
        writer.add_document(**_row(doc))
        count += 1
    writer.commit()
    return count


def replace(folder: Path, session_ids: Sequence[str], docs: Iterable[dict]) -> None:
    """Remove these sessions' documents and add these at one commit."""
    writer = whoosh_index.open_dir(folder).writer(timeout=LOCK_TIMEOUT)
    try:
        for session_id in session_ids:
            writer.delete_by_term("session", session_id)
        for doc in docs:
            writer.add_document(**_row(doc))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _live(reader, fieldname: str, term: bytes) -> bool:
    """Whether any document that is not deleted has this term."""
    try:
        return reader.first_id(fieldname, term) is not None
    except TermNotFound:  # only deleted documents had it
        return False


class Reader:
    """Searches over one opened Whoosh index, with one searcher per thread.

    Whoosh searchers are not safe to share between threads, and opening one per request was
    most of the cost of a search; a thread keeps its searcher until the index changes.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ix = whoosh_index.open_dir(folder)
        self._local = threading.local()

    def _searcher(self):
        """The searcher of the calling thread."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.ix.searcher()
        return searcher

    def top(self, query: Query, offset: int, limit: int, sort: str) -> tuple[int, list[dict]]:
        """(how many match, the stored fields and score of hits offset … offset+limit)."""
        sortedby = FieldFacet(sort) if sort in ("newest", "oldest") else None
        results = self._searcher().search(query, limit=offset + limit, sortedby=sortedby)
        docs = [{**hit.fields(), "score": hit.score if sortedby is None else 0.0}
                for hit in results[offset:offset + limit]]
        return len(results), docs

    def counts(self, query: Query, fields: Sequence[str]) -> dict[str, dict[str, int]]:
        """For each field, how many documents matching the query hold each of its values."""
        facets = {name: FieldFacet(name) for name in fields}
        results = self._searcher().search(query, limit=1, groupedby=facets, maptype=Count)
        return {name: {k: n for k, n in results.groups(name).items() if k}
                for name in fields}

    def stamps(self) -> list[str]:
        """Every stamp term a live document holds."""
        reader = self._searcher().reader()
        # A deleted document's term stays in the lexicon until segments merge.
        return [t.decode() for t in reader.lexicon("stamp") if _live(reader, "stamp", t)]

    def vocabulary(self) -> dict[str, int]:
        """Every spoken word (folded, unstemmed) with the number of documents holding it."""
        reader = self._searcher().reader()
        return {t.decode(): reader.doc_frequency("verbatim", t)
                for t in reader.lexicon("verbatim")}
