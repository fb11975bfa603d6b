"""The one way a session is created or changed, whoever asks: the CLI, the staff pages, a job.

Every change runs the same steps, once: take the archive's change lock → load → validate and
change (the pure functions of publishing, details, speakers, chapters, corrections) → save
atomically, with the session's version counted up → reconcile the search index → announce
the change (ontherecord.events). The CLI, the staff views and the job runner only parse what
they were given, call one function here and show what it returns.

Saving writes session.json (with the new version) before anything else it changes, so a
process killed part-way leaves a version the index does not hold; the next reconcile, at
start-up or after any other change, brings the index back to what the archive says.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.engines import hours_of
from index.store import SearchIndex
from ontherecord import (
    bulk,
    chapters,
    corrections,
    details,
    publishing,
    reassign,
    speakers,
    suggestions,
    summaries,
    voices,
)
from ontherecord.archive import Archive, versions_of
from ontherecord.details import Details
from ontherecord.errors import InputError
from ontherecord.events import Change, Kind, announce
from ontherecord.model import Speaker, Transcript
from ontherecord.progress import Progress, Silent
from ontherecord.taxonomy import load_taxonomy, topic_names

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # the ingest machinery (torch, CTranslate2) loads only when a change needs it
    from ingest.asr import AsrOptions
    from ingest.diarize import DiarizeOptions


def _save(archive: Archive, transcript: Transcript, kind: Kind, was_public: bool, *,
          text: bool = False, voiceprints: dict[str, list[float]] | None = None,
          registry: list[voices.Person] | None = None, **facts) -> Change:
    """Save a changed session (its version counted up first) and reconcile the index.

    `text`: transcript.json changed too. The caller holds the archive's change lock.
    """
    if text:  # whatever changed the speakers, a suggestion never outlives its reason
        suggestions.settle(transcript)
    session = transcript.session
    session.version += 1
    archive.save_session(session)
    if voiceprints is not None:
        archive.save_voiceprints(session.id, voiceprints)
    if text:
        archive.save_transcript(transcript)
    if registry is not None:
        voices.save(archive, registry)
    SearchIndex.of(archive).reconcile(archive)
    return Change(kind, transcript, was_public=was_public, archive=archive, **facts)


def _announced(change: Change) -> Change:
    """Announce a change once its lock is released, and hand it back to the caller."""
    announce(change)
    return change


def heal(archive: Archive, license: bulk.License | None = None) -> list[str]:
    """Repair what a killed process left: stale scratch folders, derived data behind the archive.

    That is the search index, the listings' summaries, and the bulk data file (also
    rewritten under another `license`; None keeps the file's). Run at every start-up;
    returns the ids of the sessions the index had to catch up on.
    """
    archive.sweep()
    if not archive.sessions_dir.is_dir():
        return []
    index = SearchIndex.of(archive)
    public = archive.public_sessions()  # read once: every session record, at every start-up
    bulk.heal(archive, license, versions_of(public))
    made = summaries.heal(archive, public)
    if made:
        log.warning("summarized %d sessions for the listings", made)
    if index.outgrown(hours_of(public)):  # "auto" picks the engine by the archive's size
        index.rebuild_from(archive)
    # The usual case: no lock, nothing written.
    if index.stamps() == versions_of(public):
        return []
    with archive.changing():
        return index.reconcile(archive)


def reindex(archive: Archive, engine: str | None = None) -> int:
    """Rebuild the search index from the archive alone; returns the segment count.

    With an engine named, the index is built with it and keeps it (see index.store).
    Built without the change lock (it can take minutes), then reconciled under it, so a
    change saved during the rebuild is not lost.
    """
    count = SearchIndex(archive.index_dir).rebuild_from(archive, engine)
    heal(archive)
    return count


def change_state(archive: Archive, session_id: str, action: str) -> Change:
    """Publish, withdraw or close a session (see ontherecord.publishing)."""
    if action not in publishing.CHANGES:
        raise InputError(f"no such change: {action!r} (use {', '.join(publishing.CHANGES)})")
    with archive.changing():
        transcript = archive.transcript(session_id)
        was_public = transcript.session.public
        publishing.CHANGES[action](transcript.session)
        change = _save(archive, transcript, "state", was_public, what=[action])
    return _announced(change)


def publish(archive: Archive, session_id: str) -> Change:
    """Make a session public (never a closed one)."""
    return change_state(archive, session_id, "publish")


def edit_details(archive: Archive, session_id: str, **changes: Any) -> Change:
    """Change a session's details, roster or count of voices (None leaves one unchanged)."""
    with archive.changing():
        transcript = archive.transcript(session_id)
        was_public = transcript.session.public
        changed = details.edit(transcript.session, **changes)
        change = _save(archive, transcript, "details", was_public, what=changed)
    return _announced(change)


