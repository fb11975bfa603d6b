"""One recording through every stage, committed to the archive all at once or not at all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest import asr, attribution, diarize, media, topics
from ontherecord import voices
from ontherecord.archive import Archive
from ontherecord.details import check_date
from ontherecord.errors import InputError
from ontherecord.model import Session, Source, Transcript
from ontherecord.progress import Progress, Silent


@dataclass
class Details:
    """What staff say about a recording: it cannot be heard in the audio."""

    title: str
    date: str
    unit: str

    def check(self) -> None:
        """Raise InputError unless the title is given and the date is a real YYYY-MM-DD."""
        if not self.title.strip():
            raise InputError("a session needs a --title")
        check_date(self.date, "--date")


@dataclass
class Result:
    """The session a recording became, and whether this ingest created it."""

    session: Session
    created: bool


def sha256_of(path: Path) -> str:
    """The checksum of the original recording, which identifies it across re-ingests."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def make_session_id(details: Details, sha256: str) -> str:
    """A readable, stable id: date, title words, and a piece of the recording's checksum."""
    slug = re.sub(r"[^a-z0-9]+", "-", details.title.lower()).strip("-")[:48].strip("-")
    return "-".join(part for part in (details.date, slug, sha256[:8]) if part)


def ingest(
    archive: Archive,
    path: Path,
    details: Details,
    options: asr.AsrOptions,
    progress: Progress | None = None,
    on_commit: Callable[[Transcript], None] | None = None,
    speaker_options: diarize.DiarizeOptions | None = None,
) -> Result:
    """Turn a recording into an archived session; `on_commit` (the indexer) runs after commit.

    If anything fails, including `on_commit`, the archive is left as it was.
    """
    progress = progress or Silent()
    speaker_options = speaker_options or diarize.DiarizeOptions()
    details.check()
    speaker_options.check()
    # Read before any work, so a broken archive taxonomy fails in a second, not after the ASR.
    taxonomy = topics.load_taxonomy(archive.taxonomy_path)
    media.check_input(path)
    sha256 = sha256_of(path)
    existing = archive.find_by_sha256(sha256)
    if existing:
        return Result(existing, created=False)
    info = media.probe(path)
    with archive.staging() as folder:
        playable = media.make_playable(path, info, folder, progress)
        wav = folder / "audio.wav"
        duration = media.extract_audio(folder / f"media.{playable.extension}", wav,
                                       info.duration, progress)
        media.check_complete(path, info, duration)
        options = dataclasses.replace(options, glossary=options.glossary or archive.glossary())
        segments = asr.transcribe(wav, options, duration, progress)
        found = diarize.diarize(media.read_wav(wav), speaker_options, progress)
        wav.unlink()
        segments = attribution.attribute(segments, found.turns)
        speakers = attribution.speakers_of(found.turns)
        progress.start("finding chapters", duration)
        chapters = topics.chapters(segments, taxonomy)
        progress.finish()
        voices.recognize(voices.load(archive), speakers, found.voiceprints)
        session = Session(
            id=make_session_id(details, sha256), title=details.title.strip(),
            date=details.date, unit=details.unit.strip(), duration=round(duration, 3),
            media=f"media.{playable.extension}", media_type=playable.media_type,
            source=Source(path.name, sha256, path.stat().st_size), model=options.model,
            ingested_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        transcript = Transcript(session, segments, speakers, chapters, found.turns)
        archive.commit(folder, session, transcript, found.voiceprints)
    if on_commit:
        try:
            on_commit(transcript)
        except BaseException:
            archive.remove(session.id)
            raise
    return Result(session, created=True)


def rediarize(
    archive: Archive,
    session_id: str,
    speaker_options: diarize.DiarizeOptions,
    progress: Progress | None = None,
) -> Transcript:
    """Find a committed session's speakers again (e.g. with the right count), keeping names.

    Names staff gave in this session carry over to the voices that match them, through the
    registry where their voiceprints were filed; other voices are recognized as at ingest.
    """
    progress = progress or Silent()
    speaker_options.check()
    transcript = archive.transcript(session_id)
    with archive.staging() as folder:
        wav = folder / "audio.wav"
        media.extract_audio(archive.media_path(transcript.session), wav,
                            transcript.session.duration, progress)
        found = diarize.diarize(media.read_wav(wav), speaker_options, progress)
    speakers = attribution.speakers_of(found.turns)
    people = voices.load(archive)
    named_here = {p.name for p in people if any(x.session == session_id for x in p.prints)}
    voices.recognize(people, speakers, found.voiceprints)
    people = voices.forget(people, session_id)
    for speaker in speakers:
        if speaker.name in named_here:  # staff named this voice in this very session
            speaker.named_by, speaker.score = "staff", None
            people = voices.learn(people, speaker, session_id, found.voiceprints[speaker.id])
    transcript.segments = attribution.attribute(transcript.segments, found.turns)
    transcript.speakers, transcript.turns = speakers, found.turns
    archive.save_voiceprints(session_id, found.voiceprints)
    archive.save_transcript(transcript)
    voices.save(archive, people)
    return transcript

