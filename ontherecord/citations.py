"""Citations: the exact words said between two times, who said them, and a link back.

A visitor quotes a passage of a transcript, part of a line or many lines. The quote is found
from the words' times, so it is exactly the words chosen: a word belongs to the passage when
the middle of its time does, which tolerates the rounding of times in links. The permalink
pins the session's version, so a page opened later can tell what was corrected since.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote as quote_url

from ontherecord.corrections import realign, spread
from ontherecord.errors import InputError
from ontherecord.model import Correction, Segment, Session, SpeakerChange, Transcript, Word
from ontherecord.timecode import clock, hms

TOKEN = re.compile(r"\S+")
UNNAMED = "Unidentified speaker"
# Characters Markdown could read as formatting, links or HTML.
MARKDOWN = re.compile(r"([\\`*_\[\]<>])")


@dataclass
class Part:
    """One speaker's words in a quote, with who they are."""

    speaker: str  # the name to show
    side: str | None
    role: str | None
    text: str
    start: float
    end: float

    @property
    def about(self) -> str:
        """The speaker's side and role, as known: "district, Chief negotiator"."""
        return ", ".join(x for x in (self.side, self.role) if x)

    @property
    def who(self) -> str:
        """The speaker with side and role: "Mark Ellison (district, Chief negotiator)"."""
        return f"{self.speaker} ({self.about})" if self.about else self.speaker


@dataclass
class Citation:
    """A quoted passage: each speaker's words, the session, the times and the version."""

    session_id: str
    title: str
    unit: str
    date: str
    start: float  # when the first word quoted begins
    end: float  # when the last one ends
    version: int  # the session's version when quoted
    has_video: bool
    parts: list[Part]

    @property
    def quote(self) -> str:
        """The words quoted, every speaker's together."""
        return " ".join(p.text for p in self.parts)

    @property
    def times(self) -> str:
        """The time range as people read it: 0:01:05–0:01:20."""
        return f"{hms(self.start)}–{hms(self.end)}"

    @property
    def range_query(self) -> str:
        """?t=&end= of the passage, to the hundredth of a second (a short word is 0.1 s)."""
        return f"t={self.start:.2f}&end={self.end:.2f}"

    @property
    def permalink(self) -> str:
        """The page that plays the passage and marks it, pinned to this version."""
        return f"/sessions/{quote_url(self.session_id)}?{self.range_query}&v={self.version}"

    @property
    def clips(self) -> dict[str, str]:
        """The passage cut from the recording: audio, and video when it was recorded."""
        kinds = ("m4a", "mp4") if self.has_video else ("m4a",)
        return {ext: f"/sessions/{quote_url(self.session_id)}/clip.{ext}?{self.range_query}"
                for ext in kinds}

    def to_dict(self, site: str = "", longest_clip: float | None = None) -> dict[str, Any]:
        """The JSON form, its links made absolute with `site` (https://example.org).

        A passage longer than `longest_clip` seconds gets no clip links: they would be 400s.
        """
        too_long = longest_clip is not None and self.end - self.start > longest_clip
        return {**asdict(self), "quote": self.quote, "times": self.times,
                "parts": [{**asdict(p), "who": p.who, "about": p.about} for p in self.parts],
                "permalink": site + self.permalink,
                "clips": {} if too_long else {ext: site + path
                                              for ext, path in self.clips.items()}}


def timed_words(segment: Segment) -> list[Word]:
    """A line's words as shown (its text split at spaces), each with its time.

    The recognizer's words need not split as the text does ("well-known" may be two), so
    they are aligned to the text; a line without word times shares its time evenly.
    """
    tokens = segment.text.split()
    if [w.word.strip() for w in segment.words] == tokens:  # the usual case, and quick
        return segment.words
    if segment.words:
        return realign(segment.words, segment.text, segment)
    return spread(tokens, segment.start, segment.end) if tokens else []


def word_starts(segment: Segment) -> str:
    """When each word of a line begins, in hundredths of a second from the line's start.

    Compact, for the page: the browser turns a selection's characters into times with it.
    """
    return " ".join(str(round((w.start - segment.start) * 100)) for w in timed_words(segment))


def _inside(word: Word, start: float, end: float) -> bool:
    """Whether a word belongs to the passage: the middle of its time does."""
    return start <= (word.start + word.end) / 2 <= end


def check_range(session: Session, start: float, end: float) -> None:
    """Refuse a passage that ends before it starts, or after the session ends."""
    if end <= start:
        raise InputError(f"the passage ends (end={clock(end)[:11]}) before it starts "
                         f"(t={clock(start)[:11]})")
    if end > session.duration:
        raise InputError(f"end={clock(end)[:11]} is after the end of the session "
                         f"({clock(session.duration)[:11]})")


