"""Words as both engines index and search them: spelling variants find each other."""

from __future__ import annotations

import pytest

from index.analysis import stems, words
from index.engines import ENGINES
from index.store import SearchIndex
from ontherecord.model import Speaker
from tests.helpers.transcripts import build_index, make_transcript

VARIANTS = make_transcript(
    "2026-05-05-variants", "Spelling variants", "2026-05-05", "Teachers", [
        (0.0, 5.0, "S1", "The labour committee met the counsellor."),
        (5.0, 10.0, "S1", "We reached a judgement on the schedule."),
        (10.0, 15.0, "S2", "A raise of 5% this year."),
        (15.0, 20.0, "S2", "Three per cent next year."),
        (20.0, 25.0, "S2", "Seven percent over the contract."),
        (25.0, 30.0, "S1", "Labor peace and a counselor in every school."),
        (30.0, 35.0, "S1", "The judgment of the arbitrator per se."),
        (35.0, 40.0, "S2", "Is that for one year? They worked on it."),
        (40.0, 45.0, "S1", "The workload is the issue*."),
    ],
    [Speaker("S1", "SPEAKER_1", "Jane Doe"), Speaker("S2", "SPEAKER_2", "Mark Ellison")],
)


@pytest.fixture(scope="module", params=ENGINES)
def variants_index(request, tmp_path_factory) -> SearchIndex:
    """The variants session, indexed by each engine in turn."""
    return build_index(tmp_path_factory.mktemp("variants") / "index", [VARIANTS], request.param)


def starts(index: SearchIndex, query: str) -> set[float]:
    """The segment start of every hit of a query."""
    return {h.segment_start for h in index.search(query, page_size=100).hits}


@pytest.mark.parametrize(("one", "other", "found"), [
    ("labour", "labor", {0.0, 25.0}),
    ("counsellor", "counselor", {0.0, 25.0}),
    ("judgement", "judgment", {5.0, 30.0}),
    ("percent", '"per cent"', {10.0, 15.0, 20.0}),
    ("percent", "%", {10.0, 15.0, 20.0}),
])
def test_spelling_variants_find_each_other(variants_index, one, other, found):
    assert starts(variants_index, one) == found
    assert starts(variants_index, other) == found


def test_per_cent_is_one_word_in_phrases(variants_index):
    assert starts(variants_index, '"three percent"') == {15.0}
    assert starts(variants_index, '"three per cent next"') == {15.0}
    assert starts(variants_index, '"5 percent"') == {10.0}
    # "per" alone, not followed by "cent", is still the word "per".
    assert starts(variants_index, '"per se"') == {30.0}


def test_variants_are_marked_as_said(variants_index):
    marked = [h.snippet for h in variants_index.search('"per cent"', sort="oldest").hits]
    assert marked == ["A raise of 5<mark>%</mark> this year.",
                      "Three <mark>per cent</mark> next year.",
                      "Seven <mark>percent</mark> over the contract."]
    hits = variants_index.search("labor", sort="oldest").hits
    assert [h.snippet.split("</mark>")[0].split("<mark>")[1] for h in hits] == ["labour", "Labor"]


def test_analysis_folds_then_stems():
    assert words("Labour 5% per cent, per day") == ["labor", "5", "percent", "percent", "per",
                                                    "day"]
    assert stems("Counselling judgements") == ["counsel", "judgment"]


@pytest.mark.parametrize("word", ["negotiating", "negotiated", "negotiation", "negotiations"])
def test_every_form_of_a_word_is_one_stem(word):
    assert stems(word) == stems("negotiate")


def test_punctuation_in_what_was_said_is_not_part_of_a_word(variants_index):
    # "year?" and "issue*" were said as the words "year" and "issue".
    assert starts(variants_index, "year") == {10.0, 15.0, 35.0}
    assert starts(variants_index, '"one year they worked"') == {35.0}
    assert starts(variants_index, "issue") == {40.0}


def test_a_prefix_is_of_the_word_as_written(variants_index):
    # Stemmed, "worke" would be "work" and find "workload" too.
    assert starts(variants_index, "worke*") == {35.0}
    assert starts(variants_index, "work*") == {35.0, 40.0}
    # A prefix in one spelling finds the other.
    assert starts(variants_index, "labour*") == {0.0, 25.0}
    assert starts(variants_index, "sal?ry OR judg*") == {5.0, 30.0}
