"""The index on disk: sorting, pages, safe snippets, and keeping it in step with the archive."""

from __future__ import annotations

import copy
import html
import shutil

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from index.documents import word_offsets
from index.engines import ENGINES
from index.highlight import match_time, matched_words, wanted
from index.query import parse_query
from index.store import SearchIndex
from ontherecord.errors import InputError
from ontherecord.model import Speaker, Word
from ontherecord.timecode import link_time
from tests.helpers.faceted import FACETED
from tests.helpers.transcripts import CORPUS, MARCH, OCTOBER, build_index, make_transcript


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    """Each engine in turn: every test of this module runs against both."""
    return request.param


@pytest.fixture
def index(tmp_path, engine) -> SearchIndex:
    """A fresh index of the hand-made sessions that a test may change."""
    return build_index(tmp_path / "index", engine=engine)


def starts(page) -> list[tuple[str, float]]:
    return [(h.date, h.start) for h in page.hits]


# --- sorting and pages -----------------------------------------------------------------------


def test_sort_oldest_is_chronological(index):
    page = index.search("salary", sort="oldest")
    assert page.sort == "oldest"
    assert starts(page) == [("2026-03-10", 5.0), ("2026-03-10", 10.0), ("2026-10-14", 4.0),
                            ("2026-10-28", 6.0)]


def test_sort_newest_puts_latest_sessions_first(index):
    page = index.search("salary", sort="newest")
    assert page.sort == "newest"
    # Newest session first; within a session, the hits in the order they were said.
    assert starts(page) == [("2026-10-28", 6.0), ("2026-10-14", 4.0), ("2026-03-10", 5.0),
                            ("2026-03-10", 10.0)]


def test_sorted_search_over_many_sessions(index):
    page = index.search("class OR wage OR salary", sort="oldest")
    assert starts(page) == sorted(starts(page))
    assert len(page.hits) == 9
    newest = index.search("class OR wage OR salary", sort="newest")
    assert [d for d, _ in starts(newest)] == sorted((d for d, _ in starts(newest)), reverse=True)
    assert sorted(starts(newest)) == sorted(starts(page))
    # Each session's hits still in the order spoken.
    for date in {d for d, _ in starts(newest)}:
        times = [t for d, t in starts(newest) if d == date]
        assert times == sorted(times)


def test_sort_by_time_does_not_rely_on_the_order_segments_were_indexed(tmp_path):
    shuffled = copy.deepcopy(MARCH)
    shuffled.segments = [shuffled.segments[i] for i in (3, 0, 4, 2, 1)]
    index = build_index(tmp_path / "index", [shuffled])
    assert [h.start for h in index.search("unit:teachers", sort="oldest").hits] == [
        0.0, 5.0, 10.0, 15.0, 20.0]


