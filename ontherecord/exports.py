"""Transcript writers, one class per export format, each naming its extension and media type."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ontherecord.model import Segment, Transcript, Word
from ontherecord.timecode import clock

# A caption longer than two lines of 42 characters is hard to read before it disappears.
CAPTION_CHARS = 84


def caption_chunks(segment: Segment) -> Iterator[tuple[float, float, str]]:
    """Split a segment into caption-sized (start, end, text) pieces at word boundaries."""
    if not segment.words or len(segment.text.strip()) <= CAPTION_CHARS:
        yield segment.start, segment.end, segment.text.strip()
        return
    chunk: list[Word] = []
    for word in segment.words:
        if chunk and len("".join(w.word for w in chunk + [word]).strip()) > CAPTION_CHARS:
            yield chunk[0].start, chunk[-1].end, "".join(w.word for w in chunk).strip()
            chunk = []
        chunk.append(word)
    if chunk:
        yield chunk[0].start, chunk[-1].end, "".join(w.word for w in chunk).strip()


def captions(transcript: Transcript) -> Iterator[tuple[float, float, str, str]]:
    """Every caption chunk of a transcript as (start, end, text, speaker name)."""
    for segment in transcript.segments:
        who = transcript.speaker_name(segment.speaker)
        for start, end, text in caption_chunks(segment):
            yield start, end, text, who


class Writer:
    """Base writer: renders a transcript into one file format."""

    name = ""
    extension = ""
    mimetype = "text/plain"

    def render(self, transcript: Transcript) -> str:
        """The whole file as text."""
        raise NotImplementedError


class JsonWriter(Writer):
    """The transcript contract as JSON."""

    name = "json"
    extension = "json"
    mimetype = "application/json"

    def render(self, transcript: Transcript) -> str:
        """The JSON export, indented for people who read it."""
        return json.dumps(transcript.to_dict(), ensure_ascii=False, indent=1) + "\n"


class VttWriter(Writer):
    """WebVTT captions, with the speaker as a voice span when known."""

    name = "vtt"
    extension = "vtt"
    mimetype = "text/vtt"

    @staticmethod
    def escape(text: str) -> str:
        """Escape what WebVTT cue text reserves."""
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def render(self, transcript: Transcript) -> str:
        """A WEBVTT file, one cue per caption chunk."""
        cues = ["WEBVTT", ""]
        for start, end, text, who in captions(transcript):
            voice = f"<v {self.escape(who)}>" if who else ""
            cues += [f"{clock(start)} --> {clock(end)}", voice + self.escape(text), ""]
        return "\n".join(cues)


class SrtWriter(Writer):
    """SubRip captions, the speaker's name leading the text when known."""

    name = "srt"
    extension = "srt"
    mimetype = "application/x-subrip"

    def render(self, transcript: Transcript) -> str:
        """An SRT file, numbered cues per caption chunk."""
        cues: list[str] = []
        for n, (start, end, text, who) in enumerate(captions(transcript), 1):
            body = f"{who}: {text}" if who else text
            cues += [str(n), f"{clock(start, ',')} --> {clock(end, ',')}", body, ""]
        return "\n".join(cues)


class TxtWriter(Writer):
    """A plain, readable transcript with a timestamp on every line."""

    name = "txt"
    extension = "txt"
    mimetype = "text/plain"

    def render(self, transcript: Transcript) -> str:
        """A header naming the session, then one line per segment."""
        s = transcript.session
        lines = [s.title, f"{s.date} · {s.unit} · {clock(s.duration)[:8]}", ""]
        for seg in transcript.segments:
            who = transcript.speaker_name(seg.speaker)
            prefix = f"{who}: " if who else ""
            lines.append(f"[{clock(seg.start)[:8]}] {prefix}{seg.text.strip()}")
        return "\n".join(lines) + "\n"


class RttmWriter(Writer):
    """Speaker turns in NIST's Rich Transcription Time Marked format, as diarization tools read.

    Names become the speaker field with spaces turned to underscores (RTTM fields are
    whitespace-separated); unnamed voices keep their ids.
    """

    name = "rttm"
    extension = "rttm"
    mimetype = "text/plain"

    def render(self, transcript: Transcript) -> str:
        """One SPEAKER line per turn."""
        sid = transcript.session.id
        lines = []
        for turn in transcript.turns:
            speaker = transcript.speaker(turn.speaker)
            who = "_".join(speaker.name.split()) if speaker and speaker.name else turn.speaker
            lines.append(f"SPEAKER {sid} 1 {turn.start:.3f} {turn.end - turn.start:.3f} "
                         f"<NA> <NA> {who} <NA> <NA>")
        return "\n".join(lines) + ("\n" if lines else "")


WRITERS: dict[str, Writer] = {
    w.name: w for w in (JsonWriter(), VttWriter(), SrtWriter(), TxtWriter(), RttmWriter())
}