def correct(archive: Archive, session_id: str, text: str, *, at: float | None = None,
            index: int | None = None, expected: str | None = None) -> Change:
    """Correct the segment said at `at` seconds (or segment `index`); the fix is logged."""
    with archive.changing():
        transcript = archive.transcript(session_id)
        if index is None:
            index = corrections.segment_at(transcript, at or 0.0)
        fix = corrections.correct(transcript, index, text, expected=expected)
        change = _save(archive, transcript, "correction", transcript.session.public,
                       text=True, correction=fix, what=[str(index)])
    return _announced(change)


def name_speaker(archive: Archive, session_id: str, ref: str, name: str | None,
                 side: str | None = None, role: str | None = None) -> Change:
    """Name a speaker ('' unnames), give their side and role; file the voice under the name."""
    with archive.changing():
        transcript = archive.transcript(session_id)
        speaker, registry = _name(archive, transcript, ref, name, side, role)
        change = _save(archive, transcript, "speakers", transcript.session.public, text=True,
                       registry=registry, what=[speaker.id])
    return _announced(change)


def _name(archive: Archive, transcript: Transcript, ref: str, name: str | None,
          side: str | None, role: str | None) -> tuple[Speaker, list[voices.Person]]:
    """Name a speaker in memory; returns it and the registry with its voice filed (unsaved)."""
    speaker = speakers.name(transcript, ref, name, side, role)
    session_id = transcript.session.id
    registry = voices.learn(voices.load(archive), speaker, session_id,
                            archive.voiceprints(session_id).get(speaker.id))
    return speaker, registry


def accept_suggestion(archive: Archive, session_id: str, ref: str, name: str) -> Change:
    """Name a speaker as suggested (with the suggestion's side and role)."""
    with archive.changing():
        transcript = archive.transcript(session_id)
        offered = suggestions.take(transcript, ref, name)
        speaker, registry = _name(archive, transcript, offered.speaker, offered.name,
                                  offered.side, offered.role)
        change = _save(archive, transcript, "speakers", transcript.session.public, text=True,
                       registry=registry, what=[speaker.id])
    return _announced(change)


def reject_suggestion(archive: Archive, session_id: str, ref: str, name: str) -> Change:
    """Turn a suggested name down for good; a name matched by voice is taken back."""
    with archive.changing():
        transcript = archive.transcript(session_id)
        offered = suggestions.reject(transcript, ref, name)
        change = _save(archive, transcript, "speakers", transcript.session.public, text=True,
                       what=[offered.speaker])
    return _announced(change)


def merge_speakers(archive: Archive, session_id: str, source: str, target: str) -> Change:
    """Fold a voice diarization split off back into its owner; logged publicly."""
    with archive.changing():
        transcript = archive.transcript(session_id)
        prints = archive.voiceprints(session_id)
        moved = reassign.lines_of(transcript, speakers.find(transcript, source).id)
        gone, kept = speakers.merge(transcript, prints, source, target)
        if moved:
            reassign.log(transcript, "merge", transcript.segments[moved[0]].start, gone.display,
                         kept.display, len(moved))
        registry = voices.forget(voices.load(archive), session_id, gone.id)
        if kept.named_by == "staff":
            registry = voices.learn(registry, kept, session_id, prints.get(kept.id))
        change = _save(archive, transcript, "speakers", transcript.session.public, text=True,
                       voiceprints=prints, registry=registry, what=[gone.id, kept.id])
    return _announced(change)


