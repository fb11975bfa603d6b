"""The query language, checked over a real Whoosh index of hand-made transcripts with known text."""

from __future__ import annotations

import pytest

from index.engines import ENGINES
from index.query import MAX_LENGTH, check_query, parse_query
from index.store import SearchIndex
from ontherecord.errors import InputError
from tests.helpers.faceted import FACETED
from tests.helpers.transcripts import build_index

# The letter each hand-made session goes by in the answers of found().
SHORT = {"2026-03-10-teachers-march": "M", "2026-10-14-esp-wages": "O",
         "2026-10-28-teachers-salary": "L"}


@pytest.fixture(scope="module", params=ENGINES)
def corpus_index(request, tmp_path_factory) -> SearchIndex:
    """The three hand-made sessions, indexed once per engine for the read-only tests."""
    return build_index(tmp_path_factory.mktemp("corpus") / "index", engine=request.param)


def found(index: SearchIndex, query: str, **kwargs) -> set[tuple[str, float]]:
    """(session letter, start) of every hit of a query, across all pages."""
    page = index.search(query, page_size=1000, **kwargs)
    assert page.total == len(page.hits)
    return {(SHORT[h.session], h.start) for h in page.hits}


# --- words, phrases, operators ---------------------------------------------------------------


def test_every_word_must_match(corpus_index):
    assert found(corpus_index, "district") == {("M", 5.0), ("O", 14.0)}
    assert found(corpus_index, "salary district") == {("M", 5.0)}
    assert found(corpus_index, "salary district inflation") == set()


def test_words_are_case_insensitive(corpus_index):
    assert found(corpus_index, "DISTRICT") == found(corpus_index, "district")


def test_exact_phrase_matches_only_contiguous_words(corpus_index):
    # All three words are also in M@15 and L@0, but not next to each other in that order.
    assert found(corpus_index, '"class size caps"') == {("M", 0.0)}
    assert found(corpus_index, "class size caps") == {("M", 0.0), ("M", 15.0)}
    assert found(corpus_index, '"caps class"') == set()


def test_stop_words_are_searchable_inside_phrases(corpus_index):
    assert found(corpus_index, '"we will not"') == {("M", 10.0), ("O", 9.0)}
    assert found(corpus_index, '"will not accept"') == {("M", 10.0)}
    # Single letters are indexed too, so a quote that includes "a" can be matched exactly.
    assert found(corpus_index, '"accept a salary"') == {("M", 10.0)}


def test_and_or_not(corpus_index):
    assert found(corpus_index, "class AND caps") == {("M", 0.0), ("M", 15.0)}
    assert found(corpus_index, "caps OR strike") == {("M", 0.0), ("M", 15.0), ("L", 6.0)}
    assert found(corpus_index, "salary NOT district") == {("M", 10.0), ("O", 4.0), ("L", 6.0)}
    assert found(corpus_index, "salary AND NOT district") == found(corpus_index,
                                                                   "salary NOT district")
    assert found(corpus_index, "wage OR (class AND caps)") == {
        ("O", 0.0), ("O", 9.0), ("M", 0.0), ("M", 15.0)}


def test_lowercase_operators_are_plain_words(corpus_index):
    # "or" is searched as a word (stop words are indexed), so this needs both words and "or".
    assert found(corpus_index, "caps or strike") == set()


def test_prefix(corpus_index):
    assert found(corpus_index, "negot*") == {("M", 0.0), ("O", 14.0)}
    assert found(corpus_index, "infl*") == {("O", 4.0)}
    assert found(corpus_index, "staff*") == {("M", 20.0), ("O", 4.0)}


def test_stemming(corpus_index):
    # "negotiate" finds "Negotiations" and the other way round.
    assert found(corpus_index, "negotiate") == {("M", 0.0), ("O", 14.0)}
    assert found(corpus_index, "negotiations") == {("M", 0.0), ("O", 14.0)}
    # "salaries" finds "salary" and the other way round.
    everywhere = {("M", 5.0), ("M", 10.0), ("O", 4.0), ("L", 6.0)}
    assert found(corpus_index, "salaries") == everywhere
    assert found(corpus_index, "salary") == everywhere


# --- field filters ---------------------------------------------------------------------------


