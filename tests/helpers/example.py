"""The bundled example sessions, their scripts, and the one way tests ingest a recording."""

from __future__ import annotations

import json
import re
from pathlib import Path

from index.store import SearchIndex
from ingest.asr import AsrOptions
from ingest.diarize import DiarizeOptions
from ingest.pipeline import Details, ingest
from ontherecord import publishing
from ontherecord.archive import Archive
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
    """Ingest a recording with the test model, index it and (unless told not to) publish it."""
    index = SearchIndex(archive.index_dir)
    result = ingest(archive, path, details or example_details(), AsrOptions(model=TEST_MODEL),
                    on_commit=index.replace_session, speaker_options=speakers)
    if publish and result.created:
        publishing.publish(archive, result.session.id)
        index.replace_session(archive.transcript(result.session.id))
    return result


def name_speaker(archive: Archive, session_id: str, ref: str, name: str,
                 side: str | None = None, role: str | None = None):
    """Name a speaker as `ontherecord speakers --name` does: edit, then reindex the session."""
    from ontherecord import speakers

    transcript = speakers.name(archive, session_id, ref, name, side, role)
    SearchIndex(archive.index_dir).replace_session(transcript)
    return transcript
