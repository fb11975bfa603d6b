"""The bundled example sessions, their scripts, and the one way tests ingest a recording."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.asr import AsrOptions
from ingest.diarize import DiarizeOptions
from ontherecord import service
from ontherecord.archive import Archive
from ontherecord.details import Details
from tests.helpers import ROOT

EXAMPLE = ROOT / "examples" / "bargaining-session.ogg"
REFERENCE = json.loads((ROOT / "examples" / "bargaining-session.json").read_text("utf-8"))
FOLLOWUP = ROOT / "examples" / "followup-session.ogg"
FOLLOWUP_REFERENCE = json.loads((ROOT / "examples" / "followup-session.json").read_text("utf-8"))
# tiny.en keeps the suite fast; the default (base) is exercised by the benchmarks.
TEST_MODEL = "tiny.en"
# The name staff give the district's negotiator in the shared named archive.
DISTRICT_NAME = "Mark Ellison"


def normalize(text: str) -> str:
    """Lower-case words without punctuation, for comparing what was said."""
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def utterance_saying(words: str) -> dict:
    """The one utterance of the example script that says these words."""
    wanted = f" {normalize(words)} "
    found = [u for u in REFERENCE["utterances"] if wanted in f" {normalize(u['text'])} "]
    assert len(found) == 1, (words, found)
    return found[0]


def phrase_start(transcript, phrase: str) -> float:
    """When the transcript's words say this phrase (the start of its first word)."""
    words = [w for s in transcript.segments for w in s.words]
    spoken = [normalize(w.word) for w in words]
    wanted = normalize(phrase).split()
    for i in range(len(spoken) - len(wanted) + 1):
        if spoken[i:i + len(wanted)] == wanted:
            return words[i].start
    raise AssertionError(f"{phrase!r} is not in the words of the transcript")


def segment_saying(transcript, phrase: str):
    """The one segment of a transcript whose text says this phrase."""
    found = [s for s in transcript.segments if normalize(phrase) in normalize(s.text)]
    assert len(found) == 1, (phrase, [s.text for s in found])
    return found[0]


def assert_link_time(t: float, start: float) -> None:
    """A link opens at its start rounded down to 0.1 s: never after, never 0.1 s before."""
    assert t <= start < t + 0.1, (t, start)


def example_details() -> Details:
    """The metadata the example session is ingested with."""
    return Details(REFERENCE["title"], REFERENCE["date"], REFERENCE["unit"])


def followup_details() -> Details:
    """The metadata the follow-up session is ingested with."""
    ref = FOLLOWUP_REFERENCE
    return Details(ref["title"], ref["date"], ref["unit"])


# The one place tests ingest a recording as the CLI does: published by default, since most
# tests look at a session as the public would. `speakers` are what --speakers etc. ask for.
def ingest_into(archive: Archive, path: Path, details: Details | None = None,
                publish: bool = True, speakers: DiarizeOptions | None = None):
    """Ingest, index and (unless asked not to) publish one recording with the test model.

    The one place tests bring a recording in, through the service as the CLI does: published
    by default, since most tests look at a session as the public would; `speakers` are the
    --speakers options. Returns the service's Change (`.session`, `.created`).
    """
    return service.ingest(archive, path, details or example_details(),
                          asr_options=AsrOptions(model=TEST_MODEL), speaker_options=speakers,
                          publish=publish)


def name_speaker(archive: Archive, session_id: str, ref: str, name: str,
                 side: str | None = None, role: str | None = None):
    """Name a speaker as `ontherecord speakers --name` does; returns the saved transcript."""
    return service.name_speaker(archive, session_id, ref, name, side, role).transcript


def district_line(session: dict) -> tuple[int, dict]:
    """A line of the named district negotiator whose words split as its text does, from a
    session's JSON export: (its number, the line)."""
    named = {s["id"] for s in session["speakers"] if s["name"] == DISTRICT_NAME}
    for i, seg in enumerate(session["segments"]):
        words = [w["word"].strip() for w in seg["words"]]
        if seg["speaker"] in named and len(words) >= 5 and words == seg["text"].split():
            return i, seg
    raise AssertionError("no line of the district negotiator with five words")