def cite(transcript: Transcript, start: float, end: float) -> Citation:
    """The citation of what was said between two times, one part per speaker in turn."""
    check_range(transcript.session, start, end)
    parts: list[Part] = []
    last_speaker: str | None = None
    for segment in transcript.segments:
        if segment.end < start or segment.start > end:
            continue
        words = [w for w in timed_words(segment) if _inside(w, start, end)]
        if not words:
            continue
        text = " ".join(w.word.strip() for w in words)
        if parts and segment.speaker == last_speaker:
            parts[-1].text += " " + text
            parts[-1].end = words[-1].end
            continue
        speaker = transcript.speaker(segment.speaker)
        parts.append(Part(speaker.display if speaker else UNNAMED,
                          speaker.side if speaker else None, speaker.role if speaker else None,
                          text, words[0].start, words[-1].end))
        last_speaker = segment.speaker
    if not parts:
        raise InputError(f"nothing is said between {hms(start)} and {hms(end)}")
    s = transcript.session
    return Citation(s.id, s.title, s.unit, s.date, parts[0].start,
                    min(parts[-1].end, s.duration), s.version, s.has_video, parts)


def marks(transcript: Transcript, start: float, end: float) -> dict[int, tuple[int, int]]:
    """Where the passage lies in each line it touches: line number → (from, to) characters."""
    found = {}
    for i, segment in enumerate(transcript.segments):
        if segment.end < start or segment.start > end:
            continue
        spans = [m.span() for m, w in zip(TOKEN.finditer(segment.text), timed_words(segment),
                                          strict=False) if _inside(w, start, end)]
        if spans:
            found[i] = (spans[0][0], spans[-1][1])
    return found


def _touches(transcript: Transcript, entry: Correction | SpeakerChange, start: float,
             end: float) -> bool:
    """Whether a logged change touched anything said between two times."""
    segments = transcript.segments
    first = next((i for i, s in enumerate(segments) if s.start == entry.start), None)
    if isinstance(entry, Correction) or entry.how == "reassign":
        # A text fix changes its one line; lines given to a speaker are `lines` in a row.
        count = 1 if isinstance(entry, Correction) else entry.lines
        if first is None:  # no line starts there any more: say so rather than stay silent
            return True
        changed = segments[first:first + count]
        return changed[0].start <= end and changed[-1].end >= start
    # A split or a merge moves a voice's lines anywhere from the first on; a new diarization
    # (logged at 0) may have changed any line.
    return entry.start <= end


def changed_since(transcript: Transcript, start: float, end: float,
                  version: int) -> list[Correction | SpeakerChange]:
    """The logged changes made after `version` to what was said between two times.

    An entry logged before entries kept their version has none: when it was made is
    unknown, and it is taken as made before any citation (citations came later).
    """
    return [entry for entry in transcript.log
            if entry.version is not None and entry.version > version
            and _touches(transcript, entry, start, end)]


def as_text(citation: Citation, site: str = "") -> str:
    """The citation as plain text: each speaker's words, then the source and the link."""
    lines = [f"{p.who}: “{p.text}”" for p in citation.parts]
    lines.append(f"— {_source(citation)}")
    lines.append(site + citation.permalink)
    return "\n".join(lines) + "\n"


def _markdown(text: str) -> str:
    """Text with Markdown's special characters escaped, so it reads as written."""
    return MARKDOWN.sub(r"\\\1", text)


def as_markdown(citation: Citation, site: str = "") -> str:
    """The citation as a Markdown block quote, the session's title a link to the passage."""
    said = [f"> **{_markdown(p.speaker)}**"
            + (f" ({_markdown(p.about)})" if p.about else "")
            + f": {_markdown(p.text)}" for p in citation.parts]
    source = (f"> — [{_markdown(citation.title)}]({site}{citation.permalink}), "
              f"{_markdown(citation.unit)}, {citation.date}, {citation.times}")
    return "\n>\n".join([*said, source]) + "\n"


def as_html(citation: Citation, site: str = "") -> str:
    """The citation as an HTML block quote to paste into a page, everything escaped."""
    link = html.escape(site + citation.permalink)
    said = [f"  <p><strong>{html.escape(p.speaker)}</strong>"
            + (f" ({html.escape(p.about)})" if p.about else "")
            + f": {html.escape(p.text)}</p>" for p in citation.parts]
    footer = (f'  <footer>— <a href="{link}">{html.escape(citation.title)}</a>, '
              f"{html.escape(citation.unit)}, {html.escape(citation.date)}, "
              f"{citation.times}</footer>")
    return "\n".join([f'<blockquote cite="{link}">', *said, footer, "</blockquote>"]) + "\n"


def _source(citation: Citation) -> str:
    """Where the passage was said: session title, unit, date and time range."""
    return f"{citation.title}, {citation.unit}, {citation.date}, {citation.times}"
