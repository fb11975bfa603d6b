"""Did you mean: misspelled words and names put right from the archive's own."""

from __future__ import annotations

import pytest

from index.engines import ENGINES
from index.store import SearchIndex
from index.suggest import Speller
from tests.helpers.transcripts import CORPUS, MARCH, OCTOBER, build_index


@pytest.fixture(scope="module", params=ENGINES)
def corpus_index(request, tmp_path_factory) -> SearchIndex:
    """The hand-made sessions, indexed by each engine in turn."""
    return build_index(tmp_path_factory.mktemp("suggest") / "index", engine=request.param)


def test_speller_puts_a_word_right():
    speller = Speller({"negotiations": 4, "salary": 9, "salami": 1}, [])
    assert speller.query("negotation") == "negotiations"
    # Two words one edit away: the one the archive uses most.
    assert speller.query("salaly") == "salary"
    # Known words, operators, prefixes and short words are left alone.
    assert speller.query("salary OR negotiations") is None
    assert speller.query("negot*") is None
    assert speller.query("sa") is None


def test_speller_keeps_the_query_around_the_fix():
    speller = Speller({"class": 3, "size": 3, "caps": 1, "salary": 2}, ["Jane Doe"])
    assert speller.query('"class sise caps" AND NOT salery') == '"class size caps" AND NOT salary'
    assert speller.query('(sallary OR caps) unit:teachers') == "(salary OR caps) unit:teachers"


def test_speller_puts_a_name_right():
    speller = Speller({}, ["Jane Doe", "Mark Ellison", "Rosa Delgado"])
    assert speller.query('speaker:"Jane Dough"') == 'speaker:"Jane Doe"'
    assert speller.query("speaker:Elison") == 'speaker:"Mark Ellison"'
    # A name that is part of a known one is right as it is.
    assert speller.query("speaker:ellison") is None
    assert speller.query('speaker:"Quentin Zzyzx"') is None


def test_search_suggests_a_misspelled_word(corpus_index):
    page = corpus_index.search("negotation")
    assert page.total == 0
    assert page.summary.suggestion == "negotiations"
    assert corpus_index.search(page.summary.suggestion).total == 2


def test_search_suggests_a_misspelled_speaker(corpus_index):
    page = corpus_index.search('salary speaker:"Jane Dough"')
    assert page.total == 0
    assert page.summary.suggestion == 'salary speaker:"Jane Doe"'
    assert corpus_index.search(page.summary.suggestion).total == 1


def test_no_suggestion_for_a_query_spelled_right(corpus_index):
    assert corpus_index.search("salary").summary.suggestion is None
    assert corpus_index.search("arbitration").summary.suggestion is None  # nothing near it
    assert corpus_index.search("", speaker="Jane Doe").summary.suggestion is None


def test_a_removed_session_is_never_suggested(tmp_path):
    """Words of a withdrawn or closed session must not leak through suggestions."""
    for engine in ENGINES:
        index = build_index(tmp_path / engine, [MARCH, OCTOBER], engine)
        assert index.search("inflasion").summary.suggestion == "inflation"
        index._replace([OCTOBER.session.id], [])  # OCTOBER alone says "inflation"
        assert index.search("inflasion").summary.suggestion is None


def test_suggestion_in_grouped_results(corpus_index):
    page = corpus_index.grouped("stike")
    assert (page.total, page.summary.suggestion) == (0, "strike")
    assert len(CORPUS) == 3
