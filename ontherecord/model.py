"""The archive's data model: what flows between pipeline stages and what is stored on disk.

Every stage reads and writes these types, never another stage's internals. Times are seconds
from the start of the session's playable media, so a timestamp is also a seek position.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal


@dataclass
class Word:
    """One recognized word with its time span and the recognizer's confidence."""

    start: float
    end: float
    word: str
    probability: float


@dataclass
class Segment:
    """A stretch of speech: a sentence or so, by one speaker once diarization has run."""

    start: float
    end: float
    text: str
    speaker: str | None = None
    words: list[Word] = field(default_factory=list)
    chapter: int | None = None  # index into the transcript's chapters
    # "staff" once staff said who spoke this line: finding speakers again never overrides it.
    speaker_by: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        """Build a segment from its JSON form."""
        words = [Word(**w) for w in data.get("words", [])]
        return cls(data["start"], data["end"], data["text"], data.get("speaker"), words,
                   data.get("chapter"), data.get("speaker_by"))


@dataclass
class Turn:
    """A stretch of time in which one speaker holds the floor (the diarization's output)."""

    start: float
    end: float
    speaker: str


@dataclass
class Chapter:
    """A stretch of a session on one topic, titled from what was said in it."""

    start: float
    end: float
    title: str
    topic: str
    topic_id: str
    # True once staff retitled it or changed its topic; finding chapters again keeps that.
    edited: bool = False


SIDES = ("district", "union", "mediator", "board", "public", "other")


@dataclass
class Speaker:
    """One voice in a session: found by diarization, then named by staff or by the registry.

    `named_by` is "staff" when a person named it, "voice" when the voice registry recognized
    it (then `score` is the cosine similarity that did it, kept so staff can review), and None
    while the speaker is unnamed.
    """

    id: str
    label: str
    name: str | None = None
    side: str | None = None
    role: str | None = None
    talk_time: float = 0.0
    named_by: str | None = None
    score: float | None = None

    @property
    def display(self) -> str:
        """The name to show: the person's name, else the label ("Speaker 2")."""
        return self.name or self.label


@dataclass
class RosterMember:
    """Someone staff say was at the table: a name for the speakers, with side and role."""

    name: str
    side: str | None = None
    role: str | None = None


@dataclass
class Source:
    """The original recording as it was handed to ingest."""

    filename: str
    sha256: str
    size: int


# A session's life: ingested as a draft (staff only), then published, perhaps withdrawn later.
State = Literal["draft", "published", "withdrawn"]


