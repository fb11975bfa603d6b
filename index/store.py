"""The Whoosh index on disk: add, remove and rebuild sessions, and search them."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.reading import TermNotFound
from whoosh.sorting import FieldFacet, MultiFacet

from index.highlight import match_time, matched_words, snippet
from index.query import build_query
from index.schema import SCHEMA
from ontherecord.archive import Archive, scratch_folder
from ontherecord.model import Segment, Session, Transcript

PAGE_SIZE = 20
SORTS = ("relevance", "newest", "oldest")
# Writers wait this long for another process's lock before giving up.
LOCK_TIMEOUT = 60.0
# A reader that finds files gone (another process committed or swapped the index under it)
# opens the index again, this many times, a moment apart.
READ_ATTEMPTS = 5
READ_PAUSE = 0.05


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
    # The segment's number in the session's transcript (its place on the session page).
    segment: int = 0

    def to_dict(self) -> dict:
        """The JSON form of a hit, as the API and `search --json` give it."""
        return {
            "session": self.session, "title": self.title, "date": self.date,
            "unit": self.unit, "speaker": self.speaker, "start": self.start,
            "end": self.end, "segment_start": self.segment_start, "text": self.text,
            "snippet": self.snippet, "score": self.score, "chapter": self.chapter,
            "segment": self.segment,
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


def stamp(session: Session) -> str:
    """The term that records which version of a session the index holds."""
    return f"{session.id}@{session.version}"


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
            "id": f"{s.id}/{n}", "session": s.id, "stamp": stamp(s), "title": s.title,
            "date": s.date,
            "unit": s.unit, "speaker": transcript.speaker_name(seg.speaker),
            "topic": f"{chapter.topic} {chapter.topic_id}" if chapter else "",
            "topic_id": chapter.topic_id if chapter else "",
            "chapter": {"title": chapter.title, "topic": chapter.topic,
                        "topic_id": chapter.topic_id} if chapter else None,
            "start": seg.start, "end": seg.end, "text": seg.text.strip(),
            "verbatim": seg.text.strip(),
            "words": word_offsets(seg),
        }


def _live(reader, term: bytes) -> bool:
    """Whether any document that is not deleted has this stamp."""
    try:
        return reader.first_id("stamp", term) is not None
    except TermNotFound:  # only deleted documents had it
        return False


class SearchIndex:
    """A Whoosh index in a folder, created on first use."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @classmethod
    def of(cls, archive: Archive) -> SearchIndex:
        """The index of an archive, rebuilt if missing or made with an older version's fields.

        Which sessions it holds is kept up to date by ontherecord.service (reconcile).
        """
        index = cls(archive.index_dir)
        if not index.has_current_schema() and archive.ids():
            index.rebuild_from(archive)
        return index

    def has_current_schema(self) -> bool:
        """Whether an index exists here with the fields this version writes."""
        try:
            return set(self._read(lambda ix: ix.schema.names())) == set(SCHEMA.names())
        except FileNotFoundError:
            return False

    def rebuild_from(self, archive: Archive) -> int:
        """Rebuild from every public session in the archive; returns the segment count."""
        return self.rebuild(archive.transcript(s.id) for s in archive.public_sessions())

    def _read(self, use: Callable):
        """`use(index)` on the index as it is now, opened again if a commit swaps files under it.

        Raises FileNotFoundError if there is no index (a reader never creates one).
        """
        for attempt in range(READ_ATTEMPTS):
            try:
                if not whoosh_index.exists_in(self.path):
                    raise FileNotFoundError(self.path)
                return use(whoosh_index.open_dir(self.path))
            except FileNotFoundError:
                if attempt == READ_ATTEMPTS - 1:
                    raise
                time.sleep(READ_PAUSE)
        raise AssertionError("unreachable")

    def _writable(self):
        """The index to write to, created empty if there is none yet."""
        if whoosh_index.exists_in(self.path):
            return whoosh_index.open_dir(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        return whoosh_index.create_in(self.path, SCHEMA)

    def stamps(self) -> dict[str, int]:
        """The version of each session the index holds, by session id."""
        def read(ix) -> dict[str, int]:
            with ix.reader() as reader:
                # A deleted document's term stays in the lexicon until segments merge.
                terms = [t.decode() for t in reader.lexicon("stamp") if _live(reader, t)]
            return {sid: int(v) for sid, v in (t.rsplit("@", 1) for t in terms)}
        try:
            return self._read(read)
        except FileNotFoundError:
            return {}

    def reconcile(self, archive: Archive) -> list[str]:
        """Bring every session whose version the index does not hold up to date, at one commit.

        Public sessions are (re)indexed, others removed. Returns the ids of the sessions that
        changed. The caller holds the archive's change lock, so the records cannot change
        while they are read.
        """
        want, have = archive.versions(), self.stamps()
        stale = sorted(sid for sid in want.keys() | have.keys() if want.get(sid) != have.get(sid))
        if stale:
            self._replace(stale, (archive.transcript(sid) for sid in stale if sid in want))
        return stale

    def replace_session(self, transcript: Transcript) -> None:
        """Index a session's segments, replacing any it had (a private session: none)."""
        self._replace([transcript.session.id], [transcript])

    def _replace(self, session_ids: list[str], transcripts: Iterable[Transcript]) -> None:
        """Remove these sessions' documents and add the transcripts' at one commit."""
        writer = self._writable().writer(timeout=LOCK_TIMEOUT)
        try:
            for session_id in session_ids:
                writer.delete_by_term("session", session_id)
            for transcript in transcripts:
                for doc in documents(transcript):
                    writer.add_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, transcripts: Iterable[Transcript]) -> int:
        """Build a fresh index beside this one, then swap it in; returns the segment count.

        It is built in a scratch folder of the archive's .staging (see Archive), which a sweep
        removes if the rebuild is killed. Readers retry while the folders swap (see _read).
        """
        with scratch_folder(self.path.parent / ".staging", "index-") as fresh:
            writer = whoosh_index.create_in(fresh, SCHEMA).writer()
            count = 0
            for transcript in transcripts:
                for doc in documents(transcript):
                    writer.add_document(**doc)
                    count += 1
            writer.commit()
            old = fresh.with_name(fresh.name + ".old")
            if self.path.exists() and not self.path.is_dir():
                raise NotADirectoryError(f"{self.path}: in the way of the search index")
            if self.path.exists():
                os.rename(self.path, old)
            os.rename(fresh, self.path)
            shutil.rmtree(old, ignore_errors=True)
        return count

    def session_ids(self) -> set[str]:
        """Ids of the sessions that have segments in the index."""
        return set(self.stamps())

    def search(self, text: str, page: int = 1, sort: str = "relevance",
               page_size: int = PAGE_SIZE, speaker: str = "", topic: str = "",
               session: str = "") -> SearchPage:
        """One page of hits for a query (see index.query), perhaps of one speaker, topic or
        session."""
        query = build_query(text, speaker, topic, session)
        try:
            return self._read(lambda ix: self._search(ix, query, text, page, sort, page_size,
                                                      speaker, topic))
        except FileNotFoundError:  # no public session was ever indexed
            return SearchPage(text, 1, 1, 0, [], sort, speaker.strip(), " ".join(topic.split()))

    def _search(self, ix, query, text: str, page: int, sort: str, page_size: int, speaker: str,
                topic: str) -> SearchPage:
        """Run a built query on an open index."""
        with ix.searcher() as searcher:
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
                   chapter=hit.get("chapter"), segment=int(hit["id"].rsplit("/", 1)[1]))