def reassign_lines(archive: Archive, session_id: str, to: str, *,
                   lines: tuple[int, int] | None = None,
                   times: tuple[float, float] | None = None,
                   expected: float | None = None) -> Change:
    """Give lines to a speaker, or to a new one (`to` = "new"); logged publicly.

    The lines are given by index (from 0), or as those said between two times; staff's choice
    is kept through any later diarization. `expected` is the start of the first line as the
    editor saw it: if the transcript changed since, the change is refused rather than made to
    another line.
    """
    with archive.changing():
        transcript = archive.transcript(session_id)
        if times:
            first, last = reassign.line_range(transcript, *times)
        elif lines:
            first, last = lines
        else:
            raise InputError("say which lines: a line, or the times a range begins and ends")
        if expected is not None and (not 0 <= first < len(transcript.segments)
                                     or transcript.segments[first].start != expected):
            raise InputError("the transcript was changed since you opened it: reload and try "
                             "again")
        before = {s.id for s in transcript.speakers}
        reassign.reassign(transcript, first, last, to)
        prints, registry = _forget_gone(archive, transcript, before)
        change = _save(archive, transcript, "speakers", transcript.session.public, text=True,
                       voiceprints=prints, registry=registry,
                       what=[transcript.segments[first].speaker or ""])
    return _announced(change)


def _forget_gone(archive: Archive, transcript: Transcript, before: set[str],
                 ) -> tuple[dict[str, list[float]], list[voices.Person]]:
    """The voiceprints and registry without the speakers an edit left with no line."""
    session_id = transcript.session.id
    gone = before - {s.id for s in transcript.speakers}
    prints = {k: v for k, v in archive.voiceprints(session_id).items() if k not in gone}
    registry = voices.load(archive)
    for speaker_id in gone:
        registry = voices.forget(registry, session_id, speaker_id)
    return prints, registry


def split_speaker(archive: Archive, session_id: str, ref: str,
                  progress: Progress | None = None) -> Change:
    """Find two voices among a speaker's lines and give the second (fewer lines) a new speaker.

    Each line is embedded from the recording, unlocked; the split is then saved if the
    speaker's lines are still the ones compared. Logged publicly.
    """
    from ingest import split

    transcript = archive.transcript(session_id)
    speaker = reassign.check_splittable(transcript, ref)
    lines = reassign.lines_of(transcript, speaker.id)
    spans = [(transcript.segments[i].start, transcript.segments[i].end) for i in lines]
    prints = split.voices_of_lines(archive, transcript.session, spans, progress or Silent())
    second = split.two_voices(prints)
    if not second.any():
        raise InputError(f"only one voice was found in {speaker.display}'s lines")
    with archive.changing():
        transcript = archive.transcript(session_id)
        if reassign.lines_of(transcript, speaker.id) != lines:
            raise InputError(f"{speaker.display}'s lines changed while their voices were "
                             "compared: try again")
        moved = [i for i, is_second in zip(lines, second, strict=True) if is_second]
        kept, new, _ = reassign.split(transcript, speaker.id, moved)
        voiceprints = archive.voiceprints(session_id)
        for who, group in ((kept, ~second), (new, second)):
            mean = prints[group].mean(axis=0)
            voiceprints[who.id] = [round(float(x), 5) for x in mean / np.linalg.norm(mean)]
        registry = voices.load(archive)
        if kept.named_by == "staff":
            registry = voices.learn(registry, kept, session_id, voiceprints[kept.id])
        change = _save(archive, transcript, "speakers", transcript.session.public, text=True,
                       voiceprints=voiceprints, registry=registry, what=[kept.id, new.id])
    return _announced(change)


def edit_chapters(archive: Archive, session_id: str, *, find: bool = False,
                  retitle: tuple[int, str] | None = None,
                  retopic: tuple[int, str] | None = None) -> Change:
    """Find a session's chapters again, move one to another topic, retitle one; all or none.

    Finding again uses the archive's taxonomy and keeps staff edits. A retitle to the title the
    chapter had before a topic change is no change (a form sends the title back as shown).
    """
    from ingest.topics import find_again  # sentence embeddings, only when finding

    with archive.changing():
        transcript = archive.transcript(session_id)
        taxonomy = load_taxonomy(archive.taxonomy_path) if find or retopic else []
        if find:
            find_again(transcript, taxonomy)
        shown = chapters.find(transcript, retitle[0]).title if retitle else ""
        what = ["found"] if find else []
        if retopic and chapters.find(transcript, retopic[0]).topic_id != retopic[1]:
            chapters.set_topic(transcript, *retopic, topic_names(taxonomy))
            what.append(str(retopic[0]))
        if retitle and " ".join(retitle[1].split()) != shown:
            chapters.retitle(transcript, *retitle)
            what.append(str(retitle[0]))
        if not what:
            return Change("chapters", transcript, was_public=transcript.session.public,
                          archive=archive)
        change = _save(archive, transcript, "chapters", transcript.session.public, text=True,
                       what=what)
    return _announced(change)