def test_unit_filter(corpus_index):
    teachers = found(corpus_index, "unit:teachers")
    assert {s for s, _ in teachers} == {"M", "L"}
    assert len(teachers) == 7
    assert found(corpus_index, "unit:Teachers") == teachers
    assert {s for s, _ in found(corpus_index, 'unit:"education support"')} == {"O"}
    assert found(corpus_index, "salary unit:teachers") == {("M", 5.0), ("M", 10.0), ("L", 6.0)}


def test_date_prefix_filter(corpus_index):
    october = found(corpus_index, "date:2026-10*")
    assert {s for s, _ in october} == {"O", "L"}
    assert len(october) == 6
    assert {s for s, _ in found(corpus_index, "date:2026-10-14")} == {"O"}
    assert found(corpus_index, "date:2025*") == set()


def test_date_range_filter(corpus_index):
    spring = found(corpus_index, "date:[2026-01-01 TO 2026-06-30]")
    assert {s for s, _ in spring} == {"M"}
    assert len(spring) == 5
    # The ends of a range are included.
    assert {s for s, _ in found(corpus_index, "date:[2026-10-14 TO 2026-10-28]")} == {"O", "L"}
    assert found(corpus_index, "salary date:[2026-10-01 TO 2026-10-31]") == {("O", 4.0),
                                                                              ("L", 6.0)}


def test_speaker_filter(corpus_index):
    assert found(corpus_index, 'speaker:"Jane Doe"') == {("M", 0.0), ("M", 10.0), ("M", 20.0)}
    assert found(corpus_index, 'speaker:"jane doe"') == found(corpus_index, 'speaker:"Jane Doe"')
    assert found(corpus_index, 'speaker:"Rosa Delgado" wage') == {("O", 9.0)}
    # An unnamed speaker is indexed under its label.
    assert found(corpus_index, "speaker:SPEAKER_A") == {("O", 0.0), ("O", 14.0)}
    assert found(corpus_index, 'speaker:"Jane Ellison"') == set()


@pytest.fixture(scope="module", params=ENGINES)
def sided_index(request, tmp_path_factory) -> SearchIndex:
    """The hand-made sessions whose speakers have sides, indexed once per engine."""
    return build_index(tmp_path_factory.mktemp("sided") / "index", FACETED,
                       engine=request.param)


def test_side_field(sided_index):
    def said(query: str) -> list[tuple[str, str]]:
        page = sided_index.search(query, page_size=100)
        return sorted((h.speaker, h.text) for h in page.hits)

    union = said("side:union")
    assert {who for who, _ in union} == {"Ursula Grant"} and len(union) == 3
    assert said("side:union salary") == [("Ursula Grant", "Our salary proposal is fair."),
                                         ("Ursula Grant",
                                          "Salary is not the only issue, caseloads are.")]
    # A side is one word whatever its case, and the query matches the side filter exactly.
    assert said("side:Union") == union == said('side:"union"')
    assert len(said("salary NOT side:union")) == 3
    assert len(said("side:district OR side:union")) == 7
    filtered = sided_index.search("salary", page_size=100, side="union")
    assert sorted((h.speaker, h.text) for h in filtered.hits) == said("side:union salary")
    assert said("side:mediator") == []
    with pytest.raises(InputError, match="side:teachers is no side; sides are district, union"):
        sided_index.search("side:teachers")
    # The side filter (?side=) reads a side as the query does: any case, and only a side.
    assert sided_index.search("salary", page_size=100, side="Union").hits == filtered.hits
    with pytest.raises(InputError, match="side:everyone is no side"):
        sided_index.search("salary", side="everyone")


def test_title_filter(corpus_index):
    assert {s for s, _ in found(corpus_index, "title:salary")} == {"L"}
    assert found(corpus_index, "title:salary strike") == {("L", 6.0)}
    # Titles are stemmed like speech: "wages" finds the "ESP wage session".
    assert {s for s, _ in found(corpus_index, "title:wages")} == {"O"}


def test_session_filter(corpus_index):
    assert found(corpus_index, "session:2026-10-14-esp-wages") == {
        ("O", 0.0), ("O", 4.0), ("O", 9.0), ("O", 14.0)}
    assert found(corpus_index, "wage session:2026-03-10-teachers-march") == set()


def test_explicit_text_field(corpus_index):
    assert found(corpus_index, "text:wage") == found(corpus_index, "wage")


