"""The search index on disk: add, remove and rebuild sessions, and search them.

Two engines sit behind this one interface (index.engines): Whoosh, pure Python, for small
archives, and Tantivy for hundreds of hours and more (see BENCHMARKS.md). The index folder
records which one built it and how it was chosen; `ontherecord reindex --engine` changes it.
Either way the index is derived data, rebuilt from the archive.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh.query import And, Every, Query, Term

from index.documents import documents
from index.engines import (
    CHOICES,
    ENGINES,
    check_engine,
    default_engine,
    engine_for_hours,
    hours_of,
)
from index.highlight import Wanted, match_time, matched_words, snippet, wanted
from index.query import Filters, build_query
from index.results import Group, GroupedPage, Hit, SearchPage, Summary
from index.schema import FACETS, FORMAT
from index.suggest import Speller
from ontherecord.archive import Archive, scratch_folder
from ontherecord.errors import InputError
from ontherecord.model import Transcript

PAGE_SIZE = 20
SORTS = ("relevance", "newest", "oldest")
# The file in the index folder that says which engine and format made it.
MARK = "ontherecord-index.json"
# A reader that finds files gone (another process committed or swapped the index under it)
# opens the index again, this many times, a moment apart.
READ_ATTEMPTS = 5
READ_PAUSE = 0.05
# Past this many hits, a page is checked against the count before it is fetched.
DEEP = 1000
# Grouped results rank sessions by their best hit among this many of the best hits.
RANKED = 200
# The facets a search page counts, by filter name (see index.schema.FACETS).
COUNTED = ("unit", "speaker", "side", "topic")

# Open readers, one per index folder, kept while the folder is unchanged: opening an index
# was most of a search's cost. A commit or a swap changes the folder's mtime or inode.
# A server has one index; a process that opens many (tests, tools) keeps the latest few.
_OPEN: dict[Path, tuple[tuple[int, int], object]] = {}
MAX_OPEN = 8
_OPEN_LOCK = threading.Lock()


class SearchIndex:
    """The search index of an archive, in one folder, built by one of ENGINES."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @classmethod
    def of(cls, archive: Archive) -> SearchIndex:
        """The index of an archive, rebuilt if missing or made by an older version.

        Which sessions it holds is kept up to date by ontherecord.service (reconcile).
        """
        index = cls(archive.index_dir)
        if not index.has_current_schema() and archive.ids():
            index.rebuild_from(archive)
        return index

    def _mark(self) -> dict:
        """What the index folder says of itself ({} if there is no index)."""
        try:
            return json.loads((self.path / MARK).read_text())
        except (OSError, ValueError):
            return {}

    def engine(self) -> str | None:
        """The engine that built the index, or None if there is none."""
        name = self._mark().get("engine")
        return name if name in ENGINES else None

    def choice(self) -> str | None:
        """What the engine was chosen as: "auto", or an engine by name; None with no index."""
        choice = self._mark().get("choice", self.engine())
        return choice if choice in CHOICES else None

    def has_current_schema(self) -> bool:
        """Whether an index exists here, made by this version's format."""
        return self._mark().get("format") == FORMAT and self.engine() is not None

    def outgrown(self, hours: float) -> bool:
        """Whether an "auto" index's engine is no longer the one for this many public hours."""
        choice = self.choice()
        return choice == "auto" and self.engine() != engine_for_hours(choice, hours)

    def rebuild_from(self, archive: Archive, engine: str | None = None) -> int:
        """Rebuild from every public session in the archive; returns the segment count."""
        public = archive.public_sessions()
        return self.rebuild((archive.transcript(s.id) for s in public), engine,
                            hours_of(public))

    def rebuild(self, transcripts: Iterable[Transcript], engine: str | None = None,
                hours: float = 0.0) -> int:
        """Build a fresh index beside this one, then swap it in; returns the segment count.

        The engine is the one chosen (or "auto" for `hours` of recordings), else the choice
        the current index was built by, else the default. It is built in a scratch folder of
        the archive's .staging (see Archive), which a sweep removes if the rebuild is killed.
        Readers retry while folders swap.
        """
        choice = check_engine(engine or self.choice() or default_engine())
        name = engine_for_hours(choice, hours)
        with scratch_folder(self.path.parent / ".staging", "index-") as fresh:
            count = ENGINES[name].build(fresh, (d for t in transcripts for d in documents(t)))
            mark = {"engine": name, "choice": choice, "format": FORMAT}
            (fresh / MARK).write_text(json.dumps(mark))
            old = fresh.with_name(fresh.name + ".old")
            if self.path.exists() and not self.path.is_dir():
                raise NotADirectoryError(f"{self.path}: in the way of the search index")
            if self.path.exists():
                os.rename(self.path, old)
            os.rename(fresh, self.path)
            shutil.rmtree(old, ignore_errors=True)
        return count

    def _reader(self):
        """The open reader of the index as it is now; FileNotFoundError if there is none."""
        name = self.engine()
        if name is None:
            raise FileNotFoundError(self.path)
        st = os.stat(self.path)
        key = (st.st_ino, st.st_mtime_ns)
        with _OPEN_LOCK:
            cached = _OPEN.get(self.path)
            if cached is not None and cached[0] == key:
                return cached[1]
        reader = _retry(lambda: ENGINES[name].Reader(self.path))
        with _OPEN_LOCK:
            _OPEN.pop(self.path, None)
            _OPEN[self.path] = (key, reader)
            while len(_OPEN) > MAX_OPEN:  # the least recently opened index is let go
                del _OPEN[next(iter(_OPEN))]
        return reader

    def stamps(self) -> dict[str, int]:
        """The version of each session the index holds, by session id."""
        try:
            terms = self._reader().stamps()
        except FileNotFoundError:
            return {}
        return {sid: int(v) for sid, v in (t.rsplit("@", 1) for t in terms)}

    def reconcile(self, archive: Archive) -> list[str]:
        """Bring every session whose version the index does not hold up to date, at one commit.

        Public sessions are (re)indexed, others removed. Returns the ids of the sessions that
        changed. The caller holds the archive's change lock, so the records cannot change
        while they are read.
        """
        want = archive.versions()
        if not self.has_current_schema():  # none yet (a first ingest, an import): build it whole
            self.rebuild_from(archive)
            return sorted(want)
        have = self.stamps()
        stale = sorted(sid for sid in want.keys() | have.keys() if want.get(sid) != have.get(sid))
        if stale:
            self._replace(stale, (archive.transcript(sid) for sid in stale if sid in want))
        return stale

    def replace_session(self, transcript: Transcript) -> None:
        """Index a session's segments, replacing any it had (a private session: none)."""
        self._replace([transcript.session.id], [transcript])

    def _replace(self, session_ids: list[str], transcripts: Iterable[Transcript]) -> None:
        """Remove these sessions' documents and add the transcripts' at one commit."""
        if not self.has_current_schema():
            self.rebuild([])
        name = self.engine() or engine_for_hours(default_engine(), 0.0)
        ENGINES[name].replace(self.path, session_ids,
                              (d for t in transcripts for d in documents(t)))

    def speakers(self) -> list[str]:
        """Every person named in the public sessions, A to Z."""
        try:
            return _names(self._reader())
        except FileNotFoundError:
            return []

    def session_ids(self) -> set[str]:
        """Ids of the sessions that have segments in the index."""
        return set(self.stamps())

    def search(self, text: str, page: int = 1, sort: str = "relevance",
               page_size: int = PAGE_SIZE, **filters: str) -> SearchPage:
        """One page of hits for a query (see index.query), narrowed by filters (see Filters)."""
        chosen = Filters(**filters)
        query = build_query(text, chosen)
        sort = sort if sort in SORTS else "relevance"
        try:
            reader = self._reader()
        except FileNotFoundError:  # no public session was ever indexed
            return SearchPage(text, 1, 0, 0, sort, chosen)
        page = max(page, 1)
        if (page - 1) * page_size > DEEP:
            # Engines keep offset + page_size candidates: count first, not a heap of 10**12.
            total, _ = reader.top(query, 0, 1, sort)
            page = min(page, max(1, -(-total // page_size)))
        total, docs = reader.top(query, (page - 1) * page_size, page_size, sort)
        pages = -(-total // page_size)
        if page > max(pages, 1):  # past the end: the last page, as a reader paging on expects
            page = max(pages, 1)
            total, docs = reader.top(query, (page - 1) * page_size, page_size, sort)
        want = wanted(query)
        return SearchPage(text, page, pages, total, sort, chosen,
                          self._summary(reader, query, text, chosen, total),
                          [self._hit(d, want) for d in docs])

    def grouped(self, text: str, page: int = 1, sort: str = "relevance", per_page: int = 10,
                per_session: int = 3, **filters: str) -> GroupedPage:
        """One page of the sessions that match, each with its best few hits and its count.

        Sessions come newest or oldest first, or (relevance) in the order of their best hits,
        so one long session cannot bury the others.
        """
        chosen = Filters(**filters)
        query = build_query(text, chosen)
        sort = sort if sort in SORTS else "relevance"
        try:
            reader = self._reader()
        except FileNotFoundError:
            return GroupedPage(text, 1, 0, 0, sort, chosen)
        counts = reader.counts(query, [FACETS["session"]])[FACETS["session"]]
        order = self._session_order(reader, query, counts, sort)
        pages = -(-len(order) // per_page)
        page = min(max(page, 1), max(pages, 1))
        want = wanted(query)
        groups = []
        for key in order[(page - 1) * per_page:page * per_page]:
            date, session_id = key.split(" ", 1)
            hits = self._best(reader, query, want, session_id, per_session)
            groups.append(Group(session_id, hits[0].title, date, hits[0].unit, counts[key],
                                hits))
        total = sum(counts.values())
        return GroupedPage(text, page, pages, total, sort, chosen,
                           self._summary(reader, query, text, chosen, total, counts), groups)

    def by_session(self, text: str, **filters: str) -> dict[str, int]:
        """How many moments match in each session that has any, by session id."""
        query = build_query(text, Filters(**filters))
        try:
            reader = self._reader()
        except FileNotFoundError:
            return {}
        counts = reader.counts(query, [FACETS["session"]])[FACETS["session"]]
        return {key.split(" ", 1)[1]: n for key, n in counts.items()}

    def best_in(self, session_id: str, text: str, count: int, **filters: str) -> list[Hit]:
        """A session's best `count` hits for a query and filters."""
        query = build_query(text, Filters(**filters))
        try:
            reader = self._reader()
        except FileNotFoundError:
            return []
        return self._best(reader, query, wanted(query), session_id, count)

    def newest(self, count: int, **filters: str) -> list[Hit]:
        """The newest `count` moments the filters allow, without a search page's counting."""
        query = build_query("", Filters(**filters))
        try:
            _, docs = self._reader().top(query, 0, count, "newest")
        except FileNotFoundError:
            return []
        want = wanted(query)
        return [self._hit(d, want) for d in docs]

    def _best(self, reader, query: Query, want: Wanted, session_id: str,
              count: int) -> list[Hit]:
        """The best `count` hits of a query in one session."""
        _, docs = reader.top(And([query, Term("session", session_id)]), 0, count, "relevance")
        return [self._hit(d, want) for d in docs]

    @staticmethod
    def _session_order(reader, query: Query, counts: dict[str, int], sort: str) -> list[str]:
        """The session keys ("date id") in the order their groups are shown."""
        if sort != "relevance":
            return sorted(counts, key=lambda k: (k.split(" ", 1)[0], k), reverse=sort == "newest")
        _, best = reader.top(query, 0, RANKED, "relevance")
        ranked = list(dict.fromkeys(f"{d['date']} {d['session']}" for d in best))
        # Sessions with no hit among the best are ranked by how many hits they have.
        rest = sorted(set(counts) - set(ranked), key=lambda k: (-counts[k], k))
        return [k for k in ranked if k in counts] + rest

    def _summary(self, reader, query: Query, text: str, chosen: Filters, total: int,
                 sessions: dict[str, int] | None = None) -> Summary:
        """The facet counts and session count of a search, and a suggestion if it needs one.

        A facet counts under every filter but its own, so choosing a unit still shows how
        many hits the other units have.
        """
        free = [f for f in COUNTED if not getattr(chosen, f)]
        wanted_fields = [FACETS[f] for f in free] + ([] if sessions else [FACETS["session"]])
        found = reader.counts(query, wanted_fields)
        facets = {f: found[FACETS[f]] for f in free}
        for f in COUNTED:
            if getattr(chosen, f):
                others = chosen.without(f)
                # With its only filter left off, a search without words counts everything.
                others = build_query(text, others) if text.strip() or others != Filters() \
                    else Every()
                facets[f] = reader.counts(others, [FACETS[f]])[FACETS[f]]
        sessions = sessions if sessions is not None else found[FACETS["session"]]
        return Summary(len(sessions), facets, self._suggestion(reader, text, chosen, total))

    def _suggestion(self, reader, text: str, chosen: Filters, total: int) -> str | None:
        """A better spelling of the query, if one finds more than it does."""
        if not text.strip():
            return None
        speller = _speller(reader)
        better = speller.query(text)
        if better is None:
            return None
        try:
            found, _ = reader.top(build_query(better, chosen), 0, 1, "relevance")
        except InputError:
            return None
        return better if found > total else None

    @staticmethod
    def _hit(doc: dict, want: Wanted) -> Hit:
        """A stored document as a Hit, with an escaped, highlighted snippet."""
        words = matched_words(doc["text"], want)
        # A hit found only through a filter (speaker:, date:…) has no matched word to point at.
        moment = match_time(words, doc.get("words") or [])
        return Hit(doc["session"], doc["title"], doc["date"], doc["unit"], doc["speaker"],
                   doc["start"] if moment is None else moment, doc["end"], doc["text"],
                   snippet(doc["text"], words), round(float(doc["score"]), 3),
                   segment_start=doc["start"], chapter=doc.get("chapter"),
                   segment=doc["segment"])


# What is worked out once per open reader (its names, its speller), gone with it.
_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _memo(reader, name: str, make: Callable):
    """`make()`, once per reader and name."""
    memo = _MEMO.setdefault(reader, {})
    if name not in memo:
        memo[name] = make()
    return memo[name]


def _names(reader) -> list[str]:
    """The named speakers of a reader's index, A to Z."""
    return _memo(reader, "names", lambda: sorted(
        reader.counts(Every(), [FACETS["speaker"]])[FACETS["speaker"]], key=str.casefold))


def _speller(reader) -> Speller:
    """The speller over a reader's words and names."""
    return _memo(reader, "speller", lambda: Speller(reader.vocabulary(), _names(reader)))


def _retry(use: Callable):
    """`use()`, again a moment later if a commit or swap removed files under it."""
    for attempt in range(READ_ATTEMPTS):
        try:
            return use()
        except FileNotFoundError:
            if attempt == READ_ATTEMPTS - 1:
                raise
            time.sleep(READ_PAUSE)
    raise AssertionError("unreachable")