def test_relevance_is_the_default_and_ranks_by_score(index):
    page = index.search("salary")
    assert page.sort == "relevance"
    scores = [h.score for h in page.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(s > 0 for s in scores)


def test_unknown_sort_falls_back_to_relevance(index):
    assert index.search("salary", sort="sideways").sort == "relevance"


def test_pages(index):
    all_hits = index.search("salary", page_size=100).hits
    first = index.search("salary", page=1, page_size=3)
    second = index.search("salary", page=2, page_size=3)
    assert (first.total, first.pages, first.page, len(first.hits)) == (4, 2, 1, 3)
    assert (second.total, second.pages, second.page, len(second.hits)) == (4, 2, 2, 1)
    seen = [(h.session, h.start) for h in first.hits + second.hits]
    assert len(set(seen)) == 4
    assert set(seen) == {(h.session, h.start) for h in all_hits}


def test_page_past_the_end_is_clamped_to_the_last(index):
    last = index.search("salary", page=2, page_size=3)
    for page_number in (3, 999, 10**12):
        page = index.search("salary", page=page_number, page_size=3)
        assert page.page == 2
        assert [(h.session, h.start) for h in page.hits] == [(h.session, h.start)
                                                            for h in last.hits]


def test_page_below_one_is_the_first(index):
    assert index.search("salary", page=0, page_size=3).page == 1
    assert index.search("salary", page=-4, page_size=3).page == 1


def test_no_hits(index):
    page = index.search("arbitration")
    assert (page.total, page.pages, page.hits) == (0, 0, [])


def test_page_to_dict(index):
    data = index.search("salary", page=2, page_size=3, sort="oldest").to_dict()
    assert {k: data[k] for k in ("query", "speaker", "topic", "page", "pages", "total",
                                 "sort")} == {
        "query": "salary", "speaker": "", "topic": "", "page": 2, "pages": 2, "total": 4,
        "sort": "oldest"}
    assert len(data["hits"]) == 1
    assert index.search("salary", speaker=" Jane Doe ").to_dict()["speaker"] == "Jane Doe"
    assert set(data["hits"][0]) == {"session", "title", "date", "unit", "speaker", "start", "end",
                                    "segment_start", "text", "snippet", "score", "chapter",
                                    "segment"}


# --- snippets --------------------------------------------------------------------------------

HOSTILE = make_transcript(
    "2026-11-02-hostile", "Hostile <b>title</b>", "2026-11-02", "Teachers & Staff", [
        (0.0, 4.0, "X", '<script>alert(1)</script> salary & "budget" <img src=x onerror=alert(2)>'),
        (4.0, 8.0, "X", "Plain words about <i>nothing</i>."),
    ],
    [Speaker("X", "SPEAKER_X", "<em>Evil</em> Name")],
)


def unmarked(snippet: str) -> str:
    return snippet.replace("<mark>", "").replace("</mark>", "")


@pytest.fixture
def hostile_index(tmp_path, engine) -> SearchIndex:
    return build_index(tmp_path / "index", [HOSTILE], engine)


@pytest.mark.parametrize("query", ["salary", "alert", "script", "budget", "salary alert",
                                   '"alert 1"'])
def test_snippet_escapes_everything_but_its_marks(hostile_index, query):
    (hit,) = hostile_index.search(query).hits
    assert "<mark>" in hit.snippet
    bare = unmarked(hit.snippet)
    assert "<" not in bare and ">" not in bare
    assert "&lt;script&gt;" in bare
    assert html.unescape(bare) == hit.text
    # The stored text is returned as it was said, for JSON consumers to escape themselves.
    assert hit.text.startswith("<script>alert(1)</script>")


def test_snippet_marks_the_matched_words(hostile_index):
    (hit,) = hostile_index.search("salary").hits
    assert hit.snippet.count("<mark>") == 1
    assert "<mark>salary</mark>" in hit.snippet
    (hit,) = hostile_index.search("alert").hits
    assert "&lt;script&gt;<mark>alert</mark>(1)" in hit.snippet


def test_snippet_of_a_filter_only_hit_is_escaped_text(hostile_index):
    page = hostile_index.search("speaker:evil")
    assert page.total == 2
    for hit in page.hits:
        assert "<mark>" not in hit.snippet
        assert "<" not in hit.snippet and html.unescape(hit.snippet) == hit.text
    assert page.hits[0].speaker == "<em>Evil</em> Name"


def test_stemmed_match_is_marked_as_written(index):
    page = index.search("negotiate")
    snippets = {h.snippet for h in page.hits}
    assert "<mark>Negotiations</mark> on class size caps will continue next week." in snippets
    assert "The district wants to <mark>negotiate</mark> a settlement." in snippets


def test_phrase_marks_each_word(index):
    (hit,) = index.search('"class size caps"').hits
    assert hit.snippet == ("Negotiations on <mark>class</mark> <mark>size</mark> "
                           "<mark>caps</mark> will continue next week.")


# --- where a hit starts: when its first matched word was said ---------------------------------

# One segment, from 9.84 s to 16 s, and when each of its words was said.
SAID = [("We", 10.0), ("met", 10.32), ("again", 10.61), ("today.", 10.93),
        ("Negotiations", 11.58), ("on", 12.41), ("class", 12.66), ("size", 13.02),
        ("caps", 13.47), ("will", 13.86), ("continue.", 14.15)]


def timed_session(session_id: str, said: list[tuple[str, float]], start: float = 9.84):
    """A hand-made session of one segment whose words were said at the given times."""
    transcript = make_transcript(session_id, "Word times", "2026-04-01", "Teachers",
                                 [(start, 16.0, None, " ".join(w for w, _ in said))])
    transcript.segments[0].words = [Word(at, at + 0.25, f" {w}", 0.9) for w, at in said]
    return transcript


@pytest.fixture
def timed_index(tmp_path, engine) -> SearchIndex:
    return build_index(tmp_path / "index", [timed_session("2026-04-01-word-times", SAID)],
                       engine)


@pytest.mark.parametrize(("query", "word", "t"), [
    ("caps", "caps", "13.4"),                          # one word, mid-segment
    ("negot*", "Negotiations", "11.5"),                # a prefix
    ("negotiate", "Negotiations", "11.5"),             # a stemmed match
    ('"class size caps"', "class", "12.6"),            # a phrase: its first word
    ("caps AND negot*", "Negotiations", "11.5"),       # the earliest of the matched words
    ("caps unit:teachers", "caps", "13.4"),            # a filter too: the word still decides
])
def test_hit_starts_at_its_first_matched_word(timed_index, query, word, t):
    (hit,) = timed_index.search(query).hits
    assert hit.start == dict(SAID)[word]
    assert hit.segment_start == 9.84
    assert hit.segment_start <= hit.start <= hit.end
    # The link opens at the word, rounded down to 0.1 s so that it never starts after it.
    assert link_time(hit.start) == t
    assert hit.to_dict()["start"] == hit.start
    assert hit.to_dict()["segment_start"] == hit.segment_start


def test_filter_only_hit_starts_at_its_segment(timed_index):
    (hit,) = timed_index.search("unit:teachers").hits
    assert hit.start == hit.segment_start == 9.84
    assert link_time(hit.start) == "9.8"


def test_match_time_reads_the_words_of_the_hit(timed_index):
    (hit,) = timed_index.search('"size caps"').hits
    offsets = word_offsets(timed_session("2026-04-01-word-times", SAID).segments[0])
    words = matched_words(hit.text, wanted(parse_query('"size caps"')))
    assert match_time(words, offsets) == dict(SAID)["size"]
    # No word of the text matched: the time is not known.
    assert matched_words(hit.text, wanted(parse_query("unit:teachers"))) == []
    assert match_time([], offsets) is None


def test_prefix_longer_than_the_stem_finds_the_word(timed_index):
    # "Negotiations" is indexed under the stem "negoti", which "negotiat" does not prefix.
    (hit,) = timed_index.search("negotiat*").hits
    assert hit.start == dict(SAID)["Negotiations"]
    assert "<mark>Negotiations</mark>" in hit.snippet


def test_phrase_starts_at_the_phrase_not_at_an_earlier_word(tmp_path):
    said = [("Class", 10.0), ("sizes", 10.4), ("came", 10.9), ("up.", 11.2), *SAID[4:]]
    index = build_index(tmp_path / "index", [timed_session("2026-04-02-repeat", said)])
    (hit,) = index.search('"class size caps"').hits
    assert hit.start == dict(SAID)["class"]


# --- keeping the index in step with the archive ----------------------------------------------


def count(index: SearchIndex, session_id: str) -> int:
    return index.search(f"session:{session_id}", page_size=1000).total


def test_replacing_a_session_twice_leaves_no_duplicates(index):
    index.replace_session(MARCH)
    index.replace_session(MARCH)
    assert count(index, MARCH.session.id) == len(MARCH.segments)
    assert index.search('"class size caps"').total == 1
    assert index.search("salary").total == 4


def test_replacing_a_session_swaps_in_its_new_segments(index):
    edited = copy.deepcopy(MARCH)
    edited.segments = edited.segments[:2]
    edited.segments[0].text = "Arbitration is off the table."
    index.replace_session(edited)
    assert count(index, MARCH.session.id) == 2
    assert index.search('"class size caps"').total == 0
    assert index.search("arbitration").total == 1
    # The other sessions are untouched.
    assert count(index, OCTOBER.session.id) == len(OCTOBER.segments)


def test_session_ids(index):
    assert index.session_ids() == {t.session.id for t in CORPUS}


def test_rebuild_swaps_in_a_fresh_index(index):
    assert index.rebuild([OCTOBER]) == len(OCTOBER.segments)
    assert index.session_ids() == {OCTOBER.session.id}
    assert index.search('"class size caps"').total == 0
    assert index.search("wage").total == 2
    # No half-built or old copy is left beside it (it was built in the scratch folder).
    assert sorted(p.name for p in index.path.parent.iterdir()) == [".staging", index.path.name]
    assert list((index.path.parent / ".staging").iterdir()) == []
    # The rebuilt index takes updates like any other.
    index.replace_session(MARCH)
    assert index.session_ids() == {OCTOBER.session.id, MARCH.session.id}


def test_rebuild_of_a_missing_index(tmp_path):
    index = SearchIndex(tmp_path / "nothing-yet")
    assert index.rebuild(CORPUS) == sum(len(t.segments) for t in CORPUS)
    assert index.search("salary").total == 4


def test_searching_where_there_is_no_index_finds_nothing_and_writes_nothing(tmp_path):
    index = SearchIndex(tmp_path / "new")
    assert index.search("salary").total == 0
    assert index.stamps() == {}
    assert not index.path.exists()  # a reader never creates an index


def test_a_reader_sees_committed_changes(index):
    """The app opens the index per request, so an ingest shows up without a restart."""
    reader = SearchIndex(index.path)
    assert reader.search("arbitration").total == 0
    index.replace_session(make_transcript(
        "2026-12-01-new", "New", "2026-12-01", "Teachers", [(0.0, 1.0, None, "Arbitration now.")]))
    assert reader.search("arbitration").total == 1


def test_of_rebuilds_a_missing_index_from_the_archive(archive_copy, example_archive):
    shutil.rmtree(archive_copy.index_dir)
    assert not whoosh_index.exists_in(archive_copy.index_dir)
    index = SearchIndex.of(archive_copy)
    assert whoosh_index.exists_in(archive_copy.index_dir)
    assert index.session_ids() == set(archive_copy.ids())
    (session_id,) = archive_copy.ids()
    transcript = archive_copy.transcript(session_id)
    assert count(index, session_id) == len(transcript.segments)
    # It finds what the original index finds.
    original = SearchIndex(example_archive.index_dir)
    for query in ('"class size caps"', "salary", "strike OR settlement"):
        assert [(h.start, h.text) for h in index.search(query).hits] == [
            (h.start, h.text) for h in original.search(query).hits]


def test_of_keeps_an_existing_index_and_reconcile_catches_up(archive_copy):
    index = SearchIndex(archive_copy.index_dir)
    index.rebuild([])
    # The index exists (if empty), so `of` must not read the archive on each request.
    assert SearchIndex.of(archive_copy).session_ids() == set()
    # Reconciling (at start-up, after every change) catches up with the archive.
    assert index.reconcile(archive_copy) == archive_copy.ids()
    assert index.stamps() == archive_copy.versions()
    assert index.reconcile(archive_copy) == []


def test_of_rebuilds_an_index_of_older_fields(archive_copy):
    shutil.rmtree(archive_copy.index_dir)
    archive_copy.index_dir.mkdir()
    older = Schema(id=ID(unique=True, stored=True), session=ID(stored=True),
                   text=TEXT(stored=True))
    whoosh_index.create_in(archive_copy.index_dir, older).writer().commit()
    index = SearchIndex.of(archive_copy)
    assert index.has_current_schema()
    assert index.search('"class size caps"').total == 1


def test_of_an_empty_archive_makes_no_index(tmp_path):
    from ontherecord.archive import Archive

    archive = Archive(tmp_path / "empty")
    assert SearchIndex.of(archive).search("salary").total == 0


def test_input_errors_come_before_the_index_is_touched(tmp_path):
    index = SearchIndex(tmp_path / "never")
    with pytest.raises(InputError):
        index.search('"unclosed')
    assert not index.path.exists()


# --- facets and grouped results -------------------------------------------------------------


@pytest.fixture
def faceted_index(tmp_path, engine) -> SearchIndex:
    return build_index(tmp_path / "index", FACETED, engine)


def test_facets_count_the_hits_of_each_value(faceted_index):
    page = faceted_index.search("salary")
    assert (page.total, page.summary.sessions) == (5, 3)
    assert page.summary.facets == {
        "unit": {"Teachers": 3, "Education Support Professionals": 2},
        "speaker": {"Dana Whitfield": 3, "Ursula Grant": 2},
        "side": {"district": 3, "union": 2},
        "topic": {"compensation": 4, "class-size": 1},
    }


@pytest.mark.parametrize(("chosen", "total", "sessions"), [
    ({"unit": "Teachers"}, 3, 2),
    ({"side": "union"}, 2, 2),
    ({"speaker": "Dana Whitfield"}, 3, 3),
    ({"topic": "class-size"}, 1, 1),
    ({"date_from": "2026-02-01"}, 3, 2),
    ({"date_to": "2026-02-09"}, 4, 2),
    ({"date_from": "2026-02-01", "date_to": "2026-02-28"}, 2, 1),
    ({"unit": "Teachers", "side": "district"}, 2, 2),
])
def test_each_filter_narrows_the_hits_and_counts(faceted_index, chosen, total, sessions):
    page = faceted_index.search("salary", page_size=100, **chosen)
    assert (page.total, page.summary.sessions, len(page.hits)) == (total, sessions, total)
    facets = page.summary.facets
    for name, value in chosen.items():
        if name in facets:
            # A facet counts under the other filters only: its other values stay offered.
            assert value in facets[name] and len(facets[name]) > 1
    # Every other facet's counts add up to the hits it can tell apart.
    free = [f for f in ("unit", "side") if f not in chosen]
    for name in free:
        assert sum(facets[name].values()) == total


def test_a_chosen_facet_keeps_the_counts_of_its_other_values(faceted_index):
    page = faceted_index.search("salary", unit="Teachers")
    assert page.summary.facets["unit"] == {"Teachers": 3, "Education Support Professionals": 2}
    assert page.summary.facets["side"] == {"district": 2, "union": 1}


def test_filters_alone_are_a_search(faceted_index):
    page = faceted_index.search("", side="union", page_size=100)
    assert page.total == 3
    assert {h.speaker for h in page.hits} == {"Ursula Grant"}


def test_a_bad_date_filter_says_how_to_write_it(faceted_index):
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        faceted_index.search("salary", date_from="last week")
    with pytest.raises(InputError, match="ends before it starts"):
        faceted_index.search("salary", date_from="2026-03-01", date_to="2026-02-01")


def test_grouped_results_show_each_session_once(faceted_index):
    page = faceted_index.grouped("salary", per_page=2, per_session=1, sort="newest")
    assert (page.total, page.summary.sessions, page.pages) == (5, 3, 2)
    assert [(g.session, g.count, len(g.hits)) for g in page.groups] == [
        ("2026-03-16-teachers-c", 1, 1), ("2026-02-09-esp-b", 2, 1)]
    assert page.groups[1].date == "2026-02-09"
    assert page.groups[1].unit == "Education Support Professionals"
    rest = faceted_index.grouped("salary", page=2, per_page=2, per_session=5, sort="newest")
    assert [(g.session, g.count, len(g.hits)) for g in rest.groups] == [
        ("2026-01-12-teachers-a", 2, 2)]
    oldest = faceted_index.grouped("salary", sort="oldest")
    assert [g.date for g in oldest.groups] == ["2026-01-12", "2026-02-09", "2026-03-16"]


def test_grouped_relevance_ranks_sessions_by_their_best_hit(faceted_index):
    page = faceted_index.grouped("salary district")
    # Only one segment has both words: its session comes first, alone.
    assert [(g.session, g.count) for g in page.groups] == [("2026-03-16-teachers-c", 1)]
    page = faceted_index.grouped("salary")
    assert sorted(g.session for g in page.groups) == sorted(t.session.id for t in FACETED)
    best = faceted_index.search("salary").hits[0].session
    assert page.groups[0].session == best


def test_grouped_hits_are_each_sessions_best(faceted_index):
    page = faceted_index.grouped("salary OR caseloads", per_session=1)
    for group in page.groups:
        alone = faceted_index.search("salary OR caseloads", session=group.session)
        assert group.count == alone.total
        assert group.hits[0].segment == alone.hits[0].segment


def test_grouped_to_dict(faceted_index):
    data = faceted_index.grouped("salary", unit="Teachers").to_dict()
    assert (data["total"], data["sessions"], data["unit"]) == (3, 2, "Teachers")
    assert {g["session"] for g in data["groups"]} == {"2026-01-12-teachers-a",
                                                      "2026-03-16-teachers-c"}
    assert set(data["groups"][0]) == {"session", "title", "date", "unit", "count", "hits"}


# --- per session, for feeds and person pages ---------------------------------------------------


def test_by_session_counts_the_moments_of_each_matching_session(index):
    assert index.by_session("salary") == {"2026-03-10-teachers-march": 2,
                                          "2026-10-14-esp-wages": 1,
                                          "2026-10-28-teachers-salary": 1}
    assert index.by_session("salary", unit="Teachers", date_from="2026-10-01") == \
        {"2026-10-28-teachers-salary": 1}
    assert SearchIndex(index.path.parent / "none").by_session("salary") == {}


def test_best_in_gives_one_sessions_best_hits(index):
    hits = index.best_in("2026-03-10-teachers-march", "salary OR class", 2)
    assert len(hits) == 2 and {h.session for h in hits} == {"2026-03-10-teachers-march"}
    assert [h.start for h in index.best_in("2026-03-10-teachers-march", "salary", 9,
                                           speaker="Jane Doe")] == [10.0]
    assert index.best_in("2026-10-14-esp-wages", "caps", 3) == []


def test_newest_gives_the_latest_moments_a_filter_allows(index):
    hits = index.newest(3, speaker="Jane Doe")
    assert [(h.date, h.start) for h in hits] == [("2026-03-10", 0.0), ("2026-03-10", 10.0),
                                                 ("2026-03-10", 20.0)]
    assert [h.speaker for h in index.newest(2, unit="Education Support Professionals")] == \
        ["SPEAKER_A", "Rosa Delgado"]
