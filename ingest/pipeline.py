"""One recording through every stage into a staged session, for the service to commit at once."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest import asr, attribution, diarize, media, topics
from ontherecord import reassign, suggestions, voices
from ontherecord.archive import Archive
from ontherecord.details import Details
from ontherecord.model import RosterMember, Session, Source, Transcript
from ontherecord.progress import Progress, Silent
from ontherecord.taxonomy import load_taxonomy
from ontherecord.timecode import now_iso


@dataclass
class Result:
    """What a recording became: an existing session, or a new one staged for commit."""

    session: Session
    transcript: Transcript | None = None  # a new session, ready for Archive.commit
    voiceprints: dict[str, list[float]] = field(default_factory=dict)

    @property
    def created(self) -> bool:
        """Whether the recording made a new session (else it was in the archive already)."""
        return self.transcript is not None


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
    folder: Path,
    progress: Progress | None = None,
    speaker_options: diarize.DiarizeOptions | None = None,
) -> Result:
    """Turn a recording into a session staged in `folder`, or find the session it already is.

    `details` come checked (Details.checked). Nothing is written outside `folder`: the caller
    (ontherecord.service) commits the result.
    """
    progress = progress or Silent()
    speaker_options = bounded(speaker_options, details.speaker_count, details.roster)
    # Read before any work, so a broken archive taxonomy fails in a second, not after the ASR.
    taxonomy = load_taxonomy(archive.taxonomy_path)
    media.check_input(path)
    sha256 = sha256_of(path)
    existing = archive.find_by_sha256(sha256)
    if existing:
        return Result(existing)
    info = media.probe(path)
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
        id=make_session_id(details, sha256), title=details.title, date=details.date,
        unit=details.unit, description=details.description, source_url=details.source_url,
        duration=round(duration, 3), media=f"media.{playable.extension}",
        media_type=playable.media_type, source=Source(path.name, sha256, path.stat().st_size),
        model=options.model, ingested_at=now_iso(), roster=details.roster,
        speaker_count=details.speaker_count,
    )
    transcript = Transcript(session, segments, speakers, chapters, found.turns)
    transcript.suggestions = suggestions.found(transcript)
    return Result(session, transcript, found.voiceprints)


def bounded(options: diarize.DiarizeOptions | None, count: int | None,
            roster: list[RosterMember]) -> diarize.DiarizeOptions:
    """Diarization options within what staff said, checked.

    Their count of voices is the number to find, else a roster of n people caps it at n; a
    count the caller fixed wins.
    """
    options = dataclasses.replace(options) if options else diarize.DiarizeOptions()
    if options.speakers is None and count:
        options.speakers = count
    elif options.speakers is None and roster:
        options.max_speakers = min(options.max_speakers, len(roster))
        options.min_speakers = min(options.min_speakers, options.max_speakers)
    options.check()
    return options


def find_speakers(archive: Archive, session: Session, options: diarize.DiarizeOptions,
                  progress: Progress | None = None) -> diarize.Diarization:
    """Diarize a committed session's recording again (e.g. with the right count of voices)."""
    progress = progress or Silent()
    options = bounded(options, session.speaker_count, session.roster)
    with archive.staging() as folder:
        wav = folder / "audio.wav"
        media.extract_audio(archive.media_path(session), wav, session.duration, progress)
        return diarize.diarize(media.read_wav(wav), options, progress)


def apply_speakers(archive: Archive, transcript: Transcript, found: diarize.Diarization,
                   ) -> tuple[dict[str, list[float]], list[voices.Person]]:
    """Give a transcript the speakers found again, keeping names; returns prints and registry.

    Changes `transcript` in memory; the caller saves all three. Names staff gave in this
    session carry over to the voices that match them, through the registry where their
    voiceprints were filed; other voices are recognized as at ingest. A line whose speaker
    staff set keeps that speaker (under a new id if need be) and is never split.
    """
    session_id = transcript.session.id
    held = reassign.hold(transcript)
    speakers = attribution.speakers_of(found.turns)
    people = voices.load(archive)
    named_here = {p.name for p in people if any(x.session == session_id for x in p.prints)}
    voices.recognize(people, speakers, found.voiceprints)
    people = voices.forget(people, session_id)
    for speaker in speakers:
        if speaker.name in named_here:  # staff named this voice in this very session
            speaker.named_by, speaker.score = "staff", None
            people = voices.learn(people, speaker, session_id, found.voiceprints[speaker.id])
    transcript.segments = [piece for segment in transcript.segments for piece in (
        [segment] if segment.speaker_by == "staff"
        else attribution.attribute([segment], found.turns))]
    transcript.speakers, transcript.turns = speakers, found.turns
    reassign.restore(transcript, held, [i for i, s in enumerate(transcript.segments)
                                        if s.speaker_by == "staff"])
    suggestions.offer(transcript, suggestions.found(transcript))
    return found.voiceprints, people
