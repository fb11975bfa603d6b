"""The Whoosh index on disk: add, remove and rebuild sessions, and search them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.sorting import FieldFacet, MultiFacet

from index.highlight import match_time, matched_words, snippet
from index.query import build_query
from index.schema import SCHEMA
from ontherecord.archive import Archive
from ontherecord.exports import link_time
from ontherecord.model import Segment, Transcript

PAGE_SIZE = 20
SORTS = ("relevance", "newest", "oldest")
# Writers wait this long for another process's lock before giving up.
LOCK_TIMEOUT = 60.0


@dataclass
class Hit:
    """One matching segment, with where to hear it."""

    session: str
    title: str
    date: str
    unit: str
    speaker: str
    start: float
    end: float
    text: str
    snippet: str
    score: float
    # `start` is when the first matched word was said; the segment may begin earlier.
    segment_start: float = 0.0
    # The chapter the segment is in: {title, topic, topic_id}, or None.
    chapter: dict | None = None

    @property
    def url(self) -> str:
        """The session page opened when the hit's first matched word was said.

        The time is rounded down, so the link never starts after that word.
        """
        return f"/sessions/{self.session}?t={link_time(self.start)}"

    def to_dict(self) -> dict:
        """The JSON form of a hit, as the API and `search --json` give it."""
        return {
            "session": self.session, "title": self.title, "date": self.date,
            "unit": self.unit, "speaker": self.speaker, "start": self.start,
            "end": self.end, "segment_start": self.segment_start, "text": self.text,
            "snippet": self.snippet, "score": self.score, "url": self.url,
            "chapter": self.chapter,
        }


@dataclass
class SearchPage:
    """One page of results for a query."""

    query: str
    page: int
    pages: int
    total: int
    hits: list[Hit] = field(default_factory=list)
    sort: str = "relevance"
    speaker: str = ""
    topic: str = ""

    def to_dict(self) -> dict:
        """The JSON form of a result page."""
        return {
            "query": self.query, "speaker": self.speaker, "topic": self.topic, "page": self.page,
            "pages": self.pages, "total": self.total, "sort": self.sort,
            "hits": [h.to_dict() for h in self.hits],
        }


def word_offsets(segment: Segment) -> list[tuple[int, float]]:
    """(offset of the word in the segment's text, its start time) for every word found there."""
    text, offsets, position = segment.text.strip(), [], 0
    for word in segment.words:
        at = text.find(word.word.strip(), position)
        if at >= 0:
            offsets.append((at, word.start))
            position = at + len(word.word.strip())
    return offsets


def documents(transcript: Transcript) -> Iterable[dict]:
    """The index documents of a session, one per segment; none unless it is public.

    The index is the public search, so a draft, withdrawn or closed session is never in it.
    """
    s = transcript.session
    if not s.public:
        return
    for n, seg in enumerate(transcript.segments):
        chapter = transcript.chapter_of(seg)
        yield {
            "id": f"{s.id}/{n}", "session": s.id, "title": s.title, "date": s.date,
            "unit": s.unit, "speaker": transcript.speaker_name(seg.speaker),
            "topic": f"{chapter.topic} {chapter.topic_id}" if chapter else "",
            "topic_id": chapter.topic_id if chapter else "",
            "chapter": {"title": chapter.title, "topic": chapter.topic,
                        "topic_id": chapter.topic_id} if chapter else None,
            "start": seg.start, "end": seg.end, "text": seg.text.strip(),
            "verbatim": seg.text.strip(),
            "words": word_offsets(seg),
        }


class SearchIndex:
    """A Whoosh index in a folder, created on first use."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @classmethod
    def of(cls, archive: Archive, check_sessions: bool = False) -> SearchIndex:
        """The index of an archive, rebuilt from the archive if it is stale.

        Stale means missing, or built with other fields (by an older version); with
        `check_sessions`, also not holding exactly the archive's sessions (that reads every
        document: for start-up, not for each request).
        """
        index = cls(archive.index_dir)
        stale = not index.has_current_schema() or (
            check_sessions and index.session_ids() != {s.id for s in archive.public_sessions()})
        if stale and archive.ids():
            index.rebuild_from(archive)
        return index

    def has_current_schema(self) -> bool:
        """Whether an index exists here with the fields this version writes."""
        if not whoosh_index.exists_in(self.path):
            return False
        return set(whoosh_index.open_dir(self.path).schema.names()) == set(SCHEMA.names())

    def rebuild_from(self, archive: Archive) -> int:
        """Rebuild from every public session in the archive; returns the segment count."""
        return self.rebuild(archive.transcript(s.id) for s in archive.public_sessions())

    def _open(self):
        """Open the index, creating an empty one if there is none yet."""
        if whoosh_index.exists_in(self.path):
            return whoosh_index.open_dir(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        return whoosh_index.create_in(self.path, SCHEMA)

    def replace_session(self, transcript: Transcript) -> None:
        """Index a session's segments, replacing any it had (a private session: none)."""
        writer = self._open().writer(timeout=LOCK_TIMEOUT)
        try:
            writer.delete_by_term("session", transcript.session.id)
            for doc in documents(transcript):
                writer.add_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, transcripts: Iterable[Transcript]) -> int:
        """Build a fresh index beside this one, then swap it in; returns the segment count."""
        fresh = self.path.with_name(self.path.name + ".new")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        writer = whoosh_index.create_in(fresh, SCHEMA).writer()
        count = 0
        for transcript in transcripts:
            for doc in documents(transcript):
                writer.add_document(**doc)
                count += 1
        writer.commit()
        old = self.path.with_name(self.path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.path.exists():
            os.rename(self.path, old)
        os.rename(fresh, self.path)
        shutil.rmtree(old, ignore_errors=True)
        return count

    def session_ids(self) -> set[str]:
        """Ids of the sessions that have segments in the index."""
        with self._open().searcher() as searcher:
            return {doc["session"] for doc in searcher.all_stored_fields()}

    def search(self, text: str, page: int = 1, sort: str = "relevance",
               page_size: int = PAGE_SIZE, speaker: str = "", topic: str = "") -> SearchPage:
        """One page of hits for a query (see index.query), perhaps of one speaker or topic."""
        query = build_query(text, speaker, topic)
        with self._open().searcher() as searcher:
            sortedby = {
                # Newest sessions first, but each session's hits still in the order spoken.
                "newest": MultiFacet([FieldFacet("date", reverse=True), FieldFacet("start")]),
                "oldest": MultiFacet([FieldFacet("date"), FieldFacet("start")]),
            }.get(sort)
            results = searcher.search_page(
                query, max(page, 1), pagelen=page_size, sortedby=sortedby,
                terms=True,
            )
            hits = [self._hit(h) for h in results]
            return SearchPage(text, results.pagenum, results.pagecount, results.total, hits,
                              sort if sortedby else "relevance", speaker.strip(),
                              " ".join(topic.split()))

    @staticmethod
    def _hit(hit) -> Hit:
        """Turn a Whoosh hit into our Hit, with an escaped, highlighted snippet."""
        words = matched_words(hit)
        # A sorted search gives each hit its sort key (a tuple) in place of a relevance score.
        score = round(hit.score, 3) if isinstance(hit.score, (int, float)) else 0.0
        # A hit found only through a filter (speaker:, date:…) has no matched word to point at.
        moment = match_time(words, hit.get("words") or [])
        return Hit(hit["session"], hit["title"], hit["date"], hit["unit"], hit["speaker"],
                   hit["start"] if moment is None else moment, hit["end"], hit["text"],
                   snippet(hit["text"], words), score, segment_start=hit["start"],
                   chapter=hit.get("chapter"))