def rediarize(archive: Archive, session_id: str, options: DiarizeOptions,
              progress: Progress | None = None) -> Change:
    """Find a session's speakers again from its recording; logged publicly.

    The names staff gave carry over, and the lines whose speaker staff set keep it.
    """
    from ingest import pipeline

    # The audio work runs unlocked; the lock is held from reading what it changes to saving it.
    found = pipeline.find_speakers(archive, archive.session(session_id), options, progress)
    with archive.changing():
        transcript = archive.transcript(session_id)
        prints, registry = pipeline.apply_speakers(archive, transcript, found)
        reassign.log(transcript, "rediarize", 0.0, "", "", len(transcript.speakers))
        change = _save(archive, transcript, "diarized", transcript.session.public, text=True,
                       voiceprints=prints, registry=registry)
    return _announced(change)


def ingest(archive: Archive, source: str | Path, info: Details, *,
           asr_options: AsrOptions | None = None, speaker_options: DiarizeOptions | None = None,
           publish: bool = False, progress: Progress | None = None,
           live: bool = False, stop: threading.Event | None = None, inbox: Path | None = None,
           on_fetched: Callable[[Path], None] | None = None) -> Change:
    """Make a session from a recording: a file, a web address, or (`live`) an HLS stream.

    A web address is fetched into `inbox` (else a scratch folder) and becomes the session's
    source link; `on_fetched` hears where the file went. `stop` ends a live capture. The
    recording is transcribed unlocked and committed at once, published if asked. A recording
    already in the archive is not ingested again (the change says created=False).
    """
    from ingest import download, pipeline
    from ingest.asr import AsrOptions

    progress = progress or Silent()
    info = info.checked()  # before a download that could take an hour
    if isinstance(source, str) and "://" in source:
        # Any scheme goes to the fetcher's check, which refuses all but http(s) clearly.
        download.check_url(source)
        info.source_url = info.source_url or details.check_url(source)
        if inbox is None:
            with archive.staging("fetch-") as scratch:
                local = _fetch(source, scratch, progress, live, stop)
                return ingest(archive, local, info, asr_options=asr_options,
                              speaker_options=speaker_options, publish=publish,
                              progress=progress)
        local = _fetch(source, inbox, progress, live, stop)
        if on_fetched:
            on_fetched(local)
        source = local
    with archive.staging() as folder:
        result = pipeline.ingest(archive, Path(source), info, asr_options or AsrOptions(), folder,
                                 progress, speaker_options)
        if result.transcript is not None:  # a new session, staged
            if publish:
                publishing.publish(result.session)
            if _commit(archive, folder, result.transcript, result.voiceprints):
                return _announced(Change("ingested", result.transcript,
                                         what=["publish"] if publish else [], archive=archive))
    # Already archived (perhaps by another process a moment ago): publish it if asked.
    existing = archive.find_by_sha256(result.session.source.sha256) or result.session
    if publish and not existing.public:
        change = change_state(archive, existing.id, "publish")
    else:
        change = Change("ingested", archive.transcript(existing.id), was_public=existing.public,
                        archive=archive)
    change.created = False
    return change


def _commit(archive: Archive, folder: Path, transcript: Transcript,
            voiceprints: dict[str, list[float]]) -> bool:
    """Move a staged session into the archive and index it; False if it got there first."""
    with archive.changing():
        if archive.find_by_sha256(transcript.session.source.sha256) is not None:
            return False
        archive.commit(folder, transcript, voiceprints)
        SearchIndex.of(archive).reconcile(archive)
    return True


def _fetch(url: str, folder: Path, progress: Progress, live: bool,
           stop: threading.Event | None) -> Path:
    """Download a recording, or capture a stream (`live`), into `folder`."""
    from ingest import fetch

    if live:
        return fetch.record(url, folder, progress, stop=stop)
    return fetch.fetch(url, folder, progress, stop=stop)