def test_hits_carry_session_details(corpus_index):
    page = corpus_index.search('"living wage"')
    assert page.total == 1
    hit = page.hits[0]
    assert (hit.session, hit.title, hit.date, hit.unit) == (
        "2026-10-14-esp-wages", "ESP wage session", "2026-10-14", "Education Support Professionals")
    assert (hit.speaker, hit.start, hit.end) == ("Rosa Delgado", 9.0, 14.0)
    assert hit.text == "We will not settle without a living wage."
    assert hit.to_dict()["start"] == hit.start == 9.0


# --- queries that cannot be read -------------------------------------------------------------


@pytest.mark.parametrize(("query", "says"), [
    ('"class size caps', "unclosed quote"),
    ("(salary OR wage", "unbalanced parentheses"),
    ("salary OR wage)", "unbalanced parentheses"),
    ("date:[2026-01-01 TO 2026-06-30", "unclosed range"),
    ("date:{2026-01-01 TO 2026-06-30", "unclosed range"),
    ("colour:red", "unknown field 'colour'"),
    ("Speaker:jane", "unknown field 'Speaker'"),
    ("salary AND", "nothing on one side"),
    ("salary OR", "nothing on one side"),
    ("OR salary", "nothing on one side"),
    ("salary NOT", "nothing on one side"),
    ("", "empty query"),
    ("   ", "empty query"),
    ("salary " * 100, "too long"),
    ('""', "nothing to search for"),
    # Operator runs that Whoosh's own parser cannot read (it used to raise IndexError).
    ("NOT NOT salary", "both sides of"),
    ("NOT AND salary", "both sides of"),
    ("salary ANDNOT ANDNOT wage", "both sides of"),
])
def test_unreadable_query_says_what_to_fix(corpus_index, query, says):
    with pytest.raises(InputError) as error:
        corpus_index.search(query)
    assert says in str(error.value)


@pytest.mark.parametrize("query", ["salary -district", "-district salary", "salary (-district)",
                                   'salary -"class size"'])
def test_minus_is_not_silently_read_as_the_word(corpus_index, query):
    """Whoosh would search "-district" as "district": the opposite of what was asked."""
    with pytest.raises(InputError, match="write NOT before the word"):
        corpus_index.search(query)


def test_hyphens_inside_words_and_values_are_fine(corpus_index):
    assert corpus_index.search("two-year").total == 0
    assert found(corpus_index, "salary - district") == {("M", 5.0)}
    assert {s for s, _ in found(corpus_index, "date:[2026-10-01 TO 2026-10-31]")} == {"O", "L"}


def test_unknown_field_error_lists_the_fields():
    with pytest.raises(InputError) as error:
        parse_query("room:12")
    for name in ("session", "title", "date", "unit", "speaker", "text"):
        assert name in str(error.value)


def test_length_limit_is_exact():
    check_query("a" * MAX_LENGTH)
    with pytest.raises(InputError, match=f"at most {MAX_LENGTH}"):
        check_query("a" * (MAX_LENGTH + 1))


def test_syntax_inside_a_phrase_is_not_syntax(corpus_index):
    # Parentheses, colons and operators inside quotes are just text to look for.
    check_query('"salary (base) colour: AND"')
    check_query('"class -size" salary')
    assert found(corpus_index, '"class size" date:2026-03-10') == {("M", 0.0)}
    assert found(corpus_index, '"(salary) freeze"') == {("M", 10.0)}


@pytest.mark.parametrize("query", [
    "*", "?", "salary^2", '"class caps"~3', "-salary", "+salary", "date:[2026-10-01 TO]",
    "sal*ary", "NOT district salary", "4:00", "$40", "2.5 percent", "naïve café", "«»", "\\",
    "salary AND OR wage", "[", "{}", "date:", "a:b:c", "speaker:", "unit:()", "title:(a OR b)",
    "salary (NOT)", "salary ANDMAYBE wage", "&& ||", "[a TO b]",
])
def test_no_query_is_a_crash(corpus_index, query):
    """Whatever a visitor types, the answer is hits or an InputError, never another exception."""
    try:
        page = corpus_index.search(query)
    except InputError as e:
        assert str(e)
    else:
        assert page.total == len(page.hits) or page.pages > 1