@dataclass
class Session:
    """A session's metadata: what it is, when it happened, and where its media lives.

    Only a published session that is not closed is public. `closed` marks a closed board
    session under open-meeting law: it can never be published.
    """

    id: str
    title: str
    date: str
    unit: str
    duration: float
    media: str
    media_type: str
    source: Source
    model: str = ""
    ingested_at: str = ""
    # A session.json from before states existed has none: it stays hidden until staff
    # publish it, since nobody has said it may be public.
    state: State = "draft"
    closed: bool = False
    description: str = ""
    published_at: str = ""  # when it was first made public (ISO 8601 UTC), for the feed
    source_url: str = ""  # where the public can find the original (the district's stream page)
    # Counts the changes made to the session's records, so the search index (and anything else
    # derived) can tell whether it holds the current version; see ontherecord.service.
    version: int = 0
    # Who was at the table and how many voices were heard, as staff said: they bound the
    # count of speakers diarization looks for, and the roster's names are offered for naming.
    roster: list[RosterMember] = field(default_factory=list)
    speaker_count: int | None = None

    @property
    def public(self) -> bool:
        """Whether anyone may see this session."""
        return self.state == "published" and not self.closed

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        """Build session metadata from its JSON form."""
        fields = dict(data)
        fields["source"] = Source(**fields["source"])
        fields["roster"] = [RosterMember(**m) for m in fields.get("roster", [])]
        return cls(**fields)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this metadata."""
        return asdict(self)

    @property
    def has_video(self) -> bool:
        """Whether the playable media is a video (else it is audio only)."""
        return self.media_type.startswith("video/")


def saved_version(transcript: Transcript) -> int:
    """The version a change being made now gives the session once saved.

    ontherecord.service saves every change with the version counted up by one, so a log entry
    can carry it before the save: a citation then tells the changes made since it was quoted.
    """
    return transcript.session.version + 1


@dataclass
class Correction:
    """A staff fix to one segment's text, kept in the session's public correction log."""

    kind: ClassVar[str] = "text"  # tells the log's entries apart; not stored
    at: str  # when, ISO 8601 UTC
    start: float  # the segment's start: times never change, so this finds it for good
    before: str
    after: str
    # The session version the change made (None in entries logged before versions were kept).
    version: int | None = None


# How a speaker change came about: lines given to another voice, a voice split in two, two
# voices found to be one, or the speakers found again from the recording.
SpeakerHow = Literal["reassign", "split", "merge", "rediarize"]


@dataclass
class SpeakerChange:
    """A staff change to who said what, logged publicly beside the text corrections."""

    kind: ClassVar[str] = "speaker"
    at: str  # when, ISO 8601 UTC
    start: float  # the first line changed
    before: str  # the speakers' names as shown then ("Speaker 2")
    after: str
    lines: int = 1  # how many lines changed speaker (for a re-run: how many voices were found)
    how: SpeakerHow = "reassign"
    version: int | None = None  # as for Correction


# Where a suggested name comes from: someone introducing themselves ("I'm Mark Ellison, for
# the district"), answering to their name at roll call, or the voice registry.
SuggestionSource = Literal["introduction", "roll call", "voice"]


@dataclass
class Suggestion:
    """A name the machine offers staff for a speaker, with the evidence, to accept or reject."""

    speaker: str
    name: str
    side: str | None = None
    role: str | None = None
    source: SuggestionSource = "introduction"
    score: float | None = None  # a voice match's cosine similarity
    evidence: str = ""  # the sentence that says so
    start: float | None = None  # when it was said


@dataclass
class Transcript:
    """A session together with everything said in it: the transcript contract."""

    session: Session
    segments: list[Segment]
    speakers: list[Speaker] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    # In transcript.json with the text it explains, so a fix and its log entry are one write.
    corrections: list[Correction] = field(default_factory=list)
    speaker_changes: list[SpeakerChange] = field(default_factory=list)
    # Staff only (in transcript.json, never in the public export): names offered for the
    # speakers, and the ones staff turned down, so they are not offered again.
    suggestions: list[Suggestion] = field(default_factory=list)
    rejected: list[Suggestion] = field(default_factory=list)

    @classmethod
    def from_dict(cls, session: Session, body: dict[str, Any]) -> Transcript:
        """Build a transcript from its JSON form (transcript.json) and its session."""
        return cls(
            session,
            [Segment.from_dict(s) for s in body["segments"]],
            [Speaker(**s) for s in body.get("speakers", [])],
            [Chapter(**c) for c in body.get("chapters", [])],
            [Turn(**t) for t in body.get("turns", [])],
            [Correction(**c) for c in body.get("corrections", [])],
            [SpeakerChange(**c) for c in body.get("speaker_changes", [])],
            [Suggestion(**x) for x in body.get("suggestions", [])],
            [Suggestion(**x) for x in body.get("rejected", [])],
        )

    @property
    def log(self) -> list[Correction | SpeakerChange]:
        """The public correction log, text fixes and speaker changes together, newest first."""
        entries: list[Correction | SpeakerChange] = [*self.corrections, *self.speaker_changes]
        # Each list is in the order made, which breaks ties within a second.
        order = sorted(range(len(entries)), key=lambda i: (entries[i].at, i), reverse=True)
        return [entries[i] for i in order]

    def chapter_of(self, segment: Segment) -> Chapter | None:
        """The chapter a segment belongs to, if chapters were found."""
        if segment.chapter is None or not 0 <= segment.chapter < len(self.chapters):
            return None
        return self.chapters[segment.chapter]

    def speaker(self, speaker_id: str | None) -> Speaker | None:
        """The speaker with this id, if there is one."""
        return next((s for s in self.speakers if s.id == speaker_id), None)

    def speaker_name(self, speaker_id: str | None) -> str:
        """The name to show for a speaker id: the person's name, else its label, else ''."""
        speaker = self.speaker(speaker_id)
        return speaker.display if speaker else speaker_id or ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON export: public session fields, segments, speakers and chapters."""
        s = self.session
        return {
            "session": {
                "id": s.id,
                "title": s.title,
                "date": s.date,
                "unit": s.unit,
                "duration": s.duration,
                "description": s.description,
                "source_url": s.source_url,
            },
            "segments": [asdict(seg) for seg in self.segments],
            "speakers": [asdict(s) for s in self.speakers],
            "chapters": [asdict(c) for c in self.chapters],
            "turns": [asdict(t) for t in self.turns],
            "corrections": [asdict(c) for c in self.corrections],
            "speaker_changes": [asdict(c) for c in self.speaker_changes],
        }
