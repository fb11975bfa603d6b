"""Both engines answer alike: the same hits, counts, facets and suggestions on the same archive.

Relevance scores differ between the engines' BM25 formulas, so hits ranked by relevance are
compared as sets; sorted hits are compared in order.
"""

from __future__ import annotations

import pytest

from index.engines import ENGINES
from index.store import SearchIndex
from ontherecord.archive import Archive
from tests.helpers.faceted import FACETED
from tests.helpers.transcripts import CORPUS, commit

QUERIES = [
    "district", "salary", "salaries", "class size", '"class size"', '"we will not"',
    "salary OR wage", "salary NOT district", "wage OR (class AND caps)", "negot*", "staff*",
    "sal?ry", "unit:teachers", 'unit:"education support"', 'speaker:"Jane Doe"',
    "date:2026-10*", "date:[2026-01-01 TO 2026-06-30]", "title:salary", "topic:compensation",
    'topic:"class size"', "caps AND NOT (size OR strike)", "NOT salary", "percent", "%",
    "negotation", 'speaker:"Jane Dough" salary', "counsellor", "the", "a",
]
FILTERS = [{}, {"unit": "Teachers"}, {"side": "district"}, {"topic": "compensation"},
           {"date_from": "2026-02-01", "date_to": "2026-10-20"}, {"speaker": "Ursula Grant"}]


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict[str, SearchIndex]:
    """One archive of every hand-made session, indexed by each engine."""
    root = tmp_path_factory.mktemp("engines")
    archive = Archive(root / "archive")
    for transcript in (*CORPUS, *FACETED):
        commit(archive, transcript)
    indexes = {}
    for engine in ENGINES:
        index = SearchIndex(root / engine)
        index.rebuild_from(archive, engine)
        indexes[engine] = index
    return indexes


def answer(index: SearchIndex, query: str, sort: str, **chosen) -> dict:
    """Everything a search page says, with relevance-ranked hits as a set."""
    page = index.search(query, sort=sort, page_size=1000, **chosen)
    hits = [(h.session, h.segment, h.start, h.snippet) for h in page.hits]
    return {"total": page.total, "pages": page.pages, "summary": page.summary,
            "hits": hits if sort != "relevance" else sorted(hits)}


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_engines_agree_on_every_query(both, query, sort):
    whoosh, tantivy = (answer(both[e], query, sort) for e in ENGINES)
    assert whoosh == tantivy


@pytest.mark.parametrize(("query", "chosen"), [
    (query, chosen) for query in ("salary", "class", "") for chosen in FILTERS if query or chosen
])
def test_engines_agree_under_filters(both, query, chosen):
    whoosh, tantivy = (answer(both[e], query, "oldest", **chosen) for e in ENGINES)
    assert whoosh == tantivy
    assert whoosh["total"] > 0 or chosen


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_engines_agree_on_grouped_pages(both, sort):
    pages = [both[e].grouped("salary OR class", sort=sort, per_page=3).to_dict()
             for e in ENGINES]
    for page in pages:  # scores are each engine's own
        for group in page["groups"]:
            group["hits"] = sorted((h["segment"], h["snippet"]) for h in group["hits"])
    assert pages[0] == pages[1]
    assert pages[0]["pages"] == 2
