"""What a search gives back: hits, result pages (flat or grouped by session) and their summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.query import Filters


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
class Summary:
    """What a search found overall: sessions, per-facet counts, and a spelling suggestion."""

    sessions: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None


@dataclass
class Found:
    """What a search found, one page of it: the part every kind of result page shares."""

    query: str
    page: int
    pages: int
    total: int  # moments (segments) that match, in every session
    sort: str = "relevance"
    filters: Filters = field(default_factory=Filters)
    summary: Summary = field(default_factory=Summary)

    def to_dict(self) -> dict:
        """The JSON form of the page."""
        return {
            "query": self.query, **self.filters.to_dict(), "page": self.page,
            "pages": self.pages, "total": self.total, "sessions": self.summary.sessions,
            "sort": self.sort, "suggestion": self.summary.suggestion,
            "facets": self.summary.facets,
        }


@dataclass
class SearchPage(Found):
    """One page of hits for a query."""

    hits: list[Hit] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON form of a result page."""
        return {**super().to_dict(), "hits": [h.to_dict() for h in self.hits]}


@dataclass
class Group:
    """One session's hits in grouped results: its best few, and how many it has."""

    session: str
    title: str
    date: str
    unit: str
    count: int
    hits: list[Hit]

    def to_dict(self) -> dict:
        """The JSON form of a group."""
        return {"session": self.session, "title": self.title, "date": self.date,
                "unit": self.unit, "count": self.count, "hits": [h.to_dict() for h in self.hits]}


@dataclass
class GroupedPage(Found):
    """One page of sessions that match a query, each with its best hits."""

    groups: list[Group] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON form of a grouped page."""
        return {**super().to_dict(), "groups": [g.to_dict() for g in self.groups]}
